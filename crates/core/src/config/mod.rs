//! Typed configuration, built from layers: compiled defaults → a TOML/JSON file → `TARI_*` environment
//! variables → `init`/`updateConfig` overrides. Every effective value remembers which layer set it.
//!
//! - `schema`: the settings, their types and defaults (and the TypeScript generated from them);
//! - `load`: the layers, merged by figment, with provenance per value;
//! - `validate`: ranges and the rules between fields;
//! - `url`: what a base node URL must be, and how one is shown.
//!
//! An unknown key, a wrong type and an out-of-range number all fail the same way: `ERR_CONFIG` naming the
//! path, the value and the layer it came from.

mod load;
mod schema;
mod url;
mod validate;

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::error::SdkError;

pub use load::{ConfigState, Source, ENV_VARS};
pub use schema::*;
pub use url::{is_base_node_url, redact_url};
pub use validate::MAX_CONFIRMATIONS;

static CURRENT: std::sync::LazyLock<ArcSwap<ConfigState>> = std::sync::LazyLock::new(|| {
    // First use without init(): defaults and environment. A bad environment leaves the compiled defaults in
    // place (the addon must still load, so `init` can report and `ERROR_CODES` can be read) and is kept as
    // the startup error that every call reports until a successful `init` replaces the config.
    let state = ConfigState::load(None, &process_env(), None).unwrap_or_else(|e| {
        if let Ok(mut slot) = STARTUP_ERROR.lock() {
            *slot = Some(e);
        }
        STARTUP_FAILED.store(true, std::sync::atomic::Ordering::Release);
        ConfigState::defaults()
    });
    ArcSwap::from_pointee(state)
});

static STARTUP_ERROR: std::sync::Mutex<Option<SdkError>> = std::sync::Mutex::new(None);
/// Fast path for `startup_error`: one atomic load per call while everything is fine.
static STARTUP_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The error of loading the configuration from the environment (or a config file it named), if that
/// failed and no `init` has succeeded since. Every operation fails with it: running on defaults that the
/// environment meant to change would be worse.
pub fn startup_error() -> Option<SdkError> {
    std::sync::LazyLock::force(&CURRENT);
    if !STARTUP_FAILED.load(std::sync::atomic::Ordering::Acquire) {
        return None;
    }
    STARTUP_ERROR.lock().ok().and_then(|e| e.clone())
}

pub fn process_env() -> Vec<(String, String)> {
    std::env::vars().filter(|(k, _)| k.starts_with("TARI_")).collect()
}

/// The effective config. Cheap: an atomic load.
pub fn current() -> Arc<ConfigState> {
    CURRENT.load_full()
}

/// Makes `state` the effective config; it was loaded from every layer, so any startup error is over.
pub fn install(state: ConfigState) {
    CURRENT.store(Arc::new(state));
    STARTUP_FAILED.store(false, std::sync::atomic::Ordering::Release);
    if let Ok(mut slot) = STARTUP_ERROR.lock() {
        *slot = None;
    }
}
