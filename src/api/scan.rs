//! Re-checking the wallet against the chain: validation and the recovery rescan.

use napi::bindgen_prelude::{BigInt, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::api::args::wallet_op;
use crate::api::call::{self, CallOptions};
use crate::api::wallet::on_wallet;
use crate::ops::OpSpec;
use sdk::error::SdkResult;
use sdk::wallet::entry::WalletEntry;

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
