//! Unspent outputs: listing, and coin split / join with previews.

use minotari_wallet::output_manager_service::storage::database::{OutputBackendQuery, SortDirection};
use minotari_wallet::output_manager_service::storage::models::DbWalletOutput;
use minotari_wallet::output_manager_service::storage::OutputStatus;
use tari_common_types::types::CompressedCommitment;
use tari_transaction_components::transaction_components::memo_field::TxType;
use tari_transaction_components::transaction_components::MemoField;
use tari_transaction_components::MicroMinotari;
use tari_utilities::hex::Hex;

use super::paging;
use super::read_cache::{Listing, KEPT_ROWS};
use super::{entry::WalletEntry, errors};
use crate::error::{ErrorCode, SdkError, SdkResult};

/// One of the wallet's outputs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Utxo {
    /// Pedersen commitment, hex: pass these to `coinSplit`/`coinJoin`.
    pub commitment: String,
    /// µT.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub value: u64,
    /// The library's output status in camelCase (`unspent`, `encumberedToBeReceived`, `encumberedToBeSpent`,
    /// `spent`, ...; the library has more than a dozen and adds new ones).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mined_height: Option<u64>,
}

fn utxo(o: &DbWalletOutput) -> Utxo {
    Utxo {
        commitment: o.commitment.to_hex(),
        value: o.wallet_output.value().as_u64(),
        status: super::history::camel(format!("{:?}", o.status)),
        mined_height: o.mined_height,
    }
}

pub(crate) fn om_error(e: impl std::fmt::Display) -> SdkError {
    SdkError::new(ErrorCode::Wallet, format!("cannot read outputs: {e}"))
}

/// Largest first, then by commitment.
impl paging::Row for Utxo {
    type Id = String;
    fn id(&self) -> String {
        self.commitment.clone()
    }
    fn rank(&self) -> i64 {
        i64::try_from(self.value).unwrap_or(i64::MAX)
    }
    fn tie(&self, other: &Self) -> std::cmp::Ordering {
        self.commitment.cmp(&other.commitment)
    }
}

/// Unspent outputs, largest first, or spent ones with `spent`; read a chunk at a time (`paging`) only as
/// far as the page reaches. The largest unspent ones are kept until the wallet changes (`read_cache`).
pub async fn list(entry: &WalletEntry, spent: bool, offset: usize, limit: usize) -> SdkResult<Vec<Utxo>> {
    let tip = entry.tip_height();
    if !spent {
        if let Some(rows) = entry.reads.listing::<Utxo>(Listing::Unspent, tip).and_then(|head| head.page(offset, limit, false, |_| true)) {
            return Ok(rows);
        }
    }
    let seen = entry.reads.generation();
    let oms = entry.with(|w| w.output_manager_service.clone())?;
    // What `get_unspent_outputs` and `get_spent_outputs` return, a page at a time.
    let status = if spent { vec![OutputStatus::Spent] } else { vec![OutputStatus::Unspent, OutputStatus::UnspentMinedUnconfirmed] };
    let read = |offset: usize, limit: usize| {
        let (mut oms, status) = (oms.clone(), status.clone());
        let query = OutputBackendQuery {
            status,
            pagination: Some((offset as i64, limit as i64)),
            sorting: vec![("value", SortDirection::Desc)],
            ..Default::default()
        };
        async move { Ok(oms.get_outputs_by_query(query).await.map_err(om_error)?.iter().map(utxo).collect()) }
    };
    let want = offset.saturating_add(limit);
    let (rows, whole) =
        paging::first(read, if spent { want } else { want.max(KEPT_ROWS) }, |_| true).await.map_err(|e| entry.unless_closed(e))?;
    if !spent {
        entry.reads.keep_listing(Listing::Unspent, seen, tip, &rows, whole);
    }
    Ok(rows.into_iter().skip(offset).take(limit).collect())
}

/// `getCoinStats`: how the wallet's unspent outputs are spread, for coin management. A payment needs an
/// input per output it spends, so many small outputs make payments big and slow, and few large ones make
/// concurrent payments wait for change.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CoinStats {
    /// Unspent outputs (time-locked ones included: see `getBalance`).
    pub count: u32,
    /// Their total, µT.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub total: u64,
    /// By decade of value: outputs below `below` µT and at least a tenth of it, smallest decade first;
    /// only decades that hold any.
    pub histogram: Vec<CoinBucket>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CoinBucket {
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub below: u64,
    pub count: u32,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub total: u64,
}

