//! Per-operation metrics: outcome counts, a latency histogram, in-flight gauges and a one-minute window
//! for throughput and error rate. Read as JSON (`snapshot`) or Prometheus text (`prometheus`).
//!
//! Latencies go into an HdrHistogram (the `hdrhistogram` crate): exact-to-1% quantiles in fixed memory, and
//! its recorded values also yield the cumulative Prometheus buckets at render time, so each operation is
//! recorded once. One uncontended mutex per operation name guards its histograms and window; an operation
//! name is touched only by calls of that operation, so contention stays low.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use dashmap::DashMap;
use hdrhistogram::Histogram;
use serde::Serialize;

use crate::error::ErrorCode;

static ENABLED: AtomicBool = AtomicBool::new(true);
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Latency range kept by the histograms, in µs: 1 µs to 1 h at 2 significant digits (1% error).
const LOWEST_US: u64 = 1;
const HIGHEST_US: u64 = 3_600_000_000;
const SIGFIG: u8 = 2;
const WINDOW_SECS: usize = 60;

/// Prometheus bucket bounds in seconds: 100 µs to 60 s, covering a cached read up to a slow restore.
pub const BUCKETS_SECONDS: &[f64] =
    &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Clone, Copy, Default)]
struct Second {
    at: u64,
    ops: u32,
    failures: u32,
}

struct OpInner {
    /// `[0]` is ok; `[1 + i]` counts `ErrorCode::ALL[i]`.
    outcomes: Vec<u64>,
    total: Timings,
    /// This minute's and the previous minute's latencies, for health's recent p95.
    minute: u64,
    this_minute: Histogram<u32>,
    last_minute: Histogram<u32>,
    seconds: [Second; WINDOW_SECS],
    /// Where the operation's time went, for the few operations that time their stages (spends).
    stages: Vec<Stage>,
}

/// Latencies of one stage of an operation.
struct Stage {
    name: &'static str,
    timings: Timings,
}

/// A latency histogram and the exact sum of what it recorded (for means and Prometheus' `_sum`).
struct Timings {
    histogram: Histogram<u32>,
    sum_ns: u128,
}

impl Timings {
    fn new() -> Self {
        Self { histogram: histogram(), sum_ns: 0 }
    }

    /// Records `elapsed`; returns it in µs, as the histograms keep it.
    fn record(&mut self, elapsed: Duration) -> u64 {
        let ns = elapsed.as_nanos();
        self.sum_ns += ns;
        let us = ((ns / 1_000) as u64).clamp(LOWEST_US, HIGHEST_US);
        self.histogram.saturating_record(us);
        us
    }

    fn sum_seconds(&self) -> f64 {
        self.sum_ns as f64 / 1e9
    }

    /// Quantiles over `count` calls, and the counts per bucket of [`BUCKETS_SECONDS`] then +Inf.
    fn summarize(&self, count: u64) -> (Latency, Vec<(f64, u64)>) {
        let h = &self.histogram;
        let mut buckets: Vec<(f64, u64)> = BUCKETS_SECONDS.iter().chain([&f64::INFINITY]).map(|b| (*b, 0)).collect();
        for v in h.iter_recorded() {
            // Prometheus bounds are inclusive; a value's HDR bucket starts at its lowest equivalent.
            let seconds = h.lowest_equivalent(v.value_iterated_to()) as f64 / 1e6;
            buckets[BUCKETS_SECONDS.partition_point(|le| *le < seconds)].1 += v.count_at_value() as u64;
        }
        let latency = Latency {
            p50_ms: ms(h.value_at_quantile(0.50)),
            p95_ms: ms(h.value_at_quantile(0.95)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            max_ms: ms(h.max()),
            mean_ms: if count > 0 { self.sum_ns as f64 / count as f64 / 1e6 } else { 0.0 },
        };
        (latency, buckets)
    }
}

fn histogram() -> Histogram<u32> {
    // Cannot fail: the bounds are constants that meet every precondition of `new_with_bounds` (low >= 1,
    // high >= 2 * low, sigfig <= 5), and the first recorded operation of every test exercises this call.
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG).expect("constant bounds meet hdrhistogram's preconditions")
}

/// Failures exclude what the caller caused or asked for: bad arguments, handles, addresses and seed words,
/// a wrong passphrase, missing funds, a reused key, a wallet that is (not) there, its own aborts, and the
/// calls the limits refused. They say nothing of the SDK's health, so they must not take a process out of
/// rotation; the metrics still count them by code.
pub fn is_failure(code: ErrorCode) -> bool {
    use ErrorCode::*;
    !matches!(
        code,
        InvalidArgument
            | InvalidHandle
            | InvalidAddress
            | InvalidSeedWords
            | WrongPassphrase
            | InsufficientFunds
            | IdempotencyConflict
            | WalletExists
            | WalletNotFound
            | TransactionNotFound
            | NotCancellable
            | NetworkMismatch
            | UnsupportedNetwork
            | Aborted
            | RateLimited
            | Overloaded
    )
}

