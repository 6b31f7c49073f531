//! Wallet exports: lifecycle by handle, seeds, addresses and balance.

use napi::bindgen_prelude::{Either, PromiseRaw, ToNapiValue, TypeName, Uint8Array};
use napi::Env;
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::api::args::{base_node_url, bytes_arg, whole_number, within_request_limit};
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::ops::{self, Call, OpSpec};
use sdk::error::{SdkError, SdkResult};
use sdk::runtime::{self, RuntimeKind};
use sdk::wallet::{address, lifecycle, network, queries, registry, seeds};

/// Options of `createWallet`; `openWallet` takes the same without `seedWords` and `birthday`.
#[napi(object)]
pub struct CreateWalletOptions {
    /// Directory holding the wallet; the database lands in `<dataDir>/data/wallet/db/`.
    pub data_dir: String,
    /// Encrypts the wallet database. Never logged, never echoed in errors.
    pub passphrase: String,
    /// Defaults to `network.name` from the config. The first wallet fixes the network for the process.
    #[napi(ts_type = "NetworkName")]
    pub network: Option<String>,
    /// Base node HTTP URL(s), preferred first; defaults to `network.baseNodeUrls`, then the library default.
    pub base_node_url: Option<Either<String, Vec<String>>>,
    /// Seconds between UTXO scans; defaults to `wallet.scanningIntervalSecs`.
    pub scanning_interval_secs: Option<f64>,
    /// SQLite connections for this wallet; defaults to `wallet.dbPoolSize`.
    pub db_pool_size: Option<f64>,
    /// Blocks before a transaction counts as confirmed (1..=1000); defaults to `wallet.confirmations` (3).
    pub confirmations: Option<f64>,
    /// Restore from these 24 words (a string or an array) instead of creating a new random seed.
    pub seed_words: Option<Either<String, Vec<String>>>,
    /// With `seedWords`: the seed passphrase the words were written under (`getSeedWords(h, {
    /// seedPassphrase })`). Not the database passphrase, and not stored. Never logged or echoed.
    pub seed_passphrase: Option<String>,
    /// With `seedWords`: the seed's birthday (days since 2022-01-01) to scan from, overriding the one the
    /// words carry. With `viewKey` (`createViewWallet`): the birthday `exportViewKeys` gave; without it the
    /// view wallet scans from the start of the chain.
    pub birthday: Option<f64>,
    /// `createViewWallet` only: the view private key (hex) from `exportViewKeys`. Never logged or echoed.
    pub view_key: Option<String>,
    /// `createViewWallet` only: the spend public key (hex) from `exportViewKeys`.
    pub spend_public_key: Option<String>,
}

/// Takes ownership of a string argument in a wiped-on-drop buffer, within `limits.maxRequestBytes`.
pub(crate) fn bounded(name: &str, value: String) -> SdkResult<Zeroizing<String>> {
    let value = Zeroizing::new(value);
    within_request_limit(name, value.len())?;
    Ok(value)
}

/// Joins the words into one wiped-on-drop string, wiping the strings they arrived in.
fn words_text(value: Either<String, Vec<String>>) -> SdkResult<Zeroizing<String>> {
    let text = match value {
        Either::A(s) => Zeroizing::new(s),
        Either::B(items) => {
            let items: Vec<Zeroizing<String>> = items.into_iter().map(Zeroizing::new).collect();
            let mut joined = Zeroizing::new(String::with_capacity(items.iter().map(|w| w.len() + 1).sum()));
            for (i, w) in items.iter().enumerate() {
                if i > 0 {
                    joined.push(' ');
                }
                joined.push_str(w);
            }
            joined
        }
    };
    within_request_limit("seedWords", text.len())?;
    Ok(text)
}

/// A seed passphrase: non-empty, bounded, wiped on drop.
fn seed_passphrase(value: Option<String>) -> SdkResult<Option<Zeroizing<String>>> {
    let Some(p) = value.map(|p| bounded("seedPassphrase", p)).transpose()? else { return Ok(None) };
    if p.is_empty() {
        return Err(SdkError::invalid_argument("seedPassphrase must not be empty (leave it out for words without one)"));
    }
    Ok(Some(p))
}

#[napi(object)]
pub struct SeedWordsOptions {
    /// Encipher (`getSeedWords`) or decipher (`validateSeedWords`) the words under this seed passphrase:
    /// other words for the same seed, which restore only with it. Never logged or echoed.
    pub seed_passphrase: Option<String>,
}

