//! Drives a wallet's event stream: reads the library's streams, dedupes, and publishes on the wallet's
//! channel (`events` holds the types and the dedupe).

use std::sync::Arc;
use std::time::{Duration, Instant};

use minotari_wallet::base_node_service::handle::BaseNodeEvent;
use minotari_wallet::transaction_service::handle::TransactionEvent;
use minotari_wallet::utxo_scanner_service::handle::UtxoScannerEvent;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::entry::WalletEntry;
use super::events::{from_output_event, from_transaction_event, now_ms, Dedupe, EventKind, WalletEvent};
use super::history::{self, HistoryKind, HistoryQuery, TxSummary};
use super::tx_state::TxStatus;
use super::{event_log, queries};
use crate::error::ErrorCode;

/// The library reports its base node's state when it hears from it and is silent when it cannot reach
/// it; after this much silence the pump asks the node itself and reports `offline` if nobody answers.
const SILENCE_BEFORE_PROBE: Duration = Duration::from_secs(15);
const WATCHDOG_EVERY: Duration = Duration::from_secs(5);

/// `baseline`: the event log is new to a wallet with history; that history is remembered, not announced.
///
/// Runs until `closed` is cancelled, and is dropped there wherever it waits: a request sent to a library
/// service just as it stops can go unanswered for ever (tokio drops what is queued when a receiver
/// drops, but not a message whose send was under way at that instant, tokio-rs/tokio#7714).
pub async fn pump(entry: Arc<WalletEntry>, closed: CancellationToken, baseline: bool) {
    closed.run_until_cancelled_owned(drive(entry, baseline)).await;
}