fn code_index(code: ErrorCode) -> usize {
    1 + ErrorCode::ALL.iter().position(|c| *c == code).unwrap_or(0)
}

impl OpInner {
    fn new() -> Self {
        Self {
            outcomes: vec![0; 1 + ErrorCode::ALL.len()],
            total: Timings::new(),
            minute: 0,
            this_minute: histogram(),
            last_minute: histogram(),
            seconds: [Second::default(); WINDOW_SECS],
            stages: Vec::new(),
        }
    }

    fn record_stage(&mut self, name: &'static str, elapsed: Duration) {
        let i = match self.stages.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.stages.push(Stage { name, timings: Timings::new() });
                self.stages.len() - 1
            }
        };
        self.stages[i].timings.record(elapsed);
    }

    fn record(&mut self, error: Option<ErrorCode>, elapsed: Duration, now_secs: u64) {
        self.outcomes[error.map_or(0, code_index)] += 1;
        let us = self.total.record(elapsed);
        let minute = now_secs / 60;
        if minute != self.minute {
            if minute == self.minute + 1 {
                std::mem::swap(&mut self.this_minute, &mut self.last_minute);
            } else {
                self.last_minute.reset();
            }
            self.this_minute.reset();
            self.minute = minute;
        }
        self.this_minute.saturating_record(us);
        let slot = &mut self.seconds[now_secs as usize % WINDOW_SECS];
        if slot.at != now_secs {
            *slot = Second { at: now_secs, ops: 0, failures: 0 };
        }
        slot.ops += 1;
        slot.failures += u32::from(error.is_some_and(is_failure));
    }

    /// (operations, failures) in the last minute.
    fn window(&self, now_secs: u64) -> (u64, u64) {
        self.seconds
            .iter()
            .filter(|s| s.ops > 0 && now_secs.saturating_sub(s.at) < WINDOW_SECS as u64)
            .fold((0, 0), |(o, f), s| (o + s.ops as u64, f + s.failures as u64))
    }

    /// Latencies of roughly the last one to two minutes.
    fn recent(&self, now_secs: u64) -> Option<Histogram<u32>> {
        let minute = now_secs / 60;
        let mut h = match minute.checked_sub(self.minute) {
            Some(0) => {
                let mut h = self.this_minute.clone();
                h.add(&self.last_minute).ok()?;
                h
            }
            Some(1) => self.this_minute.clone(),
            _ => return None,
        };
        h.auto(false);
        (!h.is_empty()).then_some(h)
    }
}

/// The metrics of one operation name.
pub struct OpMetrics {
    name: &'static str,
    /// On a cache line of its own: every call of the operation bumps it, while another thread may hold the
    /// histogram lock next to it.
    in_flight: CachePadded<AtomicI64>,
    inner: Mutex<OpInner>,
}

impl OpMetrics {
    /// Ends an operation begun with [`begin`].
    #[inline]
    pub fn finish(&self, error: Option<ErrorCode>, elapsed: Duration) {
        self.in_flight.fetch_sub(1, Relaxed);
        self.record(error, elapsed);
    }

    #[inline]
    fn record(&self, error: Option<ErrorCode>, elapsed: Duration) {
        let now_secs = STARTED.elapsed().as_secs();
        if let Ok(mut inner) = self.inner.lock() {
            inner.record(error, elapsed, now_secs);
        }
    }
}

static OPS: LazyLock<DashMap<&'static str, Arc<OpMetrics>>> = LazyLock::new(DashMap::new);

#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Relaxed)
}

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Relaxed);
}

#[inline]
pub fn uptime() -> Duration {
    STARTED.elapsed()
}

/// Seconds since the Unix epoch at which this process loaded the SDK.
pub fn start_time_unix() -> f64 {
    let since_start = STARTED.elapsed();
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|now| (now.saturating_sub(since_start)).as_secs_f64())
        .unwrap_or(0.0)
}

#[inline]
fn op(name: &'static str) -> Arc<OpMetrics> {
    if let Some(m) = OPS.get(name) {
        return m.clone();
    }
    OPS.entry(name)
        .or_insert_with(|| Arc::new(OpMetrics { name, in_flight: CachePadded::new(AtomicI64::new(0)), inner: Mutex::new(OpInner::new()) }))
        .clone()
}

/// Starts an operation: counts it in flight. `None` when recording is off.
#[inline]
pub fn begin(name: &'static str) -> Option<Arc<OpMetrics>> {
    if !enabled() {
        return None;
    }
    let m = op(name);
    m.in_flight.fetch_add(1, Relaxed);
    Some(m)
}

