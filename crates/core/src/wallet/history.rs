//! Transaction history as callers read it: statuses, one summary shape for every kind of transaction
//! (with its payment id, PayRefs and kernel), filtered listings, and lookups by id and by PayRef.

use minotari_wallet::transaction_service::error::TransactionServiceError;
use minotari_wallet::transaction_service::storage::models::{CompletedTransaction, WalletTransaction};
use serde::Serialize;
use tari_common_types::transaction::{TransactionDirection, TxId};
use tari_common_types::types::FixedHash;
use tari_transaction_components::transaction_components::memo_field::TxType;
use tari_transaction_components::transaction_components::MemoField;
use tari_utilities::hex::Hex;

use super::address::PaymentId;
use super::entry::WalletEntry;
use super::paging;
use super::read_cache::{Listing, KEPT_ROWS};
pub use super::tx_state::{MinedIn, TxStatus};
use crate::error::{ErrorCode, SdkError, SdkResult};

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
    /// `self` is a coin split or join: the wallet paid itself, and only the fee left it.
    #[ts(type = "'inbound' | 'outbound' | 'self' | 'unknown'")]
    pub direction: &'static str,
    /// µT. For `self`, the value moved.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub amount: u64,
    /// This entry's share of the transaction's fee, µT; 0 for incoming. A `sendMany` or `payout`
    /// transaction has one entry per recipient, and their shares add up to the fee it paid, so over a
    /// wallet's history: received − (amount + fee of every outbound entry) − fee of every `self` entry =
    /// the balance.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee: u64,
    /// The whole fee of the transaction this entry belongs to, µT (the entries of one transaction share
    /// its `kernelExcess`).
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub transaction_fee: u64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub mined: MinedIn,
    /// Blocks mined on top of its block (0 in the tip block), as the library counts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confirmations: Option<u64>,
    /// Milliseconds since the epoch.
    #[serde(rename = "timestamp")]
    pub timestamp_ms: i64,
    /// The memo as text. In Tari the memo and the payment id are one field, so this is the payment id as
    /// the console wallet shows it.
    pub message: String,
    /// The payment id (the memo's user data): what an exchange credits a deposit on. A payment to an
    /// address that carries a payment id carries that id.
    #[serde(flatten)]
    #[ts(flatten)]
    pub payment_id: PaymentId,
    /// The other party's address, base58, when the wallet knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub counterparty: Option<String>,
    /// The sender's address as the sender wrote it into the memo, base58. Anyone can write any address
    /// there: show it, never credit on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub claimed_sender_address: Option<String>,
    /// Payment references (PayRefs, hex) of its outputs, once it is confirmed. A PayRef names an output
    /// in a block, so it changes if that block is reorged.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub payment_references: Option<PaymentReferences>,
    /// The kernel's excess (a public key), hex, when the wallet holds the transaction's kernel.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kernel_excess: Option<String>,
    /// The kernel's signature: public nonce then scalar, 128 hex characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kernel_signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cancel_reason: Option<String>,
}

/// A transaction's PayRefs, hex, by the role of the output.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReferences {
    /// Outputs it paid to others.
    pub sent: Vec<String>,
    /// Outputs it paid to this wallet.
    pub received: Vec<String>,
    /// Its change outputs.
    pub change: Vec<String>,
}

