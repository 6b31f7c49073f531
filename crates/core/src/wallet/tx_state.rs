//! Where a transaction is: its status and the block it was mined in. Plain types, shared by history and
//! events (and so by the event log), with no tie to a running wallet.

use serde::Serialize;
use tari_common_types::transaction::LegacyTransactionStatus;

/// Where a transaction is: not yet completed (`pendingInbound`, `pendingOutbound`), `cancelled`, or the
/// library's status of a completed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "TransactionStatus")]
pub enum TxStatus {
    PendingInbound,
    PendingOutbound,
    Cancelled,
    /// Completed between the parties, not yet broadcast.
    Completed,
    /// In one or more base node mempools.
    Broadcast,
    /// Mined, with fewer confirmations than required.
    MinedUnconfirmed,
    Imported,
    Pending,
    Coinbase,
    MinedConfirmed,
    /// Refused by the mempool.
    Rejected,
    /// A one-sided payment found by the scanner, mined, not yet confirmed.
    OneSidedUnconfirmed,
    OneSidedConfirmed,
    Queued,
    CoinbaseUnconfirmed,
    CoinbaseConfirmed,
    /// A coinbase whose block is no longer in the chain (reorged out).
    CoinbaseNotInBlockChain,
    /// Mined and confirmed, but its outputs are still time-locked.
    MinedConfirmedLocked,
    OneSidedConfirmedLocked,
    /// A confirmed coinbase that has not matured yet.
    CoinbaseConfirmedLocked,
}

impl TxStatus {
    /// Mined with the wallet's required confirmations (time-locked or not).
    pub fn is_confirmed(self) -> bool {
        matches!(
            self,
            TxStatus::MinedConfirmed
                | TxStatus::OneSidedConfirmed
                | TxStatus::CoinbaseConfirmed
                | TxStatus::MinedConfirmedLocked
                | TxStatus::OneSidedConfirmedLocked
                | TxStatus::CoinbaseConfirmedLocked
        )
    }
}

impl From<LegacyTransactionStatus> for TxStatus {
    fn from(s: LegacyTransactionStatus) -> Self {
        match s {
            LegacyTransactionStatus::Completed => TxStatus::Completed,
            LegacyTransactionStatus::Broadcast => TxStatus::Broadcast,
            LegacyTransactionStatus::MinedUnconfirmed => TxStatus::MinedUnconfirmed,
            LegacyTransactionStatus::Imported => TxStatus::Imported,
            LegacyTransactionStatus::Pending => TxStatus::Pending,
            LegacyTransactionStatus::Coinbase => TxStatus::Coinbase,
            LegacyTransactionStatus::MinedConfirmed => TxStatus::MinedConfirmed,
            LegacyTransactionStatus::Rejected => TxStatus::Rejected,
            LegacyTransactionStatus::OneSidedUnconfirmed => TxStatus::OneSidedUnconfirmed,
            LegacyTransactionStatus::OneSidedConfirmed => TxStatus::OneSidedConfirmed,
            LegacyTransactionStatus::Queued => TxStatus::Queued,
            LegacyTransactionStatus::CoinbaseUnconfirmed => TxStatus::CoinbaseUnconfirmed,
            LegacyTransactionStatus::CoinbaseConfirmed => TxStatus::CoinbaseConfirmed,
            LegacyTransactionStatus::CoinbaseNotInBlockChain => TxStatus::CoinbaseNotInBlockChain,
            LegacyTransactionStatus::MinedConfirmedLocked => TxStatus::MinedConfirmedLocked,
            LegacyTransactionStatus::OneSidedConfirmedLocked => TxStatus::OneSidedConfirmedLocked,
            LegacyTransactionStatus::CoinbaseConfirmedLocked => TxStatus::CoinbaseConfirmedLocked,
        }
    }
}

/// The block a transaction was mined in: in history, and in the `minedUnconfirmed` and `confirmed` events
/// (read from history when the event was made).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MinedIn {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mined_height: Option<u64>,
    /// The hash of the block that holds it, hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mined_block_hash: Option<String>,
}
