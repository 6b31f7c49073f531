//! One event stream per wallet: the library's transaction, output, scanner and base-node streams turned
//! into plain typed events, each distinct state change delivered once.
//!
//! The raw streams repeat themselves (a broadcast ~4 times, mined-unconfirmed ~3 times per confirmation
//! count, detections ~9 times), so the pump remembers the last state it reported per transaction and for
//! balance, connectivity and scanning, and emits only changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use minotari_wallet::output_manager_service::handle::OutputManagerEvent;
use minotari_wallet::transaction_service::handle::TransactionEvent;
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use super::address::PaymentId;
use super::balance::Balance;
pub use super::tx_state::MinedIn;
use super::tx_state::TxStatus;

/// What happened; `type` names it, and each type carries only its own fields. Transaction ids are decimal
/// strings (they exceed 2^53).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EventKind {
    /// An incoming payment was seen, with its amount and payment id (see `Transaction`) when the wallet
    /// could read them.
    Received {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
        #[serde(skip_serializing_if = "Option::is_none", serialize_with = "crate::js_repr::bigint_opt")]
        #[ts(type = "bigint", optional)]
        amount: Option<u64>,
        #[serde(flatten)]
        #[ts(flatten)]
        payment_id: PaymentId,
    },
    /// An outgoing transaction was created and queued for broadcast; or, in a wallet that learns of its
    /// spends by scanning the chain (restored, rescanned or view-only), one of them was found there.
    Sent {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
    },
    /// A transaction reached the base node's mempool.
    Broadcast {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
    },
    /// Mined, with fewer confirmations than required; one event per new confirmation count.
    MinedUnconfirmed {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
        confirmations: u64,
        #[serde(flatten)]
        #[ts(flatten)]
        mined: MinedIn,
    },
    /// Mined with the required confirmations.
    Confirmed {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
        #[serde(flatten)]
        #[ts(flatten)]
        mined: MinedIn,
    },
    /// The block this transaction was announced in (by `minedUnconfirmed` or `confirmed`) left the chain:
    /// the transaction is unmined again (`status`), or mined in another block. Its balance and PayRefs
    /// follow the chain; once it is mined again, `minedUnconfirmed` and `confirmed` are announced again.
    /// Undo whatever you did on the old `confirmed`.
    Reorged {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
        old_height: u64,
        /// Hex.
        old_block_hash: String,
        /// The transaction's status when the reorg was seen.
        status: TxStatus,
    },
    Cancelled {
        #[serde(serialize_with = "crate::js_repr::decimal")]
        #[ts(type = "string")]
        tx_id: u64,
        reason: String,
    },
    BalanceChanged {
        balance: Balance,
    },
    /// `online`, `degraded` (reachable, not synced) or `offline`, with the base node's latency.
    Connectivity {
        #[ts(type = "'online' | 'degraded' | 'offline'")]
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
        #[ts(type = "'transactions' | 'outputs'")]
        target: &'static str,
        success: bool,
    },
    /// Made by the delivery to one listener, not by the wallet: that listener fell more than 1024 events
    /// behind (a slow listener or a blocked JS thread), and this many of the oldest were dropped.
    Lagged {
        dropped: u64,
    },
}

impl EventKind {
    /// `received` as the library reports it: the id only; the pump adds the rest from history.
    pub fn received(tx_id: u64) -> Self {
        EventKind::Received { tx_id, amount: None, payment_id: PaymentId::default() }
    }

    /// `minedUnconfirmed` as the library reports it; the pump adds the block from history.
    pub fn mined_unconfirmed(tx_id: u64, confirmations: u64) -> Self {
        EventKind::MinedUnconfirmed { tx_id, confirmations, mined: MinedIn::default() }
    }

    /// `confirmed` as the library reports it; the pump adds the block from history.
    pub fn confirmed(tx_id: u64) -> Self {
        EventKind::Confirmed { tx_id, mined: MinedIn::default() }
    }

