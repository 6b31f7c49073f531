//! Health: named checks evaluated against the `health.*` thresholds, rolled up into one level, and shaped
//! like IETF `application/health+json` (pass/warn/fail, checks keyed `component:measurement`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

use serde::Serialize;

use crate::config::HealthConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
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
    pub const fn ietf(self) -> &'static str {
        match self {
            Level::Healthy => "pass",
            Level::Warning | Level::Degraded => "warn",
            Level::Critical => "fail",
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

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub level: Level,
    pub status: &'static str,
    pub observed_value: f64,
    pub observed_unit: &'static str,
    pub output: String,
}

impl Check {
    fn new(level: Level, observed_value: f64, observed_unit: &'static str, output: String) -> Self {
        Self { level, status: level.ietf(), observed_value, observed_unit, output }
    }
}

/// What the checks look at; gathered by the caller so evaluation stays pure and testable.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub rss_bytes: Option<u64>,
    pub operations: u64,
    pub failures: u64,
    pub max_queue_depth: u64,
    pub open_wallets: u64,
    pub max_wallets: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub level: Level,
    pub status: &'static str,
    pub checks: BTreeMap<String, Vec<Check>>,
}

/// Error rate needs this many operations before it can say anything.
const MIN_OPS_FOR_ERROR_RATE: u64 = 20;

pub fn evaluate(h: &HealthConfig, o: &Observations) -> Report {
    let mut checks = BTreeMap::new();

    if let Some(rss) = o.rss_bytes {
        let ratio = rss as f64 / h.memory_limit_bytes as f64;
        let level = graded(ratio, 0.75, 0.90, 1.0);
        checks.insert(
            "memory:utilization".into(),
            vec![Check::new(level, rss as f64, "bytes", format!("RSS is {:.0}% of the {} byte limit", ratio * 100.0, h.memory_limit_bytes))],
        );
    }

    let rate = if o.operations >= MIN_OPS_FOR_ERROR_RATE { o.failures as f64 / o.operations as f64 } else { 0.0 };
    let level = graded(rate, h.error_rate_warning, h.error_rate_degraded, h.error_rate_critical);
    checks.insert(
        "operations:errorRate".into(),
        vec![Check::new(level, rate, "ratio", format!("{} failures in {} operations", o.failures, o.operations))],
    );

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
    LAST.store(level as u8, Relaxed);
    Report { level, status: level.ietf(), checks }
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
        Observations { rss_bytes: Some(10 << 20), operations: 100, failures: 0, max_queue_depth: 0, open_wallets: 1, max_wallets: 64 }
    }

    #[test]
    fn quiet_process_is_healthy() {
        let r = evaluate(&HealthConfig::default(), &obs());
        assert_eq!(r.level, Level::Healthy);
        assert_eq!(r.status, "pass");
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
        assert_eq!(r.status, "fail");
    }
}
