//! Process-level exports: configuration, runtime/memory stats, health, error codes, version.

use std::path::PathBuf;

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;

use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::ops::{self, OpSpec};
use sdk::error::{ErrorCode, SdkError};
use sdk::runtime::RuntimeKind;
use sdk::system;

/// Declared for the TypeScript typings; `init` parses its options itself so that a non-object is
/// `ERR_INVALID_ARGUMENT` rather than silently ignored.
#[napi(object)]
#[allow(dead_code)]
pub struct InitOptions {
    /// A TOML or JSON config file. Defaults to `TARI_CONFIG_FILE` when set.
    pub config_file: Option<String>,
    /// Overrides applied over the file and the environment, in the same shape as `getConfig().config`.
    #[napi(ts_type = "ConfigPatch")]
    pub config: Option<Value>,
}

/// Builds the configuration from compiled defaults, the config file, `TARI_*` environment variables and
/// `options.config`, validates it and applies it. Optional: the SDK configures itself from defaults and
/// the environment on first use. Thread counts can only be set before the first async operation.
/// Throws `ERR_CONFIG` naming the bad field, its value and where it came from.
#[napi(catch_unwind, ts_args_type = "options?: InitOptions", ts_return_type = "ConfigSnapshot")]
pub fn init(env: Env, options: Option<Value>) -> napi::Result<Js<system::ConfigSnapshot>> {
    ops::sync_init(&env, || {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Options {
            config_file: Option<String>,
            config: Option<Value>,
        }
        let options: Options = match options {
            None | Some(Value::Null) => Options { config_file: None, config: None },
            Some(v @ Value::Object(_)) => serde_json::from_value(v)
                .map_err(|e| SdkError::invalid_argument(format!("init options: {}", sdk::error::shown(&e.to_string()))))?,
            Some(other) => {
                return Err(SdkError::invalid_argument(format!(
                    "init expects an options object, got {}",
                    sdk::error::shown(&other.to_string())
                )))
            }
        };
        if let Some(c) = &options.config {
            if !c.is_object() {
                return Err(SdkError::invalid_argument("init options.config must be an object"));
            }
        }
        system::init(options.config_file.map(PathBuf::from).as_deref(), options.config).map(|s| Js(system::config_snapshot(&s)))
    })
}

/// The effective configuration (secrets redacted) and, for every field, the layer that set it. Throws
/// `ERR_CONFIG` naming the variable while a `TARI_*` variable (or the file it names) is invalid: the
/// config in force would not be the one the environment asked for.
#[napi(catch_unwind, ts_return_type = "ConfigSnapshot")]
pub fn get_config(env: Env) -> napi::Result<Js<system::ConfigSnapshot>> {
    ops::sync(&env, "getConfig", || Ok(Js(system::config_snapshot(&sdk::config::current()))))
}

/// Applies a partial configuration at runtime and returns the new effective configuration. The whole
/// result is validated first; on `ERR_CONFIG` nothing changes. Thread counts cannot change once the
/// runtimes run.
#[napi(catch_unwind, ts_args_type = "patch: ConfigPatch", ts_return_type = "ConfigSnapshot")]
pub fn update_config(env: Env, patch: Value) -> napi::Result<Js<system::ConfigSnapshot>> {
    ops::sync(&env, "updateConfig", || {
        if !patch.is_object() {
            return Err(SdkError::invalid_argument("updateConfig expects an object such as { logging: { level: 'debug' } }"));
        }
        system::update(patch).map(|s| Js(system::config_snapshot(&s)))
    })
}

/// Per-runtime workers, alive tasks, global queue depth, busy time and completed operations.
#[napi(catch_unwind, ts_return_type = "RuntimeReport")]
pub fn get_runtime_stats() -> Js<system::RuntimeReport> {
    Js(system::runtime_report())
}

/// Allocator figures of the native side plus the process RSS.
#[napi(catch_unwind, ts_return_type = "MemoryStats")]
pub fn get_memory_stats() -> Js<system::MemoryStats> {
    Js(system::memory())
}

/// What holds the process's memory, by owner: the Rust heap, SQLite, the C allocator's in-use and
/// retained bytes, resident anonymous and file-backed pages. A diagnostic: it walks the allocator's arenas.
#[napi(catch_unwind, ts_return_type = "MemoryBreakdown")]
pub fn get_memory_breakdown() -> Js<sdk::native_memory::MemoryBreakdown> {
    Js(sdk::native_memory::breakdown())
}

/// Restarts peak tracking from the current allocation level.
#[napi(catch_unwind)]
pub fn reset_peak_memory() {
    sdk::alloc::reset_peak();
}

/// Evaluates every health check against the `health.*` thresholds. `level` is healthy, warning, degraded
/// or critical; `status` and `checks` follow IETF `application/health+json`.
#[napi(catch_unwind, ts_return_type = "HealthStatus")]
pub fn get_health_status(env: Env) -> napi::Result<Js<system::HealthStatus>> {
    ops::sync(&env, "getHealthStatus", || Ok(Js(system::health_status())))
}

/// The cheap probe for load balancers: the level of the latest evaluation and the uptime, with no I/O.
#[napi(catch_unwind, ts_return_type = "HealthCheck")]
pub fn get_health_check() -> Js<system::HealthCheck> {
    Js(system::health_check())
}

/// Every error code the SDK can produce, with its meaning.
#[napi(catch_unwind, ts_return_type = "Record<ErrorCodeName, string>")]
pub fn error_codes() -> Js<std::collections::BTreeMap<ErrorCode, &'static str>> {
    Js(ErrorCode::ALL.iter().map(|c| (*c, c.description())).collect())
}

#[napi(object)]
pub struct VersionInfo {
    pub sdk: String,
    /// The embedded minotari_wallet crate.
    pub minotari_wallet: String,
    /// `testnet` builds use localnet, igor and esmeralda; `mainnet` builds use mainnet and stagenet.
    pub build_target: String,
}

/// Versions of the SDK and the embedded wallet library.
#[napi(catch_unwind)]
pub fn get_version() -> VersionInfo {
    VersionInfo {
        sdk: env!("CARGO_PKG_VERSION").into(),
        minotari_wallet: sdk::MINOTARI_WALLET_VERSION.into(),
        build_target: sdk::build_target().into(),
    }
}

/// Round trip through one runtime (default `general`): resolves when a task scheduled there has run.
/// Starts the runtimes if needed. Rejects with `ERR_INVALID_ARGUMENT` for an unknown runtime name.
#[napi(strict, catch_unwind, ts_args_type = "runtime?: RuntimeName, call?: CallOptions")]
pub fn ping<'env>(env: &'env Env, runtime: Option<String>, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    let call = call::parse(env, call);
    let kind = match runtime.as_deref() {
        None => Ok(RuntimeKind::General),
        Some(name) => RuntimeKind::parse(name).ok_or_else(|| {
            SdkError::invalid_argument(format!("unknown runtime {}; use wallet, crypto, network or general", sdk::error::shown(name)))
        }),
    };
    match kind {
        Ok(kind) => ops::spawn(env, OpSpec::new("ping", kind), call, async { Ok(()) }),
        Err(e) => ops::rejected(env, "ping", call, e),
    }
}
