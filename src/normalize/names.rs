//! One shared copy of each repeated text of the invoices: customer, project, contract and
//! project manager names recur on many rows (a customer has ~50 invoices in a big run), so
//! each invoice holds an `Arc<str>` to the one copy instead of a `String` of its own. At
//! ten million invoices this halves what the invoices take (issue 7).
use std::hash::BuildHasher as _;
use std::sync::{Arc, Mutex, PoisonError};

use hashbrown::{DefaultHashBuilder, HashTable};

/// Shards of the table: the rows of a table are typed on every core, each taking the lock
/// of one shard for a lookup, so that the threads seldom wait for each other.
const SHARDS: usize = 16;

/// The shared texts met so far; safe to use from several threads.
pub struct Names {
    hasher: DefaultHashBuilder,
    shards: [Mutex<HashTable<Arc<str>>>; SHARDS],
}

impl Default for Names {
    fn default() -> Self {
        Self { hasher: DefaultHashBuilder::default(), shards: std::array::from_fn(|_| Mutex::default()) }
    }
}

impl Names {
    /// The shared copy of `text`, made on its first use.
    #[must_use]
    pub fn get(&self, text: &str) -> Arc<str> {
        let hash = self.hasher.hash_one(text);
        // The low bits pick the bucket inside a table; the shard is picked by the high ones.
        let shard = usize::try_from(hash >> 60).unwrap_or(0) % SHARDS;
        // A panic while the lock was held cannot leave the table half-changed: take it.
        let mut table = self.shards[shard].lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = table.find(hash, |name| **name == *text) {
            return Arc::clone(found);
        }
        let name: Arc<str> = Arc::from(text);
        table.insert_unique(hash, Arc::clone(&name), |name| self.hasher.hash_one(&**name));
        name
    }

    /// How many distinct texts are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len()).sum()
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
    fn threads_get_the_same_copy() {
        let names = Names::default();
        let texts: Vec<String> = (0..1_000).map(|i| format!("customer {}", i % 37)).collect();
        let shared: Vec<Vec<Arc<str>>> = std::thread::scope(|scope| {
            let workers: Vec<_> =
                (0..4).map(|_| scope.spawn(|| texts.iter().map(|t| names.get(t)).collect::<Vec<_>>())).collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(names.len(), 37);
        for list in &shared[1..] {
            assert!(list.iter().zip(&shared[0]).all(|(a, b)| Arc::ptr_eq(a, b)));
        }
        assert_eq!(&*shared[3][999], "customer 0");
    }
}