/// Seed words on their way to JS: the Rust copies are wiped once the JS strings exist.
pub struct SecretWords(Zeroizing<Vec<String>>);

impl ToNapiValue for SecretWords {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> napi::Result<napi::sys::napi_value> {
        let mut array = std::ptr::null_mut();
        napi::check_status!(napi::sys::napi_create_array_with_length(env, val.0.len(), &mut array))?;
        for (i, word) in val.0.iter().enumerate() {
            let js = <&str as ToNapiValue>::to_napi_value(env, word.as_str())?;
            napi::check_status!(napi::sys::napi_set_element(env, array, i as u32, js))?;
        }
        Ok(array)
    }
}

impl TypeName for SecretWords {
    fn type_name() -> &'static str {
        "Array<string>"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

fn urls(value: Option<Either<String, Vec<String>>>) -> SdkResult<Option<Vec<String>>> {
    let list = match value {
        None => return Ok(None),
        Some(Either::A(url)) => vec![url],
        Some(Either::B(urls)) => urls,
    };
    list.iter().try_for_each(|u| base_node_url(u))?;
    Ok(Some(list))
}

/// The options every open shares, converted; `seed_words` and `birthday` are left to the caller. Unset
/// fields stay `None`: the core fills in the configured defaults.
pub(crate) fn common(
    o: &mut CreateWalletOptions,
    mode_of: impl FnOnce(&mut CreateWalletOptions) -> SdkResult<lifecycle::Mode>,
) -> SdkResult<lifecycle::OpenRequest> {
    let (data_dir, passphrase) = (std::mem::take(&mut o.data_dir), std::mem::take(&mut o.passphrase));
    let passphrase = bounded("passphrase", passphrase)?;
    if passphrase.is_empty() {
        return Err(SdkError::invalid_argument("passphrase must not be empty"));
    }
    let data_dir = bounded("dataDir", data_dir)?;
    if data_dir.trim().is_empty() {
        return Err(SdkError::invalid_argument("dataDir must not be empty"));
    }
    Ok(lifecycle::OpenRequest {
        data_dir: std::path::absolute(data_dir.as_str()).map_err(|e| SdkError::invalid_argument(format!("dataDir: {e}")))?,
        passphrase,
        network: o.network.take().map(|n| network::parse(&n)).transpose()?,
        base_node_urls: urls(o.base_node_url.take())?,
        scanning_interval_secs: o.scanning_interval_secs.map(|s| whole_number("scanningIntervalSecs", s, 1, 86_400)).transpose()?,
        db_pool_size: o.db_pool_size.map(|p| whole_number("dbPoolSize", p, 1, 64).map(|p| p as usize)).transpose()?,
        confirmations: o.confirmations.map(|n| whole_number("confirmations", n, 1, sdk::config::MAX_CONFIRMATIONS)).transpose()?,
        mode: mode_of(o)?,
        owner: ops::env_id(),
    })
}

pub(crate) fn spawn_open<'env>(
    env: &'env Env,
    name: &'static str,
    call: Call,
    parsed: SdkResult<lifecycle::OpenRequest>,
) -> napi::Result<PromiseRaw<'env, u32>> {
    match parsed {
        Ok(req) => ops::spawn(env, OpSpec::new(name, RuntimeKind::Wallet), call, async move {
            lifecycle::open_to_completion(runtime::pool()?, req).await
        }),
        Err(e) => ops::rejected(env, name, call, e),
    }
}

/// Creates a wallet in an empty data directory, with a new random seed or restored from `seedWords`, and
/// opens it. Resolves to its handle. Rejects with `ERR_WALLET_EXISTS` if the directory already holds a
/// wallet, `ERR_INVALID_SEED_WORDS`, `ERR_NETWORK_MISMATCH`, `ERR_UNSUPPORTED_NETWORK` or `ERR_LIMIT`.
#[napi(
    strict,
    catch_unwind,
    ts_args_type = "options: Omit<CreateWalletOptions, 'viewKey' | 'spendPublicKey'>, call?: CallOptions",
    ts_return_type = "Promise<number>"
)]
pub fn create_wallet<'env>(
    env: &'env Env,
    mut options: CreateWalletOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, u32>> {
    let call = call::parse(env, call);
    let parsed = common(&mut options, |o| match o.seed_words.take() {
        _ if o.view_key.is_some() || o.spend_public_key.is_some() => {
            Err(SdkError::invalid_argument("viewKey and spendPublicKey make a view-only wallet: use createViewWallet"))
        }
        None if o.birthday.is_some() || o.seed_passphrase.is_some() => {
            Err(SdkError::invalid_argument("birthday and seedPassphrase only apply when restoring from seedWords"))
        }
        None => Ok(lifecycle::Mode::Create),
        Some(w) => Ok(lifecycle::Mode::Restore {
            seed_words: words_text(w)?,
            seed_passphrase: seed_passphrase(o.seed_passphrase.take())?,
            birthday: o.birthday.map(|b| whole_number("birthday", b, 0, u16::MAX as u64).map(|b| b as u16)).transpose()?,
        }),
    });
    spawn_open(env, "createWallet", call, parsed)
}

