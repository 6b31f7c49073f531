//! Health: named checks evaluated against the `health.*` thresholds, rolled up into one level, and shaped
//! like IETF `application/health+json` (pass/warn/fail, checks keyed `component:measurement`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::time::Duration;

use serde::Serialize;

use crate::config::HealthConfig;

/// The SDK's four-step health level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "HealthLevel")]
pub enum Level {
    Healthy = 0,
    Warning = 1,
    Degraded = 2,
    Critical = 3,
}

impl Level {
    pub const fn name(self) -> &'static str {
        match self {
            Level::Healthy => "healthy",
            Level::Warning => "warning",
            Level::Degraded => "degraded",
            Level::Critical => "critical",
        }
    }

    /// The IETF health+json status.
    pub const fn ietf(self) -> Status {
        match self {
            Level::Healthy => Status::Pass,
            Level::Warning | Level::Degraded => Status::Warn,
            Level::Critical => Status::Fail,
        }
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => Level::Healthy,
            1 => Level::Warning,
            2 => Level::Degraded,
            _ => Level::Critical,
        }
    }
}

/// The IETF `application/health+json` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "HealthIetfStatus")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One health check's result.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "HealthCheckResult")]
pub struct Check {
    /// Which instance the check is about (a wallet handle), for checks with one entry per instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub component_id: Option<String>,
    pub level: Level,
    pub status: Status,
    pub observed_value: f64,
    pub observed_unit: &'static str,
    pub output: String,
}

impl Check {
    fn new(level: Level, observed_value: f64, observed_unit: &'static str, output: String) -> Self {
        Self { component_id: None, level, status: level.ietf(), observed_value, observed_unit, output }
    }

    fn of(mut self, component: String) -> Self {
        self.component_id = Some(component);
        self
    }
}

/// One open wallet as health sees it.
#[derive(Debug, Clone)]
pub struct WalletObservation {
    pub handle: u32,
    /// `online`, `degraded`, `offline`, or `unknown` before the first base node report.
    pub status: &'static str,
    pub latency_ms: Option<u64>,
    /// Time since the wallet's view of the chain tip last advanced (since open, if it never has).
    pub tip_age: Duration,
    pub open_for: Duration,
}

/// What the checks look at; gathered by the caller so evaluation stays pure and testable.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub rss_bytes: Option<u64>,
    /// Operations and failures in the last minute.
    pub operations: u64,
    pub failures: u64,
    /// The operation with the highest recent p95 latency, in ms.
    pub slowest_p95: Option<(&'static str, f64)>,
    pub wallets: Vec<WalletObservation>,
    pub max_queue_depth: u64,
    pub open_wallets: u64,
    pub max_wallets: u64,
    pub limits: crate::limits::LimitsStats,
    pub breakers: Vec<crate::breaker::BreakerStatus>,
}

/// Every check's latest result: IETF `application/health+json` plus the SDK's four-step `level`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "HealthReport")]
pub struct Report {
    pub level: Level,
    pub status: Status,
    /// Keyed `component:measurement`, e.g. `memory:utilization`.
    pub checks: BTreeMap<String, Vec<Check>>,
}

/// After an `ERR_OVERLOADED`, the saturation check stays critical this long.
const OVERLOAD_MEMORY: Duration = Duration::from_secs(10);

/// Error rate needs this many operations before it can say anything.
const MIN_OPS_FOR_ERROR_RATE: u64 = 20;
/// A wallet that has not heard from its base node this long after opening counts as unreachable.
const FIRST_REPORT_GRACE: Duration = Duration::from_secs(30);

