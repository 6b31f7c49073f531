//! Drives a wallet's event stream: reads the library's streams, dedupes, and publishes on the wallet's
//! channel (`events` holds the types and the dedupe).

use std::sync::Arc;
use std::time::{Duration, Instant};

use minotari_wallet::base_node_service::handle::BaseNodeEvent;
use minotari_wallet::utxo_scanner_service::handle::UtxoScannerEvent;
use tari_shutdown::ShutdownSignal;
use tokio::sync::broadcast;

use super::entry::WalletEntry;
use super::events::{from_output_event, from_transaction_event, now_ms, Dedupe, EventKind, WalletEvent};
use super::{history, queries};

/// The library reports its base node's state when it hears from it and is silent when it cannot reach
/// it; after this much silence the pump asks the node itself and reports `offline` if nobody answers.
const SILENCE_BEFORE_PROBE: Duration = Duration::from_secs(15);
const WATCHDOG_EVERY: Duration = Duration::from_secs(5);

pub async fn pump(entry: Arc<WalletEntry>, mut shutdown: ShutdownSignal) {
    let Ok((mut tx_events, mut om_events, mut scan_events, mut node_events)) = entry.with(|w| {
        (
            w.transaction_service.get_event_stream(),
            w.output_manager_service.get_event_stream(),
            w.utxo_scanner_service.clone().get_event_receiver(),
            w.base_node_service.get_event_stream(),
        )
    }) else {
        return;
    };
    let mut dedupe = Dedupe::default();
    let mut last_report = Instant::now();
    let mut watchdog = tokio::time::interval(WATCHDOG_EVERY);
    loop {
        let (kinds, money_moved): (Vec<EventKind>, bool) = tokio::select! {
            _ = shutdown.wait() => break,
            e = tx_events.recv() => match e {
                Ok(e) => { let k = from_transaction_event(&e); let moved = !k.is_empty(); (k, moved) }
                Err(broadcast::error::RecvError::Lagged(_)) => (vec![], true),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            e = om_events.recv() => match e {
                Ok(e) => (from_output_event(&e).into_iter().collect(), true),
                Err(broadcast::error::RecvError::Lagged(_)) => (vec![], true),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            e = scan_events.recv() => match e {
                Ok(UtxoScannerEvent::Progress { current_height, tip_height, .. }) => {
                    entry.set_tip_height(tip_height);
                    (vec![EventKind::ScanProgress { current_height, tip_height }], false)
                }
                Ok(UtxoScannerEvent::Completed { final_height, num_recovered, .. }) => {
                    entry.set_tip_height(final_height);
                    (vec![EventKind::ScanProgress { current_height: final_height, tip_height: final_height }], num_recovered > 0)
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => (vec![], false),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = watchdog.tick() => {
                let quiet = last_report.elapsed() >= SILENCE_BEFORE_PROBE && !entry.base_node_urls.is_empty();
                if !quiet || crate::base_node::reachable(&entry.base_node_urls).await {
                    (vec![], false)
                } else {
                    entry.set_link("offline", None);
                    (vec![EventKind::Connectivity { status: "offline", latency_ms: None, tip_height: None }], false)
                }
            },
            e = node_events.recv() => match e {
                Ok(e) => {
                    last_report = Instant::now();
                    let BaseNodeEvent::BaseNodeStateChanged(state) = &*e;
                    let tip = state.chain_metadata.as_ref().map(|m| m.best_block_height());
                    if let Some(t) = tip { entry.set_tip_height(t); }
                    let online = tip.is_some();
                    // Reachable but behind the network: the wallet's view of the chain may be stale.
                    let status = match (online, state.is_synced) {
                        (false, _) => "offline",
                        (true, Some(false)) => "degraded",
                        (true, _) => "online",
                    };
                    let latency_ms = state.latency.map(|l| l.as_millis() as u64);
                    entry.set_link(status, latency_ms);
                    (vec![EventKind::Connectivity {
                        status,
                        latency_ms,
                        tip_height: tip,
                    }], online)
                }
                Err(broadcast::error::RecvError::Lagged(_)) => (vec![], false),
                Err(broadcast::error::RecvError::Closed) => break,
            },
        };
        for kind in kinds {
            if dedupe.admit(&kind) {
                let kind = with_details(&entry, kind).await;
                send(&entry, kind);
            }
        }
        if money_moved {
            if let Ok(balance) = queries::balance(&entry).await {
                publish(&entry, &mut dedupe, EventKind::BalanceChanged { balance });
            }
        }
    }
}

fn publish(entry: &WalletEntry, dedupe: &mut Dedupe, kind: EventKind) {
    if dedupe.admit(&kind) {
        send(entry, kind);
    }
}

fn send(entry: &WalletEntry, kind: EventKind) {
    let _ = entry.events.send(Arc::new(WalletEvent { wallet_handle: entry.handle, timestamp_ms: now_ms(), kind }));
}

/// A `received` event with what a merchant acts on (amount, payment id), read from the wallet's history:
/// the library's event names the transaction only.
async fn with_details(entry: &WalletEntry, kind: EventKind) -> EventKind {
    match kind {
        EventKind::Received { tx_id, .. } => match history::get(entry, tx_id).await {
            Ok(t) => EventKind::Received { tx_id, amount: Some(t.amount), payment_id: t.payment_id },
            Err(_) => kind,
        },
        other => other,
    }
}