    /// The transaction a money event is about.
    pub fn tx_id(&self) -> Option<u64> {
        match self {
            EventKind::Received { tx_id, .. }
            | EventKind::Sent { tx_id }
            | EventKind::Broadcast { tx_id }
            | EventKind::MinedUnconfirmed { tx_id, .. }
            | EventKind::Confirmed { tx_id, .. }
            | EventKind::Cancelled { tx_id, .. }
            | EventKind::Reorged { tx_id, .. } => Some(*tx_id),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received { .. } => "received",
            EventKind::Sent { .. } => "sent",
            EventKind::Broadcast { .. } => "broadcast",
            EventKind::MinedUnconfirmed { .. } => "minedUnconfirmed",
            EventKind::Confirmed { .. } => "confirmed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::Reorged { .. } => "reorged",
            EventKind::BalanceChanged { .. } => "balanceChanged",
            EventKind::Connectivity { .. } => "connectivity",
            EventKind::ScanProgress { .. } => "scanProgress",
            EventKind::Validation { .. } => "validation",
            EventKind::Lagged { .. } => "lagged",
        }
    }
}

/// An event of one wallet. `Wallet#on(type)` narrows it by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WalletEvent {
    pub wallet_handle: u32,
    /// The event's number in the wallet's durable log (`getEvents`, `ackEvents`): money events only
    /// (`received`, `sent`, `broadcast`, `minedUnconfirmed`, `confirmed`, `cancelled`, `reorged`). Increasing, never
    /// reused, survives restarts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub seq: Option<u64>,
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "timestamp")]
    pub timestamp_ms: f64,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl WalletEvent {
    /// The event a listener gets in place of the `dropped` events it fell behind on.
    pub fn lagged(wallet_handle: u32, dropped: u64) -> Self {
        Self::live(wallet_handle, EventKind::Lagged { dropped })
    }

    /// An event happening now that the log does not keep.
    pub fn live(wallet_handle: u32, kind: EventKind) -> Self {
        WalletEvent { wallet_handle, seq: None, timestamp_ms: now_ms(), kind }
    }
}

pub const CHANNEL_CAPACITY: usize = 1024;

pub fn channel() -> broadcast::Sender<Arc<WalletEvent>> {
    broadcast::channel(CHANNEL_CAPACITY).0
}

pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0)
}

/// How many (transaction, event type) states the dedupe remembers; the oldest go first. Repeats of a state
/// come within seconds of it, so a wallet's recent transactions are all that matter. This is a cache, not
/// the guarantee: a money event is delivered only if the event log records it as new (`event_log`), so a
/// repeat of a forgotten state costs a history look-up and a SQLite transaction, never a second event.
/// At 8,192 the states of a busy wallet filled it for hours (~0.9 MiB each), which the soak saw as heap
/// growth; 1,024 is ~110 KiB, full within minutes of opening (`reconcile` admits the newest history).
pub const MAX_TRACKED: usize = 1024;

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

    /// Forgets that `tx_id` was mined, so its `minedUnconfirmed` and `confirmed` are news again: it was
    /// reorged out.
    pub fn forget_mined(&mut self, tx_id: u64) {
        self.per_tx.remove(&(tx_id, "minedUnconfirmed"));
        self.per_tx.remove(&(tx_id, "confirmed"));
    }

    /// How many transaction states are remembered.
    pub fn tracked(&self) -> usize {
        self.per_tx.len()
    }

    /// True when `kind` is news.
    pub fn admit(&mut self, kind: &EventKind) -> bool {
        match kind {
            EventKind::Received { tx_id, .. }
            | EventKind::Sent { tx_id }
            | EventKind::Broadcast { tx_id }
            | EventKind::Confirmed { tx_id, .. }
            | EventKind::Cancelled { tx_id, .. } => self.changed(*tx_id, kind.name(), 0),
            EventKind::MinedUnconfirmed { tx_id, confirmations, .. } => self.changed(*tx_id, kind.name(), *confirmations),
            // The event log admits a reorg once: it forgets the block in the same SQLite transaction.
            EventKind::Reorged { .. } => true,
            EventKind::BalanceChanged { balance } => self.balance.replace(*balance) != Some(*balance),
            EventKind::Connectivity { status, .. } => self.connectivity.replace(status) != Some(*status),
            EventKind::ScanProgress { current_height, tip_height } => {
                self.scan.replace((*current_height, *tip_height)) != Some((*current_height, *tip_height))
            }
            // Validation reruns after every scan; report a result when it differs from the last one.
            EventKind::Validation { target, success } => self.validation.insert(target, *success) != Some(*success),
            EventKind::Lagged { .. } => true,
        }
    }
}

