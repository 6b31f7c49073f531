//! Process-level operations behind the system exports: configuration, stats and health. Composes the core
//! modules; knows nothing of napi.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::config::{self, ConfigState};
use crate::error::SdkResult;
use crate::system_events::{self, SystemEventKind};
use crate::{alloc, health, limits, logging, metrics, runtime};

/// The last user of the SDK (the last JS environment) is going: wallets stop, then the runtimes, within
/// `grace`.
pub fn shutdown(grace: Duration) {
    crate::wallet::registry::close_all();
    runtime::shutdown(grace);
}

/// An owner (a JS environment: a worker that was terminated or finished) is going while others stay: the
/// wallets it opened close, rather than hold their databases and threads for the rest of the process.
pub fn release_owner(owner: u64) {
    let wallets = crate::wallet::registry::take_owned_by(owner);
    if wallets.is_empty() {
        return;
    }
    if let Ok(pool) = runtime::pool() {
        pool.spawn_background(async move {
            for w in wallets {
                w.close().await;
            }
        });
    }
}

/// Wires the process-level background work into the runtimes; called once per JS environment.
pub fn install_hooks() {
    runtime::set_on_start(|pool| {
        start_health_monitor(pool);
        // Before any wallet opens: the config may come from the environment alone, with no `init`.
        crate::native_memory::apply(&config::current().config.memory);
        pool.spawn_background(crate::native_memory::trim_loop());
    });
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
    crate::native_memory::apply(&state.config.memory);
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

/// The effective configuration, secrets redacted, and the layer that set each field.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConfigSnapshot {
    pub config: config::Config,
    /// Keyed by dotted path, e.g. `limits.maxWalletInstances`.
    pub sources: BTreeMap<String, config::Source>,
}

pub fn config_snapshot(state: &ConfigState) -> ConfigSnapshot {
    ConfigSnapshot { config: state.redacted(), sources: state.sources.clone() }
}

/// The four runtimes, each with its workers, tasks, queue and busy time.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeReport {
    /// Runtimes start on the first async operation.
    pub started: bool,
    pub background_tasks: usize,
    pub runtimes: Vec<runtime::RuntimeStats>,
}

/// Stats of the running pool; reports `started: false` rather than starting runtimes just to look at them.
#[inline]
pub fn runtime_report() -> RuntimeReport {
    match runtime::is_started().then(runtime::pool).and_then(Result::ok) {
        Some(pool) => RuntimeReport { started: true, background_tasks: pool.background_tasks(), runtimes: pool.stats() },
        None => RuntimeReport { started: false, background_tasks: 0, runtimes: vec![] },
    }
}

/// Allocator figures of the native side plus the process RSS. Numbers, not bigints: exact to 2^53 bytes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStats {
    /// Bytes currently allocated through the Rust global allocator.
    pub current_bytes: f64,
    /// Highest `currentBytes` since start or `resetPeakMemory()` (exact to within 256 KiB per thread).
    pub peak_bytes: f64,
    pub total_allocated_bytes: f64,
    pub allocations: f64,
    pub deallocations: f64,
    pub reallocations: f64,
    /// Resident set size of the whole process, from the OS (sampled at most every 100 ms); null where the
    /// platform cannot tell.
    pub rss_bytes: Option<f64>,
}

#[inline]
pub fn memory() -> MemoryStats {
    let a = alloc::stats();
    MemoryStats {
        current_bytes: a.current_bytes as f64,
        peak_bytes: a.peak_bytes as f64,
        total_allocated_bytes: a.total_allocated_bytes as f64,
        allocations: a.allocations as f64,
        deallocations: a.deallocations as f64,
        reallocations: a.reallocations as f64,
        rss_bytes: alloc::resident_set_bytes().map(|b| b as f64),
    }
}

/// `getHealthStatus()`: the evaluation and the process uptime.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthStatus {
    #[serde(flatten)]
    pub report: health::Report,
    pub uptime_seconds: f64,
}

pub fn health_status() -> HealthStatus {
    HealthStatus { report: health_report(), uptime_seconds: metrics::uptime().as_secs_f64() }
}

/// `getHealthCheck()`: the cheap probe for load balancers, with no I/O.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    pub status: health::Status,
    pub level: health::Level,
    pub uptime_seconds: f64,
}

#[inline]
pub fn health_check() -> HealthCheck {
    let level = health::last_level();
    HealthCheck { status: level.ietf(), level, uptime_seconds: metrics::uptime().as_secs_f64() }
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

/// Open wallets against `limits.maxWalletInstances`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WalletCount {
    pub open: usize,
    pub max: u32,
}

/// Everything `getMetrics()` returns: per-operation figures plus the process view.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricsReport {
    /// False while recording is switched off (`enableMetrics(false)`, `metrics.enabled`).
    pub enabled: bool,
    pub uptime_seconds: f64,
    pub operations: Vec<metrics::OpSnapshot>,
    pub runtimes: RuntimeReport,
    pub memory: MemoryStats,
    pub wallets: WalletCount,
    pub limits: limits::LimitsStats,
    /// Every base node called recently, with its circuit breaker.
    pub breakers: Vec<crate::breaker::BreakerStatus>,
    /// The latest evaluated health level.
    pub health: health::Level,
    /// Log records dropped because the JS logger fell behind.
    pub log_records_dropped: u64,
}

pub fn metrics_report() -> MetricsReport {
    MetricsReport {
        enabled: metrics::enabled(),
        uptime_seconds: metrics::uptime().as_secs_f64(),
        operations: metrics::snapshot(),
        runtimes: runtime_report(),
        memory: memory(),
        wallets: WalletCount { open: crate::wallet::registry::count(), max: config::current().config.limits.max_wallet_instances },
        limits: limits::stats(),
        breakers: crate::base_node::breakers(),
        health: health::last_level(),
        log_records_dropped: logging::dropped_records(),
    }
}
