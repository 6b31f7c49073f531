//! A tracking `GlobalAlloc` around `System`: current and peak bytes, allocation and deallocation counts.
//!
//! Why this shape: a shared atomic costs ~40 ns per alloc+free at two threads, which would double the cost of
//! small allocations. Instead every thread claims a cache-padded *slot* it alone writes, so counting is a
//! plain load+store (no `lock` prefix). Readers sum all slots. A thread that cannot claim a slot (all taken)
//! or whose slot was already released at exit falls back to one shared slot updated with atomic RMW.
//!
//! Peak bytes: whenever a thread's allocated-bytes counter crosses a `PEAK_SAMPLE_BYTES` boundary, the
//! exact current total is summed over all slots and the peak raised with `fetch_max`; every read of the
//! stats does the same. A short spike smaller than `PEAK_SAMPLE_BYTES` per thread can be missed; `current`
//! is always exact.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};

use crossbeam_utils::CachePadded;

const SLOTS: usize = 256;
const SHARED: usize = 0;
const UNASSIGNED: usize = usize::MAX;
const PEAK_SAMPLE_SHIFT: u32 = 18; // 256 KiB

#[derive(Default)]
struct Slot {
    claimed: AtomicBool,
    alloc_bytes: AtomicU64,
    free_bytes: AtomicU64,
    allocs: AtomicU64,
    frees: AtomicU64,
    reallocs: AtomicU64,
}

impl Slot {
    /// `owned`: this thread is the slot's only writer, so a non-atomic read-modify-write is exact.
    /// Returns the previous value.
    #[inline(always)]
    fn add(counter: &AtomicU64, n: u64, owned: bool) -> u64 {
        if owned {
            let old = counter.load(Relaxed);
            counter.store(old.wrapping_add(n), Relaxed);
            old
        } else {
            counter.fetch_add(n, Relaxed)
        }
    }
}

pub struct TrackingAllocator {
    slots: [CachePadded<Slot>; SLOTS],
    /// Highest slot index ever claimed + 1, so readers scan only what is in use.
    slots_used: AtomicUsize,
    peak: AtomicU64,
}

/// One thread-local per thread, so each allocation pays for a single TLS lookup (in a shared library that
/// is a `__tls_get_addr` call).
struct Local {
    slot: Cell<usize>,
}

thread_local! {
    static LOCAL: Local = const { Local { slot: Cell::new(UNASSIGNED) } };
    // Registered only after SLOT_INDEX is set, so the allocation its registration may do re-enters safely.
    static RELEASE_ON_EXIT: SlotReleaser = const { SlotReleaser };
}

struct SlotReleaser;

impl Drop for SlotReleaser {
    fn drop(&mut self) {
        let index = LOCAL.with(|l| l.slot.replace(SHARED));
        if index != SHARED && index != UNASSIGNED {
            ALLOCATOR.slots[index].claimed.store(false, Release);
        }
    }
}

/// The process-wide instance.
#[global_allocator]
pub static ALLOCATOR: TrackingAllocator = TrackingAllocator::new();

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocStats {
    pub current_bytes: u64,
    pub peak_bytes: u64,
    pub total_allocated_bytes: u64,
    pub allocations: u64,
    pub deallocations: u64,
    pub reallocations: u64,
}