/// Library transaction events in the SDK's terms; `None` for internal chatter.
pub fn from_transaction_event(e: &TransactionEvent) -> Vec<EventKind> {
    use TransactionEvent as T;
    match e {
        T::ReceivedTransaction(id) | T::ReceivedFinalizedTransaction(id) | T::TransactionImported(id) => {
            vec![EventKind::received(id.as_u64())]
        }
        T::TransactionCompletedImmediately(id) => vec![EventKind::Sent { tx_id: id.as_u64() }],
        T::TransactionBroadcast(id) => vec![EventKind::Broadcast { tx_id: id.as_u64() }],
        T::DetectedTransactionUnconfirmed { tx_id, num_confirmations, .. } => {
            vec![EventKind::received(tx_id.as_u64()), EventKind::mined_unconfirmed(tx_id.as_u64(), *num_confirmations)]
        }
        T::TransactionMinedUnconfirmed { tx_id, num_confirmations, .. } => {
            vec![EventKind::mined_unconfirmed(tx_id.as_u64(), *num_confirmations)]
        }
        T::DetectedTransactionConfirmed { tx_id, .. } => {
            vec![EventKind::received(tx_id.as_u64()), EventKind::confirmed(tx_id.as_u64())]
        }
        T::TransactionMined { tx_id, .. } => vec![EventKind::confirmed(tx_id.as_u64())],
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

pub(super) fn from_output_event(e: &OutputManagerEvent) -> Option<EventKind> {
    match e {
        OutputManagerEvent::TxoValidationSuccess(_) => Some(EventKind::Validation { target: "outputs", success: true }),
        OutputManagerEvent::TxoValidationInternalFailure(_) | OutputManagerEvent::TxoValidationCommunicationFailure(_) => {
            Some(EventKind::Validation { target: "outputs", success: false })
        }
        OutputManagerEvent::TxoValidationAlreadyBusy(_) => None,
    }
}

/// Runs until the wallet shuts down: reads the library's streams, publishes SDK events on `entry.events`.
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
        let m = |c| EventKind::mined_unconfirmed(7, c);
        assert!(d.admit(&m(1)));
        assert!(!d.admit(&m(1)));
        assert!(d.admit(&m(2)));
        assert!(d.admit(&EventKind::confirmed(7)));
        assert!(!d.admit(&EventKind::confirmed(7)));
        d.forget_mined(7);
        assert!(d.admit(&m(1)), "after a reorg the same count is news again");
        assert!(d.admit(&EventKind::confirmed(7)));
        let b = Balance { available: 5, ..Balance::default() };
        assert!(d.admit(&EventKind::BalanceChanged { balance: b }));
        assert!(!d.admit(&EventKind::BalanceChanged { balance: b }));
    }

    #[test]
    fn the_dedupe_state_is_bounded_and_keeps_the_recent() {
        let mut d = Dedupe::default();
        for tx_id in 0..5_000 {
            assert!(d.admit(&EventKind::Broadcast { tx_id }));
            assert!(d.admit(&EventKind::confirmed(tx_id)));
        }
        assert_eq!(d.tracked(), MAX_TRACKED);
        assert!(!d.admit(&EventKind::confirmed(4_999)), "a recent repeat is still dropped");
        assert!(d.admit(&EventKind::confirmed(0)), "an old one is forgotten: the event log drops it instead");
    }
}
