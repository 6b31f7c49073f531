//! Transaction history: list, look up, cancel.

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::api::args::{tx_id_arg, wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::wallet::on_wallet;
use sdk::error::SdkError;
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::transactions::{self as tx, HistoryKind};

#[napi(object)]
pub struct HistoryOptions {
    /// Default `completed`.
    #[napi(ts_type = "'completed' | 'pendingInbound' | 'pendingOutbound' | 'cancelled'")]
    pub kind: Option<String>,
    pub offset: Option<f64>,
    /// Default 100, at most 10000.
    pub limit: Option<f64>,
}

/// Transactions of one kind, newest first, paginated with `offset`/`limit`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Transaction[]>")]
pub fn get_transactions<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<HistoryOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<Vec<tx::TxSummary>>>> {
    let args = (|| {
        let o = options.unwrap_or(HistoryOptions { kind: None, offset: None, limit: None });
        let kind = match o.kind.as_deref().unwrap_or("completed") {
            "completed" => HistoryKind::Completed,
            "pendingInbound" => HistoryKind::PendingInbound,
            "pendingOutbound" => HistoryKind::PendingOutbound,
            "cancelled" => HistoryKind::Cancelled,
            other => return Err(SdkError::invalid_argument(format!("unknown history kind {}", sdk::error::shown(other)))),
        };
        let offset = o.offset.map(|v| whole_number("offset", v, 0, u32::MAX as u64)).transpose()?.unwrap_or(0) as usize;
        let limit = o.limit.map(|v| whole_number("limit", v, 1, 10_000)).transpose()?.unwrap_or(100) as usize;
        Ok(move |entry: std::sync::Arc<WalletEntry>| async move { tx::history(&entry, kind, offset, limit).await.map(Js) })
    })();
    on_wallet(env, wallet_op("getTransactions"), call::parse(env, call), handle, args)
}

/// One transaction by id: status, direction, amount, fee, confirmations, mined height, timestamp, message.
/// `ERR_TRANSACTION_NOT_FOUND` if the wallet has none with that id.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Transaction>")]
pub fn get_transaction<'env>(
    env: &'env Env,
    handle: f64,
    tx_id: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<tx::TxSummary>>> {
    let args = tx_id_arg(&tx_id).map(|id| move |entry: std::sync::Arc<WalletEntry>| async move { tx::get(&entry, id).await.map(Js) });
    on_wallet(env, wallet_op("getTransaction"), call::parse(env, call), handle, args)
}

/// Cancels a transaction that is not mined yet; its funds become available again. A mined transaction
/// gets `ERR_NOT_CANCELLABLE`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn cancel_transaction<'env>(
    env: &'env Env,
    handle: f64,
    tx_id: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let args = tx_id_arg(&tx_id).map(|id| move |entry: std::sync::Arc<WalletEntry>| async move { tx::cancel(&entry, id).await });
    on_wallet(env, wallet_op("cancelTransaction"), call::parse(env, call), handle, args)
}
