//! Paying: `send`, `sendMany` and fee estimates, each spend exactly once (`wallet::spend`).

use napi::bindgen_prelude::{BigInt, Either, PromiseRaw, ToNapiValue};
use napi::Env;
use napi_derive::napi;

use crate::api::args::{amount_arg, fee_arg, fee_rate_arg, message_arg, wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::wallet::{handle_arg, on_wallet};
use crate::ops::{self, Call};
use sdk::error::{SdkError, SdkResult};
use sdk::wallet::journal::SpendResult;
use sdk::wallet::spend::{self, Spend};
use sdk::wallet::transactions::{self as tx, Payment};
use sdk::wallet::{entry::WalletEntry, registry};

#[napi(object)]
pub struct SendOptions {
    /// Recipient address: base58, emoji or hex, on this wallet's network.
    pub to: String,
    /// µT, above 0.
    pub amount: BigInt,
    /// µT per gram (default 5), or `'auto'`: enough for the next block, from the base node's mempool
    /// (`getFeeStats`), decided when the payment is made.
    #[napi(ts_type = "bigint | 'auto'")]
    pub fee_per_gram: Option<Either<BigInt, String>>,
    /// A note stored with the transaction (at most 254 bytes).
    pub message: Option<String>,
    /// Use the library's stealth-address entry point. In minotari_wallet 6.2.0 both entry points build the
    /// same payment, to a one-time stealth address derived from `to` (what the console wallet recommends):
    /// there is no plain one-sided payment to choose. Part of an idempotency key's parameters.
    pub stealth: Option<bool>,
    /// Makes the send safe to retry: the same key again (also after a crash or a reopen) returns the first
    /// call's transaction id and pays nothing more; with other parameters it is `ERR_IDEMPOTENCY_CONFLICT`.
    /// 1 to 255 bytes; remembered for 30 days.
    pub idempotency_key: Option<String>,
}

pub(crate) fn key_arg(key: Option<String>) -> SdkResult<Option<String>> {
    key.map(|k| spend::check_key(&k).map(|_| k)).transpose()
}

/// Runs a spend under the exactly-once rules of `wallet::spend`: the guard only interrupts it before the
/// wallet has it.
pub(crate) fn spend_op<'env, T: ToNapiValue + Send + 'static>(
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
        let fee = fee_rate_arg(options.fee_per_gram.as_ref())?;
        let message = message_arg(options.message)?;
        tx::memo(message.as_bytes())?;
        let stealth = options.stealth.unwrap_or(false);
        Ok((key_arg(options.idempotency_key)?, Spend::Send { payment: Payment { to, amount, memo: message.into_bytes() }, fee, stealth }))
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
    /// As for `send`: µT per gram (default 5) or `'auto'`.
    #[napi(ts_type = "bigint | 'auto'")]
    pub fee_per_gram: Option<Either<BigInt, String>>,
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
            tx::memo(message.as_bytes())?;
            payments.push(Payment { to: tx::recipient(&entry, &r.to)?, amount, memo: message.into_bytes() });
        }
        if payments.is_empty() {
            return Err(SdkError::invalid_argument("recipients must not be empty"));
        }
        let fee = fee_rate_arg(options.fee_per_gram.as_ref())?;
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
pub struct PayFeeForOptions {
    /// The child's fee, µT: enough that parent and child together pay the rate you want. The library turns
    /// it into a rate over the weight it expects, so the child's recorded fee may differ a little.
    pub fee: BigInt,
    /// As for `send`: the same key again returns the first call's child and pays nothing more.
    pub idempotency_key: Option<String>,
}

/// Child pays for parent: for a payment of this wallet that is stuck unmined at a low fee, spends its
/// change back to the wallet with `fee` µT, so that a miner who wants the child's fee mines the parent too.
/// Resolves to the child's transaction id. Exactly once, with the same rules as `send`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<string>")]
pub fn pay_fee_for<'env>(
    env: &'env Env,
    handle: f64,
    tx_id: String,
    options: PayFeeForOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, String>> {
    let parsed = (|| {
        let tx_id = crate::api::args::tx_id_arg(&tx_id)?;
        let fee = amount_arg("fee", &options.fee)?;
        tx::amount(fee)?;
        Ok((key_arg(options.idempotency_key)?, Spend::PayFeeFor { tx_id, fee: fee.into() }))
    })();
    spend_op(env, "payFeeFor", call::parse(env, call), handle, parsed, first_id)
}
