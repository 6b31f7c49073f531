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
use super::history::{self, HistoryKind, HistoryQuery, TxStatus};
use super::{event_log, queries};
use crate::error::ErrorCode;

/// The library reports its base node's state when it hears from it and is silent when it cannot reach
/// it; after this much silence the pump asks the node itself and reports `offline` if nobody answers.
const SILENCE_BEFORE_PROBE: Duration = Duration::from_secs(15);
const WATCHDOG_EVERY: Duration = Duration::from_secs(5);

/// `baseline`: the event log is new to a wallet with history; that history is remembered, not announced.
pub async fn pump(entry: Arc<WalletEntry>, mut shutdown: ShutdownSignal, baseline: bool) {
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
    // Subscribed above first, so nothing that happens while this runs is missed.
    reconcile(&entry, &mut dedupe, baseline).await;
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
                announce(&entry, with_details(&entry, kind).await);
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
    let _ = entry.events.send(Arc::new(WalletEvent::live(entry.handle, kind)));
}

fn send_numbered(entry: &WalletEntry, kind: EventKind, seq: Option<u64>, timestamp_ms: f64) {
    let _ = entry.events.send(Arc::new(WalletEvent { wallet_handle: entry.handle, seq, timestamp_ms, kind }));
}

/// Delivers a money event once per wallet, ever: it is numbered and kept in the event log first, and a
/// state the log announced before (in this run or an earlier one) is dropped. Live-only events go straight
/// out.
fn announce(entry: &WalletEntry, kind: EventKind) {
    if event_log::is_durable(&kind) {
        announce_all(entry, vec![kind], false);
    } else {
        send(entry, kind);
    }
}

/// `announce` for money events, logged in one SQLite transaction. `silent`: remembered, not delivered. If
/// the log cannot be written they are still delivered live, without numbers.
fn announce_all(entry: &WalletEntry, kinds: Vec<EventKind>, silent: bool) {
    let at = now_ms();
    match entry.event_log.record_all(&kinds, at, silent) {
        Ok(seqs) => {
            for (kind, seq) in kinds.into_iter().zip(seqs) {
                if let Some(seq) = seq {
                    send_numbered(entry, kind, Some(seq), at);
                }
            }
        }
        Err(e) => {
            tracing::error!(handle = entry.handle, error = %e, "events could not be logged; delivered live only");
            if !silent {
                kinds.into_iter().for_each(|k| send(entry, k));
            }
        }
    }
}

/// What the wallet's history says happened that was never announced: a payment received or confirmed while
/// the process was down, or one the process died before announcing. Announced through the log, so each
/// state still goes out once. Mined-but-unconfirmed counts are left to the library, which reports them
/// when its validation runs after start.
async fn reconcile(entry: &WalletEntry, dedupe: &mut Dedupe, baseline: bool) {
    let mut txs = Vec::new();
    for kind in [HistoryKind::Completed, HistoryKind::Cancelled, HistoryKind::PendingInbound, HistoryKind::PendingOutbound] {
        let q = HistoryQuery { kind, limit: usize::MAX, ..Default::default() };
        match history::history(entry, &q).await {
            Ok(mut t) => txs.append(&mut t),
            // Closed before it got this far: nothing to announce to anyone.
            Err(e) if e.code == ErrorCode::InvalidHandle => return,
            Err(e) => return tracing::warn!(handle = entry.handle, error = %e, "cannot read history to reconcile events"),
        }
    }
    txs.sort_by_key(|t| (t.timestamp_ms, t.id));
    let mut kinds = Vec::new();
    for t in txs {
        kinds.push(match t.direction {
            "inbound" => EventKind::Received { tx_id: t.id, amount: Some(t.amount), payment_id: t.payment_id.clone() },
            _ => EventKind::Sent { tx_id: t.id },
        });
        if t.status == TxStatus::Cancelled {
            kinds.push(EventKind::Cancelled { tx_id: t.id, reason: t.cancel_reason.clone().unwrap_or_default() });
        } else if t.status.is_confirmed() {
            kinds.push(EventKind::Confirmed { tx_id: t.id });
        }
    }
    for kind in &kinds {
        dedupe.admit(kind);
    }
    announce_all(entry, kinds, baseline);
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