impl TrackingAllocator {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        // A `const` is how an array of non-Copy atomics is initialised in a `const fn`; each element is a
        // fresh copy, which is what the lint warns about and what is wanted here.
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: CachePadded<Slot> = CachePadded::new(Slot {
            claimed: AtomicBool::new(false),
            alloc_bytes: AtomicU64::new(0),
            free_bytes: AtomicU64::new(0),
            allocs: AtomicU64::new(0),
            frees: AtomicU64::new(0),
            reallocs: AtomicU64::new(0),
        });
        Self { slots: [EMPTY; SLOTS], slots_used: AtomicUsize::new(1), peak: AtomicU64::new(0) }
    }

    /// Applies `add` to the calling thread's slot (owned) or the shared slot.
    #[inline(always)]
    fn record<R, F: Fn(&Slot, bool) -> R>(&'static self, add: F) -> R {
        LOCAL
            .try_with(|l| {
                let mut index = l.slot.get();
                if index == UNASSIGNED {
                    index = self.claim(l);
                }
                add(&self.slots[index], index != SHARED)
            })
            // The thread's locals are gone (thread exit): count through the shared slot.
            .unwrap_or_else(|_| add(&self.slots[SHARED], false))
    }

    #[cold]
    fn sample_peak(&'static self) {
        let current = self.current_bytes();
        self.peak.fetch_max(current, Relaxed);
    }

    fn current_bytes(&'static self) -> u64 {
        let used = self.slots_used.load(Relaxed).min(SLOTS);
        let (a, f) =
            self.slots[..used].iter().fold((0u64, 0u64), |(a, f), s| (a + s.alloc_bytes.load(Relaxed), f + s.free_bytes.load(Relaxed)));
        a.saturating_sub(f)
    }

    #[cold]
    fn claim(&'static self, local: &Local) -> usize {
        for index in 1..SLOTS {
            let slot = &self.slots[index];
            if !slot.claimed.load(Relaxed) && slot.claimed.compare_exchange(false, true, Acquire, Relaxed).is_ok() {
                local.slot.set(index);
                self.slots_used.fetch_max(index + 1, Relaxed);
                // Registering the exit hook may allocate; that re-enters `record` with the slot already set.
                if RELEASE_ON_EXIT.try_with(|_| ()).is_err() {
                    local.slot.set(SHARED);
                    slot.claimed.store(false, Release);
                    return SHARED;
                }
                return index;
            }
        }
        local.slot.set(SHARED);
        SHARED
    }

    #[inline(always)]
    fn record_alloc(&'static self, size: usize) {
        let before = self.record(|slot, owned| {
            Slot::add(&slot.allocs, 1, owned);
            Slot::add(&slot.alloc_bytes, size as u64, owned)
        });
        if (before ^ (before + size as u64)) >> PEAK_SAMPLE_SHIFT != 0 {
            self.sample_peak();
        }
    }

    #[inline(always)]
    fn record_free(&'static self, size: usize) {
        self.record(|slot, owned| {
            Slot::add(&slot.free_bytes, size as u64, owned);
            Slot::add(&slot.frees, 1, owned);
        });
    }

    #[inline(always)]
    fn record_realloc(&'static self, old: usize, new: usize) {
        let before = self.record(|slot, owned| {
            Slot::add(&slot.free_bytes, old as u64, owned);
            Slot::add(&slot.reallocs, 1, owned);
            Slot::add(&slot.alloc_bytes, new as u64, owned)
        });
        if (before ^ (before + new as u64)) >> PEAK_SAMPLE_SHIFT != 0 {
            self.sample_peak();
        }
    }

    pub fn stats(&'static self) -> AllocStats {
        let used = self.slots_used.load(Relaxed).min(SLOTS);
        let mut s = AllocStats::default();
        let mut freed = 0u64;
        for slot in &self.slots[..used] {
            s.total_allocated_bytes += slot.alloc_bytes.load(Relaxed);
            freed += slot.free_bytes.load(Relaxed);
            s.allocations += slot.allocs.load(Relaxed);
            s.deallocations += slot.frees.load(Relaxed);
            s.reallocations += slot.reallocs.load(Relaxed);
        }
        s.current_bytes = s.total_allocated_bytes.saturating_sub(freed);
        s.peak_bytes = self.peak.fetch_max(s.current_bytes, Relaxed).max(s.current_bytes);
        s
    }

    /// Restarts peak tracking from the current figure.
    pub fn reset_peak(&'static self) {
        self.peak.store(self.current_bytes(), Relaxed);
    }
}

unsafe impl GlobalAlloc for TrackingAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            as_static(self).record_alloc(layout.size());
        }
        ptr
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            as_static(self).record_alloc(layout.size());
        }
        ptr
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        as_static(self).record_free(layout.size());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_ptr = System.realloc(ptr, layout, new_size);
        if !new_ptr.is_null() {
            as_static(self).record_realloc(layout.size(), new_size);
        }
        new_ptr
    }
}

/// Counters live in thread-locals tied to `ALLOCATOR`; any other instance (the benchmark's) shares them,
/// which is fine because it only exists to time the counting, not to read it.
#[inline(always)]
fn as_static(_: &TrackingAllocator) -> &'static TrackingAllocator {
    &ALLOCATOR
}

pub fn stats() -> AllocStats {
    ALLOCATOR.stats()
}

pub fn reset_peak() {
    ALLOCATOR.reset_peak()
}

