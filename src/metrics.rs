//! Per-operation outcome counters and latency totals, recorded by the `ops` guard.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use serde::Serialize;

use crate::error::ErrorCode;

static ENABLED: AtomicBool = AtomicBool::new(true);
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

struct OpStats {
    ok: AtomicU64,
    /// Indexed like `ErrorCode::ALL`.
    errors: Vec<AtomicU64>,
    total_ns: AtomicU64,
    max_ns: AtomicU64,
}

impl OpStats {
    fn new() -> Self {
        Self {
            ok: AtomicU64::new(0),
            errors: ErrorCode::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            total_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
        }
    }
}

static OPS: LazyLock<DashMap<&'static str, Arc<OpStats>>> = LazyLock::new(DashMap::new);

#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Relaxed)
}

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Relaxed);
}

pub fn uptime() -> Duration {
    STARTED.elapsed()
}

fn stats_for(op: &'static str) -> Arc<OpStats> {
    if let Some(s) = OPS.get(op) {
        return s.clone();
    }
    OPS.entry(op).or_insert_with(|| Arc::new(OpStats::new())).clone()
}

pub fn record(op: &'static str, error: Option<ErrorCode>, elapsed: Duration) {
    if !enabled() {
        return;
    }
    let s = stats_for(op);
    match error {
        None => s.ok.fetch_add(1, Relaxed),
        Some(code) => {
            let i = ErrorCode::ALL.iter().position(|c| *c == code).unwrap_or(0);
            s.errors[i].fetch_add(1, Relaxed)
        }
    };
    let ns = elapsed.as_nanos().min(u64::MAX as u128) as u64;
    s.total_ns.fetch_add(ns, Relaxed);
    s.max_ns.fetch_max(ns, Relaxed);
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OpSnapshot {
    pub op: &'static str,
    pub ok: u64,
    pub errors: Vec<(&'static str, u64)>,
    pub mean_ms: f64,
    pub max_ms: f64,
}

pub fn snapshot() -> Vec<OpSnapshot> {
    let mut out: Vec<OpSnapshot> = OPS
        .iter()
        .map(|e| {
            let s = e.value();
            let ok = s.ok.load(Relaxed);
            let errors: Vec<_> = ErrorCode::ALL
                .iter()
                .zip(&s.errors)
                .map(|(c, n)| (c.as_str(), n.load(Relaxed)))
                .filter(|(_, n)| *n > 0)
                .collect();
            let count = ok + errors.iter().map(|(_, n)| n).sum::<u64>();
            OpSnapshot {
                op: e.key(),
                ok,
                errors,
                mean_ms: if count > 0 { s.total_ns.load(Relaxed) as f64 / count as f64 / 1e6 } else { 0.0 },
                max_ms: s.max_ns.load(Relaxed) as f64 / 1e6,
            }
        })
        .collect();
    out.sort_by(|a, b| a.op.cmp(b.op));
    out
}

/// (operations, failures) since start or the last reset; failures exclude caller mistakes
/// (invalid arguments and handles), which say nothing about the SDK's health.
pub fn totals() -> (u64, u64) {
    let mut ops = 0;
    let mut failures = 0;
    for e in OPS.iter() {
        let s = e.value();
        ops += s.ok.load(Relaxed);
        for (code, n) in ErrorCode::ALL.iter().zip(&s.errors) {
            let n = n.load(Relaxed);
            ops += n;
            if !matches!(code, ErrorCode::InvalidArgument | ErrorCode::InvalidHandle) {
                failures += n;
            }
        }
    }
    (ops, failures)
}

pub fn reset() {
    OPS.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_outcomes_by_code() {
        record("metrics.test", None, Duration::from_millis(2));
        record("metrics.test", Some(ErrorCode::Timeout), Duration::from_millis(4));
        let snap = snapshot().into_iter().find(|s| s.op == "metrics.test").unwrap();
        assert_eq!(snap.ok, 1);
        assert_eq!(snap.errors, vec![("ERR_TIMEOUT", 1)]);
        assert!(snap.max_ms >= 4.0);
    }
}
