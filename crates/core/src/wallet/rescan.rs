//! Rescan from the birthday: the library's own recovery scanner, run on demand. The wallet's scanned-block
//! cache is cleared, so the scan starts at the seed's birthday; outputs the wallet already holds are
//! ignored by the library, so a rescan finds what is missing and never doubles what is there.

use std::sync::Arc;
use std::time::Duration;

use minotari_wallet::client::http_client_factory::{DefaultHttpClientFactory, HttpClientFactory};
use minotari_wallet::utxo_scanner_service::handle::UtxoScannerEvent;
use minotari_wallet::utxo_scanner_service::uxto_scanner_service_builder::{UtxoScannerMode, UtxoScannerServiceBuilder};
use tari_shutdown::Shutdown;
use tokio::sync::broadcast;

use super::entry::WalletEntry;
use super::events::{EventKind, WalletEvent};
use crate::error::{ErrorCode, SdkError, SdkResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub final_height: u64,
    pub recovered_outputs: u64,
    pub recovered_value: u64,
    pub duration: Duration,
}

fn url(s: &str) -> SdkResult<reqwest::Url> {
    reqwest::Url::parse(s).map_err(|e| SdkError::internal(format!("the wallet's base node URL does not parse: {e}")))
}

/// Runs a recovery scan from the birthday to the tip, publishing `scanProgress` events. Dropping the
/// future (abort, timeout) stops the scan: its shutdown signal fires.
pub async fn rescan(entry: Arc<WalletEntry>) -> SdkResult<Outcome> {
    let _changing = entry.reads.changing();
    let closing = entry.closing().ok_or_else(|| super::errors::invalid_handle(entry.handle))?;
    let parts = entry.with(|w| {
        w.db.clear_scanned_blocks().map(|_| {
            (
                w.db.clone(),
                w.output_manager_service.clone(),
                w.transaction_service.clone(),
                w.get_wallet_one_sided_address(),
                w.key_manager_service.clone(),
                w.config.birthday_offset,
                w.config.http_server_url.clone(),
                w.config.fallback_http_server_url.clone(),
            )
        })
    })?;
    let (db, oms, ts, address, km, birthday_offset, primary, fallback) =
        parts.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("cannot reset the scan position: {e}")))?;
    let address = address.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("cannot derive the wallet address: {e}")))?;
    let shutdown = Shutdown::new();
    let (sender, mut events) = broadcast::channel(2000);
    let service = UtxoScannerServiceBuilder::<DefaultHttpClientFactory>::default()
        .with_mode(UtxoScannerMode::Recovery)
        .with_client_factory(DefaultHttpClientFactory::new(url(&primary)?, url(&fallback)?))
        .build_with_resources(db, oms, ts, address, shutdown.to_signal(), sender, birthday_offset, km)
        .await
        .map_err(|e| SdkError::new(ErrorCode::Wallet, format!("cannot start the rescan: {e}")))?;
    service.run().await.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("the rescan did not start: {e}")))?;
    let publish = |kind| {
        let _ = entry.events.send(Arc::new(WalletEvent::live(entry.handle, kind)));
    };
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = closing.cancelled() => {
                // The scanner's own shutdown fires as `shutdown` drops, releasing its database handles.
                return Err(SdkError::new(ErrorCode::InvalidHandle, format!("wallet handle {} was closed during the rescan", entry.handle)));
            }
        };
        match event {
            Ok(UtxoScannerEvent::Progress { current_height, tip_height, .. }) => {
                entry.set_tip_height(tip_height);
                publish(EventKind::ScanProgress { current_height, tip_height });
            }
            Ok(UtxoScannerEvent::Completed { final_height, num_recovered, value_recovered, time_taken, .. }) => {
                publish(EventKind::ScanProgress { current_height: final_height, tip_height: final_height });
                drop(shutdown);
                return Ok(Outcome {
                    final_height,
                    recovered_outputs: num_recovered,
                    recovered_value: value_recovered.as_u64(),
                    duration: time_taken,
                });
            }
            Ok(UtxoScannerEvent::ScanningRoundFailed { num_retries, retry_limit, error }) if num_retries >= retry_limit => {
                return Err(SdkError::new(ErrorCode::BaseNode, format!("the rescan failed after {num_retries} tries: {error}")));
            }
            Ok(UtxoScannerEvent::ScanningRoundFailed { .. }) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => {
                return Err(SdkError::new(ErrorCode::Wallet, "the rescan stopped before it completed"));
            }
        }
    }
}
