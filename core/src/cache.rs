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

    /// The cached value for `key`, computing and storing it with `compute` on a miss.
    pub fn get_or_insert_with<Q>(&mut self, key: &Q, compute: impl FnOnce() -> V) -> V
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(value) = self.current.get(key) {
            return value.clone();
        }
        let value = match self.previous.remove(key) {
            Some(value) => value,
            None => compute(),
        };
        if self.current.len() >= self.generation_capacity {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key.to_owned(), value.clone());
        value
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

    #[test]
    fn computes_once_per_key() {
        let mut cache: GenerationalCache<String, usize> = GenerationalCache::new(10);
        let mut calls = 0;
        for _ in 0..3 {
            let value = cache.get_or_insert_with("a", || {
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
            cache.get_or_insert_with(&i.to_string(), || i);
            assert!(cache.len() <= 8);
        }
        let mut recomputed = false;
        cache.get_or_insert_with("99", || {
            recomputed = true;
            0
        });
        assert!(!recomputed, "the newest entry is still cached");
        assert_eq!(
            cache.get_or_insert_with("0", || 1000),
            1000,
            "old entries were evicted"
        );
    }

    #[test]
    fn previous_generation_hits_are_promoted() {
        let mut cache: GenerationalCache<String, usize> = GenerationalCache::new(2);
        cache.get_or_insert_with("a", || 1);
        cache.get_or_insert_with("b", || 2);
        cache.get_or_insert_with("c", || 3); // "a" and "b" move to the previous generation
        assert_eq!(cache.get_or_insert_with("a", || 100), 1);
    }
}
