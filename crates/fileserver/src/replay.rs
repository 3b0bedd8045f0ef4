//! Token ids seen recently, so a captured token cannot be sent twice. Entries leave when their
//! token expires; the cache is bounded, and when full it refuses rather than forgets.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Fresh,
    Replayed,
    Full,
}

pub struct ReplayCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    live: HashMap<String, i64>,
    by_expiry: BTreeSet<(i64, String)>,
}

impl ReplayCache {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    /// Records `id` (valid until `exp`) unless it was seen before; `now` drops expired ids.
    pub fn check(&self, id: &str, exp: i64, now: i64) -> Seen {
        let mut inner = self.inner.lock().expect("replay lock");
        while let Some((first_exp, _)) = inner.by_expiry.first() {
            if *first_exp >= now {
                break;
            }
            let (_, old) = inner.by_expiry.pop_first().expect("just looked");
            inner.live.remove(&old);
        }
        if inner.live.contains_key(id) {
            return Seen::Replayed;
        }
        if inner.live.len() >= self.capacity {
            return Seen::Full;
        }
        inner.live.insert(id.to_owned(), exp);
        inner.by_expiry.insert((exp, id.to_owned()));
        Seen::Fresh
    }

    pub fn len(&self) -> usize {
        self.inner.lock().expect("replay lock").live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_expiry_and_bound() {
        let cache = ReplayCache::new(2);
        assert_eq!(cache.check("a", 100, 0), Seen::Fresh);
        assert_eq!(cache.check("a", 100, 50), Seen::Replayed);
        assert_eq!(cache.check("b", 10, 0), Seen::Fresh);
        assert_eq!(cache.check("c", 100, 5), Seen::Full);
        // Once `b` expired its place frees up.
        assert_eq!(cache.check("c", 100, 11), Seen::Fresh);
        assert_eq!(cache.len(), 2);
        // And `a` is forgotten only after its expiry.
        assert_eq!(cache.check("a", 200, 101), Seen::Fresh);
    }
}
