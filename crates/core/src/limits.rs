//! Admission control for async operations: token-bucket rate limits (global and per operation class, via
//! the `governor` crate's GCRA) and a bulkhead (a semaphore of `limits.maxConcurrentOperations` with a
//! bounded queue of `limits.maxQueuedOperations` behind it). Past the queue a call is refused at once with
//! `ERR_OVERLOADED`, so nothing hangs and memory stays bounded.
//!
//! Rebuilt whenever the limits config changes; operations admitted under the old limits finish under them.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::LimitsConfig;
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};
use crate::runtime::RuntimeKind;

pub struct Limits {
    config: LimitsConfig,
    global: Option<DefaultDirectRateLimiter>,
    /// Indexed like `RuntimeKind::index`.
    per_class: [Option<DefaultDirectRateLimiter>; 4],
    slots: Arc<Semaphore>,
    queued: AtomicUsize,
}

fn limiter(per_minute: u32) -> Option<DefaultDirectRateLimiter> {
    NonZeroU32::new(per_minute).map(|n| DefaultDirectRateLimiter::direct(Quota::per_minute(n)))
}

impl Limits {
    fn new(config: &LimitsConfig) -> Self {
        let c = &config.class_rate_limits_per_minute;
        Self {
            config: config.clone(),
            global: limiter(config.rate_limit_per_minute),
            per_class: [limiter(c.wallet), limiter(c.crypto), limiter(c.network), limiter(c.general)],
            slots: Arc::new(Semaphore::new(config.max_concurrent_operations as usize)),
            queued: AtomicUsize::new(0),
        }
    }
}

static CURRENT: LazyLock<ArcSwap<Limits>> = LazyLock::new(|| ArcSwap::from_pointee(Limits::new(&crate::config::current().config.limits)));
static CLOCK: LazyLock<DefaultClock> = LazyLock::new(DefaultClock::default);
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

static RATE_LIMITED: AtomicU64 = AtomicU64::new(0);
static OVERLOADED: AtomicU64 = AtomicU64::new(0);
/// Milliseconds since start of the latest `ERR_OVERLOADED`, plus one (0 = never).
static LAST_OVERLOAD_MS: AtomicU64 = AtomicU64::new(0);

/// Applies a new limits config (a no-op when it did not change).
pub fn apply(config: &LimitsConfig) {
    if CURRENT.load().config != *config {
        CURRENT.store(Arc::new(Limits::new(config)));
    }
}

/// A place among the running operations: held for the operation's life.
pub enum Admission {
    Running(OwnedSemaphorePermit),
    /// Queued under these limits (even if the config changes meanwhile): the task waits for a slot on its
    /// runtime, not on the JS thread.
    Queued(QueuedPlace),
    /// Exempt from limits (closing wallets must always work).
    Exempt,
}

/// A place in the queue of the limits it was taken under. Given back when dropped, however the wait ends:
/// a slot, a timeout, an abort, or a task that never ran.
pub struct QueuedPlace(Arc<Limits>);

impl Drop for QueuedPlace {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Relaxed);
    }
}

impl Admission {
    /// Waits, if queued, until the operation may run; the permit is released when dropped.
    pub async fn ready(self) -> Option<OwnedSemaphorePermit> {
        match self {
            Admission::Running(p) => Some(p),
            Admission::Queued(place) => place.0.slots.clone().acquire_owned().await.ok(),
            Admission::Exempt => None,
        }
    }
}

fn rate_limited(what: &str, wait: Duration) -> SdkError {
    RATE_LIMITED.fetch_add(1, Relaxed);
    let ms = wait.as_millis().max(1) as f64;
    SdkError::new(ErrorCode::RateLimited, format!("{what} rate limit reached; retry in {ms} ms")).with("retryAfterMs", Detail::Number(ms))
}

/// Admits an operation of `class` or refuses it with `ERR_RATE_LIMITED` (with `retryAfterMs`) or
/// `ERR_OVERLOADED`.
pub fn admit(class: RuntimeKind) -> SdkResult<Admission> {
    let l = CURRENT.load();
    for (limiter, what) in [(&l.per_class[class.index()], class.name()), (&l.global, "global")] {
        if let Some(limiter) = limiter {
            if let Err(not_until) = limiter.check() {
                return Err(rate_limited(what, not_until.wait_time_from(CLOCK.now())));
            }
        }
    }
    if let Ok(permit) = l.slots.clone().try_acquire_owned() {
        return Ok(Admission::Running(permit));
    }
    if l.queued.fetch_add(1, Relaxed) < l.config.max_queued_operations as usize {
        return Ok(Admission::Queued(QueuedPlace(Arc::clone(&l))));
    }
    l.queued.fetch_sub(1, Relaxed);
    OVERLOADED.fetch_add(1, Relaxed);
    LAST_OVERLOAD_MS.store(STARTED.elapsed().as_millis() as u64 + 1, Relaxed);
    Err(SdkError::new(
        ErrorCode::Overloaded,
        format!(
            "{} operations are running and {} queued (limits.maxConcurrentOperations / maxQueuedOperations); retry later",
            l.config.max_concurrent_operations, l.config.max_queued_operations
        ),
    ))
}