/// Opens the wallet in an existing data directory. Resolves to its handle. Rejects with
/// `ERR_WALLET_NOT_FOUND`, `ERR_WRONG_PASSPHRASE` (the database is left untouched), `ERR_WALLET_LOCKED`
/// (already open here or in another process), `ERR_WALLET_CORRUPT`, `ERR_NETWORK_MISMATCH` or `ERR_LIMIT`.
#[napi(
    strict,
    catch_unwind,
    ts_args_type = "options: Omit<CreateWalletOptions, 'seedWords' | 'seedPassphrase' | 'birthday' | 'viewKey' | 'spendPublicKey'>, call?: CallOptions",
    ts_return_type = "Promise<number>"
)]
pub fn open_wallet<'env>(
    env: &'env Env,
    mut options: CreateWalletOptions,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, u32>> {
    let call = call::parse(env, call);
    let parsed = common(&mut options, |o| {
        match o.seed_words.is_some()
            || o.seed_passphrase.is_some()
            || o.birthday.is_some()
            || o.view_key.is_some()
            || o.spend_public_key.is_some()
        {
            true => Err(SdkError::invalid_argument("openWallet takes no seedWords, birthday or keys; those are for creating a wallet")),
            false => Ok(lifecycle::Mode::Open),
        }
    });
    spawn_open(env, "openWallet", call, parsed)
}

pub(crate) fn handle_arg(handle: f64) -> SdkResult<u32> {
    if !handle.is_finite() || handle.fract() != 0.0 || handle < 1.0 || handle > u32::MAX as f64 {
        return Err(SdkError::new(sdk::error::ErrorCode::InvalidHandle, format!("{handle} is not a wallet handle")));
    }
    Ok(handle as u32)
}

/// Resolves the handle and runs `f` with the entry under `spec`; argument and handle errors reject the
/// promise without touching a runtime.
pub(crate) fn on_wallet<'env, T, F, Fut>(
    env: &'env Env,
    spec: OpSpec,
    call: Call,
    handle: f64,
    args: SdkResult<F>,
) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce(std::sync::Arc<sdk::wallet::entry::WalletEntry>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = SdkResult<T>> + Send + 'static,
{
    match handle_arg(handle).and_then(registry::get).and_then(|e| args.map(|f| (e, f))) {
        Ok((entry, f)) => ops::spawn(env, spec, call, f(entry)),
        Err(e) => ops::rejected(env, spec.name, call, e),
    }
}

/// Takes the wallet out of the registry at once (its handle is invalid from here on), then shuts it down.
fn shut_down<'env>(env: &'env Env, name: &'static str, call: Call, handle: f64, delete: bool) -> napi::Result<PromiseRaw<'env, ()>> {
    match handle_arg(handle).and_then(registry::remove) {
        Ok(entry) => ops::spawn(env, OpSpec::new(name, RuntimeKind::Wallet).unlimited(), call, async move {
            if delete {
                entry.destroy().await
            } else {
                entry.close().await
            }
            Ok(())
        }),
        Err(e) => ops::rejected(env, name, call, e),
    }
}

/// Shuts the wallet down cleanly and releases its database. The handle is invalid afterwards.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn close_wallet<'env>(env: &'env Env, handle: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    shut_down(env, "closeWallet", call::parse(env, call), handle, false)
}

/// Shuts the wallet down, then deletes its database and the directories the library created. Files of
/// your own in `dataDir` are left alone.
#[napi(strict, catch_unwind, ts_return_type = "Promise<void>")]
pub fn destroy_wallet<'env>(env: &'env Env, handle: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, ()>> {
    shut_down(env, "destroyWallet", call::parse(env, call), handle, true)
}