async fn drive(entry: Arc<WalletEntry>, baseline: bool) {
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
    // Subscribed above first, so nothing that happens while this runs is missed. Reorgs first: a block
    // that left the chain while the wallet was closed makes its transaction's mining news again.
    check_reorgs(&entry, &mut dedupe).await;
    reconcile(&entry, &mut dedupe, baseline).await;
    let mut last_report = Instant::now();
    let mut watchdog = tokio::time::interval(WATCHDOG_EVERY);
    loop {
        let (kinds, money_moved): (Vec<EventKind>, bool) = tokio::select! {
            e = tx_events.recv() => match e {
                // The library marks a reorged-out transaction unmined and says only that validation changed.
                Ok(e) if matches!(*e, TransactionEvent::TransactionValidationStateChanged { .. }) => (vec![], true),
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
        if money_moved || !kinds.is_empty() {
            // Before anything reads the balance for this news: it may have changed.
            entry.reads.invalidate();
        }
        if money_moved {
            // Before the news is announced: a `confirmed` in a new block follows the `reorged` of the old.
            check_reorgs(&entry, &mut dedupe).await;
        }
        for kind in kinds {
            if dedupe.admit(&kind) {
                let kind = with_details(&entry, kind).await;
                if let (Some(tx_id), false) = (kind.tx_id(), on_chain(&entry, &kind).await) {
                    // Stale: the library has not caught up with a reorg yet. It reports again when it has.
                    dedupe.forget_mined(tx_id);
                    continue;
                }
                announce(&entry, kind);
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
/// the log cannot be written they are still delivered live, without numbers, and this returns false.
fn announce_all(entry: &WalletEntry, kinds: Vec<EventKind>, silent: bool) -> bool {
    let at = now_ms();
    match entry.event_log.record_all(&kinds, at, silent) {
        Ok(seqs) => {
            for (kind, seq) in kinds.into_iter().zip(seqs) {
                if let Some(seq) = seq {
                    send_numbered(entry, kind, Some(seq), at);
                }
            }
            true
        }
        Err(e) => {
            tracing::error!(handle = entry.handle, error = %e, "events could not be logged; delivered live only");
            if !silent {
                kinds.into_iter().for_each(|k| send(entry, k));
            }
            false
        }
    }
}

/// What the wallet's history says happened that was never announced: a payment received or confirmed while
/// the process was down, or one the process died before announcing. Announced through the log, so each
/// state still goes out once. Mined-but-unconfirmed counts are left to the library, which reports them
/// when its validation runs after start.
///
/// The completed history is walked a chunk at a time and only its transactions with something untold are
/// kept: before, every open held the whole history decoded at once (a payout's entries carry their batch
/// transaction), so an exchange's wallet took memory and seconds in proportion to everything it ever did.
async fn reconcile(entry: &WalletEntry, dedupe: &mut Dedupe, baseline: bool) {
    // A log that cannot answer counts as untold: announcing is then what reports the failure.
    let untold = |t: &TxSummary| told_by(t).iter().any(|k| entry.event_log.is_news(k).unwrap_or(true));
    let read = async {
        let mut txs = history::completed_where(entry, untold).await?;
        // Pending transactions are the ones in flight: few, so read whole.
        for kind in [HistoryKind::PendingInbound, HistoryKind::PendingOutbound] {
            let q = HistoryQuery { kind, limit: usize::MAX, ..Default::default() };
            txs.extend(history::history(entry, &q).await?.into_iter().filter(|t| untold(t)));
        }
        Ok::<_, crate::error::SdkError>(txs)
    };
    let mut txs = match read.await {
        Ok(t) => t,
        // Closed before it got this far: nothing to announce to anyone.
        Err(e) if e.code == ErrorCode::InvalidHandle => return,
        Err(e) => return tracing::warn!(handle = entry.handle, error = %e, "cannot read history to reconcile events"),
    };
    txs.sort_by_key(|t| (t.timestamp_ms, t.id));
    let kinds: Vec<EventKind> = txs.iter().flat_map(told_by).collect();
    for kind in &kinds {
        dedupe.admit(kind);
    }
    announce_all(entry, kinds, baseline);
}

/// The durable events that tell `t`'s story so far.
fn told_by(t: &TxSummary) -> Vec<EventKind> {
    let mut kinds = vec![match t.direction {
        "inbound" => EventKind::Received { tx_id: t.id, amount: Some(t.amount), payment_id: t.payment_id.clone() },
        _ => EventKind::Sent { tx_id: t.id },
    }];
    if t.status == TxStatus::Cancelled {
        kinds.push(EventKind::Cancelled { tx_id: t.id, reason: t.cancel_reason.clone().unwrap_or_default() });
    } else if t.status.is_confirmed() {
        kinds.push(EventKind::Confirmed { tx_id: t.id, mined: t.mined.clone() });
    }
    kinds
}

/// A money event with what a merchant acts on, read from the wallet's history (the library's events name
/// the transaction only): a `received` gets its amount and payment id, a `minedUnconfirmed` or `confirmed`
/// its block.
async fn with_details(entry: &WalletEntry, kind: EventKind) -> EventKind {
    let Some(tx_id) = kind.tx_id() else { return kind };
    if !matches!(kind, EventKind::Received { .. } | EventKind::MinedUnconfirmed { .. } | EventKind::Confirmed { .. }) {
        return kind;
    }
    let Ok(t) = history::get(entry, tx_id).await else { return kind };
    match kind {
        // The library reports every output its scanner finds as a detected transaction, the wallet's own
        // change too (restored, rescanned and view-only wallets learn of their spends that way).
        EventKind::Received { .. } if t.direction != "inbound" => EventKind::Sent { tx_id },
        EventKind::Received { .. } => EventKind::Received { tx_id, amount: Some(t.amount), payment_id: t.payment_id },
        EventKind::MinedUnconfirmed { confirmations, .. } => EventKind::MinedUnconfirmed { tx_id, confirmations, mined: t.mined.clone() },
        EventKind::Confirmed { .. } => EventKind::Confirmed { tx_id, mined: t.mined.clone() },
        other => other,
    }
}

/// False for a `minedUnconfirmed` or `confirmed` whose height holds another block on the base node:
/// while the library works through a reorg its history can still name the old block. True when the node
/// agrees, for other events, and when the node cannot say (unreachable, or not that high yet: a node
/// behind the library's is no evidence); the reorg check corrects a mistake later.
async fn on_chain(entry: &WalletEntry, kind: &EventKind) -> bool {
    let (EventKind::MinedUnconfirmed { mined, .. } | EventKind::Confirmed { mined, .. }) = kind else { return true };
    let (Some(height), Some(hash)) = (mined.mined_height, mined.mined_block_hash.as_deref()) else { return true };
    match crate::base_node::block_hash_at(&entry.base_node_urls, height).await {
        Ok(Some(on_node)) => on_node == hash,
        Ok(None) | Err(_) => true,
    }
}

/// How many remembered blocks a reorg check reads at a time.
const REORG_PAGE: usize = 32;

/// Announces `reorged` for each transaction whose announced block is no longer the one the wallet's
/// history has it in and no longer in the base node's chain. Walks from the highest block down and stops
/// at the first still in place, as the library does: a reorg replaces the top of the chain, so the blocks
/// below one that stayed stayed too. Usually one history read; the node is asked only when history
/// differs (the library's view wavers while it works through a reorg; the node's chain decides).
async fn check_reorgs(entry: &WalletEntry, dedupe: &mut Dedupe) {
    let mut offset = 0;
    loop {
        let rows = match entry.event_log.mined_from_top(offset, REORG_PAGE) {
            Ok(rows) if !rows.is_empty() => rows,
            Ok(_) => return,
            Err(e) => return tracing::warn!(handle = entry.handle, error = %e, "cannot read the event log to check for reorgs"),
        };
        let mut reorged = Vec::new();
        let mut kept = 0;
        for row in &rows {
            let t = match history::get(entry, row.tx_id as u64).await {
                Ok(t) => t,
                Err(e) if e.code == ErrorCode::InvalidHandle => return,
                // Gone from the library's history: nothing to compare, and nothing to stop at.
                Err(_) => {
                    kept += 1;
                    continue;
                }
            };
            let old_block_hash = tari_utilities::hex::to_hex(&row.block_hash);
            if t.mined.mined_block_hash.as_deref() == Some(old_block_hash.as_str()) {
                break;
            }
            match crate::base_node::block_hash_at(&entry.base_node_urls, row.height as u64).await {
                // Still in the chain, or the node cannot say: nothing to announce yet.
                Ok(Some(h)) if h == old_block_hash => break,
                Err(_) => break,
                Ok(_) => {}
            }
            reorged.push(EventKind::Reorged { tx_id: t.id, old_height: row.height as u64, old_block_hash, status: t.status });
        }
        let stopped = reorged.len() + kept < rows.len();
        if reorged.is_empty() && stopped {
            return;
        }
        for kind in &reorged {
            if let Some(tx_id) = kind.tx_id() {
                dedupe.forget_mined(tx_id);
            }
        }
        // A reorg the log took is forgotten there; one it could not take must not be read again.
        let n = reorged.len();
        let skipped = if announce_all(entry, reorged, false) { 0 } else { n };
        if stopped {
            return;
        }
        offset += kept + skipped;
    }
}
