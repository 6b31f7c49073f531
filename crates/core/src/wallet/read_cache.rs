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
//! library never announced could cost. Of a listing, only its first `KEPT_ROWS` rows are kept (the newest
//! transactions, the largest outputs: the pages callers read), so what the cache holds stays flat however
//! long the history grows; the soak showed whole listings growing the heap with it.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::balance::Balance;

/// The longest a kept read is served, announced change or not.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// The rows of a listing that are kept.
pub const KEPT_ROWS: usize = 256;

/// The first rows of a listing, and whether they are all of it.
pub struct Head<T> {
    rows: Vec<T>,
    complete: bool,
}

impl<T: Clone> Head<T> {
    /// The head of `rows`, the newest of a listing; `whole` when they are all of it.
    fn of(rows: &[T], whole: bool) -> Self {
        Self { rows: rows[..rows.len().min(KEPT_ROWS)].to_vec(), complete: whole && rows.len() <= KEPT_ROWS }
    }

    /// The page `offset..offset + limit` of the rows that `keep` keeps, if these rows can tell: all of them
    /// are here, or the page lies within them and nothing is filtered out (`narrowed` is false).
    pub fn page(&self, offset: usize, limit: usize, narrowed: bool, keep: impl Fn(&T) -> bool) -> Option<Vec<T>> {
        if self.complete {
            return Some(self.rows.iter().filter(|t| keep(t)).skip(offset).take(limit).cloned().collect());
        }
        let end = offset.checked_add(limit).filter(|end| !narrowed && *end <= self.rows.len())?;
        Some(self.rows[offset..end].to_vec())
    }
}

/// One read and when it was made: under which generation, at which tip.
struct Kept<T> {
    generation: u64,
    tip: Option<u64>,
    at: Instant,
    value: T,
}

type Slot<T> = Mutex<Option<Kept<T>>>;

/// The listings whose heads are kept. Their modules own the row types (and depend on the wallet entry, which
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

    /// The kept head of `listing`, if it was read at `tip` since the last change, at most `MAX_AGE` ago.
    pub fn listing<T: Send + Sync + 'static>(&self, listing: Listing, tip: Option<u64>) -> Option<Arc<Head<T>>> {
        self.get(&self.listings[listing as usize], tip)?.downcast::<Head<T>>().ok()
    }

    /// Keeps the head of `rows` (the newest of the listing; `whole` when they are all of it), read under
    /// generation `seen` at `tip`, unless the wallet changed since.
    pub fn keep_listing<T: Clone + Send + Sync + 'static>(&self, listing: Listing, seen: u64, tip: Option<u64>, rows: &[T], whole: bool) {
        if self.generation() == seen {
            self.keep(&self.listings[listing as usize], seen, tip, Arc::new(Head::of(rows, whole)) as Arc<dyn Any + Send + Sync>)
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
        let all = |h: Arc<Head<u32>>| h.page(0, usize::MAX, false, |_| true);
        c.keep_listing(Listing::Completed, c.generation(), Some(10), &[1u32, 2], true);
        assert_eq!(c.listing::<u32>(Listing::Completed, Some(10)).and_then(all), Some(vec![1, 2]));
        assert!(c.listing::<u64>(Listing::Completed, Some(10)).is_none(), "read back only as what was kept");
        assert!(c.listing::<u32>(Listing::Cancelled, Some(10)).is_none(), "another listing was never read");
        assert!(c.listing::<u32>(Listing::Completed, Some(11)).is_none(), "confirmations moved with the tip");
        c.keep_listing(Listing::Unspent, c.generation(), Some(10), &[3u32], true);
        let held = c.listing::<u32>(Listing::Unspent, Some(10)).unwrap();
        assert_eq!(Arc::strong_count(&held), 2);
        c.invalidate();
        assert_eq!(Arc::strong_count(&held), 1, "a change lets the kept listing go at once");
        assert!(c.listing::<u32>(Listing::Completed, Some(10)).is_none());
        assert!(c.listing::<u32>(Listing::Unspent, Some(10)).is_none());
    }

    #[test]
    fn only_the_head_of_a_long_listing_is_kept_and_it_answers_only_what_it_can() {
        let rows: Vec<u32> = (0..1000).collect();
        let head = Head::of(&rows, true);
        assert_eq!(head.rows.len(), KEPT_ROWS);
        assert_eq!(head.page(10, 5, false, |_| true), Some(vec![10, 11, 12, 13, 14]));
        assert_eq!(head.page(KEPT_ROWS - 1, 2, false, |_| true), None, "the page runs past the kept rows");
        assert_eq!(head.page(0, 5, true, |r| r % 2 == 0), None, "a filter may need rows that were not kept");
        assert_eq!(head.page(usize::MAX, 2, false, |_| true), None);
        let short = Head::of(&rows[..10], true);
        assert_eq!(short.page(0, 3, true, |r| r % 2 == 0), Some(vec![0, 2, 4]), "all of a short listing is here");
        let newest = Head::of(&rows[..10], false);
        assert_eq!(newest.page(0, 3, true, |r| r % 2 == 0), None, "ten rows read of a longer listing are not all of it");
        assert_eq!(newest.page(2, 3, false, |_| true), Some(vec![2, 3, 4]));
    }
}
