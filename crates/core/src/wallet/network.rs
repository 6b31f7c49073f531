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

#[cfg(test)]
mod tests {
    use tari_common::configuration::bootstrap::{wallet_get_default_seed_https_address, wallet_http_service_default_port};
    use tari_common::configuration::Network;

    /// README.md documents the library's default base node URLs per network; this keeps them the library's.
    #[test]
    fn the_documented_default_base_nodes_are_the_library_s() {
        let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
        for network in [Network::MainNet, Network::StageNet, Network::NextNet, Network::LocalNet, Network::Igor, Network::Esmeralda] {
            let row = format!(
                "| {} | `http://127.0.0.1:{}` | `{}` |",
                network.as_key_str(),
                wallet_http_service_default_port(network),
                wallet_get_default_seed_https_address(network)
            );
            assert!(readme.contains(&row), "README.md lacks the row {row}");
        }
    }
}
