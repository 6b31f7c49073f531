//! Wallet events: live subscriptions, and the durable log (read, acknowledge).
use std::sync::Arc;

use napi::bindgen_prelude::{Function, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::api::args::{wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::subscriptions;
use crate::api::wallet::{handle_arg, on_wallet};
use crate::ops::{self};
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::event_log;
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

#[napi(object)]
pub struct EventPage {
    /// Events with a larger `seq` than this; default: those not yet acknowledged (`ackEvents`).
    pub after: Option<f64>,
    /// Default 100, at most 10000.
    pub limit: Option<f64>,
}

/// The wallet's durable events (money events: `received`, `sent`, `broadcast`, `minedUnconfirmed`,
/// `confirmed`, `cancelled`), oldest first, each with its `seq`. They survive restarts and stay until
/// `ackEvents` covers them, so a process that dies before acknowledging sees them again; changes that
/// happened while the wallet was closed are among them after it reopens, each once.
#[napi(strict, catch_unwind, ts_return_type = "Promise<WalletEvent[]>")]
pub fn get_events<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<EventPage>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<Vec<WalletEvent>>>> {
    let args = (|| {
        let o = options.unwrap_or(EventPage { after: None, limit: None });
        let after = o.after.map(|a| whole_number("after", a, 0, u64::MAX >> 11)).transpose()?;
        let limit = o.limit.map(|l| whole_number("limit", l, 1, event_log::MAX_PAGE as u64)).transpose()?.unwrap_or(100) as usize;
        Ok(move |entry: Arc<WalletEntry>| async move { entry.event_log.page(entry.handle, after, limit).map(Js) })
    })();
    on_wallet(env, wallet_op("getEvents"), call::parse(env, call), handle, args)
}

/// Acknowledges every durable event up to and including `seq`: they are deleted, and `getEvents` starts
/// after them. Acknowledging a number below an earlier one changes nothing.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn ack_events<'env>(env: &'env Env, handle: f64, seq: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    let args =
        whole_number("seq", seq, 0, u64::MAX >> 11).map(|seq| move |entry: Arc<WalletEntry>| async move { entry.event_log.ack(seq) });
    on_wallet(env, wallet_op("ackEvents"), call::parse(env, call), handle, args)
}