#[napi(object)]
pub struct WalletInfo {
    pub handle: u32,
    pub data_dir: String,
    #[napi(ts_type = "NetworkName")]
    pub network: String,
    /// The wallet's one-sided address, base58.
    pub address: String,
    pub open_seconds: f64,
    /// Blocks before its transactions count as confirmed.
    pub confirmations: u32,
}

/// The open wallets, by handle.
#[napi(catch_unwind)]
pub fn list_wallets() -> Vec<WalletInfo> {
    registry::list()
        .into_iter()
        .map(|e| WalletInfo {
            handle: e.handle,
            data_dir: e.data_dir.display().to_string(),
            network: e.network.as_key_str().into(),
            address: e.address.to_base58(),
            open_seconds: e.opened_at.elapsed().as_secs_f64(),
            confirmations: e.confirmations as u32,
        })
        .collect()
}

/// The wallet's 24 seed words (English). Treat them as the wallet itself: anyone with them owns the funds.
/// With `seedPassphrase`, the words are enciphered under it: restoring them needs it too
/// (`createWallet({ seedWords, seedPassphrase })`). A view-only wallet has none: `ERR_VIEW_ONLY`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<string[]>")]
pub fn get_seed_words<'env>(
    env: &'env Env,
    handle: f64,
    options: Option<SeedWordsOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, SecretWords>> {
    let args = seed_passphrase(options.and_then(|o| o.seed_passphrase)).map(|passphrase| {
        |entry: std::sync::Arc<sdk::wallet::entry::WalletEntry>| async move {
            let pool = runtime::pool()?;
            Ok(SecretWords(queries::seed_words(&pool, entry, passphrase).await?))
        }
    });
    on_wallet(env, OpSpec::new("getSeedWords", RuntimeKind::Crypto), call::parse(env, call), handle, args)
}

#[napi(object)]
pub struct SeedInfo {
    pub word_count: u32,
    /// Days since 2022-01-01 when the seed was made; a restore scans from here.
    pub birthday: u32,
}

/// Checks 24 seed words without a wallet (under `seedPassphrase`, if they were written with one).
/// Rejects with `ERR_INVALID_SEED_WORDS` (and `reason`: count, unknown-word, checksum or decryption) when
/// they are not a valid Tari CipherSeed.
#[napi(
    strict,
    catch_unwind,
    ts_args_type = "words: string | string[], options?: SeedWordsOptions, call?: CallOptions",
    ts_return_type = "Promise<SeedInfo>"
)]
pub fn validate_seed_words<'env>(
    env: &'env Env,
    words: Either<String, Vec<String>>,
    options: Option<SeedWordsOptions>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, SeedInfo>> {
    let call = call::parse(env, call);
    let (text, passphrase) = match words_text(words).and_then(|t| Ok((t, seed_passphrase(options.and_then(|o| o.seed_passphrase))?))) {
        Ok(parsed) => parsed,
        Err(e) => return ops::rejected(env, "validateSeedWords", call, e),
    };
    ops::spawn(env, OpSpec::new("validateSeedWords", RuntimeKind::Crypto), call, async move {
        let pool = runtime::pool()?;
        let seed = pool
            .handle(RuntimeKind::Crypto)
            .spawn_blocking(move || seeds::parse(&text, passphrase.as_deref().map(String::as_str)))
            .await
            .map_err(|e| SdkError::internal(e.to_string()))??;
        Ok(SeedInfo { word_count: seeds::WORD_COUNT as u32, birthday: seed.birthday() as u32 })
    })
}

#[napi(object)]
pub struct AddressOptions {
    /// A payment id for the address to carry: a string (its UTF-8) or bytes, 1 to 62 bytes. Every payment
    /// to that address carries it, so the recipient can tell which customer or order paid.
    pub payment_id: Option<Either<String, Uint8Array>>,
}

/// The wallet's one-sided (dual) address in base58, emoji and hex, with its network and features. With
/// `paymentId`, the address carries that id (`ERR_INVALID_ARGUMENT` when it is empty or over 62 bytes, the most a payment can carry).
#[napi(catch_unwind, ts_return_type = "AddressInfo")]
pub fn get_address(env: Env, handle: f64, options: Option<AddressOptions>) -> napi::Result<Js<address::AddressInfo>> {
    ops::sync(&env, "getAddress", || {
        let entry = registry::get(handle_arg(handle)?)?;
        let address = match options.and_then(|o| o.payment_id) {
            Some(id) => address::with_payment_id(&entry.address, &bytes_arg(&id))?,
            None => entry.address.clone(),
        };
        Ok(Js(address::info(&address)))
    })
}

