//! Progress of a run on stderr: one line per stage with counts and rates, a spinner while a
//! stage works. Drawn only on a terminal and never with `--quiet` or `--json`.
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress display of one run.
pub(crate) struct Progress {
    bar: ProgressBar,
    stage_started: Instant,
}

impl Progress {
    /// A spinner on stderr, hidden when `quiet` or when stderr is not a terminal.
    #[must_use]
    pub(crate) fn new(quiet: bool) -> Self {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar, stage_started: Instant::now() }
    }

    /// Starts a stage: `reading invoices…`.
    pub(crate) fn start(&mut self, what: &str) {
        self.stage_started = Instant::now();
        self.bar.set_message(format!("{what}…"));
    }

    /// Ends the current stage with a line such as `read 150,000 rows in 1.2 s (125,000/s)`.
    pub(crate) fn done(&self, what: &str, count: usize, unit: &str) {
        let seconds = self.stage_started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rate = if seconds > 0.0 { (count as f64 / seconds).round() as usize } else { 0 };
        self.bar.println(format!("{what} {} {unit} in {seconds:.1} s ({}/s)", thousands(count), thousands(rate)));
    }

    /// A line of its own, e.g. how long each of two stages run at the same time took.
    pub(crate) fn note(&self, text: &str) {
        self.bar.println(text);
    }

    /// Removes the spinner.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