pub fn evaluate(h: &HealthConfig, o: &Observations) -> Report {
    let mut checks = BTreeMap::new();

    if let Some(rss) = o.rss_bytes {
        let ratio = rss as f64 / h.memory_limit_bytes as f64;
        let level = graded(ratio, 0.75, 0.90, 1.0);
        checks.insert(
            "memory:utilization".into(),
            vec![Check::new(
                level,
                rss as f64,
                "bytes",
                format!("RSS is {:.0}% of the {} byte limit", ratio * 100.0, h.memory_limit_bytes),
            )],
        );
    }

    let rate = if o.operations >= MIN_OPS_FOR_ERROR_RATE { o.failures as f64 / o.operations as f64 } else { 0.0 };
    let level = graded(rate, h.error_rate_warning, h.error_rate_degraded, h.error_rate_critical);
    checks.insert(
        "operations:errorRate".into(),
        vec![Check::new(level, rate, "ratio", format!("{} failures in {} operations in the last minute", o.failures, o.operations))],
    );

    let target = h.latency_target_ms as f64;
    let (level, p95, output) = match o.slowest_p95 {
        Some((op, p95)) => (
            graded(p95, target, target * 3.0, f64::INFINITY),
            p95,
            format!("slowest recent p95 is {op} at {p95:.1} ms (target {target} ms)"),
        ),
        None => (Level::Healthy, 0.0, "too few recent operations to judge".to_string()),
    };
    checks.insert("operations:latencyP95".into(), vec![Check::new(level, p95, "ms", output)]);

    let l = &o.limits;
    let busy = (l.in_flight + l.queued) as f64 / l.max_concurrent.max(1) as f64;
    let (level, output) = match l.since_last_overload {
        Some(ago) if ago < OVERLOAD_MEMORY => {
            (Level::Critical, format!("operations were refused with ERR_OVERLOADED {:.1} s ago", ago.as_secs_f64()))
        }
        _ if l.queued > 0 => (Level::Degraded, format!("{} operations queued behind {} running", l.queued, l.in_flight)),
        _ => (graded(busy, 0.8, f64::INFINITY, f64::INFINITY), format!("{} of {} operation slots in use", l.in_flight, l.max_concurrent)),
    };
    checks.insert("operations:saturation".into(), vec![Check::new(level, busy, "ratio", output)]);

    if !o.breakers.is_empty() {
        let states = o
            .breakers
            .iter()
            .map(|b| {
                let (level, output) = match b.state {
                    crate::breaker::State::Closed => (Level::Healthy, "closed".to_string()),
                    crate::breaker::State::HalfOpen => (Level::Warning, "half-open: probing the base node".to_string()),
                    crate::breaker::State::Open => (Level::Degraded, format!("open: failing fast for {:.0} ms more", b.retry_after_ms)),
                };
                Check::new(level, b.consecutive_failures as f64, "failures", output).of(b.url.clone())
            })
            .collect();
        checks.insert("baseNode:circuitBreaker".into(), states);
    }

    if !o.wallets.is_empty() {
        let reach = o.wallets.iter().map(|w| reachability(w).of(w.handle.to_string())).collect();
        checks.insert("baseNode:reachability".into(), reach);
        let (warn, degraded) = (h.tip_age_warning_secs as f64, h.tip_age_degraded_secs as f64);
        let ages = o
            .wallets
            .iter()
            .map(|w| {
                let age = w.tip_age.as_secs_f64();
                Check::new(graded(age, warn, degraded, f64::INFINITY), age, "s", format!("chain tip last advanced {age:.0} s ago"))
                    .of(w.handle.to_string())
            })
            .collect();
        checks.insert("baseNode:tipAge".into(), ages);
    }

    let q = o.max_queue_depth as f64;
    let w = h.queue_depth_warning as f64;
    let level = graded(q, w, w * 10.0, w * 100.0);
    checks.insert(
        "runtime:queueDepth".into(),
        vec![Check::new(level, q, "tasks", format!("deepest runtime global queue holds {} tasks", o.max_queue_depth))],
    );

    if o.max_wallets > 0 {
        let ratio = o.open_wallets as f64 / o.max_wallets as f64;
        let level = graded(ratio, 0.8, 0.95, f64::INFINITY);
        checks.insert(
            "wallets:utilization".into(),
            vec![Check::new(level, o.open_wallets as f64, "wallets", format!("{} of {} wallets open", o.open_wallets, o.max_wallets))],
        );
    }

    let level = checks.values().flatten().map(|c| c.level).max().unwrap_or(Level::Healthy);
    Report { level, status: level.ietf(), checks }
}

