//! Wallet event subscriptions.
use std::sync::Arc;

use napi::bindgen_prelude::Function;
use napi::Env;
use napi_derive::napi;

use crate::api::js::Js;
use crate::api::subscriptions;
use crate::api::wallet::handle_arg;
use crate::ops::{self};
use sdk::wallet::events::WalletEvent;
use sdk::wallet::registry;

/// Calls `listener` with every event of the wallet until `offEvent(id)` or the wallet closes. Delivery
/// never keeps the process alive on its own. Returns the subscription id.
#[napi(catch_unwind, ts_args_type = "handle: number, listener: (event: WalletEvent) => void")]
pub fn on_event(env: Env, handle: f64, listener: Function<Js<Arc<WalletEvent>>, ()>) -> napi::Result<u32> {
    ops::sync(&env, "onEvent", || {
        let rx = registry::get(handle_arg(handle)?)?.events.subscribe();
        let wallet_handle = handle_arg(handle)?;
        let lagged = Box::new(move |dropped: u64| Js(Arc::new(WalletEvent::lagged(wallet_handle, dropped))));
        subscriptions::subscribe(rx, listener, |e: &Arc<WalletEvent>| Js(e.clone()), lagged)
    })
}

/// Stops a subscription made with `onEvent`. Unknown ids are ignored.
#[napi(catch_unwind)]
pub fn off_event(subscription: u32) {
    subscriptions::unsubscribe(subscription);
}
