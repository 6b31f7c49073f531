//! Keys: view-only wallets and the keys they are made from (`sdk::wallet::keys`), the passphrase and
//! backups (`sdk::wallet::safekeeping`).

use std::sync::Arc;

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::api::args::whole_number;
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::wallet::{bounded, common, on_wallet, spawn_open, CreateWalletOptions};
use crate::ops::OpSpec;
use sdk::error::SdkError;
use sdk::runtime::{self, RuntimeKind};
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::{keys, lifecycle, safekeeping};

/// Creates a view-only wallet from the keys `exportViewKeys` gave, in an empty data directory, and opens
/// it. It has the seed wallet's address and sees its incoming payments and balance; it cannot spend: every
/// spending call rejects with `ERR_VIEW_ONLY` before anything is stored. The library (6.2.0) stores the
/// view key unencrypted in the wallet database (the files are 0600): guard the directory like the key.
/// Rejects like `createWallet`, and with `ERR_INVALID_ARGUMENT` for keys that are not valid.
#[napi(
    strict,
    catch_unwind,
    ts_args_type = "options: Omit<CreateWalletOptions, 'seedWords' | 'seedPassphrase' | 'viewKey' | 'spendPublicKey'> & { viewKey: string; spendPublicKey: string }, call?: CallOptions",
    ts_return_type = "Promise<number>"
)]
pub fn create_view_wallet<'env>(
    env: &'env Env,
    mut options: CreateWalletOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, u32>> {
    let call = call::parse(env, call);
    let parsed = common(&mut options, |o| {
        if o.seed_words.is_some() || o.seed_passphrase.is_some() {
            return Err(SdkError::invalid_argument("a view-only wallet is made from keys, not seedWords"));
        }
        let view_key = bounded("viewKey", o.view_key.take().ok_or_else(|| SdkError::invalid_argument("viewKey is required"))?)?;
        let spend = o.spend_public_key.take().ok_or_else(|| SdkError::invalid_argument("spendPublicKey is required"))?;
        let birthday = o.birthday.map(|b| whole_number("birthday", b, 0, u16::MAX as u64).map(|b| b as u16)).transpose()?;
        Ok(lifecycle::Mode::View(Box::new(keys::parse(&view_key, &bounded("spendPublicKey", spend)?, birthday)?)))
    });
    spawn_open(env, "createViewWallet", call, parsed)
}

#[napi(object)]
pub struct ExportViewKeysOptions {
    /// The wallet's passphrase, checked again before the keys leave. Never logged or echoed.
    pub passphrase: String,
}

/// The keys a view-only wallet of this wallet is made from (`createViewWallet`), after checking the
/// passphrase again (`ERR_WRONG_PASSPHRASE`). The view key reveals every incoming amount and the wallet's
/// own change to whoever holds it, but cannot spend.
#[napi(strict, catch_unwind, ts_return_type = "Promise<ViewKeys>")]
pub fn export_view_keys<'env>(
    env: &'env Env,
    handle: f64,
    options: ExportViewKeysOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<keys::ViewKeys>>> {
    let args = bounded("passphrase", options.passphrase)
        .map(|passphrase| move |entry: Arc<WalletEntry>| async move { keys::export(&*runtime::pool()?, entry, passphrase).await.map(Js) });
    on_wallet(env, OpSpec::new("exportViewKeys", RuntimeKind::Crypto), call::parse(env, call), handle, args)
}

#[napi(object)]
pub struct ChangePassphraseOptions {
    /// The current passphrase. Never logged or echoed.
    pub old: String,
    /// The new one, not empty. Never logged or echoed.
    pub new: String,
}

/// Changes the passphrase of an open wallet: from then on only `new` opens it. `ERR_WRONG_PASSPHRASE`
/// when `old` is not the current one (nothing changes). Atomic: a crash leaves the old or the new one
/// working. Backups made before still open with the passphrase they were made under.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn change_passphrase<'env>(
    env: &'env Env,
    handle: f64,
    options: ChangePassphraseOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let args = bounded("old", options.old).and_then(|old| Ok((old, bounded("new", options.new)?))).map(|(old, new)| {
        move |entry: Arc<WalletEntry>| async move { safekeeping::change_passphrase(&*runtime::pool()?, entry, old, new).await }
    });
    on_wallet(env, OpSpec::new("changePassphrase", RuntimeKind::Crypto), call::parse(env, call), handle, args)
}

/// Writes a consistent copy of the open wallet (its database and the SDK's journal and event log) into
/// `dataDir`, a directory holding no wallet (`ERR_WALLET_EXISTS` otherwise), while the wallet keeps
/// running; spends wait for the copy. `openWallet({ dataDir })` opens the copy with the current
/// passphrase. The copy holds the keys (encrypted, and a view wallet's view key in clear): keep it as safe.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn backup_wallet<'env>(env: &'env Env, handle: f64, data_dir: String, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    let args = bounded("dataDir", data_dir)
        .and_then(|d| std::path::absolute(d.as_str()).map_err(|e| SdkError::invalid_argument(format!("dataDir: {e}"))))
        .map(|dest| move |entry: Arc<WalletEntry>| async move { safekeeping::backup(&*runtime::pool()?, entry, dest).await });
    on_wallet(env, OpSpec::new("backupWallet", RuntimeKind::Wallet), call::parse(env, call), handle, args)
}