/// The decade histogram of `values` (µT).
pub fn coin_stats(values: impl IntoIterator<Item = u64>) -> CoinStats {
    let mut buckets = std::collections::BTreeMap::<u32, (u32, u64)>::new();
    let (mut count, mut total) = (0u32, 0u64);
    for v in values {
        count += 1;
        total = total.saturating_add(v);
        let decade = v.checked_ilog10().map_or(0, |d| d + 1);
        let b = buckets.entry(decade).or_default();
        b.0 += 1;
        b.1 = b.1.saturating_add(v);
    }
    let histogram = buckets
        .into_iter()
        .map(|(decade, (count, total))| CoinBucket { below: 10u64.checked_pow(decade).unwrap_or(u64::MAX), count, total })
        .collect();
    CoinStats { count, total, histogram }
}

pub async fn stats(entry: &WalletEntry) -> SdkResult<CoinStats> {
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let outputs = oms.get_unspent_outputs().await.map_err(om_error)?;
    Ok(coin_stats(outputs.iter().map(|o| o.wallet_output.value().as_u64())))
}

/// The given commitments (hex), or by default all unspent ones (`take_all`) or the largest one.
async fn commitments(entry: &WalletEntry, given: Option<Vec<String>>, take_all: bool) -> SdkResult<Vec<CompressedCommitment>> {
    if let Some(list) = given {
        if list.is_empty() {
            return Err(SdkError::invalid_argument("commitments must not be empty"));
        }
        return list
            .iter()
            .map(|h| {
                CompressedCommitment::from_hex(h)
                    .map_err(|_| SdkError::invalid_argument(format!("{} is not a commitment (hex)", crate::error::shown(h))))
            })
            .collect();
    }
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let mut outputs = oms.get_unspent_outputs().await.map_err(om_error)?;
    outputs.sort_by_key(|o| std::cmp::Reverse(o.wallet_output.value()));
    if !take_all {
        outputs.truncate(1);
    }
    if outputs.is_empty() {
        return Err(SdkError::new(ErrorCode::InsufficientFunds, "the wallet has no unspent outputs")
            .with("available", crate::error::Detail::Amount(0)));
    }
    Ok(outputs.into_iter().map(|o| o.commitment).collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The outputs the transaction would create, µT.
    pub outputs: Vec<u64>,
    pub fee: u64,
    /// Set when the transaction was submitted (not for a preview).
    pub tx_id: Option<u64>,
}

/// Splits outputs (default: the largest) into `count` equal outputs; `preview` only computes.
pub async fn split(entry: &WalletEntry, given: Option<Vec<String>>, count: usize, fee: MicroMinotari, preview: bool) -> SdkResult<Plan> {
    let cs = commitments(entry, given, false).await?;
    let mut w = entry.with(|w| w.clone())?;
    let (outputs, fee_total) = w.preview_coin_split_with_commitments_no_amount(cs.clone(), count, fee).await.map_err(errors::wallet)?;
    let tx_id = if preview {
        None
    } else {
        let memo = MemoField::new_open_from_string("coin split", TxType::CoinSplit).map_err(SdkError::internal)?;
        Some(w.coin_split_even_with_commitments(cs, count, fee, memo).await.map_err(errors::wallet)?.as_u64())
    };
    Ok(Plan { outputs: outputs.into_iter().map(|v| v.as_u64()).collect(), fee: fee_total.as_u64(), tx_id })
}

/// Joins outputs (default: all unspent) into one; `preview` only computes.
pub async fn join(entry: &WalletEntry, given: Option<Vec<String>>, fee: MicroMinotari, preview: bool) -> SdkResult<Plan> {
    let cs = commitments(entry, given, true).await?;
    let mut w = entry.with(|w| w.clone())?;
    let (outputs, fee_total) = w.preview_coin_join_with_commitments(cs.clone(), fee).await.map_err(errors::wallet)?;
    let tx_id = if preview { None } else { Some(w.coin_join(cs, fee, None).await.map_err(errors::wallet)?.as_u64()) };
    Ok(Plan { outputs: outputs.into_iter().map(|v| v.as_u64()).collect(), fee: fee_total.as_u64(), tx_id })
}

/// Asks the wallet to re-check its transactions and outputs against the base node now; results arrive as
/// `validation` events.
pub async fn validate(entry: &WalletEntry) -> SdkResult<()> {
    let (mut ts, mut oms) = entry.with(|w| (w.transaction_service.clone(), w.output_manager_service.clone()))?;
    ts.validate_transactions().await.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("transaction validation: {e}")))?;
    oms.validate_txos().await.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("output validation: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_fall_in_decades_and_add_up() {
        let s = coin_stats([0, 5, 9, 10, 99, 100, 1_000_000, u64::MAX]);
        assert_eq!((s.count, s.total), (8, u64::MAX), "the total saturates");
        let shape: Vec<(u64, u32)> = s.histogram.iter().map(|b| (b.below, b.count)).collect();
        assert_eq!(shape, vec![(1, 1), (10, 2), (100, 2), (1_000, 1), (10_000_000, 1), (u64::MAX, 1)]);
        assert_eq!(s.histogram[1].total, 14);
        assert_eq!(coin_stats([]), CoinStats { count: 0, total: 0, histogram: vec![] });
    }
}
