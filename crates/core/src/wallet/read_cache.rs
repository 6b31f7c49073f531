//! Reads served from SDK-side state: the balance, the history listings and the unspent outputs, kept until
//! the wallet changes.
//!
//! Every read of the library queues behind its service actors, one request at a time, and behind a scan;
//! a history or UTXO listing also loads every row the wallet has, to return one page. The wallet changes
//! only when the library reports something (a transaction or output event, a scan that found outputs, a
//! new tip that matures time-locked outputs) or when this SDK spends. The pump bumps `generation` on each
//! of those, and so does every call that spends, before it resolves; a kept read is served only while its
//! generation and the chain tip it was read at are current. A read that raced a change never stores its
//! answer as current (it carries the generation it started under). `MAX_AGE` bounds what a change the
//! library never announced could cost, and `MAX_LISTED` what a listing may hold in memory.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::balance::Balance;

/// The longest a kept read is served, announced change or not.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Listings longer than this are not kept: a page of a huge history is read from the library each time.
pub const MAX_LISTED: usize = 10_000;

/// One read and when it was made: under which generation, at which tip.
struct Kept<T> {
    generation: u64,
    tip: Option<u64>,
    at: Instant,
    value: T,
}

type Slot<T> = Mutex<Option<Kept<T>>>;

/// The whole listings that are kept. Their modules own the row types (and depend on the wallet entry, which
/// holds this cache), so a listing is kept type-erased and read back by its owner's type.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    Completed,
    Cancelled,
    PendingInbound,
    PendingOutbound,
    Unspent,
}

#[derive(Default)]
pub struct ReadCache {
    generation: AtomicU64,
    balance: Slot<Balance>,
    listings: [Slot<Arc<dyn Any + Send + Sync>>; 5],
}

impl ReadCache {
    /// The wallet changed (or may have): nothing kept before now is served again, and the listings are let
    /// go now rather than when next read: a listing grows with the history, and the soak showed the kept
    /// copies of ten idle wallets' listings growing the heap with it.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        for slot in &self.listings {
            if let Ok(mut slot) = slot.lock() {
                slot.take();
            }
        }
    }

    /// Invalidates when dropped: held by a call that changes the wallet, so the change is seen however the
    /// call returns.
    pub fn changing(&self) -> Changing<'_> {
        Changing(self)
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The kept value if it is current; one that is not is let go.
    fn get<T: Clone>(&self, slot: &Slot<T>, tip: Option<u64>) -> Option<T> {
        let current = self.generation();
        let mut slot = slot.lock().ok()?;
        match &*slot {
            Some(k) if k.generation == current && k.tip == tip && k.at.elapsed() <= MAX_AGE => Some(k.value.clone()),
            Some(_) => slot.take().and(None),
            None => None,
        }
    }

    fn keep<T>(&self, slot: &Slot<T>, seen: u64, tip: Option<u64>, value: T) {
        if let Ok(mut slot) = slot.lock() {
            if self.generation() == seen {
                *slot = Some(Kept { generation: seen, tip, at: Instant::now(), value });
            }
        }
    }

    /// The balance, if one read since the last change is at most `MAX_AGE` old.
    pub fn balance(&self) -> Option<Balance> {
        self.get(&self.balance, None)
    }

    /// Keeps `b`, read under generation `seen`, unless the wallet changed since.
    pub fn keep_balance(&self, seen: u64, b: Balance) {
        self.keep(&self.balance, seen, None, b)
    }

    /// The whole `listing`, if one read at `tip` since the last change is at most `MAX_AGE` old.
    pub fn listing<T: Send + Sync + 'static>(&self, listing: Listing, tip: Option<u64>) -> Option<Arc<Vec<T>>> {
        self.get(&self.listings[listing as usize], tip)?.downcast::<Vec<T>>().ok()
    }

    /// Keeps `all`, read under generation `seen` at `tip`, unless the wallet changed since or it is too long.
    pub fn keep_listing<T: Send + Sync + 'static>(&self, listing: Listing, seen: u64, tip: Option<u64>, all: &Arc<Vec<T>>) {
        if all.len() <= MAX_LISTED {
            self.keep(&self.listings[listing as usize], seen, tip, all.clone() as Arc<dyn Any + Send + Sync>)
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

    #[test]
    fn a_listing_is_kept_per_kind_and_tip() {
        let c = ReadCache::default();
        c.keep_listing(Listing::Completed, c.generation(), Some(10), &Arc::new(vec![1u32, 2]));
        assert_eq!(c.listing::<u32>(Listing::Completed, Some(10)).as_deref(), Some(&vec![1, 2]));
        assert!(c.listing::<u64>(Listing::Completed, Some(10)).is_none(), "read back only as what was kept");
        assert!(c.listing::<u32>(Listing::Cancelled, Some(10)).is_none(), "another listing was never read");
        assert!(c.listing::<u32>(Listing::Completed, Some(11)).is_none(), "confirmations moved with the tip");
        let unspent = Arc::new(vec![3u32]);
        c.keep_listing(Listing::Unspent, c.generation(), Some(10), &unspent);
        assert_eq!(Arc::strong_count(&unspent), 2);
        c.invalidate();
        assert_eq!(Arc::strong_count(&unspent), 1, "a change lets the kept listing go at once");
        assert!(c.listing::<u32>(Listing::Completed, Some(10)).is_none());
        assert!(c.listing::<u32>(Listing::Unspent, Some(10)).is_none());
    }
}
