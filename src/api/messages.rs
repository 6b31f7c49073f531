//! Signing messages with the wallet's key, and checking signatures.
use std::sync::Arc;

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::api::args::message_arg;
use crate::api::call::{self, CallOptions};
use crate::api::js::Js;
use crate::api::wallet::on_wallet;
use crate::ops::{self, OpSpec};
use sdk::runtime::RuntimeKind;
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::messages;

/// Signs `message` with the wallet's key. Verify with `verifyMessageSignature(address or publicKey, ...)`.
#[napi(strict, catch_unwind, ts_return_type = "Promise<SignedMessage>")]
pub fn sign_message<'env>(
    env: &'env Env,
    handle: f64,
    message: String,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, Js<messages::SignedMessage>>> {
    let args = message_arg(Some(message))
        .map(|message| move |entry: Arc<WalletEntry>| async move { messages::sign_with(&entry, &message).map(Js) });
    on_wallet(env, OpSpec::new("signMessage", RuntimeKind::Crypto), call::parse(env, call), handle, args)
}

/// Checks a signature made by `signMessage`, with no wallet. `signer` is the signer's Tari address (any
/// encoding) or public key (hex). False for a wrong or tampered message or signature; throws
/// `ERR_INVALID_ADDRESS` / `ERR_INVALID_ARGUMENT` only when `signer` itself is unreadable.
#[napi(catch_unwind)]
pub fn verify_message_signature(env: Env, signer: String, message: String, signature: String) -> napi::Result<bool> {
    ops::sync(&env, "verifyMessageSignature", || {
        message_arg(Some(message.clone()))?;
        messages::verify_text(&signer, &message, &signature)
    })
}
