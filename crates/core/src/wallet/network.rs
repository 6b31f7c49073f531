//! The Tari network is process-global in the Tari crates: the first wallet fixes it for the process.

use tari_common::configuration::Network;
use tari_common::network_check::{is_network_choice_valid, set_network_if_choice_valid};

use crate::error::{ErrorCode, SdkError, SdkResult};

pub fn parse(name: &str) -> SdkResult<Network> {
    name.parse::<Network>().map_err(|_| {
        SdkError::invalid_argument(format!(
            "{} is not a Tari network (mainnet, stagenet, nextnet, localnet, igor, esmeralda)",
            crate::error::shown(name)
        ))
    })
}

/// Fixes the process network to `network`, or checks it matches the one already fixed.
pub fn ensure(network: Network) -> SdkResult<Network> {
    if is_network_choice_valid(network).is_err() {
        return Err(SdkError::new(
            ErrorCode::UnsupportedNetwork,
            format!(
                "this build of the SDK is for {} networks and cannot use {network}",
                match crate::build_target() {
                    "mainnet" => "mainnet/stagenet",
                    "nextnet" => "nextnet",
                    _ => "testnet (localnet, igor, esmeralda)",
                }
            ),
        ));
    }
    if Network::is_set() && Network::get_current() != network {
        return Err(network_mismatch(network));
    }
    set_network_if_choice_valid(network).map_err(|_| network_mismatch(network))?;
    Ok(network)
}

fn network_mismatch(requested: Network) -> SdkError {
    SdkError::new(
        ErrorCode::NetworkMismatch,
        format!("this process already uses {} (fixed by its first wallet); {requested} needs another process", Network::get_current()),
    )
}

/// The network the process is fixed to, if a wallet has fixed it.
pub fn current() -> Option<Network> {
    Network::is_set().then(Network::get_current)
}
