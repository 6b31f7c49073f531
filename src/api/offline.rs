//! Offline signing (`sdk::wallet::offline`): prepare on the wallet that holds the funds, sign on one that
//! holds the seed and no network, broadcast on the first.

use std::sync::Arc;

use napi::bindgen_prelude::{BigInt, Either, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::api::args::{amount_arg, fee_rate_arg, message_arg, tx_id_arg, wallet_op};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::wallet::{handle_arg, on_wallet};
use crate::ops;
use sdk::error::{SdkError, SdkResult};
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::transactions::{self as tx, Payment};
use sdk::wallet::{offline, registry};

/// The largest unsigned or signed transaction accepted: they carry every input in full (range proofs
/// included), far past `limits.maxRequestBytes`, which bounds ordinary strings.
const MAX_PAYLOAD_BYTES: usize = 16 * 1024 * 1024;

fn payload_arg(name: &str, text: String) -> SdkResult<String> {
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(SdkError::invalid_argument(format!("{name} is {} bytes, more than {MAX_PAYLOAD_BYTES}", text.len())));
    }
    Ok(text)
}

#[napi(object)]
pub struct PrepareOptions {
    /// Recipient address: base58, emoji or hex, on this wallet's network. An address with a payment id
    /// (`getAddress({ paymentId })`) puts it on the payment.
    pub to: String,
    /// µT, above 0. A payment signed offline always leaves change: the amount plus fee must stay below
    /// the available balance.
    pub amount: BigInt,
    /// µT per gram (default 5) or `'auto'`, as for `send`.
    #[napi(ts_type = "bigint | 'auto'")]
    pub fee_per_gram: Option<Either<BigInt, String>>,
    /// A note stored with the transaction (at most 254 bytes).
    pub message: Option<String>,
}

/// Prepares a one-sided payment for offline signing and locks its inputs, on a wallet that holds the
/// funds (view-only wallets included). Resolves to the unsigned transaction for `signTransaction`.
/// The inputs stay locked, across restarts, until the payment is broadcast or `cancelPrepared` releases
/// them. A timeout or abort cancels the prepared payment. Rejects like `send` before anything is locked.
#[napi(strict, catch_unwind, ts_return_type = "Promise<PreparedPayment>")]
pub fn prepare_transaction<'env>(
    env: &'env Env,
    handle: f64,
    options: PrepareOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<offline::PreparedPayment>>> {
    let call = call::parse(env, call);
    let parsed = (|| {
        let entry = registry::get(handle_arg(handle)?)?;
        let to = tx::recipient(&entry, &options.to)?;
        let amount = amount_arg("amount", &options.amount)?;
        let fee = fee_rate_arg(options.fee_per_gram.as_ref())?;
        let message = message_arg(options.message)?;
        Ok((entry, Payment { to, amount, memo: message.into_bytes() }, fee))
    })();
    match parsed {
        Ok((entry, payment, fee)) => ops::spawn_scoped(env, wallet_op("prepareTransaction"), call, move |scope| async move {
            offline::prepare(entry, scope, payment, fee).await.map(Js)
        }),
        Err(e) => ops::rejected(env, "prepareTransaction", call, e),
    }
}

/// Signs a prepared payment (`PreparedPayment.unsigned`) with this wallet's spend key. Needs the seed
/// wallet whose view key prepared it, and nothing else: no base node, no network (open it with an
/// unreachable `baseNodeUrl`, on a machine of its own). A payload changed after it was prepared is
/// `ERR_INVALID_TRANSACTION` (`reason: 'integrity'`); a view-only wallet is `ERR_VIEW_ONLY`. Each call
/// gives a new signature; only one of them can ever be broadcast.
#[napi(strict, catch_unwind, ts_return_type = "Promise<SignedPayment>")]
pub fn sign_transaction<'env>(
    env: &'env Env,
    handle: f64,
    unsigned: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<offline::SignedPayment>>> {
    let args = payload_arg("unsigned", unsigned)
        .map(|unsigned| move |entry: Arc<WalletEntry>| async move { offline::sign(&entry, &unsigned).await.map(Js) });
    on_wallet(env, wallet_op("signTransaction"), call::parse(env, call), handle, args)
}

/// Broadcasts a signed payment (`SignedPayment.signed`) from the wallet that prepared it. Resolves to the
/// transaction id once it is stored and queued, like `send`. Exactly once: the same signed payment again
/// resolves to the same id; a signed payment this wallet did not prepare, one changed after preparing, a
/// second signature of a broadcast payment or a cancelled one is `ERR_INVALID_TRANSACTION` (`reason`).
/// `ERR_OUTCOME_UNKNOWN` (with `txId`): retry with the same signed payment.
#[napi(strict, catch_unwind, ts_return_type = "Promise<string>")]
pub fn broadcast_signed_transaction<'env>(
    env: &'env Env,
    handle: f64,
    signed: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, String>> {
    let call = call::parse(env, call);
    match handle_arg(handle).and_then(registry::get).and_then(|e| payload_arg("signed", signed).map(|s| (e, s))) {
        Ok((entry, signed)) => ops::spawn_scoped(env, wallet_op("broadcastSignedTransaction"), call, move |scope| async move {
            offline::broadcast(entry, scope, signed).await.map(|id| id.to_string())
        }),
        Err(e) => ops::rejected(env, "broadcastSignedTransaction", call, e),
    }
}

/// Releases the inputs of a prepared payment that will not be broadcast (`PreparedPayment.id`).
/// Succeeds again on one already cancelled; `ERR_NOT_CANCELLABLE` once it was broadcast;
/// `ERR_TRANSACTION_NOT_FOUND` for an id this wallet never prepared. `ERR_WALLET` when the wallet's
/// database stayed busy through the retries: nothing was released, the payment is still prepared, and
/// calling this again releases it.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn cancel_prepared<'env>(
    env: &'env Env,
    handle: f64,
    prepared_id: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let args = tx_id_arg(&prepared_id).map(|id| move |entry: Arc<WalletEntry>| async move { offline::cancel_prepared(&entry, id).await });
    on_wallet(env, wallet_op("cancelPrepared"), call::parse(env, call), handle, args)
}