/// The bulkhead and the rate limiters.
#[derive(Debug, Clone, Default, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LimitsStats {
    pub in_flight: u64,
    pub queued: u64,
    pub max_concurrent: u64,
    pub max_queued: u64,
    pub rate_limited_total: u64,
    pub overloaded_total: u64,
    /// Seconds since the latest `ERR_OVERLOADED`, if there was one.
    #[serde(skip)]
    pub since_last_overload: Option<Duration>,
}

pub fn stats() -> LimitsStats {
    let l = CURRENT.load();
    let max = l.config.max_concurrent_operations as u64;
    let last = LAST_OVERLOAD_MS.load(Relaxed);
    LimitsStats {
        in_flight: max.saturating_sub(l.slots.available_permits() as u64),
        queued: l.queued.load(Relaxed) as u64,
        max_concurrent: max,
        max_queued: l.config.max_queued_operations as u64,
        rate_limited_total: RATE_LIMITED.load(Relaxed),
        overloaded_total: OVERLOADED.load(Relaxed),
        since_last_overload: (last > 0).then(|| STARTED.elapsed().saturating_sub(Duration::from_millis(last - 1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClassRateLimits;

    fn config(max_concurrent: u32, max_queued: u32, per_minute: u32, network_per_minute: u32) -> LimitsConfig {
        LimitsConfig {
            max_concurrent_operations: max_concurrent,
            max_queued_operations: max_queued,
            rate_limit_per_minute: per_minute,
            class_rate_limits_per_minute: ClassRateLimits { network: network_per_minute, ..ClassRateLimits::default() },
            ..LimitsConfig::default()
        }
    }

    // One test owns the process-wide limits, so the steps run in order.
    #[test]
    fn bulkhead_queue_and_rate_limits() {
        apply(&config(2, 1, 0, 0));
        let a = admit(RuntimeKind::General).unwrap();
        let b = admit(RuntimeKind::General).unwrap();
        assert!(matches!((&a, &b), (Admission::Running(_), Admission::Running(_))));
        let queued = admit(RuntimeKind::General).unwrap();
        assert!(matches!(queued, Admission::Queued(_)));
        let e = admit(RuntimeKind::General).err().unwrap();
        assert_eq!(e.code, ErrorCode::Overloaded);
        let s = stats();
        assert_eq!((s.in_flight, s.queued), (2, 1));
        assert!(s.since_last_overload.is_some());
        drop(a);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let permit = rt.block_on(queued.ready());
        assert!(permit.is_some());
        assert_eq!(stats().queued, 0);
        drop((b, permit));

        // A config change while a call is queued: its place goes back to the limits it queued under.
        apply(&config(1, 1, 0, 0));
        let running = admit(RuntimeKind::General).unwrap();
        let waiting = admit(RuntimeKind::General).unwrap();
        apply(&config(1, 2, 0, 0));
        drop(running);
        assert!(rt.block_on(waiting.ready()).is_some(), "it runs in the slot its old limits freed");
        assert_eq!(stats().queued, 0, "the new limits' queue count is untouched");
        assert!(matches!(admit(RuntimeKind::General).unwrap(), Admission::Running(_)));

        // A queued call that times out, is aborted, or never runs gives its place back.
        apply(&config(1, 2, 0, 0));
        let _held = admit(RuntimeKind::General).unwrap();
        let (timed_out, never_ran) = (admit(RuntimeKind::General).unwrap(), admit(RuntimeKind::General).unwrap());
        assert_eq!(stats().queued, 2);
        let rt_timer = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        assert!(rt_timer.block_on(async { tokio::time::timeout(Duration::from_millis(5), timed_out.ready()).await }).is_err());
        drop(never_ran);
        assert_eq!(stats().queued, 0, "both places came back");
        assert!(matches!(admit(RuntimeKind::General).unwrap(), Admission::Queued(_)));

        apply(&config(100, 0, 3, 0));
        for _ in 0..3 {
            admit(RuntimeKind::Wallet).unwrap();
        }
        let e = admit(RuntimeKind::Wallet).err().unwrap();
        assert_eq!(e.code, ErrorCode::RateLimited);
        match e.detail("retryAfterMs") {
            Some(Detail::Number(ms)) => assert!(*ms > 1000.0 && *ms <= 20_000.0, "{ms}"),
            other => panic!("{other:?}"),
        }

        apply(&config(100, 0, 0, 1));
        admit(RuntimeKind::Network).unwrap();
        assert_eq!(admit(RuntimeKind::Network).err().unwrap().code, ErrorCode::RateLimited);
        admit(RuntimeKind::Wallet).unwrap();
        assert!(stats().rate_limited_total >= 2);
        apply(&LimitsConfig::default());
    }
}
