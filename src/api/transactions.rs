//! Payment, history and event exports.

use napi::bindgen_prelude::{BigInt, Function, PromiseRaw, ToNapiValue};
use napi::Env;
use napi_derive::napi;

use std::sync::Arc;

use crate::api::args::whole_number;
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::subscriptions;
use crate::api::wallet::{handle_arg, on_wallet};
use crate::ops::{self, Call, OpSpec};
use sdk::error::{SdkError, SdkResult};
use sdk::runtime::RuntimeKind;
use sdk::wallet::events::WalletEvent;
use sdk::wallet::journal::SpendResult;
use sdk::wallet::spend::{self, Spend};
use sdk::wallet::transactions::{self as tx, HistoryKind, Payment};
use sdk::wallet::{entry::WalletEntry, registry};
use tari_transaction_components::MicroMinotari;

fn amount_arg(name: &str, v: &BigInt) -> SdkResult<u64> {
    let (negative, value, lossless) = v.get_u64();
    if negative || !lossless {
        return Err(SdkError::invalid_argument(format!("{name} must be a bigint in 1..=18446744073709551615 µT")));
    }
    Ok(value)
}

fn fee_arg(v: Option<&BigInt>) -> SdkResult<Option<u64>> {
    v.map(|b| amount_arg("feePerGram", b)).transpose()
}

fn tx_id_arg(id: &str) -> SdkResult<u64> {
    id.parse::<u64>().map_err(|_| {
        // Echo short input only: error messages stay small whatever the caller sent.
        let shown = if id.len() <= 32 { format!("{id:?}") } else { format!("a {}-byte string", id.len()) };
        SdkError::invalid_argument(format!("{shown} is not a transaction id (a decimal string)"))
    })
}

fn message_arg(m: Option<String>) -> SdkResult<String> {
    let m = m.unwrap_or_default();
    crate::api::args::within_request_limit("message", m.len())?;
    Ok(m)
}

const fn wallet_op(name: &'static str) -> OpSpec {
    OpSpec::new(name, RuntimeKind::Wallet)
}

#[napi(object)]
pub struct SendOptions {
    /// Recipient address: base58, emoji or hex, on this wallet's network.
    pub to: String,
    /// µT, above 0.
    pub amount: BigInt,
    /// µT per gram; default 5.
    pub fee_per_gram: Option<BigInt>,
    /// A note stored with the transaction (at most 254 bytes).
    pub message: Option<String>,
    /// Pay to a one-time stealth address derived from `to`.
    pub stealth: Option<bool>,
    /// Makes the send safe to retry: the same key again (also after a crash or a reopen) returns the first
    /// call's transaction id and pays nothing more; with other parameters it is `ERR_IDEMPOTENCY_CONFLICT`.
    /// 1 to 255 bytes; remembered for 30 days.
    pub idempotency_key: Option<String>,
}

fn key_arg(key: Option<String>) -> SdkResult<Option<String>> {
    key.map(|k| spend::check_key(&k).map(|_| k)).transpose()
}

/// Runs a spend under the exactly-once rules of `wallet::spend`: the guard only interrupts it before the
/// wallet has it.
fn spend_op<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    name: &'static str,
    call: Call,
    handle: f64,
    parsed: SdkResult<(Option<String>, Spend)>,
    out: fn(SpendResult) -> T,
) -> napi::Result<PromiseRaw<'env, T>> {
    match handle_arg(handle).and_then(registry::get).and_then(|e| parsed.map(|p| (e, p))) {
        Ok((entry, (key, s))) => {
            ops::spawn_scoped(env, wallet_op(name), call, move |scope| async move { spend::run(entry, scope, key, s).await.map(out) })
        }
        Err(e) => ops::rejected(env, name, call, e),
    }
}

fn first_id(r: SpendResult) -> String {
    r.tx_ids.first().map(u64::to_string).unwrap_or_default()
}

