//! The core of tari-wallet-sdk: the real `minotari_wallet` with runtimes, limits, resilience, health,
//! metrics and exactly-once spends around it. It knows nothing of napi or Node; the binding crate
//! (`tari-wallet-sdk`, the repository root) converts JS values into the types here and calls one function.
//! `cargo test -p tari-wallet-sdk-core` covers it without Node.
#![deny(clippy::all)]

pub mod alloc;
pub mod base_node;
pub mod breaker;
pub mod call_scope;
pub mod config;
pub mod correlation;
pub mod error;
pub mod fees;
#[cfg(test)]
mod fuzz;
pub mod health;
pub mod js_repr;
pub mod limits;
pub mod logging;
pub mod metrics;
#[cfg(test)]
mod module_graph;
pub mod native_memory;
pub mod prometheus;
pub mod runtime;
pub mod system;
pub mod system_events;
pub mod tls_roots;
pub mod typegen;
pub mod wallet;

pub const MINOTARI_WALLET_VERSION: &str = "6.2.0";

/// Which networks this build can use (`mainnet`, `nextnet` or `testnet`); fixed by `TARI_TARGET_NETWORK`
/// when the Tari crates were built.
pub fn build_target() -> &'static str {
    use tari_common::{configuration::Network, network_check::is_network_choice_valid};
    if is_network_choice_valid(Network::MainNet).is_ok() {
        "mainnet"
    } else if is_network_choice_valid(Network::NextNet).is_ok() {
        "nextnet"
    } else {
        "testnet"
    }
}
