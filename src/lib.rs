//! tari-wallet-sdk: the napi-rs binding. `api` holds the exports, one file per feature; each converts its
//! JS arguments once into core types and calls one core function. `ops` is the async guard that runs
//! that call on its runtime and settles the promise. Everything else lives in `tari-wallet-sdk-core`
//! (`crates/core`), which knows nothing of napi.
#![deny(clippy::all)]

extern crate tari_wallet_sdk_core as sdk;

// Exports are only reachable from JS, so a plain `cargo test` build sees them as unused.
#[cfg_attr(test, allow(dead_code))]
mod api;
#[cfg(all(target_os = "linux", not(test)))]
mod getenv;
#[cfg_attr(test, allow(dead_code))]
mod ops;
#[cfg_attr(test, allow(dead_code))]
mod signals;