fn reachability(w: &WalletObservation) -> Check {
    let latency = w.latency_ms.map_or(-1.0, |l| l as f64);
    match w.status {
        "online" => Check::new(Level::Healthy, latency, "ms", "base node reachable and synced".into()),
        "degraded" => Check::new(Level::Warning, latency, "ms", "base node reachable but not synced".into()),
        "unknown" if w.open_for < FIRST_REPORT_GRACE => {
            Check::new(Level::Healthy, latency, "ms", "waiting for the first base node report".into())
        }
        _ => Check::new(Level::Degraded, latency, "ms", "base node unreachable; the wallet serves local data only".into()),
    }
}

/// A change of the overall level.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub from: Level,
    pub to: Level,
    /// The IETF status of the new level.
    pub status: Status,
    /// Keys of the checks that are not healthy now.
    #[serde(rename = "failingChecks")]
    pub failing: Vec<String>,
}

/// Makes `report` the latest evaluation (what `last_level` returns); a transition when the level changed.
pub fn publish(report: &Report) -> Option<Transition> {
    let from = Level::from_u8(LAST.swap(report.level as u8, Relaxed));
    (from != report.level).then(|| Transition {
        from,
        to: report.level,
        status: report.level.ietf(),
        failing: report.checks.iter().filter(|(_, cs)| cs.iter().any(|c| c.level != Level::Healthy)).map(|(k, _)| k.clone()).collect(),
    })
}

fn graded(value: f64, warning: f64, degraded: f64, critical: f64) -> Level {
    if value >= critical {
        Level::Critical
    } else if value >= degraded {
        Level::Degraded
    } else if value >= warning && warning > 0.0 {
        Level::Warning
    } else {
        Level::Healthy
    }
}

static LAST: AtomicU8 = AtomicU8::new(Level::Healthy as u8);

