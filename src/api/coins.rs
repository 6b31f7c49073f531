//! Outputs: listing them, and splitting or joining coins (a spend, exactly once like `send`).

use napi::bindgen_prelude::{BigInt, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::api::args::{fee_arg, wallet_op, whole_number};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::payments::{key_arg, spend_op};
use crate::api::wallet::{handle_arg, on_wallet};
use crate::ops::{self, Call};
use sdk::error::{SdkError, SdkResult};
use sdk::wallet::coin_policy::{self, CoinBand, CoinTidy};
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::journal::SpendResult;
use sdk::wallet::registry;
use sdk::wallet::spend::Spend;
use sdk::wallet::transactions::{self as tx};
use tari_transaction_components::MicroMinotari;

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
) -> napi::Result<PromiseRaw<'env, Js<Vec<sdk::wallet::utxos::Utxo>>>> {
    let args = (|| {
        let o = options.unwrap_or(UtxoListOptions { spent: None, offset: None, limit: None });
        let (offset, limit) = paging(o.offset, o.limit)?;
        let spent = o.spent.unwrap_or(false);
        Ok(move |entry: std::sync::Arc<WalletEntry>| async move { sdk::wallet::utxos::list(&entry, spent, offset, limit).await.map(Js) })
    })();
    on_wallet(env, wallet_op("getUtxos"), call::parse(env, call), handle, args)
}

/// How the wallet's unspent outputs are spread: count, total and a histogram by decade of value.
#[napi(strict, catch_unwind, ts_return_type = "Promise<CoinStats>")]
pub fn get_coin_stats<'env>(
    env: &'env Env,
    handle: f64,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<sdk::wallet::utxos::CoinStats>>> {
    let args = Ok(|entry: std::sync::Arc<WalletEntry>| async move { sdk::wallet::utxos::stats(&entry).await.map(Js) });
    on_wallet(env, wallet_op("getCoinStats"), call::parse(env, call), handle, args)
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

#[napi(object)]
pub struct TidyOptions {
    /// Fewer spendable outputs than this: split the largest (at most into 500).
    pub min_outputs: f64,
    /// More than this: join the smallest (at most 400 at a time).
    pub max_outputs: f64,
    pub fee_per_gram: Option<BigInt>,
    /// Only say what it would do.
    pub preview: Option<bool>,
}

/// One step towards keeping the spendable outputs between `minOutputs` and `maxOutputs`: a split of the
/// largest, a join of the smallest, or nothing (`action: 'none'`). Each step is a transaction that costs a
/// fee and a block; run it between payouts or on a timer. A split or join pays nobody, so it takes no
/// idempotency key.
#[napi(strict, catch_unwind, ts_return_type = "Promise<CoinTidy>")]
pub fn tidy_coins<'env>(
    env: &'env Env,
    handle: f64,
    options: TidyOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<CoinTidy>>> {
    let call = call::parse(env, call);
    let parsed = (|| {
        let band = CoinBand::new(
            whole_number("minOutputs", options.min_outputs, 1, 100_000)? as usize,
            whole_number("maxOutputs", options.max_outputs, 2, 100_000)? as usize,
        )?;
        let fee = tx::fee_per_gram(fee_arg(options.fee_per_gram.as_ref())?)?;
        let entry = registry::get(handle_arg(handle)?)?;
        Ok((entry, band, fee, options.preview.unwrap_or(false)))
    })();
    match parsed {
        Ok((entry, band, fee, preview)) => ops::spawn_scoped(env, wallet_op("tidyCoins"), call, move |scope| async move {
            coin_policy::tidy(entry, scope, band, fee, preview).await.map(Js)
        }),
        Err(e) => ops::rejected(env, "tidyCoins", call, e),
    }
}
