//! Process-level operations behind the system exports: configuration, stats and health. Composes the core
//! modules; knows nothing of napi.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};

use crate::config::{self, ConfigState};
use crate::error::SdkResult;
use crate::system_events::{self, SystemEventKind};
use crate::{alloc, health, limits, logging, metrics, runtime};

/// Wires the process-level background work into the runtimes; called once per JS environment.
pub fn install_hooks() {
    runtime::set_on_start(start_health_monitor);
}

/// Evaluates health every `health.checkIntervalMs` while the runtimes run, so `getHealthCheck()` stays
/// current and transitions become events even when nobody asks.
fn start_health_monitor(pool: &Arc<runtime::RuntimePool>) {
    pool.spawn_background(async {
        loop {
            let every = config::current().config.health.check_interval_ms;
            tokio::time::sleep(Duration::from_millis(every)).await;
            health_report();
        }
    });
}

fn install(state: ConfigState) -> Arc<ConfigState> {
    logging::apply(&state.config.logging);
    metrics::set_enabled(state.config.metrics.enabled);
    limits::apply(&state.config.limits);
    config::install(state);
    config::current()
}

/// Rebuilds the config from all layers: defaults, the file, the environment, then `overrides`.
pub fn init(config_file: Option<&Path>, overrides: Option<Value>) -> SdkResult<Arc<ConfigState>> {
    let next = ConfigState::load(config_file, &config::process_env(), overrides)?;
    if runtime::is_started() && next.config.runtime != config::current().config.runtime {
        return Err(crate::error::SdkError::config(
            "runtime.* (thread counts) cannot change: the runtimes are already running; call init() before the first \
             operation",
        ));
    }
    Ok(install(next))
}

pub fn update(patch: Value) -> SdkResult<Arc<ConfigState>> {
    // A patch over compiled defaults would hide that the environment was never applied.
    if let Some(e) = config::startup_error() {
        return Err(e);
    }
    let next = config::current().update(patch, runtime::is_started())?;
    Ok(install(next))
}

pub fn config_snapshot(state: &ConfigState) -> Value {
    json!({ "config": state.redacted(), "sources": state.sources })
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeReport {
    pub started: bool,
    pub background_tasks: usize,
    pub runtimes: Vec<runtime::RuntimeStats>,
}

/// Stats of the running pool; reports `started: false` rather than starting runtimes just to look at them.
pub fn runtime_report() -> RuntimeReport {
    match runtime::is_started().then(runtime::pool).and_then(Result::ok) {
        Some(pool) => RuntimeReport { started: true, background_tasks: pool.background_tasks(), runtimes: pool.stats() },
        None => RuntimeReport { started: false, background_tasks: 0, runtimes: vec![] },
    }
}

pub fn memory() -> (alloc::AllocStats, Option<u64>) {
    (alloc::stats(), alloc::resident_set_bytes())
}

/// Evaluates health now, makes it the latest level, and emits `healthChanged` if the level moved.
pub fn health_report() -> health::Report {
    let state = config::current();
    let recent = metrics::recent();
    let max_queue_depth = runtime_report().runtimes.iter().map(|r| r.global_queue_depth as u64).max().unwrap_or(0);
    let wallets = crate::wallet::registry::list()
        .iter()
        .map(|w| {
            let c = w.connectivity();
            health::WalletObservation {
                handle: w.handle,
                status: c.status,
                latency_ms: c.latency_ms,
                tip_age: c.tip_age,
                open_for: w.opened_at.elapsed(),
            }
        })
        .collect();
    let report = health::evaluate(
        &state.config.health,
        &health::Observations {
            rss_bytes: alloc::resident_set_bytes(),
            operations: recent.operations,
            failures: recent.failures,
            slowest_p95: recent.slowest_p95,
            wallets,
            max_queue_depth,
            open_wallets: crate::wallet::registry::count() as u64,
            max_wallets: state.config.limits.max_wallet_instances as u64,
            limits: limits::stats(),
            breakers: crate::base_node::breakers(),
        },
    );
    if let Some(t) = health::publish(&report) {
        tracing::warn!(from = t.from.name(), to = t.to.name(), failing = ?t.failing, "health level changed");
        system_events::publish(SystemEventKind::HealthChanged(t));
    }
    report
}

/// Everything `getMetrics()` returns: per-operation figures plus the process view.
pub fn metrics_report() -> Value {
    let state = config::current();
    let (a, rss) = memory();
    json!({
        "enabled": metrics::enabled(),
        "uptimeSeconds": metrics::uptime().as_secs_f64(),
        "operations": metrics::snapshot(),
        "runtimes": runtime_report(),
        "memory": {
            "currentBytes": a.current_bytes,
            "peakBytes": a.peak_bytes,
            "allocations": a.allocations,
            "rssBytes": rss,
        },
        "wallets": {
            "open": crate::wallet::registry::count(),
            "max": state.config.limits.max_wallet_instances,
        },
        "limits": limits::stats(),
        "breakers": crate::base_node::breakers(),
        "health": health::last_level().name(),
        "logRecordsDropped": logging::dropped_records(),
    })
}