/// Records a finished operation that was never counted in flight (synchronous exports).
pub fn record(name: &'static str, error: Option<ErrorCode>, elapsed: Duration) {
    if enabled() {
        op(name).record(error, elapsed);
    }
}

/// Records how long one stage of operation `name` took. Stages split an operation's latency so a slow one
/// says where its time went; they are not operations and count in no total.
pub fn stage(name: &'static str, stage: &'static str, elapsed: Duration) {
    if enabled() {
        if let Ok(mut inner) = op(name).inner.lock() {
            inner.record_stage(stage, elapsed);
        }
    }
}

/// From an HdrHistogram with 2 significant digits (1% resolution).
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Operations and failures (excluding invalid arguments and handles) in the last 60 s.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LastMinute {
    pub operations: u64,
    pub failures: u64,
    /// Operations per second averaged over the last 60 s.
    pub per_second: f64,
}

/// Figures of one operation name since start or `resetMetrics()`.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "OperationMetrics")]
pub struct OpSnapshot {
    pub op: &'static str,
    pub count: u64,
    pub ok: u64,
    /// Counts by error code; only codes that occurred.
    #[ts(type = "Partial<Record<ErrorCodeName, number>>")]
    pub errors: BTreeMap<&'static str, u64>,
    pub in_flight: i64,
    pub latency: Latency,
    pub last_minute: LastMinute,
    /// Where the time went, for operations that time their stages (the spends: `prepare` is the gate, the
    /// idempotency key and the journal's write-ahead row; `wallet` the library building, signing and
    /// storing the transaction; `record` the journal's outcome row. A payout times those per batch, plus
    /// `inputs`, the check whether a batch needs a coin join first, and `entries`, the read of a paid
    /// batch's entries for the fee shares, made while the next batch is built). Empty for the others.
    pub stages: Vec<StageSnapshot>,
    /// Counts per bucket of [`BUCKETS_SECONDS`] then +Inf (not cumulative), for Prometheus.
    #[serde(skip)]
    pub buckets: Vec<(f64, u64)>,
    #[serde(skip)]
    pub sum_seconds: f64,
}

/// Figures of one stage of an operation.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "OperationStage")]
pub struct StageSnapshot {
    pub stage: &'static str,
    pub count: u64,
    pub latency: Latency,
    #[serde(skip)]
    pub buckets: Vec<(f64, u64)>,
    #[serde(skip)]
    pub sum_seconds: f64,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1e3
}

fn snapshot_of(m: &OpMetrics, now_secs: u64) -> Option<OpSnapshot> {
    let inner = m.inner.lock().ok()?;
    let (operations, failures) = inner.window(now_secs);
    let count: u64 = inner.outcomes.iter().sum();
    let (latency, buckets) = inner.total.summarize(count);
    let stages = inner
        .stages
        .iter()
        .map(|s| {
            let count = s.timings.histogram.len();
            let (latency, buckets) = s.timings.summarize(count);
            StageSnapshot { stage: s.name, count, latency, buckets, sum_seconds: s.timings.sum_seconds() }
        })
        .collect();
    Some(OpSnapshot {
        op: m.name,
        count,
        ok: inner.outcomes[0],
        errors: ErrorCode::ALL.iter().zip(&inner.outcomes[1..]).filter(|(_, n)| **n > 0).map(|(c, n)| (c.as_str(), *n)).collect(),
        in_flight: m.in_flight.load(Relaxed),
        latency,
        last_minute: LastMinute { operations, failures, per_second: operations as f64 / WINDOW_SECS as f64 },
        stages,
        buckets,
        sum_seconds: inner.total.sum_seconds(),
    })
}

/// Every operation recorded since start or the last reset, sorted by name.
pub fn snapshot() -> Vec<OpSnapshot> {
    let now_secs = STARTED.elapsed().as_secs();
    let all: Vec<Arc<OpMetrics>> = OPS.iter().map(|e| e.value().clone()).collect();
    let mut out: Vec<OpSnapshot> = all.iter().filter_map(|m| snapshot_of(m, now_secs)).collect();
    out.sort_by(|a, b| a.op.cmp(b.op));
    out
}

/// What health needs from the last minute or two of operations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recent {
    pub operations: u64,
    pub failures: u64,
    /// The operation with the highest recent p95, and that p95 in ms.
    pub slowest_p95: Option<(&'static str, f64)>,
}

/// Operations need this many recent samples before their p95 is judged.
const MIN_SAMPLES_FOR_P95: u64 = 20;