/// Sends a one-sided payment. Resolves to the transaction id (a decimal string) once the transaction is
/// built and queued for broadcast. Inputs are checked before anything is stored: `ERR_INVALID_ADDRESS`
/// (with `reason`), `ERR_INVALID_ARGUMENT`; `ERR_INSUFFICIENT_FUNDS` carries `available` (bigint µT).
///
/// Exactly once: a timeout or abort stops the send only before the wallet has it (`ERR_TIMEOUT`,
/// `ERR_ABORTED`: nothing was stored). After that the call settles with the payment's real outcome;
/// `ERR_OUTCOME_UNKNOWN` means it may have been made: look it up, or retry with the same `idempotencyKey`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<string>")]
pub fn send<'env>(env: &'env Env, handle: f64, options: SendOptions, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, String>> {
    let parsed = (|| {
        let entry = registry::get(handle_arg(handle)?)?;
        let to = tx::recipient(&entry, &options.to)?;
        let amount = amount_arg("amount", &options.amount)?;
        tx::amount(amount)?;
        let fee = tx::fee_per_gram(fee_arg(options.fee_per_gram.as_ref())?)?;
        let message = message_arg(options.message)?;
        tx::memo(&message)?;
        let stealth = options.stealth.unwrap_or(false);
        Ok((key_arg(options.idempotency_key)?, Spend::Send { payment: Payment { to, amount, message }, fee, stealth }))
    })();
    spend_op(env, "send", call::parse(env, call), handle, parsed, first_id)
}

#[napi(object)]
pub struct Recipient {
    pub to: String,
    pub amount: BigInt,
    pub message: Option<String>,
}

#[napi(object)]
pub struct SendManyOptions {
    pub recipients: Vec<Recipient>,
    pub fee_per_gram: Option<BigInt>,
    /// As for `send`: the same key again returns the first call's ids and pays nothing more.
    pub idempotency_key: Option<String>,
}

/// Pays several recipients in one one-sided transaction. Resolves to one transaction id per recipient.
/// Exactly once, with the same rules as `send`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<string[]>")]
pub fn send_many<'env>(
    env: &'env Env,
    handle: f64,
    options: SendManyOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
    let parsed = (|| {
        let entry = registry::get(handle_arg(handle)?)?;
        let mut payments = Vec::with_capacity(options.recipients.len());
        for r in options.recipients {
            let amount = amount_arg("amount", &r.amount)?;
            tx::amount(amount)?;
            let message = message_arg(r.message)?;
            tx::memo(&message)?;
            payments.push(Payment { to: tx::recipient(&entry, &r.to)?, amount, message });
        }
        if payments.is_empty() {
            return Err(SdkError::invalid_argument("recipients must not be empty"));
        }
        let fee = tx::fee_per_gram(fee_arg(options.fee_per_gram.as_ref())?)?;
        Ok((key_arg(options.idempotency_key)?, Spend::SendMany { payments, fee }))
    })();
    spend_op(env, "sendMany", call::parse(env, call), handle, parsed, |r| r.tx_ids.iter().map(u64::to_string).collect())
}

#[napi(object)]
pub struct FeeEstimateOptions {
    pub amount: BigInt,
    pub fee_per_gram: Option<BigInt>,
    /// Outputs the transaction will create (recipients); default 1.
    pub outputs: Option<f64>,
}

#[napi(object)]
pub struct FeeEstimate {
    /// µT.
    pub fee: BigInt,
    /// Inputs the wallet would spend.
    pub inputs: u32,
    pub needs_change: bool,
}

