//! Reads served from SDK-side state: the balance, kept until the wallet changes.
//!
//! Every read of the library queues behind its service actors, one request at a time, and behind a scan.
//! The balance changes only when the library reports something (a transaction or output event, a scan
//! that found outputs, a new tip that matures time-locked outputs) or when this SDK spends. The pump
//! bumps `generation` on each of those, and so does every call that spends, before it resolves; a cached
//! balance is served only while its generation is current. A read that raced a change never stores its
//! answer as current (it carries the generation it started under). `MAX_AGE` bounds what a change the
//! library never announced could cost.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::balance::Balance;

/// The longest a cached balance is served, announced change or not.
pub const MAX_AGE: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct ReadCache {
    generation: AtomicU64,
    balance: Mutex<Option<(u64, Instant, Balance)>>,
}

impl ReadCache {
    /// The wallet changed (or may have): nothing cached before now is served again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Invalidates when dropped: held by a call that changes the wallet, so the change is seen however the
    /// call returns.
    pub fn changing(&self) -> Changing<'_> {
        Changing(self)
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The balance, if one read since the last change is at most `MAX_AGE` old.
    pub fn balance(&self) -> Option<Balance> {
        let current = self.generation();
        let slot = self.balance.lock().ok()?;
        match &*slot {
            Some((generation, at, b)) if *generation == current && at.elapsed() <= MAX_AGE => Some(*b),
            _ => None,
        }
    }

    /// Keeps `b`, read under generation `seen`, unless the wallet changed since.
    pub fn keep_balance(&self, seen: u64, b: Balance) {
        if let Ok(mut slot) = self.balance.lock() {
            if self.generation() == seen {
                *slot = Some((seen, Instant::now(), b));
            }
        }
    }
}

pub struct Changing<'a>(&'a ReadCache);

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        self.0.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(available: u64) -> Balance {
        Balance { available, pending_incoming: 0, pending_outgoing: 0, time_locked: 0 }
    }

    #[test]
    fn a_change_retires_the_cached_balance_and_a_read_that_raced_it_is_not_kept() {
        let c = ReadCache::default();
        assert_eq!(c.balance(), None);
        let seen = c.generation();
        c.keep_balance(seen, b(5));
        assert_eq!(c.balance(), Some(b(5)));
        c.invalidate();
        assert_eq!(c.balance(), None, "a change retires it");
        // A read that started before a change must not be served as current after it.
        let seen = c.generation();
        c.invalidate();
        c.keep_balance(seen, b(7));
        assert_eq!(c.balance(), None);
    }
}
