//! Network exports: the SDK's own calls to base nodes, under the resilience policy (breaker per URL,
//! retries with backoff and jitter, per-attempt timeout, failover in order).

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::ops::{self, OpSpec};
use sdk::base_node;
use sdk::error::{SdkError, SdkResult};
use sdk::runtime::RuntimeKind;

#[napi(object)]
pub struct TipInfoOptions {
    /// Base node URL(s) to ask, in order; defaults to `network.baseNodeUrls`.
    #[napi(ts_type = "string | string[]")]
    pub url: Option<Either<String, Vec<String>>>,
}

#[napi(object)]
pub struct TipInfo {
    /// The base node that answered (credentials redacted).
    pub url: String,
    pub height: f64,
    /// Hex.
    pub best_block_hash: String,
    /// Whether the node considers itself synced with the network.
    pub synced: bool,
    pub latency_ms: f64,
    /// Attempts at the node that answered (1 when the first try worked).
    pub attempts: u32,
}

fn urls(options: Option<TipInfoOptions>) -> SdkResult<Vec<String>> {
    let list = match options.and_then(|o| o.url) {
        None => sdk::config::current().config.network.base_node_urls.clone(),
        Some(Either::A(u)) => vec![u],
        Some(Either::B(us)) => us,
    };
    if list.is_empty() {
        return Err(SdkError::config("no base node URL: pass { url } or set network.baseNodeUrls"));
    }
    list.iter().try_for_each(|u| crate::api::args::base_node_url(u))?;
    Ok(list)
}

/// The chain tip from the first base node that answers. Transient failures (refused, reset, timeout,
/// HTTP 5xx) are retried with exponential backoff and jitter (`retry.*`), then the next URL is tried.
/// Rejects with `ERR_CIRCUIT_OPEN` (with `retryAfterMs`) at once while every node's breaker is open,
/// `ERR_TIMEOUT` or `ERR_BASE_NODE` (with `attempts`) when none answers.
#[napi(strict, catch_unwind, ts_args_type = "options?: TipInfoOptions, call?: CallOptions", ts_return_type = "Promise<TipInfo>")]
pub fn get_tip_info<'env>(
    env: &'env Env,
    options: Option<TipInfoOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, TipInfo>> {
    const NAME: &str = "getTipInfo";
    let call = call::parse(env, call);
    let list = match urls(options) {
        Ok(l) => l,
        Err(e) => return ops::rejected(env, NAME, call, e),
    };
    if let Some(e) = base_node::fail_fast(&list) {
        return ops::rejected(env, NAME, call, e);
    }
    ops::spawn(env, OpSpec::new(NAME, RuntimeKind::Network), call, async move {
        let t = base_node::tip_info(&list).await?;
        Ok(TipInfo {
            url: t.url,
            height: t.height as f64,
            best_block_hash: t.best_block_hash,
            synced: t.synced,
            latency_ms: t.latency.as_secs_f64() * 1e3,
            attempts: t.attempts,
        })
    })
}

#[napi(object)]
pub struct FeeStatsOptions {
    /// Base node URL(s) to ask, in order; defaults to the wallet's (`handle`), else `network.baseNodeUrls`.
    #[napi(ts_type = "string | string[]")]
    pub url: Option<Either<String, Vec<String>>>,
    /// Ask the base nodes of this open wallet.
    pub handle: Option<f64>,
    /// How many of the next blocks to report on, 1 to 20; default 3.
    pub blocks: Option<f64>,
}

/// The base node's mempool fees per gram, block by block from the next one it would mine (none when the
/// mempool is empty), and `suggestedFeePerGram`: enough to get into the next block. Fails over and
/// retries like `getTipInfo`.
#[napi(strict, catch_unwind, ts_args_type = "options?: FeeStatsOptions, call?: CallOptions", ts_return_type = "Promise<FeeStats>")]
pub fn get_fee_stats<'env>(
    env: &'env Env,
    options: Option<FeeStatsOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<sdk::fees::FeeStats>>> {
    const NAME: &str = "getFeeStats";
    let call = call::parse(env, call);
    let parsed = (|| {
        let o = options.unwrap_or(FeeStatsOptions { url: None, handle: None, blocks: None });
        let blocks = o.blocks.map(|b| crate::api::args::whole_number("blocks", b, 1, sdk::fees::MAX_BLOCKS)).transpose()?.unwrap_or(3);
        let list = match (o.handle, o.url) {
            (Some(_), Some(_)) => return Err(SdkError::invalid_argument("pass url or handle, not both")),
            (Some(h), None) => sdk::wallet::registry::get(crate::api::wallet::handle_arg(h)?)?.base_node_urls.clone(),
            (None, url) => urls(Some(TipInfoOptions { url }))?,
        };
        Ok((list, blocks))
    })();
    let (list, blocks) = match parsed {
        Ok(p) => p,
        Err(e) => return ops::rejected(env, NAME, call, e),
    };
    if let Some(e) = base_node::fail_fast(&list) {
        return ops::rejected(env, NAME, call, e);
    }
    ops::spawn(env, OpSpec::new(NAME, RuntimeKind::Network), call, async move { sdk::fees::stats(&list, blocks).await.map(Js) })
}