/// Estimates the fee of a payment without sending anything.
#[napi(strict, catch_unwind, ts_return_type = "Promise<FeeEstimate>")]
pub fn estimate_fee<'env>(
    env: &'env Env,
    handle: f64,
    options: FeeEstimateOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, FeeEstimate>> {
    let args = (|| {
        let amount = amount_arg("amount", &options.amount)?;
        tx::amount(amount)?;
        let fee = tx::fee_per_gram(fee_arg(options.fee_per_gram.as_ref())?)?;
        let outputs = options.outputs.map(|o| whole_number("outputs", o, 1, 1000)).transpose()?.unwrap_or(1) as usize;
        Ok(move |entry: std::sync::Arc<WalletEntry>| async move {
            let e = tx::estimate_fee(&entry, amount, fee, outputs).await?;
            Ok(FeeEstimate { fee: BigInt::from(e.fee), inputs: e.inputs as u32, needs_change: e.needs_change })
        })
    })();
    on_wallet(env, wallet_op("estimateFee"), call::parse(env, call), handle, args)
}

#[napi(object)]
pub struct Transaction {
    /// Decimal string (a u64).
    pub id: String,
    /// `pendingInbound`, `pendingOutbound`, `cancelled`, or the library's status: `completed`, `broadcast`,
    /// `minedUnconfirmed`, `minedConfirmed`, `oneSidedUnconfirmed`, `oneSidedConfirmed`, `coinbase...`, ...
    pub status: String,
    #[napi(ts_type = "'inbound' | 'outbound' | 'unknown'")]
    pub direction: String,
    /// µT.
    pub amount: BigInt,
    /// µT; 0 for incoming.
    pub fee: BigInt,
    pub mined_height: Option<f64>,
    pub confirmations: Option<f64>,
    /// Milliseconds since the epoch.
    pub timestamp: f64,
    pub message: String,
    pub counterparty: Option<String>,
    pub cancel_reason: Option<String>,
}

impl From<tx::TxSummary> for Transaction {
    fn from(t: tx::TxSummary) -> Self {
        Self {
            id: t.id.to_string(),
            status: t.status,
            direction: t.direction.into(),
            amount: BigInt::from(t.amount),
            fee: BigInt::from(t.fee),
            mined_height: t.mined_height.map(|h| h as f64),
            confirmations: t.confirmations.map(|c| c as f64),
            timestamp: t.timestamp_ms as f64,
            message: t.message,
            counterparty: t.counterparty,
            cancel_reason: t.cancel_reason,
        }
    }
}

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
) -> napi::Result<PromiseRaw<'env, Vec<Transaction>>> {
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
        Ok(move |entry: std::sync::Arc<WalletEntry>| async move {
            Ok(tx::history(&entry, kind, offset, limit).await?.into_iter().map(Transaction::from).collect())
        })
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
) -> napi::Result<PromiseRaw<'env, Transaction>> {
    let args = tx_id_arg(&tx_id)
        .map(|id| move |entry: std::sync::Arc<WalletEntry>| async move { tx::get(&entry, id).await.map(Transaction::from) });
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
pub struct SignedMessage {
    /// 128 hex characters: the public nonce then the signature scalar.
    pub signature: String,
    /// The signing public key (hex); equal to the spend key of the wallet's address.
    pub public_key: String,
}

/// Signs `message` with the wallet's key. Verify with `verifyMessageSignature(address or publicKey, ...)`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<SignedMessage>")]
pub fn sign_message<'env>(
    env: &'env Env,
    handle: f64,
    message: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, SignedMessage>> {
    let args = message_arg(Some(message)).map(|message| {
        move |entry: std::sync::Arc<WalletEntry>| async move {
            use tari_utilities::hex::Hex;
            let secret = entry.with(|w| w.node_identity.secret_key().clone())?;
            let signature = sdk::wallet::messages::sign(&secret, &message)?;
            Ok(SignedMessage { signature, public_key: sdk::wallet::messages::public_key(&secret).to_hex() })
        }
    });
    on_wallet(env, OpSpec::new("signMessage", RuntimeKind::Crypto), call::parse(env, call), handle, args)
}

