//! `payout`: many recipients, batched, exactly once per idempotency key (`wallet::payout`).

use napi::bindgen_prelude::{BigInt, Either, Function, PromiseRaw, Uint8Array};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::Env;
use napi_derive::napi;

use crate::api::args::{amount_arg, bytes_arg, fee_rate_arg, message_arg, wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::payments::key_arg;
use crate::api::wallet::handle_arg;
use crate::ops;
use sdk::error::{SdkError, SdkResult};
use sdk::wallet::payout::{self, Line, PayoutProgress, PayoutRequest, PayoutResult};
use sdk::wallet::transactions::{self as tx, Payment};
use sdk::wallet::{entry::WalletEntry, registry};

#[napi(object)]
pub struct PayoutRecipient {
    pub to: String,
    /// µT, above 0.
    pub amount: BigInt,
    /// The payment id the recipient credits on (a string is its UTF-8). In Tari it is the memo, so give
    /// this or `message`, not both; an address that carries a payment id overrides both.
    pub payment_id: Option<Either<String, Uint8Array>>,
    /// A note stored with the payment (at most 254 bytes).
    pub message: Option<String>,
}

#[napi(object)]
pub struct PayoutOptions<'a> {
    pub recipients: Vec<PayoutRecipient>,
    /// Required: a rerun with the same key (after a crash, a timeout, a failed batch) pays only the
    /// recipients not paid yet; with other recipients it is `ERR_IDEMPOTENCY_CONFLICT`.
    pub idempotency_key: String,
    /// As for `send`: µT per gram (default 5) or `'auto'`.
    #[napi(ts_type = "bigint | 'auto'")]
    pub fee_per_gram: Option<Either<BigInt, String>>,
    /// Recipients per transaction: 1 to 1000, default 50 (see `wallet::payout::DEFAULT_PER_TX` for why not
    /// more). Part of the key's parameters.
    pub max_recipients_per_tx: Option<f64>,
    /// Called on the JS thread after each batch, and while a coin join is awaited.
    #[napi(ts_type = "(progress: PayoutProgress) => void")]
    pub on_progress: Option<Function<'a, Js<PayoutProgress>, ()>>,
}

/// One recipient checked alone: its error stays on its line.
fn line(entry: &WalletEntry, r: PayoutRecipient) -> Line {
    let amount = amount_arg("amount", &r.amount)?;
    tx::amount(amount)?;
    let memo = match (r.payment_id, r.message) {
        (Some(_), Some(_)) => return Err(SdkError::invalid_argument("give paymentId or message, not both: in Tari they are one field")),
        (Some(id), None) => bytes_arg(&id),
        (None, m) => message_arg(m)?.into_bytes(),
    };
    tx::memo(&memo)?;
    Ok(Payment { to: tx::recipient(entry, &r.to)?, amount, memo })
}

/// Pays every recipient, packed into as few transactions as the library allows (`maxRecipientsPerTx`
/// each), joining coins first when a transaction would need more than 400 inputs. Resolves, once every
/// batch was tried, with one line per recipient: `paid` (tx id and fee share), `invalid` (refused before
/// anything was sent, with its error), `failed` (nothing stored) or `unknown` (`ERR_OUTCOME_UNKNOWN`).
/// After a batch fails, later ones are not tried. A rerun with the same `idempotencyKey` pays only what is
/// not paid yet, whatever happened to the first run (a crash, a timeout, an abort), and never pays anyone
/// twice. The call's timeout (default `timeouts.walletMs`) covers the whole payout: pass `timeoutMs` for
/// large ones.
#[napi(strict, catch_unwind, ts_return_type = "Promise<PayoutResult>")]
pub fn payout<'env>(
    env: &'env Env,
    handle: f64,
    options: PayoutOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<PayoutResult>>> {
    let call = call::parse(env, call);
    let parsed = (|| -> SdkResult<_> {
        let entry = registry::get(handle_arg(handle)?)?;
        let key = key_arg(Some(options.idempotency_key))?.unwrap_or_default();
        let per_tx = options
            .max_recipients_per_tx
            .map(|n| whole_number("maxRecipientsPerTx", n, 1, payout::MAX_PER_TX as u64))
            .transpose()?
            .map_or(payout::DEFAULT_PER_TX, |n| n as usize);
        let fee = fee_rate_arg(options.fee_per_gram.as_ref())?;
        let lines = options.recipients.into_iter().map(|r| line(&entry, r)).collect();
        let progress = options
            .on_progress
            .map(|f| f.build_threadsafe_function::<Js<PayoutProgress>>().callee_handled::<false>().weak::<true>().build())
            .transpose()
            .map_err(|e| SdkError::internal(format!("cannot create the progress callback: {e}")))?;
        Ok((entry, key, PayoutRequest { lines, fee, per_tx }, progress))
    })();
    match parsed {
        Ok((entry, key, req, progress)) => ops::spawn_scoped(env, wallet_op("payout"), call, move |scope| async move {
            let report = move |p: PayoutProgress| {
                if let Some(f) = &progress {
                    f.call(Js(p), ThreadsafeFunctionCallMode::NonBlocking);
                }
            };
            payout::run(entry, scope, key, req, &report).await.map(Js)
        }),
        Err(e) => ops::rejected(env, "payout", call, e),
    }
}
