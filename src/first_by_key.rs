//! Positions of a slice's items by a key of two texts read from the items themselves (not
//! copied), the first of equal keys kept: a hash table of 4-byte positions, sized once.
//! Invoices are looked up by (customer, invoice number) when inputs are joined and when
//! messages list their items; at a million items a map of borrowed keys took ~80 MB, and
//! twice that while it grew (issue 7).
use std::hash::BuildHasher as _;

use hashbrown::{DefaultHashBuilder, HashTable};

/// The first position of each key among `items`.
pub struct FirstByKey<'a, T, K> {
    items: &'a [T],
    key: K,
    hasher: DefaultHashBuilder,
    table: HashTable<u32>,
}

impl<'a, T, K> FirstByKey<'a, T, K>
where
    K: Fn(&'a T) -> (&'a str, &'a str),
{
    /// The table of `items` by `key`, and each later item whose key an earlier one has,
    /// as (later, first) positions in order. Positions fit 32 bits: the input limits allow
    /// far fewer rows.
    pub fn with_duplicates(items: &'a [T], key: K) -> (Self, Vec<(usize, usize)>) {
        let hasher = DefaultHashBuilder::default();
        let mut table: HashTable<u32> = HashTable::with_capacity(items.len());
        let mut duplicates = Vec::new();
        let at = |i: u32| key(&items[i as usize]);
        for (position, item) in (0..=u32::MAX).zip(items) {
            let wanted = key(item);
            let hash = hasher.hash_one(wanted);
            match table.find(hash, |&i| at(i) == wanted) {
                Some(&first) => duplicates.push((position as usize, first as usize)),
                None => {
                    table.insert_unique(hash, position, |&i| hasher.hash_one(at(i)));
                }
            }
        }
        (Self { items, key, hasher, table }, duplicates)
    }

    /// The table of `items` by `key`.
    pub fn new(items: &'a [T], key: K) -> Self {
        Self::with_duplicates(items, key).0
    }

    /// The first item whose key is `wanted`.
    pub fn get(&self, wanted: (&str, &str)) -> Option<&'a T> {
        let hash = self.hasher.hash_one(wanted);
        let found = self.table.find(hash, |&i| (self.key)(&self.items[i as usize]) == wanted)?;
        Some(&self.items[*found as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_equal_keys_is_found_and_the_later_ones_listed() {
        let items = [("华为", "INV-1", 100), ("ACME", "INV-1", 200), ("华为", "INV-1", 300), ("ACME", "INV-1", 400)];
        let (index, duplicates) = FirstByKey::with_duplicates(&items, |i| (i.0, i.1));
        assert_eq!(duplicates, [(2, 0), (3, 1)]);
        assert_eq!(index.get(("华为", "INV-1")).map(|i| i.2), Some(100));
        assert_eq!(index.get(("ACME", "INV-1")).map(|i| i.2), Some(200));
        assert!(index.get(("ACME", "INV-2")).is_none());
        assert!(index.get(("华为 ", "INV-1")).is_none());
        let none: [(&str, &str, i32); 0] = [];
        assert!(FirstByKey::new(&none, |i| (i.0, i.1)).get(("ACME", "INV-1")).is_none());
    }
}