/// A library enum's `Debug` name in camelCase (`MinedConfirmed` → `minedConfirmed`).
pub(crate) fn camel(debug: String) -> String {
    let mut c = debug.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

/// A summary with the fields every kind of transaction has; `completed` adds the chain's.
fn base(id: TxId, status: TxStatus, direction: &'static str, amount: u64, fee: u64, timestamp_ms: i64, memo: &MemoField) -> TxSummary {
    TxSummary {
        id: id.as_u64(),
        status,
        direction,
        amount,
        fee,
        transaction_fee: fee,
        mined: MinedIn::default(),
        confirmations: None,
        timestamp_ms,
        message: memo.payment_id_as_string(),
        payment_id: PaymentId::of(&memo.payment_id_as_bytes()),
        counterparty: None,
        claimed_sender_address: memo.claimed_sender_address().map(|a| a.to_base58()),
        payment_references: None,
        kernel_excess: None,
        kernel_signature: None,
        cancel_reason: None,
    }
}

pub fn summarize(tx: WalletTransaction, tip: Option<u64>) -> TxSummary {
    match tx {
        WalletTransaction::PendingInbound(t) => {
            let status = if t.cancelled { TxStatus::Cancelled } else { TxStatus::PendingInbound };
            let ms = t.timestamp.timestamp_millis();
            TxSummary {
                counterparty: Some(t.source_address.to_base58()),
                ..base(t.tx_id, status, "inbound", t.amount.as_u64(), 0, ms, &t.payment_id)
            }
        }
        WalletTransaction::PendingOutbound(t) => {
            let status = if t.cancelled { TxStatus::Cancelled } else { TxStatus::PendingOutbound };
            let ms = t.timestamp.timestamp_millis();
            TxSummary {
                counterparty: Some(t.destination_address.to_base58()),
                ..base(t.tx_id, status, "outbound", t.amount.as_u64(), t.fee.as_u64(), ms, &t.payment_id)
            }
        }
        WalletTransaction::Completed(t) => completed(t, tip, &mut FeeShares::default()),
    }
}

/// Splits the fee of a transaction that pays several recipients (`sendMany`, `payout`) over their entries.
/// The library stores one entry per recipient, each with the whole fee. Each entry gets `fee / n`, and the
/// entry whose output hash sorts first also gets the remainder, so the shares add up to the fee. The
/// recipients' output hashes are the transaction's outputs less its change; they are hashed once per
/// transaction and kept here for the rest of a listing.
#[derive(Default)]
struct FeeShares(std::collections::HashMap<String, Vec<FixedHash>>);

impl FeeShares {
    fn share(&mut self, t: &CompletedTransaction) -> u64 {
        let fee = t.fee.as_u64();
        let body = &t.transaction.body;
        let ([mine], Some(kernel)) = (t.sent_output_hashes.as_slice(), body.kernels().first()) else { return fee };
        if body.outputs().len() <= t.change_output_hashes.len() + 1 {
            return fee;
        }
        let recipients = self.0.entry(kernel.excess.to_hex()).or_insert_with(|| {
            let mut all: Vec<FixedHash> = body.outputs().iter().map(|o| o.hash()).filter(|h| !t.change_output_hashes.contains(h)).collect();
            all.sort();
            all
        });
        let n = recipients.len() as u64;
        match recipients.binary_search(mine) {
            Ok(rank) => fee / n + if rank == 0 { fee % n } else { 0 },
            // Not one of the outputs: the entry is not what the library writes for a multi-recipient payment.
            Err(_) => fee,
        }
    }
}

fn hex_all(refs: Vec<FixedHash>) -> Vec<String> {
    refs.iter().map(|r| r.to_hex()).collect()
}

fn completed(t: CompletedTransaction, tip: Option<u64>, shares: &mut FeeShares) -> TxSummary {
    // The library files a coin split or join as inbound, with the value moved as its amount.
    let to_self = matches!(t.payment_id.get_type(), TxType::CoinSplit | TxType::CoinJoin);
    let direction = match t.direction {
        _ if to_self => "self",
        TransactionDirection::Inbound => "inbound",
        TransactionDirection::Outbound => "outbound",
        _ => "unknown",
    };
    let fee = shares.share(&t);
    let counterparty = match t.direction {
        TransactionDirection::Inbound => &t.source_address,
        _ => &t.destination_address,
    };
    let status = if t.cancelled.is_some() { TxStatus::Cancelled } else { t.status.into() };
    let refs = PaymentReferences {
        sent: hex_all(t.calculate_sent_payment_references()),
        received: hex_all(t.calculate_received_payment_references()),
        change: hex_all(t.calculate_change_payment_references()),
    };
    let kernel = t.transaction.body.kernels().first();
    let sig = &t.transaction_signature;
    let signed = sig.get_signature() != &Default::default();
    TxSummary {
        mined: MinedIn { mined_height: t.mined_height, mined_block_hash: t.mined_in_block.map(|h| h.to_hex()) },
        confirmations: match (t.mined_height, tip) {
            // Blocks on top of its own, as the library counts (`tip - mined_height`) when it decides `confirmed`.
            (Some(h), Some(tip)) if tip >= h => Some(tip - h),
            (Some(_), _) => Some(0),
            _ => None,
        },
        counterparty: Some(counterparty.to_base58()),
        payment_references: (!(refs.sent.is_empty() && refs.received.is_empty() && refs.change.is_empty())).then_some(refs),
        kernel_excess: kernel.map(|k| k.excess.to_hex()),
        kernel_signature: signed.then(|| format!("{}{}", sig.get_compressed_public_nonce().to_hex(), sig.get_signature().to_hex())),
        cancel_reason: t.cancelled.map(|r| camel(format!("{r:?}"))),
        transaction_fee: t.fee.as_u64(),
        ..base(t.tx_id, status, direction, t.amount.as_u64(), fee, t.timestamp.timestamp_millis(), &t.payment_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryKind {
    #[default]
    Completed,
    PendingInbound,
    PendingOutbound,
    Cancelled,
}

/// What `getTransactions` lists: one kind, optionally narrowed, newest first, then `offset`/`limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub kind: HistoryKind,
    pub offset: usize,
    pub limit: usize,
    /// Only transactions whose payment id is exactly these bytes (the library filters in SQL).
    pub payment_id: Option<Vec<u8>>,
    /// Only transactions mined at or above / at or below these heights (so never an unmined one).
    pub min_height: Option<u64>,
    pub max_height: Option<u64>,
    /// Only `inbound` or only `outbound` ones.
    pub direction: Option<&'static str>,
}

impl Default for HistoryQuery {
    fn default() -> Self {
        Self { kind: HistoryKind::Completed, offset: 0, limit: 100, payment_id: None, min_height: None, max_height: None, direction: None }
    }
}

impl HistoryQuery {
    /// The narrowing as a predicate; the payment id is hex-encoded once, not per transaction.
    fn filter(&self) -> impl Fn(&TxSummary) -> bool + '_ {
        let wanted = self.payment_id.as_ref().map(|id| id.to_hex());
        move |t| {
            let in_range = match (self.min_height, self.max_height) {
                (None, None) => true,
                (min, max) => t.mined.mined_height.is_some_and(|h| min.is_none_or(|m| h >= m) && max.is_none_or(|m| h <= m)),
            };
            let id_matches = wanted.as_ref().is_none_or(|w| t.payment_id.hex.as_ref() == Some(w));
            in_range && id_matches && self.direction.is_none_or(|d| t.direction == d)
        }
    }

    /// Whether `filter` can drop rows other than by payment id (which the library narrows in SQL).
    fn narrowed(&self) -> bool {
        self.min_height.is_some() || self.max_height.is_some() || self.direction.is_some()
    }

    #[cfg(test)]
    fn keeps(&self, t: &TxSummary) -> bool {
        self.filter()(t)
    }
}

pub(crate) fn tx_error(e: TransactionServiceError) -> SdkError {
    SdkError::new(ErrorCode::Wallet, format!("cannot read transactions: {e}"))
}

/// A page of history. A read whose library service stopped under it reports the close
/// (`ERR_INVALID_HANDLE`), whichever listing it read.
pub async fn history(entry: &WalletEntry, q: &HistoryQuery) -> SdkResult<Vec<TxSummary>> {
    read_history(entry, q).await.map_err(|e| entry.unless_closed(e))
}

async fn read_history(entry: &WalletEntry, q: &HistoryQuery) -> SdkResult<Vec<TxSummary>> {
    let (tip, keep) = (entry.tip_height(), q.filter());
    let page = |all: &[TxSummary]| all.iter().filter(|t| keep(t)).skip(q.offset).take(q.limit).cloned().collect();
    // The library narrows by payment id in SQL, so that listing is read as asked, not kept.
    if q.payment_id.is_some() {
        return Ok(page(&listing(entry, q.kind, q.payment_id.clone(), tip).await?));
    }
    let kept = match q.kind {
        HistoryKind::Completed => Listing::Completed,
        HistoryKind::Cancelled => Listing::Cancelled,
        HistoryKind::PendingInbound => Listing::PendingInbound,
        HistoryKind::PendingOutbound => Listing::PendingOutbound,
    };
    let narrowed = q.narrowed();
    if let Some(rows) = entry.reads.listing::<TxSummary>(kept, tip).and_then(|head| head.page(q.offset, q.limit, narrowed, &keep)) {
        return Ok(rows);
    }
    let seen = entry.reads.generation();
    if q.kind != HistoryKind::Completed {
        let all = listing(entry, q.kind, None, tip).await?;
        entry.reads.keep_listing(kept, seen, tip, &all, true);
        return Ok(page(&all));
    }
    // Completed transactions are read newest first, only as far as the page (or the kept head) reaches.
    let want = q.offset.saturating_add(q.limit);
    let not_cancelled = |t: &TxSummary| t.status != TxStatus::Cancelled;
    if narrowed {
        let (rows, _) = newest_completed(entry, tip, want, |t| not_cancelled(t) && keep(t)).await?;
        return Ok(page(&rows));
    }
    let (rows, whole) = newest_completed(entry, tip, want.max(KEPT_ROWS), not_cancelled).await?;
    entry.reads.keep_listing(kept, seen, tip, &rows, whole);
    Ok(page(&rows))
}

/// Newest first, then highest id.
impl paging::Row for TxSummary {
    type Id = u64;
    fn id(&self) -> u64 {
        self.id
    }
    fn rank(&self) -> i64 {
        self.timestamp_ms
    }
    fn tie(&self, other: &Self) -> std::cmp::Ordering {
        other.id.cmp(&self.id)
    }
}

/// At least `want` completed transactions that `keep` keeps, newest first (fewer if the wallet has fewer),
/// and whether they are all it has; read a chunk at a time (`paging`), not the whole history.
async fn newest_completed(
    entry: &WalletEntry,
    tip: Option<u64>,
    want: usize,
    keep: impl Fn(&TxSummary) -> bool,
) -> SdkResult<(Vec<TxSummary>, bool)> {
    let ts = entry.with(|w| w.transaction_service.clone())?;
    let read = |offset: usize, limit: usize| {
        let mut ts = ts.clone();
        async move {
            let chunk = ts.get_completed_transactions_paginated(offset as u64, limit as u64, None).await.map_err(tx_error)?;
            let shares = &mut FeeShares::default();
            Ok(chunk.into_iter().map(|t| completed(t, tip, shares)).collect())
        }
    };
    paging::first(read, want, keep).await
}

/// Every completed transaction, cancelled ones included, that `keep` keeps, newest first. Read a chunk at a
/// time, so only the kept ones are held however long the history is (the event pump's walk on open).
pub async fn completed_where(entry: &WalletEntry, keep: impl Fn(&TxSummary) -> bool) -> SdkResult<Vec<TxSummary>> {
    let (rows, _) = newest_completed(entry, entry.tip_height(), usize::MAX, keep).await.map_err(|e| entry.unless_closed(e))?;
    Ok(rows)
}

/// Every transaction of `kind` the library has (with this payment id), newest first.
async fn listing(entry: &WalletEntry, kind: HistoryKind, payment_id: Option<Vec<u8>>, tip: Option<u64>) -> SdkResult<Vec<TxSummary>> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let shares = &mut FeeShares::default();
    let mut all: Vec<TxSummary> = match kind {
        HistoryKind::Completed => ts
            .get_completed_transactions(payment_id, None, None, 0)
            .await
            .map_err(tx_error)?
            .into_iter()
            .filter(|t| t.cancelled.is_none())
            .map(|t| completed(t, tip, shares))
            .collect(),
        HistoryKind::Cancelled => {
            ts.get_cancelled_completed_transactions(0).await.map_err(tx_error)?.into_iter().map(|t| completed(t, tip, shares)).collect()
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
    Ok(all)
}

pub async fn get(entry: &WalletEntry, id: u64) -> SdkResult<TxSummary> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    match ts.get_any_transaction(TxId::from(id)).await.map_err(tx_error)? {
        Some(t) => Ok(summarize(t, entry.tip_height())),
        None => Err(SdkError::new(ErrorCode::TransactionNotFound, format!("no transaction {id} in this wallet"))),
    }
}

/// `get` for several ids at once, sharing the work of splitting fees; `None` for an id the wallet lacks.
/// The look-ups are sent to the transaction service together: it answers its requests in order, so one at
/// a time each would wait behind whatever the service queued meanwhile (a payout's next batch).
pub async fn get_many(entry: &WalletEntry, ids: &[u64]) -> SdkResult<Vec<Option<TxSummary>>> {
    let ts = entry.with(|w| w.transaction_service.clone())?;
    let found = futures::future::try_join_all(ids.iter().map(|&id| {
        let mut ts = ts.clone();
        async move { ts.get_any_transaction(TxId::from(id)).await.map_err(tx_error) }
    }))
    .await?;
    let (tip, shares) = (entry.tip_height(), &mut FeeShares::default());
    Ok(found
        .into_iter()
        .map(|t| {
            t.map(|t| match t {
                WalletTransaction::Completed(c) => completed(c, tip, shares),
                other => summarize(other, tip),
            })
        })
        .collect())
}

/// A PayRef: 64 hex characters.
pub fn payref(text: &str) -> SdkResult<FixedHash> {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SdkError::invalid_argument("a PayRef is 64 hex characters"));
    }
    FixedHash::from_hex(t).map_err(|_| SdkError::invalid_argument("a PayRef is 64 hex characters"))
}

