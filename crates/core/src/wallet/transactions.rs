//! Payments and history: one-sided sends (plain, stealth, multi-recipient), fee estimates, transaction
//! queries and cancellation.

use minotari_wallet::output_manager_service::error::OutputManagerError;
use minotari_wallet::output_manager_service::UtxoSelectionCriteria;
use minotari_wallet::transaction_service::error::TransactionServiceError;
use minotari_wallet::transaction_service::storage::models::{CompletedTransaction, WalletTransaction};
use serde::Serialize;
use tari_common_types::tari_address::{TariAddress, TariAddressFeatures};
use tari_common_types::transaction::{LegacyTransactionStatus, TransactionDirection, TxId};
use tari_transaction_components::transaction_components::memo_field::TxType;
use tari_transaction_components::transaction_components::{MemoField, OutputFeatures};
use tari_transaction_components::MicroMinotari;

use super::{address, entry::WalletEntry, queries};
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

/// Largest memo the library accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 254;
pub const DEFAULT_FEE_PER_GRAM: u64 = 5;
pub const MAX_FEE_PER_GRAM: u64 = 1_000_000;

pub struct Payment {
    pub to: TariAddress,
    pub amount: u64,
    pub message: String,
}

/// Checks a recipient: parses, same network as the wallet, can receive one-sided payments.
pub fn recipient(entry: &WalletEntry, to: &str) -> SdkResult<TariAddress> {
    let a = address::parse_for(to, entry.network)?;
    if !a.features().contains(TariAddressFeatures::ONE_SIDED) {
        return Err(address::invalid("features", "the address does not accept one-sided payments"));
    }
    Ok(a)
}

pub fn amount(value: u64) -> SdkResult<MicroMinotari> {
    if value == 0 {
        return Err(SdkError::invalid_argument("amount must be above 0 µT"));
    }
    Ok(MicroMinotari::from(value))
}

pub fn fee_per_gram(value: Option<u64>) -> SdkResult<MicroMinotari> {
    let v = value.unwrap_or(DEFAULT_FEE_PER_GRAM);
    if v == 0 || v > MAX_FEE_PER_GRAM {
        return Err(SdkError::invalid_argument(format!("feePerGram must be in 1..={MAX_FEE_PER_GRAM} µT, got {v}")));
    }
    Ok(MicroMinotari::from(v))
}

pub fn memo(message: &str) -> SdkResult<MemoField> {
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(SdkError::invalid_argument(format!(
            "message is {} bytes; at most {MAX_MESSAGE_BYTES} fit in a transaction",
            message.len()
        )));
    }
    if message.is_empty() {
        return Ok(MemoField::new_empty());
    }
    MemoField::new_open_from_string(message, TxType::PaymentToOther).map_err(SdkError::invalid_argument)
}

async fn send_error(entry: &WalletEntry, e: TransactionServiceError) -> SdkError {
    match e {
        TransactionServiceError::OutputManagerError(OutputManagerError::NotEnoughFunds)
        | TransactionServiceError::OutputManagerError(OutputManagerError::FundsPending) => {
            let available = queries::balance(entry).await.map(|b| b.available).unwrap_or(0);
            SdkError::new(ErrorCode::InsufficientFunds, format!("the available balance ({available} µT) cannot cover the amount plus fee"))
                .with("available", Detail::Amount(available))
        }
        TransactionServiceError::InvalidNetwork | TransactionServiceError::InvalidAddress(_) => address::invalid("network", e.to_string()),
        other => SdkError::new(ErrorCode::Wallet, format!("send failed: {other}")),
    }
}

/// Sends one one-sided payment; `stealth` pays to a one-time stealth address. Returns the transaction id.
pub async fn send(entry: &WalletEntry, p: Payment, fee: MicroMinotari, stealth: bool) -> SdkResult<u64> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let memo = memo(&p.message)?;
    let amount = amount(p.amount)?;
    let criteria = UtxoSelectionCriteria::default();
    let features = OutputFeatures::default();
    let result = if stealth {
        ts.send_one_sided_to_stealth_address_transaction(p.to, amount, criteria, features, fee, memo).await
    } else {
        ts.send_one_sided_transaction(p.to, amount, criteria, features, fee, memo).await
    };
    match result {
        Ok(id) => Ok(id.as_u64()),
        Err(e) => Err(send_error(entry, e).await),
    }
}