/// Parses a Tari address (base58, emoji or hex) without a wallet. Throws `ERR_INVALID_ADDRESS` with
/// `reason`: checksum, network, size, features or encoding. With `network`, the address must be for it.
#[napi(catch_unwind, ts_args_type = "address: string, network?: NetworkName", ts_return_type = "AddressInfo")]
pub fn parse_address(env: Env, address: String, network: Option<String>) -> napi::Result<Js<address::AddressInfo>> {
    ops::sync(&env, "parseAddress", || parse_checked(&address, network.as_deref()).map(Js))
}

#[napi(object)]
pub struct AddressKeys {
    /// Public view key, 64 hex characters.
    pub view_key: String,
    /// Public spend key, 64 hex characters.
    pub spend_key: String,
    /// Default: `network.name` from the config.
    #[napi(ts_type = "NetworkName")]
    pub network: Option<String>,
    /// Feature bits: 1 one-sided, 2 interactive; default 3 (both).
    pub features: Option<f64>,
}

/// The dual (view + spend) address of two public keys, in every encoding. Throws `ERR_INVALID_ARGUMENT`
/// for a key that is not 64 hex characters and `ERR_INVALID_ADDRESS` (`reason: 'features'`) for bad bits.
#[napi(catch_unwind, ts_return_type = "AddressInfo")]
pub fn address_from_keys(env: Env, keys: AddressKeys) -> napi::Result<Js<address::AddressInfo>> {
    ops::sync(&env, "addressFromKeys", || {
        let network = match keys.network.as_deref() {
            Some(n) => network::parse(n)?,
            None => sdk::config::current().config.network.name.network(),
        };
        let features = keys.features.map(|f| whole_number("features", f, 0, u8::MAX as u64)).transpose()?.unwrap_or(3) as u8;
        let a = address::from_keys(&keys.view_key, &keys.spend_key, network, features)?;
        Ok(Js(address::info(&a)))
    })
}

fn parse_checked(text: &str, network_name: Option<&str>) -> SdkResult<address::AddressInfo> {
    within_request_limit("address", text.len())
        .map_err(|_| address::invalid("size", "the address is longer than limits.maxRequestBytes"))?;
    let a = match network_name {
        Some(n) => address::parse_for(text, network::parse(n)?)?,
        None => address::parse(text)?,
    };
    Ok(address::info(&a))
}

/// Like `parseAddress` but never throws for an invalid address: `{ valid, reason?, message?, address? }`.
#[napi(catch_unwind, ts_args_type = "address: string, network?: NetworkName", ts_return_type = "AddressValidation")]
pub fn validate_address(env: Env, address: String, network: Option<String>) -> napi::Result<Js<address::AddressValidation>> {
    ops::sync(&env, "validateAddress", || address::AddressValidation::of(parse_checked(&address, network.as_deref())).map(Js))
}

/// The wallet's balance in µT, as `bigint`s.
#[napi(strict, catch_unwind, ts_return_type = "Promise<Balance>")]
pub fn get_balance<'env>(env: &'env Env, handle: f64, call: Option<CallOptions>) -> napi::Result<PromiseRaw<'env, Js<queries::Balance>>> {
    let call = call::parse(env, call);
    let spec = OpSpec::new("getBalance", RuntimeKind::Wallet);
    // Unchanged since the last read: answered here, without a trip to the wallet's runtime.
    if let Some(b) = handle_arg(handle).and_then(registry::get).ok().and_then(|e| e.reads.balance()) {
        return ops::resolved(env, spec, call, Js(b));
    }
    on_wallet(
        env,
        spec,
        call,
        handle,
        Ok(|entry: std::sync::Arc<sdk::wallet::entry::WalletEntry>| async move { queries::balance(&entry).await.map(Js) }),
    )
}

/// The network this process is fixed to (by its first wallet), or null before any wallet opened.
#[napi(catch_unwind, ts_return_type = "NetworkName | null")]
pub fn get_process_network() -> Option<String> {
    network::current().map(|n| n.as_key_str().to_string())
}
