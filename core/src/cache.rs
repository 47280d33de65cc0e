//! A bounded, two-generation cache: lookups hit the current or the previous generation; when
//! the current one is full it becomes the previous one. Memory stays bounded and values used
//! in the last generation survive, which is what repeating traffic (a few hundred user agents)
//! needs.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// Bounded cache of at most `2 × generation_capacity` entries.
#[derive(Debug)]
pub struct GenerationalCache<K, V> {
    current: FxHashMap<K, V>,
    previous: FxHashMap<K, V>,
    generation_capacity: usize,
}

impl<K: Hash + Eq, V: Clone> GenerationalCache<K, V> {
    /// An empty cache whose generations hold `generation_capacity` entries each.
    pub fn new(generation_capacity: usize) -> Self {
        GenerationalCache {
            current: FxHashMap::default(),
            previous: FxHashMap::default(),
            generation_capacity: generation_capacity.max(1),
        }
    }

    /// The cached value for `key`, if any (a hit in the previous generation moves to the
    /// current one).
    pub fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(value) = self.current.get(key) {
            return Some(value.clone());
        }
        let value = self.previous.remove(key)?;
        self.insert(key.to_owned(), value.clone());
        Some(value)
    }

    /// Stores `value` for `key`, starting a new generation when the current one is full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.current.len() >= self.generation_capacity {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, value);
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached value for `key`, else `compute`'s, stored.
    fn fetch(
        cache: &mut GenerationalCache<String, usize>,
        key: &str,
        compute: impl FnOnce() -> usize,
    ) -> usize {
        cache.get(key).unwrap_or_else(|| {
            let value = compute();
            cache.insert(key.to_owned(), value);
            value
        })
    }

    #[test]
    fn computes_once_per_key() {
        let mut cache: GenerationalCache<String, usize> = GenerationalCache::new(10);
        let mut calls = 0;
        for _ in 0..3 {
            let value = fetch(&mut cache, "a", || {
                calls += 1;
                7
            });
            assert_eq!(value, 7);
        }
        assert_eq!(calls, 1);
    }

    #[test]
    fn stays_bounded_and_keeps_recent_entries() {
        let mut cache: GenerationalCache<String, usize> = GenerationalCache::new(4);
        for i in 0..100 {
            fetch(&mut cache, &i.to_string(), || i);
            assert!(cache.len() <= 8);
        }
        let mut recomputed = false;
        fetch(&mut cache, "99", || {
            recomputed = true;
            0
        });
        assert!(!recomputed, "the newest entry is still cached");
        assert_eq!(
            fetch(&mut cache, "0", || 1000),
            1000,
            "old entries were evicted"
        );
    }

    #[test]
    fn previous_generation_hits_are_promoted() {
        let mut cache: GenerationalCache<String, usize> = GenerationalCache::new(2);
        fetch(&mut cache, "a", || 1);
        fetch(&mut cache, "b", || 2);
        fetch(&mut cache, "c", || 3); // "a" and "b" move to the previous generation
        assert_eq!(fetch(&mut cache, "a", || 100), 1);
    }
}