/// One transaction paying several recipients; one id per recipient.
pub async fn send_many(entry: &WalletEntry, payments: Vec<Payment>, fee: MicroMinotari) -> SdkResult<Vec<u64>> {
    if payments.is_empty() {
        return Err(SdkError::invalid_argument("recipients must not be empty"));
    }
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let mut destinations = Vec::with_capacity(payments.len());
    for p in payments {
        destinations.push((p.to, amount(p.amount)?, memo(&p.message)?));
    }
    match ts
        .send_one_sided_multi_recipient_transaction(destinations, UtxoSelectionCriteria::default(), OutputFeatures::default(), fee)
        .await
    {
        Ok(ids) => Ok(ids.into_iter().map(TxId::as_u64).collect()),
        Err(e) => Err(send_error(entry, e).await),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeEstimate {
    pub fee: u64,
    pub inputs: u64,
    pub needs_change: bool,
}

pub async fn estimate_fee(entry: &WalletEntry, value: u64, fee: MicroMinotari, outputs: usize) -> SdkResult<FeeEstimate> {
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let (fee, inputs, needs_change) = oms
        .fee_estimate(amount(value)?, UtxoSelectionCriteria::default(), fee, 1, outputs)
        .await
        .map_err(|e| SdkError::new(ErrorCode::Wallet, format!("fee estimate failed: {e}")))?;
    Ok(FeeEstimate { fee: fee.as_u64(), inputs: inputs as u64, needs_change })
}

/// Where a transaction is: not yet completed (`pendingInbound`, `pendingOutbound`), `cancelled`, or the
/// library's status of a completed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
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

/// One transaction of the wallet's history.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Transaction")]
pub struct TxSummary {
    /// Decimal string (a u64).
    #[serde(serialize_with = "crate::js_repr::decimal")]
    #[ts(type = "string")]
    pub id: u64,
    pub status: TxStatus,
    #[ts(type = "'inbound' | 'outbound' | 'unknown'")]
    pub direction: &'static str,
    /// µT.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub amount: u64,
    /// µT; 0 for incoming.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mined_height: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confirmations: Option<u64>,
    /// Milliseconds since the epoch.
    #[serde(rename = "timestamp")]
    pub timestamp_ms: i64,
    pub message: String,
    /// The other party's address, base58, when the wallet knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub counterparty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cancel_reason: Option<String>,
}

/// A library enum's `Debug` name in camelCase (`MinedConfirmed` → `minedConfirmed`).
pub(crate) fn camel(debug: String) -> String {
    let mut c = debug.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

fn memo_text(m: &MemoField) -> String {
    m.payment_id_as_string()
}

pub fn summarize(tx: WalletTransaction, tip: Option<u64>) -> TxSummary {
    match tx {
        WalletTransaction::PendingInbound(t) => TxSummary {
            id: t.tx_id.as_u64(),
            status: if t.cancelled { TxStatus::Cancelled } else { TxStatus::PendingInbound },
            direction: "inbound",
            amount: t.amount.as_u64(),
            fee: 0,
            mined_height: None,
            confirmations: None,
            timestamp_ms: t.timestamp.timestamp_millis(),
            message: memo_text(&t.payment_id),
            counterparty: Some(t.source_address.to_base58()),
            cancel_reason: None,
        },
        WalletTransaction::PendingOutbound(t) => TxSummary {
            id: t.tx_id.as_u64(),
            status: if t.cancelled { TxStatus::Cancelled } else { TxStatus::PendingOutbound },
            direction: "outbound",
            amount: t.amount.as_u64(),
            fee: t.fee.as_u64(),
            mined_height: None,
            confirmations: None,
            timestamp_ms: t.timestamp.timestamp_millis(),
            message: memo_text(&t.payment_id),
            counterparty: Some(t.destination_address.to_base58()),
            cancel_reason: None,
        },
        WalletTransaction::Completed(t) => completed(t, tip),
    }
}

fn completed(t: CompletedTransaction, tip: Option<u64>) -> TxSummary {
    let direction = match t.direction {
        TransactionDirection::Inbound => "inbound",
        TransactionDirection::Outbound => "outbound",
        _ => "unknown",
    };
    let counterparty = match t.direction {
        TransactionDirection::Inbound => &t.source_address,
        _ => &t.destination_address,
    };
    TxSummary {
        id: t.tx_id.as_u64(),
        status: if t.cancelled.is_some() { TxStatus::Cancelled } else { t.status.into() },
        direction,
        amount: t.amount.as_u64(),
        fee: t.fee.as_u64(),
        mined_height: t.mined_height,
        confirmations: match (t.mined_height, tip) {
            (Some(h), Some(tip)) if tip >= h => Some(tip - h + 1),
            (Some(_), _) => Some(0),
            _ => None,
        },
        timestamp_ms: t.timestamp.timestamp_millis(),
        message: memo_text(&t.payment_id),
        counterparty: Some(counterparty.to_base58()),
        cancel_reason: t.cancelled.map(|r| camel(format!("{r:?}"))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryKind {
    Completed,
    PendingInbound,
    PendingOutbound,
    Cancelled,
}

pub(crate) fn tx_error(e: TransactionServiceError) -> SdkError {
    SdkError::new(ErrorCode::Wallet, format!("cannot read transactions: {e}"))
}

/// Newest first, then `offset`/`limit`.
pub async fn history(entry: &WalletEntry, kind: HistoryKind, offset: usize, limit: usize) -> SdkResult<Vec<TxSummary>> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let tip = entry.tip_height();
    let mut all: Vec<TxSummary> = match kind {
        HistoryKind::Completed => ts
            .get_completed_transactions(None, None, None, 0)
            .await
            .map_err(tx_error)?
            .into_iter()
            .filter(|t| t.cancelled.is_none())
            .map(|t| completed(t, tip))
            .collect(),
        HistoryKind::Cancelled => {
            ts.get_cancelled_completed_transactions(0).await.map_err(tx_error)?.into_iter().map(|t| completed(t, tip)).collect()
        }
        HistoryKind::PendingInbound => ts
            .get_pending_inbound_transactions()
            .await
            .map_err(tx_error)?
            .into_iter()
            .map(|t| summarize(WalletTransaction::PendingInbound(t), tip))
            .collect(),
        HistoryKind::PendingOutbound => ts
            .get_pending_outbound_transactions()
            .await
            .map_err(tx_error)?
            .into_iter()
            .map(|t| summarize(WalletTransaction::PendingOutbound(t), tip))
            .collect(),
    };
    all.sort_by(|a, b| b.timestamp_ms.cmp(&a.timestamp_ms).then(b.id.cmp(&a.id)));
    Ok(all.into_iter().skip(offset).take(limit).collect())
}

pub async fn get(entry: &WalletEntry, id: u64) -> SdkResult<TxSummary> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    match ts.get_any_transaction(TxId::from(id)).await.map_err(tx_error)? {
        Some(t) => Ok(summarize(t, entry.tip_height())),
        None => Err(SdkError::new(ErrorCode::TransactionNotFound, format!("no transaction {id} in this wallet"))),
    }
}

/// Cancels a transaction that is not mined yet; its inputs become spendable again.
pub async fn cancel(entry: &WalletEntry, id: u64) -> SdkResult<()> {
    let current = get(entry, id).await?;
    if current.status == TxStatus::Cancelled {
        return Ok(());
    }
    if current.mined_height.is_some() {
        return Err(SdkError::new(
            ErrorCode::NotCancellable,
            format!("transaction {id} is already mined at height {}; it cannot be cancelled", current.mined_height.unwrap_or(0)),
        ));
    }
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let result = if matches!(current.status, TxStatus::PendingOutbound | TxStatus::PendingInbound) {
        ts.cancel_pending_transaction(TxId::from(id)).await
    } else {
        ts.cancel_completed_transaction(TxId::from(id)).await
    };
    result.map_err(|e| SdkError::new(ErrorCode::NotCancellable, format!("transaction {id} cannot be cancelled: {e}")))
}