/// The level of the latest evaluation: one atomic load, for load-balancer probes.
#[inline]
pub fn last_level() -> Level {
    Level::from_u8(LAST.load(Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs() -> Observations {
        Observations {
            rss_bytes: Some(10 << 20),
            operations: 100,
            failures: 0,
            slowest_p95: Some(("getBalance", 0.2)),
            wallets: vec![],
            max_queue_depth: 0,
            open_wallets: 1,
            max_wallets: 64,
            limits: crate::limits::LimitsStats {
                in_flight: 0,
                queued: 0,
                max_concurrent: 1024,
                max_queued: 4096,
                rate_limited_total: 0,
                overloaded_total: 0,
                since_last_overload: None,
            },
            breakers: vec![],
        }
    }

    #[test]
    fn open_breakers_degrade_and_half_open_ones_warn() {
        let h = HealthConfig::default();
        let with = |state| {
            let o = Observations {
                breakers: vec![crate::breaker::BreakerStatus {
                    url: "http://n".into(),
                    state,
                    consecutive_failures: 5,
                    retry_after_ms: 900.0,
                }],
                ..obs()
            };
            let r = evaluate(&h, &o);
            assert_eq!(r.checks["baseNode:circuitBreaker"][0].component_id.as_deref(), Some("http://n"));
            r.level
        };
        assert_eq!(with(crate::breaker::State::Closed), Level::Healthy);
        assert_eq!(with(crate::breaker::State::HalfOpen), Level::Warning);
        assert_eq!(with(crate::breaker::State::Open), Level::Degraded);
    }

    #[test]
    fn saturation_reports_queueing_and_overload() {
        let h = HealthConfig::default();
        let with = |in_flight, queued, ago: Option<u64>| {
            let mut o = obs();
            o.limits.in_flight = in_flight;
            o.limits.queued = queued;
            o.limits.since_last_overload = ago.map(Duration::from_secs);
            evaluate(&h, &o).checks["operations:saturation"][0].level
        };
        assert_eq!(with(10, 0, None), Level::Healthy);
        assert_eq!(with(900, 0, None), Level::Warning);
        assert_eq!(with(1024, 5, None), Level::Degraded);
        assert_eq!(with(1024, 4096, Some(1)), Level::Critical);
        assert_eq!(with(10, 0, Some(60)), Level::Healthy);
    }

    fn wallet(status: &'static str, open_secs: u64, tip_age_secs: u64) -> WalletObservation {
        WalletObservation {
            handle: 1,
            status,
            latency_ms: Some(3),
            tip_age: Duration::from_secs(tip_age_secs),
            open_for: Duration::from_secs(open_secs),
        }
    }

    #[test]
    fn slow_operations_warn_then_degrade() {
        let h = HealthConfig { latency_target_ms: 100, ..HealthConfig::default() };
        let at = |p95| evaluate(&h, &Observations { slowest_p95: Some(("send", p95)), ..obs() });
        assert_eq!(at(50.0).level, Level::Healthy);
        assert_eq!(at(150.0).level, Level::Warning);
        assert_eq!(at(400.0).level, Level::Degraded);
        assert!(at(400.0).checks["operations:latencyP95"][0].output.contains("send"));
    }

    #[test]
    fn wallet_connectivity_and_tip_age_are_checked_per_wallet() {
        let h = HealthConfig::default();
        let with = |w| evaluate(&h, &Observations { wallets: vec![w], ..obs() });
        assert_eq!(with(wallet("online", 100, 10)).level, Level::Healthy);
        assert_eq!(with(wallet("unknown", 5, 5)).level, Level::Healthy);
        assert_eq!(with(wallet("unknown", 100, 5)).level, Level::Degraded);
        let offline = with(wallet("offline", 100, 10));
        assert_eq!(offline.level, Level::Degraded);
        assert_eq!(offline.checks["baseNode:reachability"][0].component_id.as_deref(), Some("1"));
        assert_eq!(with(wallet("online", 10_000, h.tip_age_warning_secs + 1)).level, Level::Warning);
        assert_eq!(with(wallet("online", 10_000, h.tip_age_degraded_secs + 1)).level, Level::Degraded);
    }

    #[test]
    fn publish_reports_level_changes_once() {
        let h = HealthConfig { memory_limit_bytes: 8 << 20, ..HealthConfig::default() };
        let critical = evaluate(&h, &obs());
        let healthy = evaluate(&HealthConfig::default(), &obs());
        publish(&healthy);
        let t = publish(&critical).unwrap();
        assert_eq!((t.from, t.to), (Level::Healthy, Level::Critical));
        assert_eq!(t.failing, vec!["memory:utilization".to_string()]);
        assert_eq!(last_level(), Level::Critical);
        assert!(publish(&critical).is_none());
        assert!(publish(&healthy).is_some());
    }

    #[test]
    fn quiet_process_is_healthy() {
        let r = evaluate(&HealthConfig::default(), &obs());
        assert_eq!(r.level, Level::Healthy);
        assert_eq!(r.status, Status::Pass);
        assert!(r.checks.contains_key("memory:utilization"));
    }

    #[test]
    fn error_rate_thresholds_grade_the_level() {
        let h = HealthConfig::default();
        let at = |failures| evaluate(&h, &Observations { failures, ..obs() }).level;
        assert_eq!(at(4), Level::Healthy);
        assert_eq!(at(5), Level::Warning);
        assert_eq!(at(10), Level::Degraded);
        assert_eq!(at(30), Level::Critical);
        // too few operations to judge
        assert_eq!(evaluate(&h, &Observations { operations: 5, failures: 5, ..obs() }).level, Level::Healthy);
    }

    #[test]
    fn memory_over_limit_is_critical_and_fails() {
        let h = HealthConfig { memory_limit_bytes: 8 << 20, ..HealthConfig::default() };
        let r = evaluate(&h, &obs());
        assert_eq!(r.level, Level::Critical);
        assert_eq!(r.status, Status::Fail);
    }
}