/// Checks a signature made by `signMessage`, with no wallet. `signer` is the signer's Tari address (any
/// encoding) or public key (hex). False for a wrong or tampered message or signature; throws
/// `ERR_INVALID_ADDRESS` / `ERR_INVALID_ARGUMENT` only when `signer` itself is unreadable.
#[napi(catch_unwind)]
pub fn verify_message_signature(env: Env, signer: String, message: String, signature: String) -> napi::Result<bool> {
    ops::sync(&env, "verifyMessageSignature", || {
        message_arg(Some(message.clone()))?;
        let key = sdk::wallet::messages::signer_key(&signer)?;
        Ok(sdk::wallet::messages::verify(&key, &message, &signature))
    })
}

#[napi(object)]
pub struct Utxo {
    /// Pedersen commitment, hex: pass these to `coinSplit`/`coinJoin`.
    pub commitment: String,
    /// µT.
    pub value: BigInt,
    /// `unspent`, `spent`, `encumberedToBeReceived`, `encumberedToBeSpent`, ...
    pub status: String,
    pub mined_height: Option<f64>,
}

#[napi(object)]
pub struct UtxoListOptions {
    /// List spent outputs instead of unspent ones.
    pub spent: Option<bool>,
    pub offset: Option<f64>,
    /// Default 100, at most 10000.
    pub limit: Option<f64>,
}

fn paging(offset: Option<f64>, limit: Option<f64>) -> SdkResult<(usize, usize)> {
    Ok((
        offset.map(|v| whole_number("offset", v, 0, u32::MAX as u64)).transpose()?.unwrap_or(0) as usize,
        limit.map(|v| whole_number("limit", v, 1, 10_000)).transpose()?.unwrap_or(100) as usize,
    ))
}

/// The wallet's outputs, largest first, paginated.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Utxo[]>")]
pub fn get_utxos<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<UtxoListOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Vec<Utxo>>> {
    let args = (|| {
        let o = options.unwrap_or(UtxoListOptions { spent: None, offset: None, limit: None });
        let (offset, limit) = paging(o.offset, o.limit)?;
        let spent = o.spent.unwrap_or(false);
        Ok(move |entry: std::sync::Arc<WalletEntry>| async move {
            Ok(sdk::wallet::utxos::list(&entry, spent, offset, limit)
                .await?
                .into_iter()
                .map(|u| Utxo {
                    commitment: u.commitment,
                    value: BigInt::from(u.value),
                    status: u.status,
                    mined_height: u.mined_height.map(|h| h as f64),
                })
                .collect())
        })
    })();
    on_wallet(env, wallet_op("getUtxos"), call::parse(env, call), handle, args)
}

#[napi(object)]
pub struct CoinOptions {
    /// Commitments (hex) of the outputs to use; default: the largest output (split) or all (join).
    pub commitments: Option<Vec<String>>,
    /// coinSplit: number of equal outputs to make (2..=500).
    pub count: Option<f64>,
    pub fee_per_gram: Option<BigInt>,
    /// Only compute the outputs and fee; submit nothing.
    pub preview: Option<bool>,
    /// As for `send`: the same key again returns the first call's plan and spends nothing more. Not with
    /// `preview`.
    pub idempotency_key: Option<String>,
}

#[napi(object)]
pub struct CoinPlan {
    /// µT of each output the transaction creates.
    pub outputs: Vec<BigInt>,
    /// µT.
    pub fee: BigInt,
    /// Set unless `preview`.
    pub tx_id: Option<String>,
}

fn coin_plan(r: SpendResult) -> CoinPlan {
    CoinPlan {
        outputs: r.outputs.into_iter().map(BigInt::from).collect(),
        fee: BigInt::from(r.fee),
        tx_id: r.tx_ids.first().map(u64::to_string),
    }
}