/// Resident set size of this process from the platform's API, if it can tell. Reading it costs a
/// system call and a file read (~8 µs on Linux), so it is sampled at most every `RSS_TTL` and memory
/// getters stay sub-microsecond.
pub fn resident_set_bytes() -> Option<u64> {
    const RSS_TTL: std::time::Duration = std::time::Duration::from_millis(100);
    static EPOCH: std::sync::LazyLock<std::time::Instant> = std::sync::LazyLock::new(std::time::Instant::now);
    static SAMPLED_AT_NS: AtomicU64 = AtomicU64::new(u64::MAX);
    static RSS: AtomicU64 = AtomicU64::new(0);
    let now = EPOCH.elapsed().as_nanos() as u64;
    let at = SAMPLED_AT_NS.load(Relaxed);
    if at != u64::MAX && now.saturating_sub(at) < RSS_TTL.as_nanos() as u64 {
        return Some(RSS.load(Relaxed));
    }
    let rss = memory_stats::memory_stats().map(|m| m.physical_mem as u64)?;
    RSS.store(rss, Relaxed);
    SAMPLED_AT_NS.store(now, Relaxed);
    Some(rss)
}

/// An allocation-heavy workload, generic over the allocator so the benchmark can time the tracking
/// wrapper against plain `System` with identical code in one binary. With `fill`, each block is written
/// in full as real code would (a buffer being built); without, it is the allocator alone, the worst case.
/// Returns a checksum so it cannot be optimised away.
pub fn churn<A: GlobalAlloc>(allocator: &A, iterations: usize, fill: bool) -> usize {
    const LIVE: usize = 64;
    let mut live: [(*mut u8, Layout); LIVE] = [(std::ptr::null_mut(), Layout::new::<u8>()); LIVE];
    let mut checksum = 0usize;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..iterations {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let size = 16 + (seed as usize % 1024);
        let layout = Layout::from_size_align(size, 8).unwrap_or(Layout::new::<u64>());
        let slot = i % LIVE;
        unsafe {
            let (old, old_layout) = live[slot];
            if !old.is_null() {
                checksum = checksum.wrapping_add(*old as usize);
                allocator.dealloc(old, old_layout);
            }
            let p = allocator.alloc(layout);
            if !p.is_null() {
                if fill {
                    std::ptr::write_bytes(p, i as u8, size);
                } else {
                    *p = i as u8;
                }
            }
            live[slot] = (p, layout);
        }
    }
    for (p, layout) in live {
        if !p.is_null() {
            unsafe { allocator.dealloc(p, layout) };
        }
    }
    checksum
}

#[cfg(test)]
mod tests {
    use super::*;

    // These run under the tracking allocator (installed by lib.rs), so global figures include the test
    // harness; assertions are about deltas made by this thread's own work.

    #[test]
    fn counts_allocations_and_returns_to_baseline() {
        let before = stats();
        let v: Vec<Vec<u8>> = (0..1000).map(|i| vec![0u8; 100 + i]).collect();
        let during = stats();
        assert!(during.allocations >= before.allocations + 1000);
        assert!(during.current_bytes >= before.current_bytes);
        drop(v);
        let after = stats();
        assert!(after.deallocations >= before.deallocations + 1000);
        assert!(during.peak_bytes >= during.current_bytes);
    }

    #[test]
    fn threads_that_exit_keep_their_counts_and_release_slots() {
        let before = stats();
        for _ in 0..(SLOTS + 50) {
            std::thread::spawn(|| {
                let v = vec![1u8; 4096];
                std::hint::black_box(&v);
            })
            .join()
            .unwrap();
        }
        let after = stats();
        assert!(after.allocations >= before.allocations + (SLOTS as u64 + 50));
        // Slots are handed back at thread exit, so spawning more threads than slots never exhausts them.
        let claimed = ALLOCATOR.slots.iter().filter(|s| s.claimed.load(Relaxed)).count();
        assert!(claimed < SLOTS / 2, "{claimed} slots still claimed");
    }

    #[test]
    fn peak_follows_a_large_allocation() {
        reset_peak();
        let big = vec![7u8; 8 * 1024 * 1024];
        let s = stats();
        assert!(s.peak_bytes >= s.current_bytes);
        assert!(s.peak_bytes >= 8 * 1024 * 1024);
        drop(big);
    }

    #[test]
    fn churn_is_deterministic_for_both_allocators() {
        assert_eq!(churn(&System, 10_000, false), churn(&ALLOCATOR, 10_000, false));
        assert_eq!(churn(&System, 10_000, true), churn(&ALLOCATOR, 10_000, true));
    }

    #[test]
    fn rss_is_reported_on_this_platform() {
        assert!(resident_set_bytes().unwrap_or(0) > 0);
    }
}
