//! Positions of a list's items by a key of two texts read from the items themselves (not
//! copied), the first of equal keys kept: a hash table of 4-byte positions, sized once.
//! Invoices are looked up by (customer, invoice number) when inputs are joined and when
//! messages list their items; at a million items a map of borrowed keys took ~80 MB, and
//! twice that while it grew.
use std::hash::BuildHasher as _;

use hashbrown::{DefaultHashBuilder, HashTable};

/// The first position of each key among a list's items; the keys are read from the list
/// whenever they are compared, through the function each call is given.
pub struct InvoiceIndex {
    hasher: DefaultHashBuilder,
    table: HashTable<u32>,
}

impl InvoiceIndex {
    /// The table of the `len` items whose keys `key` reads, and each later item whose key
    /// an earlier one has, as (later, first) positions in order. Positions fit 32 bits:
    /// the input limits allow far fewer rows.
    pub fn with_duplicates<'a>(len: usize, key: impl Fn(usize) -> (&'a str, &'a str)) -> (Self, Vec<(usize, usize)>) {
        let hasher = DefaultHashBuilder::default();
        let mut table: HashTable<u32> = HashTable::with_capacity(len);
        let mut duplicates = Vec::new();
        let at = |i: u32| key(i as usize);
        for position in (0..=u32::MAX).take(len) {
            let wanted = at(position);
            let hash = hasher.hash_one(wanted);
            match table.find(hash, |&i| at(i) == wanted) {
                Some(&first) => duplicates.push((position as usize, first as usize)),
                None => {
                    table.insert_unique(hash, position, |&i| hasher.hash_one(at(i)));
                }
            }
        }
        (Self { hasher, table }, duplicates)
    }

    /// The table of the `len` items whose keys `key` reads.
    pub fn new<'a>(len: usize, key: impl Fn(usize) -> (&'a str, &'a str)) -> Self {
        Self::with_duplicates(len, key).0
    }

    /// The position of the first item whose key is `wanted`; `key` reads the keys of the
    /// same items as when the table was made.
    pub fn get<'a>(&self, wanted: (&str, &str), key: impl Fn(usize) -> (&'a str, &'a str)) -> Option<usize> {
        let hash = self.hasher.hash_one(wanted);
        self.table.find(hash, |&i| key(i as usize) == wanted).map(|&i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_equal_keys_is_found_and_the_later_ones_listed() {
        let items = [("华为", "INV-1", 100), ("ACME", "INV-1", 200), ("华为", "INV-1", 300), ("ACME", "INV-1", 400)];
        let key = |i: usize| (items[i].0, items[i].1);
        let (index, duplicates) = InvoiceIndex::with_duplicates(items.len(), key);
        assert_eq!(duplicates, [(2, 0), (3, 1)]);
        assert_eq!(index.get(("华为", "INV-1"), key).map(|i| items[i].2), Some(100));
        assert_eq!(index.get(("ACME", "INV-1"), key).map(|i| items[i].2), Some(200));
        assert!(index.get(("ACME", "INV-2"), key).is_none());
        assert!(index.get(("华为 ", "INV-1"), key).is_none());
        let none = |_: usize| -> (&str, &str) { unreachable!("no items") };
        assert!(InvoiceIndex::new(0, none).get(("ACME", "INV-1"), none).is_none());
    }
}
