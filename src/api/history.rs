//! Transaction history: list (with filters), look up by id or PayRef, cancel.

use napi::bindgen_prelude::{Either, PromiseRaw, Uint8Array};
use napi::Env;
use napi_derive::napi;

use crate::api::args::{bytes_arg, tx_id_arg, wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::wallet::on_wallet;
use sdk::error::SdkError;
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::history::{self, HistoryKind, HistoryQuery, TxSummary};
use sdk::wallet::transactions as tx;

#[napi(object)]
pub struct HistoryOptions {
    /// Default `completed`.
    #[napi(ts_type = "'completed' | 'pendingInbound' | 'pendingOutbound' | 'cancelled'")]
    pub kind: Option<String>,
    pub offset: Option<f64>,
    /// Default 100, at most 10000.
    pub limit: Option<f64>,
    /// Only transactions with exactly this payment id (a string is its UTF-8).
    pub payment_id: Option<Either<String, Uint8Array>>,
    /// Only transactions mined at this height or above.
    pub min_height: Option<f64>,
    /// Only transactions mined at this height or below.
    pub max_height: Option<f64>,
    #[napi(ts_type = "'inbound' | 'outbound' | 'self'")]
    pub direction: Option<String>,
}

fn query(o: HistoryOptions) -> Result<HistoryQuery, SdkError> {
    let kind = match o.kind.as_deref().unwrap_or("completed") {
        "completed" => HistoryKind::Completed,
        "pendingInbound" => HistoryKind::PendingInbound,
        "pendingOutbound" => HistoryKind::PendingOutbound,
        "cancelled" => HistoryKind::Cancelled,
        other => return Err(SdkError::invalid_argument(format!("unknown history kind {}", sdk::error::shown(other)))),
    };
    let height = |name: &str, v: Option<f64>| v.map(|v| whole_number(name, v, 0, u64::MAX >> 11)).transpose();
    Ok(HistoryQuery {
        kind,
        offset: o.offset.map(|v| whole_number("offset", v, 0, u32::MAX as u64)).transpose()?.unwrap_or(0) as usize,
        limit: o.limit.map(|v| whole_number("limit", v, 1, 10_000)).transpose()?.unwrap_or(100) as usize,
        payment_id: o.payment_id.as_ref().map(bytes_arg),
        min_height: height("minHeight", o.min_height)?,
        max_height: height("maxHeight", o.max_height)?,
        direction: match o.direction.as_deref() {
            None => None,
            Some("inbound") => Some("inbound"),
            Some("outbound") => Some("outbound"),
            Some("self") => Some("self"),
            Some(other) => {
                return Err(SdkError::invalid_argument(format!(
                    "direction must be inbound, outbound or self, not {}",
                    sdk::error::shown(other)
                )))
            }
        },
    })
}

/// Transactions of one kind, newest first, paginated with `offset`/`limit`, optionally only those with a
/// payment id, in a range of mined heights, or in one direction.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Transaction[]>")]
pub fn get_transactions<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<HistoryOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<Vec<TxSummary>>>> {
    let args = options.map(query).unwrap_or_else(|| Ok(HistoryQuery::default()));
    let args = args.map(|q| move |entry: std::sync::Arc<WalletEntry>| async move { history::history(&entry, &q).await.map(Js) });
    on_wallet(env, wallet_op("getTransactions"), call::parse(env, call), handle, args)
}

/// The transaction that holds the output with this PayRef (64 hex characters), sent, received or change.
/// `ERR_TRANSACTION_NOT_FOUND` when none of this wallet's confirmed transactions has it.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Transaction>")]
pub fn get_payment_by_reference<'env>(
    env: &'env Env,
    handle: f64,
    payref: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<TxSummary>>> {
    let args = history::payref(&payref)
        .map(|r| move |entry: std::sync::Arc<WalletEntry>| async move { history::by_payref(&entry, r).await.map(Js) });
    on_wallet(env, wallet_op("getPaymentByReference"), call::parse(env, call), handle, args)
}

/// One transaction by id: status, direction, amount, fee, confirmations, mined height, timestamp, message.
/// `ERR_TRANSACTION_NOT_FOUND` if the wallet has none with that id.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Transaction>")]
pub fn get_transaction<'env>(
    env: &'env Env,
    handle: f64,
    tx_id: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<TxSummary>>> {
    let args = tx_id_arg(&tx_id).map(|id| move |entry: std::sync::Arc<WalletEntry>| async move { history::get(&entry, id).await.map(Js) });
    on_wallet(env, wallet_op("getTransaction"), call::parse(env, call), handle, args)
}

/// Cancels a transaction that no base node can mine (one the mempool rejected, or one still being
/// negotiated); its funds become available again. `ERR_NOT_CANCELLABLE` with `reason: 'mined'` for a mined
/// one, and `reason: 'broadcast'` for one a node was given, every one-sided payment included: a node may
/// still mine it, so a cancel would not stop the payment.
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
