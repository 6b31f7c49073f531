//! One event stream per wallet: the library's transaction, output, scanner and base-node streams turned
//! into plain typed events, each distinct state change delivered once.
//!
//! The raw streams repeat themselves (a broadcast ~4 times, mined-unconfirmed ~3 times per confirmation
//! count, detections ~9 times), so the pump remembers the last state it reported per transaction and for
//! balance, connectivity and scanning, and emits only changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use minotari_wallet::base_node_service::handle::BaseNodeEvent;
use minotari_wallet::output_manager_service::handle::OutputManagerEvent;
use minotari_wallet::transaction_service::handle::TransactionEvent;
use minotari_wallet::utxo_scanner_service::handle::UtxoScannerEvent;
use tari_shutdown::ShutdownSignal;
use tokio::sync::broadcast;

use super::lifecycle::WalletEntry;
use super::queries::{self, Balance};

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// An incoming payment was seen.
    Received {
        tx_id: u64,
    },
    /// An outgoing transaction was created and queued for broadcast.
    Sent {
        tx_id: u64,
    },
    Broadcast {
        tx_id: u64,
    },
    MinedUnconfirmed {
        tx_id: u64,
        confirmations: u64,
    },
    Confirmed {
        tx_id: u64,
    },
    Cancelled {
        tx_id: u64,
        reason: String,
    },
    BalanceChanged {
        balance: Balance,
    },
    /// `online`, `degraded` (reachable, not synced) or `offline`, with the base node's latency.
    Connectivity {
        status: &'static str,
        latency_ms: Option<u64>,
        tip_height: Option<u64>,
    },
    ScanProgress {
        current_height: u64,
        tip_height: u64,
    },
    /// `transactions` or `outputs` validation finished.
    Validation {
        target: &'static str,
        success: bool,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received { .. } => "received",
            EventKind::Sent { .. } => "sent",
            EventKind::Broadcast { .. } => "broadcast",
            EventKind::MinedUnconfirmed { .. } => "minedUnconfirmed",
            EventKind::Confirmed { .. } => "confirmed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::BalanceChanged { .. } => "balanceChanged",
            EventKind::Connectivity { .. } => "connectivity",
            EventKind::ScanProgress { .. } => "scanProgress",
            EventKind::Validation { .. } => "validation",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WalletEvent {
    pub wallet_handle: u32,
    pub timestamp_ms: f64,
    pub kind: EventKind,
}

pub const CHANNEL_CAPACITY: usize = 1024;

/// The library reports its base node's state when it hears from it and is silent when it cannot reach
/// it; after this much silence the pump asks the node itself and reports `offline` if nobody answers.
const SILENCE_BEFORE_PROBE: Duration = Duration::from_secs(15);
const WATCHDOG_EVERY: Duration = Duration::from_secs(5);

pub fn channel() -> broadcast::Sender<Arc<WalletEvent>> {
    broadcast::channel(CHANNEL_CAPACITY).0
}

pub(super) fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0)
}

/// How many (transaction, event type) states the dedupe remembers; the oldest go first. Repeats of a state
/// come within seconds of it, so a wallet's recent transactions are all that matter.
pub const MAX_TRACKED: usize = 8192;

