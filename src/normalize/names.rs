//! Shared copies of the repeated texts of the invoices: customer, project, contract and
//! project manager names recur on many rows (a customer has ~50 invoices in a big run), so
//! each invoice holds an `Arc<str>` to a shared copy (one per typing thread) instead of a
//! `String` of its own. At ten million invoices this halves what the invoices take.
use std::hash::BuildHasher as _;
use std::sync::{Arc, Mutex, PoisonError};

use hashbrown::{DefaultHashBuilder, HashTable};

/// The shared texts met so far; safe to use from several threads.
///
/// Each thread of rayon's pool keeps a table of its own (and other threads one more): a
/// table shared by the typing threads made every lookup take a lock whose cache line
/// went back and forth between the cores, which cost more than the copies it saved. So a
/// name is held once per thread that met it, a few copies in all instead of one per row.
pub struct Names {
    hasher: DefaultHashBuilder,
    tables: Vec<Mutex<HashTable<Arc<str>>>>,
}

impl Default for Names {
    fn default() -> Self {
        let tables = (0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect();
        Self { hasher: DefaultHashBuilder::default(), tables }
    }
}

impl Names {
    /// The shared copy of `text`, made on its first use by this thread.
    #[must_use]
    pub fn get(&self, text: &str) -> Arc<str> {
        let hash = self.hasher.hash_one(text);
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.tables.len();
        // Only this thread takes this lock (unless the pool grew): it is not waited for. A
        // panic while it was held cannot leave the table half-changed: take it.
        let mut table = self.tables[slot].lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = table.find(hash, |name| **name == *text) {
            return Arc::clone(found);
        }
        let name: Arc<str> = Arc::from(text);
        table.insert_unique(hash, Arc::clone(&name), |name| self.hasher.hash_one(&**name));
        name
    }

    /// How many texts are held (a text met by several threads counts once per thread).
    #[must_use]
    pub fn len(&self) -> usize {
        self.tables.iter().map(|t| t.lock().unwrap_or_else(PoisonError::into_inner).len()).sum()
    }

    /// Whether no text is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy() {
        let names = Names::default();
        let first = names.get("成都能源有限公司");
        let again = names.get(&String::from("成都能源有限公司"));
        let other = names.get("Oceanic GmbH");
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!((&*first, &*other), ("成都能源有限公司", "Oceanic GmbH"));
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn each_thread_shares_its_copies_and_every_copy_reads_the_same() {
        use rayon::prelude::*;
        let names = Names::default();
        let texts: Vec<String> = (0..10_000).map(|i| format!("customer {}", i % 37)).collect();
        let shared: Vec<Arc<str>> = texts.par_iter().with_min_len(100).map(|t| names.get(t)).collect();
        assert!(shared.iter().zip(&texts).all(|(name, text)| **name == **text));
        // At most one copy per table: far fewer than one per row.
        assert!((37..=37 * names.tables.len()).contains(&names.len()), "{}", names.len());
        let again = names.get("customer 5");
        assert!(Arc::ptr_eq(&again, &names.get("customer 5")));
    }
}