pub fn recent() -> Recent {
    let now_secs = STARTED.elapsed().as_secs();
    let all: Vec<Arc<OpMetrics>> = OPS.iter().map(|e| e.value().clone()).collect();
    let mut r = Recent::default();
    for m in all {
        let Ok(inner) = m.inner.lock() else { continue };
        let (o, f) = inner.window(now_secs);
        r.operations += o;
        r.failures += f;
        if let Some(h) = inner.recent(now_secs).filter(|h| h.len() >= MIN_SAMPLES_FOR_P95) {
            let p95 = ms(h.value_at_quantile(0.95));
            if r.slowest_p95.is_none_or(|(_, worst)| p95 > worst) {
                r.slowest_p95 = Some((m.name, p95));
            }
        }
    }
    r
}

pub fn reset() {
    // In-flight operations keep their (now detached) entry and finish into it.
    OPS.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str) -> OpSnapshot {
        snapshot().into_iter().find(|s| s.op == name).unwrap()
    }

    #[test]
    fn records_outcomes_by_code_and_in_flight() {
        let m = begin("metrics.test.outcomes").unwrap();
        assert_eq!(find("metrics.test.outcomes").in_flight, 1);
        m.finish(None, Duration::from_millis(2));
        record("metrics.test.outcomes", Some(ErrorCode::Timeout), Duration::from_millis(4));
        let snap = find("metrics.test.outcomes");
        assert_eq!((snap.count, snap.ok, snap.in_flight), (2, 1, 0));
        assert_eq!(snap.errors.get("ERR_TIMEOUT"), Some(&1));
        assert_eq!(snap.last_minute.operations, 2);
        assert_eq!(snap.last_minute.failures, 1);
        assert!((snap.latency.max_ms - 4.0).abs() < 0.05, "{}", snap.latency.max_ms);
        assert!((snap.latency.mean_ms - 3.0).abs() < 0.01);
    }

    #[test]
    fn quantiles_and_buckets_follow_the_recorded_latencies() {
        for i in 1..=100u64 {
            record("metrics.test.quantiles", None, Duration::from_millis(i));
        }
        let s = find("metrics.test.quantiles");
        assert!((s.latency.p50_ms - 50.0).abs() <= 0.5, "p50 {}", s.latency.p50_ms);
        assert!((s.latency.p95_ms - 95.0).abs() <= 1.0, "p95 {}", s.latency.p95_ms);
        assert!((s.latency.p99_ms - 99.0).abs() <= 1.0, "p99 {}", s.latency.p99_ms);
        let at = |le: f64| s.buckets.iter().take_while(|(b, _)| *b <= le).map(|(_, n)| n).sum::<u64>();
        assert_eq!(at(0.005), 5);
        assert_eq!(at(0.05), 50);
        assert_eq!(at(0.1), 100);
        assert_eq!(at(60.0), 100);
        assert_eq!(s.buckets.last(), Some(&(f64::INFINITY, 0)));
        assert!((s.sum_seconds - 5.05).abs() < 1e-6);
    }

    #[test]
    fn stages_split_an_operation_without_counting_as_one() {
        record("metrics.test.stages", None, Duration::from_millis(10));
        stage("metrics.test.stages", "prepare", Duration::from_millis(2));
        stage("metrics.test.stages", "wallet", Duration::from_millis(7));
        stage("metrics.test.stages", "wallet", Duration::from_millis(9));
        let s = find("metrics.test.stages");
        assert_eq!(s.count, 1, "stages are not operations");
        let names: Vec<(&str, u64)> = s.stages.iter().map(|t| (t.stage, t.count)).collect();
        assert_eq!(names, [("prepare", 1), ("wallet", 2)]);
        assert!((s.stages[1].latency.mean_ms - 8.0).abs() < 0.01);
        assert!((s.stages[1].sum_seconds - 0.016).abs() < 1e-9);
        assert_eq!(s.stages[1].buckets.iter().map(|(_, n)| n).sum::<u64>(), 2);
    }

    #[test]
    fn caller_mistakes_are_not_failures() {
        record("metrics.test.mistakes", Some(ErrorCode::InvalidArgument), Duration::from_micros(5));
        record("metrics.test.mistakes", Some(ErrorCode::BaseNode), Duration::from_micros(5));
        let s = find("metrics.test.mistakes");
        assert_eq!(s.last_minute.failures, 1);
        assert_eq!(s.count, 2);
    }

    #[test]
    fn window_forgets_seconds_older_than_a_minute() {
        let mut inner = OpInner::new();
        inner.record(Some(ErrorCode::BaseNode), Duration::from_millis(1), 10);
        inner.record(None, Duration::from_millis(1), 30);
        assert_eq!(inner.window(30), (2, 1));
        assert_eq!(inner.window(75), (1, 0));
        assert_eq!(inner.window(200), (0, 0));
        assert!(inner.recent(30).is_some());
        assert!(inner.recent(200).is_none());
    }
}
