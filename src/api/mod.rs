//! The `#[napi]` exports. Each one converts JS values, calls one core function and maps errors; the logic
//! lives in the core modules.

pub mod args;
pub mod call;
pub mod coins;
pub mod events;
pub mod history;
pub mod js;
pub mod keys;
pub mod messages;
pub mod network;
pub mod observability;
pub mod offline;
pub mod payments;
pub mod payout;
pub mod scan;
pub mod subscriptions;
pub mod system;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wallet;

use napi::bindgen_prelude::Object;
use napi::Env;
use napi_derive::napi;

/// Runs once per JS environment (main thread and each worker) when the addon is loaded.
#[napi(module_exports)]
pub fn module_init(_exports: Object, env: Env) -> napi::Result<()> {
    // Our runtime threads can outlive an environment; keep the image mapped for them.
    napi::bindgen_prelude::retain_current_module_for_unload_safety();
    crate::ops::register_env(&env)?;
    let config = sdk::config::current();
    sdk::logging::init(&config.config.logging);
    sdk::metrics::set_enabled(config.config.metrics.enabled);
    sdk::system::install_hooks();
    Ok(())
}
