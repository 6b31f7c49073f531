//! Process-level operations behind the system exports: configuration, stats and health. Composes the core
//! modules; knows nothing of napi.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::config::{self, ConfigState};
use crate::error::SdkResult;
use crate::{alloc, health, logging, metrics, runtime};

fn install(state: ConfigState) -> Arc<ConfigState> {
    logging::apply(&state.config.logging);
    metrics::set_enabled(state.config.metrics.enabled);
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

pub fn health_report() -> health::Report {
    let state = config::current();
    let (operations, failures) = metrics::totals();
    let max_queue_depth =
        runtime_report().runtimes.iter().map(|r| r.global_queue_depth as u64).max().unwrap_or(0);
    health::evaluate(
        &state.config.health,
        &health::Observations {
            rss_bytes: alloc::resident_set_bytes(),
            operations,
            failures,
            max_queue_depth,
            open_wallets: crate::wallet::registry::count() as u64,
            max_wallets: state.config.limits.max_wallet_instances as u64,
        },
    )
}
