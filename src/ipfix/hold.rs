//! The one bounded store for data that waits for its template (IPFIX data sets in the
//! [`super::session::Session`], NetFlow v9 data FlowSets in the [`super::netflow`] translator):
//! items are kept per key (domain and template), so a template's arrival takes exactly its
//! own items (never a walk over everything held: a stream of definitions would make that
//! quadratic), and the oldest item overall is dropped when the charged cost passes the bound.
//! The cost charged for an item is its octets plus the memory that holds it, so a flood of
//! empty sets cannot hold more memory than the bound says.

use std::collections::{BTreeMap, VecDeque};

/// What an item costs beyond its own octets: its slot here and in the arrival order.
pub const OVERHEAD: usize = 64;

/// The bound of a [`Hold::default`]: 64 MiB.
pub const DEFAULT_MAX: usize = 64 << 20;

impl<K: Ord + Copy, T> Default for Hold<K, T> {
    fn default() -> Self {
        Hold::new(DEFAULT_MAX)
    }
}

pub struct Hold<K: Ord + Copy, T> {
    by_key: BTreeMap<K, VecDeque<(u64, usize, T)>>,
    /// Arrival numbers and keys, oldest first; entries of items taken since are skipped (and
    /// compacted away once they are the majority).
    order: VecDeque<(u64, K)>,
    next: u64,
    live: usize,
    charged: usize,
    max: usize,
}

impl<K: Ord + Copy, T> Hold<K, T> {
    pub fn new(max: usize) -> Self {
        Hold {
            by_key: BTreeMap::new(),
            order: VecDeque::new(),
            next: 0,
            live: 0,
            charged: 0,
            max,
        }
    }

    pub fn set_max(&mut self, max: usize) {
        self.max = max;
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether anything is held for `key`.
    pub fn has(&self, key: &K) -> bool {
        self.by_key.contains_key(key)
    }

    /// Holds `item` (of `octets`), then drops the oldest items while the cost is past the
    /// bound, handing each to `dropped`.
    pub fn push(&mut self, key: K, item: T, octets: usize, mut dropped: impl FnMut(K, T)) {
        let cost = octets + OVERHEAD;
        let seq = self.next;
        self.next += 1;
        self.by_key
            .entry(key)
            .or_default()
            .push_back((seq, cost, item));
        self.order.push_back((seq, key));
        self.live += 1;
        self.charged += cost;
        while self.charged > self.max {
            let Some((seq, key)) = self.order.pop_front() else {
                break;
            };
            let Some(q) = self.by_key.get_mut(&key) else {
                continue;
            };
            if q.front().is_none_or(|f| f.0 != seq) {
                continue; // taken already
            }
            if let Some((_, cost, item)) = q.pop_front() {
                self.charged -= cost;
                self.live -= 1;
                if q.is_empty() {
                    self.by_key.remove(&key);
                }
                dropped(key, item);
            }
        }
        if self.order.len() > 64 && self.order.len() > 2 * self.live {
            let by_key = &self.by_key;
            self.order.retain(|(seq, key)| {
                by_key
                    .get(key)
                    .is_some_and(|q| q.binary_search_by_key(seq, |e| e.0).is_ok())
            });
        }
    }

    /// Everything held for `key`, oldest first, taken out.
    pub fn take(&mut self, key: &K) -> impl Iterator<Item = T> + use<K, T> {
        let q = self.by_key.remove(key).unwrap_or_default();
        self.live -= q.len();
        self.charged -= q.iter().map(|e| e.1).sum::<usize>();
        q.into_iter().map(|e| e.2)
    }

    /// What is held, by key (in key order) and arrival.
    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> + '_ {
        (self.by_key.iter()).flat_map(|(k, q)| q.iter().map(move |e| (*k, &e.2)))
    }

    /// Everything held, taken out, by key (in key order) and arrival.
    pub fn drain(&mut self) -> impl Iterator<Item = (K, T)> + use<K, T> {
        let all = std::mem::take(&mut self.by_key);
        self.order.clear();
        self.live = 0;
        self.charged = 0;
        all.into_iter()
            .flat_map(|(k, q)| q.into_iter().map(move |e| (k, e.2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_by_key_and_drops_the_oldest_past_the_bound() {
        let mut h: Hold<u16, &str> = Hold::new(3 * (10 + OVERHEAD));
        let mut dropped = Vec::new();
        h.push(1, "a", 10, |k, t| dropped.push((k, t)));
        h.push(2, "b", 10, |k, t| dropped.push((k, t)));
        h.push(1, "c", 10, |k, t| dropped.push((k, t)));
        assert!(dropped.is_empty());
        h.push(3, "d", 10, |k, t| dropped.push((k, t)));
        assert_eq!(dropped, [(1, "a")]);
        assert_eq!(h.take(&1).collect::<Vec<_>>(), ["c"]);
        assert!(!h.has(&1));
        // "b" is now the oldest; the taken "c" is skipped in the order.
        h.push(4, "e", 10, |k, t| dropped.push((k, t)));
        h.push(4, "f", 10, |k, t| dropped.push((k, t)));
        assert_eq!(dropped, [(1, "a"), (2, "b")]);
        assert_eq!(
            h.drain().collect::<Vec<_>>(),
            [(3, "d"), (4, "e"), (4, "f")]
        );
        assert!(h.is_empty());
    }

    #[test]
    fn empty_items_are_charged_their_memory() {
        let mut h: Hold<u16, ()> = Hold::new(10 * OVERHEAD);
        let mut n = 0;
        for _ in 0..1000 {
            h.push(1, (), 0, |_, _| n += 1);
        }
        assert_eq!(n, 990);
        assert_eq!(h.iter().count(), 10);
    }

    #[test]
    fn many_keys_taken_keep_the_order_small() {
        let mut h: Hold<u32, u32> = Hold::new(usize::MAX);
        for i in 0..10_000 {
            h.push(i, i, 0, |_, _| {});
            assert_eq!(h.take(&i).count(), 1);
        }
        assert!(h.order.len() <= 130, "{}", h.order.len());
    }
}