/// Remembers what was last reported, so repeats are dropped. Bounded: see `MAX_TRACKED`.
#[derive(Default)]
pub struct Dedupe {
    per_tx: HashMap<(u64, &'static str), u64>,
    order: std::collections::VecDeque<(u64, &'static str)>,
    balance: Option<Balance>,
    connectivity: Option<&'static str>,
    scan: Option<(u64, u64)>,
    validation: HashMap<&'static str, bool>,
}

impl Dedupe {
    /// Records `value` for (tx, type); true when it differs from what was last reported.
    fn changed(&mut self, tx_id: u64, name: &'static str, value: u64) -> bool {
        let key = (tx_id, name);
        match self.per_tx.insert(key, value) {
            Some(old) => old != value,
            None => {
                self.order.push_back(key);
                if self.order.len() > MAX_TRACKED {
                    if let Some(oldest) = self.order.pop_front() {
                        self.per_tx.remove(&oldest);
                    }
                }
                true
            }
        }
    }

    /// How many transaction states are remembered.
    pub fn tracked(&self) -> usize {
        self.per_tx.len()
    }

    /// True when `kind` is news.
    pub fn admit(&mut self, kind: &EventKind) -> bool {
        match kind {
            EventKind::Received { tx_id }
            | EventKind::Sent { tx_id }
            | EventKind::Broadcast { tx_id }
            | EventKind::Confirmed { tx_id }
            | EventKind::Cancelled { tx_id, .. } => self.changed(*tx_id, kind.name(), 0),
            EventKind::MinedUnconfirmed { tx_id, confirmations } => self.changed(*tx_id, kind.name(), *confirmations),
            EventKind::BalanceChanged { balance } => self.balance.replace(*balance) != Some(*balance),
            EventKind::Connectivity { status, .. } => self.connectivity.replace(status) != Some(*status),
            EventKind::ScanProgress { current_height, tip_height } => {
                self.scan.replace((*current_height, *tip_height)) != Some((*current_height, *tip_height))
            }
            // Validation reruns after every scan; report a result when it differs from the last one.
            EventKind::Validation { target, success } => self.validation.insert(target, *success) != Some(*success),
        }
    }
}

/// Library transaction events in the SDK's terms; `None` for internal chatter.
pub fn from_transaction_event(e: &TransactionEvent) -> Vec<EventKind> {
    use TransactionEvent as T;
    match e {
        T::ReceivedTransaction(id) | T::ReceivedFinalizedTransaction(id) | T::TransactionImported(id) => {
            vec![EventKind::Received { tx_id: id.as_u64() }]
        }
        T::TransactionCompletedImmediately(id) => vec![EventKind::Sent { tx_id: id.as_u64() }],
        T::TransactionBroadcast(id) => vec![EventKind::Broadcast { tx_id: id.as_u64() }],
        T::DetectedTransactionUnconfirmed { tx_id, num_confirmations, .. } => vec![
            EventKind::Received { tx_id: tx_id.as_u64() },
            EventKind::MinedUnconfirmed { tx_id: tx_id.as_u64(), confirmations: *num_confirmations },
        ],
        T::TransactionMinedUnconfirmed { tx_id, num_confirmations, .. } => {
            vec![EventKind::MinedUnconfirmed { tx_id: tx_id.as_u64(), confirmations: *num_confirmations }]
        }
        T::DetectedTransactionConfirmed { tx_id, .. } => {
            vec![EventKind::Received { tx_id: tx_id.as_u64() }, EventKind::Confirmed { tx_id: tx_id.as_u64() }]
        }
        T::TransactionMined { tx_id, .. } => vec![EventKind::Confirmed { tx_id: tx_id.as_u64() }],
        T::TransactionCancelled(id, reason, _) => {
            vec![EventKind::Cancelled { tx_id: id.as_u64(), reason: format!("{reason:?}") }]
        }
        T::TransactionValidationCompleted(_) => vec![EventKind::Validation { target: "transactions", success: true }],
        // reason 1 is "already in progress": not a result, just a skipped run.
        T::TransactionValidationFailed(_, reason) if *reason != 1 => {
            vec![EventKind::Validation { target: "transactions", success: false }]
        }
        _ => vec![],
    }
}

fn from_output_event(e: &OutputManagerEvent) -> Option<EventKind> {
    match e {
        OutputManagerEvent::TxoValidationSuccess(_) => Some(EventKind::Validation { target: "outputs", success: true }),
        OutputManagerEvent::TxoValidationInternalFailure(_) | OutputManagerEvent::TxoValidationCommunicationFailure(_) => {
            Some(EventKind::Validation { target: "outputs", success: false })
        }
        OutputManagerEvent::TxoValidationAlreadyBusy(_) => None,
    }
}

/// Runs until the wallet shuts down: reads the library's streams, publishes SDK events on `entry.events`.
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
            publish(&entry, &mut dedupe, kind);
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
        let _ = entry.events.send(Arc::new(WalletEvent { wallet_handle: entry.handle, timestamp_ms: now_ms(), kind }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_dropped_and_changes_kept() {
        let mut d = Dedupe::default();
        let broadcast = EventKind::Broadcast { tx_id: 7 };
        assert!(d.admit(&broadcast));
        for _ in 0..4 {
            assert!(!d.admit(&broadcast));
        }
        let m = |c| EventKind::MinedUnconfirmed { tx_id: 7, confirmations: c };
        assert!(d.admit(&m(1)));
        assert!(!d.admit(&m(1)));
        assert!(d.admit(&m(2)));
        assert!(d.admit(&EventKind::Confirmed { tx_id: 7 }));
        assert!(!d.admit(&EventKind::Confirmed { tx_id: 7 }));
        let b = Balance { available: 5, ..Balance::default() };
        assert!(d.admit(&EventKind::BalanceChanged { balance: b }));
        assert!(!d.admit(&EventKind::BalanceChanged { balance: b }));
    }

    #[test]
    fn the_dedupe_state_is_bounded_and_keeps_the_recent() {
        let mut d = Dedupe::default();
        for tx_id in 0..50_000 {
            assert!(d.admit(&EventKind::Broadcast { tx_id }));
            assert!(d.admit(&EventKind::Confirmed { tx_id }));
        }
        assert_eq!(d.tracked(), MAX_TRACKED);
        assert!(!d.admit(&EventKind::Confirmed { tx_id: 49_999 }), "a recent repeat is still dropped");
    }
}