/// A coin split or join: a preview only computes; otherwise it spends, exactly once like `send`.
fn coin_op<'env>(
    env: &'env Env,
    name: &'static str,
    call: Call,
    handle: f64,
    options: CoinOptions,
    spend: impl FnOnce(Option<Vec<String>>, MicroMinotari) -> SdkResult<Spend>,
) -> napi::Result<PromiseRaw<'env, CoinPlan>> {
    let parsed = (|| {
        let fee = tx::fee_per_gram(fee_arg(options.fee_per_gram.as_ref())?)?;
        let key = key_arg(options.idempotency_key)?;
        Ok((options.preview.unwrap_or(false), key, spend(options.commitments, fee)?))
    })();
    match parsed {
        Ok((true, Some(_), _)) => {
            ops::rejected(env, name, call, SdkError::invalid_argument("a preview spends nothing; it takes no idempotencyKey"))
        }
        Ok((true, None, s)) => {
            let preview = move |entry: std::sync::Arc<WalletEntry>| async move { s.preview(&entry).await.map(coin_plan) };
            on_wallet(env, wallet_op(name), call, handle, Ok(preview))
        }
        Ok((false, key, s)) => spend_op(env, name, call, handle, Ok((key, s)), coin_plan),
        Err(e) => ops::rejected(env, name, call, e),
    }
}

/// Splits outputs into `count` equal ones (to pay many recipients in parallel). `preview: true` only
/// computes the result.
#[napi(strict, catch_unwind, ts_return_type = "Promise<CoinPlan>")]
pub fn coin_split<'env>(
    env: &'env Env,
    handle: f64,
    options: CoinOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, CoinPlan>> {
    let count = options.count;
    coin_op(env, "coinSplit", call::parse(env, call), handle, options, |commitments, fee| {
        let count = whole_number("count", count.ok_or_else(|| SdkError::invalid_argument("count is required"))?, 2, 500)? as usize;
        Ok(Spend::CoinSplit { commitments, count, fee })
    })
}

/// Joins outputs (default: all unspent) into one. `preview: true` only computes the result.
#[napi(strict, catch_unwind, ts_return_type = "Promise<CoinPlan>")]
pub fn coin_join<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<CoinOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, CoinPlan>> {
    let o = options.unwrap_or(CoinOptions { commitments: None, count: None, fee_per_gram: None, preview: None, idempotency_key: None });
    coin_op(env, "coinJoin", call::parse(env, call), handle, o, |commitments, fee| Ok(Spend::CoinJoin { commitments, fee }))
}

/// Re-checks transactions and outputs against the base node now; results arrive as `validation` events.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn validate_wallet<'env>(env: &'env Env, handle: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    let args: SdkResult<_> = Ok(|entry: std::sync::Arc<WalletEntry>| async move { sdk::wallet::utxos::validate(&entry).await });
    on_wallet(env, wallet_op("validateWallet"), call::parse(env, call), handle, args)
}

#[napi(object)]
pub struct RescanResult {
    /// The chain height the scan reached.
    pub final_height: f64,
    /// Outputs found that the wallet did not hold.
    pub recovered_outputs: f64,
    /// Their value, µT.
    pub recovered_value: BigInt,
    pub duration_ms: f64,
}

/// Rescans the chain from the wallet's birthday (the recovery scan), publishing `scanProgress` events, and
/// resolves when it reaches the tip. Outputs the wallet already holds are left as they are, so nothing is
/// doubled. Not bounded by the wallet timeout class: pass `timeoutMs` or a `signal` to bound it; aborting
/// stops the scan.
#[napi(strict, catch_unwind, ts_return_type = "Promise<RescanResult>")]
pub fn rescan_wallet<'env>(env: &'env Env, handle: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, RescanResult>> {
    const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);
    let args: SdkResult<_> = Ok(|entry: std::sync::Arc<WalletEntry>| async move {
        let o = sdk::wallet::rescan::rescan(entry).await?;
        Ok(RescanResult {
            final_height: o.final_height as f64,
            recovered_outputs: o.recovered_outputs as f64,
            recovered_value: BigInt::from(o.recovered_value),
            duration_ms: o.duration.as_secs_f64() * 1e3,
        })
    });
    on_wallet(env, OpSpec { timeout: Some(DAY), ..wallet_op("rescanWallet") }, call::parse(env, call), handle, args)
}