/// The transaction that holds the output named by `payref` (sent, received or change), from the wallet's
/// own history. `ERR_TRANSACTION_NOT_FOUND` when no output of this wallet has it, for example before the
/// transaction is confirmed, or after a reorg moved the output to another block (its PayRef then changed).
pub async fn by_payref(entry: &WalletEntry, payref: FixedHash) -> SdkResult<TxSummary> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    match ts.get_transaction_by_payref(payref).await {
        Ok(t) => Ok(completed(t, entry.tip_height(), &mut FeeShares::default())),
        Err(TransactionServiceError::TransactionStorageError(_)) => {
            Err(SdkError::new(ErrorCode::TransactionNotFound, format!("no transaction of this wallet has PayRef {}", payref.to_hex())))
        }
        Err(e) => Err(tx_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(height: Option<u64>, direction: &'static str, payment_id: Option<&str>) -> TxSummary {
        let memo = MemoField::new_empty();
        TxSummary {
            mined: MinedIn { mined_height: height, mined_block_hash: None },
            payment_id: PaymentId::of(payment_id.unwrap_or_default().as_bytes()),
            ..base(TxId::from(1u64), TxStatus::MinedConfirmed, direction, 1, 0, 0, &memo)
        }
    }

    #[test]
    fn filters_narrow_by_height_direction_and_payment_id() {
        let q = HistoryQuery { min_height: Some(5), max_height: Some(9), ..Default::default() };
        let kept: Vec<bool> = [Some(4), Some(5), Some(9), Some(10), None].iter().map(|h| q.keeps(&at(*h, "inbound", None))).collect();
        assert_eq!(kept, [false, true, true, false, false], "an unmined transaction has no height to be in range");
        assert!(HistoryQuery::default().keeps(&at(None, "inbound", None)));
        let q = HistoryQuery { direction: Some("outbound"), ..Default::default() };
        assert!(!q.keeps(&at(Some(1), "inbound", None)) && q.keeps(&at(Some(1), "outbound", None)));
        let q = HistoryQuery { payment_id: Some(b"order-7".to_vec()), ..Default::default() };
        assert!(q.keeps(&at(None, "inbound", Some("order-7"))));
        assert!(!q.keeps(&at(None, "inbound", Some("order-70"))) && !q.keeps(&at(None, "inbound", None)));
    }

    #[test]
    fn payrefs_are_64_hex_characters() {
        let r = "a".repeat(64);
        assert_eq!(payref(&r).unwrap().to_hex(), r);
        for bad in ["", "zz", &"a".repeat(63), &"g".repeat(64)] {
            assert_eq!(payref(bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
