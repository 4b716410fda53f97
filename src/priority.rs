//! The threads that work beside a run's own (the workbook's writer, the History sheet, the
//! state database's integrity check and backup) give way to it: what the run does itself
//! (deciding, the emails, the record) is what the person waits for, and the others have
//! until it is done to finish.

/// How much lower than the run's a thread beside it runs (`nice`, 0–19).
const BESIDE: i32 = 10;

/// Lowers the priority of the calling thread so that it takes the processor the run leaves
/// idle rather than slowing the run. On Linux each thread has its own priority; elsewhere
/// the priority is the whole process's, and nothing is changed.
pub(crate) fn give_way() {
    #[cfg(target_os = "linux")]
    {
        // Best effort: a refusal leaves the thread at the run's priority.
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), BESIDE);
    }
}
