//! Coin management: keeping the number of spendable outputs in a band.
//!
//! The trade-off: every output a payment spends is an input that costs weight (fees) and time, so many
//! small outputs (a pool's coinbases, an exchange's deposits) make payments big, slow and dear, and past a
//! few hundred inputs one no longer fits. Few large outputs make the opposite problem: the library spends
//! only mined outputs, so each payment locks one until its change is mined, and concurrent payments (or a
//! payout's batches) wait for change. A band `[minOutputs, maxOutputs]` keeps enough outputs for the
//! payments in flight and no more. Each step is itself a transaction that pays a fee and needs a block
//! before its outputs can be spent, so `tidyCoins` makes at most one per call: run it between payouts, or on
//! a timer, not before every payment.

use std::sync::Arc;

use tari_transaction_components::MicroMinotari;
use tari_utilities::hex::Hex;

use super::entry::WalletEntry;
use super::journal::SpendResult;
use super::spend::{self, Spend};
use crate::call_scope::CallScope;
use crate::error::{SdkError, SdkResult};

/// Most outputs one split makes (the `coinSplit` limit).
pub const MAX_SPLIT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoinBand {
    pub min: usize,
    pub max: usize,
}

impl CoinBand {
    pub fn new(min: usize, max: usize) -> SdkResult<Self> {
        if min < 1 || max < min + 1 {
            return Err(SdkError::invalid_argument(format!("need 1 <= minOutputs < maxOutputs, got {min} and {max}")));
        }
        Ok(Self { min, max })
    }
}

/// What the band asks of outputs `(value, commitment)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    None,
    /// Split the largest output into `count`.
    Split {
        commitment: String,
        count: usize,
    },
    /// Join these, the smallest.
    Join {
        commitments: Vec<String>,
    },
}

pub fn decide(mut outputs: Vec<(u64, String)>, band: CoinBand) -> Step {
    let n = outputs.len();
    outputs.sort();
    if n < band.min {
        // The largest becomes `count`, the rest stay: `n - 1 + count` = min.
        let Some((_, largest)) = outputs.pop() else { return Step::None };
        return Step::Split { commitment: largest, count: (band.min - n + 1).clamp(2, MAX_SPLIT) };
    }
    if n > band.max {
        // `take` smallest become one: `n - take + 1` = max.
        let take = (n - band.max + 1).min(super::payout::MAX_INPUTS as usize);
        return Step::Join { commitments: outputs.into_iter().take(take).map(|(_, c)| c).collect() };
    }
    Step::None
}

/// What `tidyCoins` did (or, with `preview`, would do).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CoinTidy {
    #[ts(type = "'none' | 'split' | 'join'")]
    pub action: &'static str,
    /// Spendable outputs before it.
    pub count: u32,
    /// The outputs its transaction makes, µT.
    #[serde(serialize_with = "crate::js_repr::bigint_vec")]
    #[ts(type = "bigint[]")]
    pub outputs: Vec<u64>,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee: u64,
    /// Set when a transaction was made (not for a preview, nor for `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tx_id: Option<String>,
}

/// One step towards `band`: a split of the largest output, a join of the smallest ones, or nothing.
pub async fn tidy(entry: Arc<WalletEntry>, scope: CallScope, band: CoinBand, fee: MicroMinotari, preview: bool) -> SdkResult<CoinTidy> {
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let outputs = oms.get_unspent_outputs().await.map_err(super::utxos::om_error)?;
    let count = outputs.len() as u32;
    let values = outputs.iter().map(|o| (o.wallet_output.value().as_u64(), o.commitment.to_hex())).collect();
    let (action, spend) = match decide(values, band) {
        Step::None => return Ok(CoinTidy { action: "none", count, outputs: vec![], fee: 0, tx_id: None }),
        Step::Split { commitment, count } => ("split", Spend::CoinSplit { commitments: Some(vec![commitment]), count, fee }),
        Step::Join { commitments } => ("join", Spend::CoinJoin { commitments: Some(commitments), fee }),
    };
    let r: SpendResult = if preview { spend.preview(&entry).await? } else { spend::run(entry, scope, None, spend).await? };
    Ok(CoinTidy { action, count, outputs: r.outputs, fee: r.fee, tx_id: r.tx_ids.first().map(u64::to_string) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outs(values: &[u64]) -> Vec<(u64, String)> {
        values.iter().enumerate().map(|(i, v)| (*v, format!("c{i}"))).collect()
    }

    #[test]
    fn the_band_splits_the_largest_and_joins_the_smallest() {
        let band = CoinBand::new(3, 5).unwrap();
        assert_eq!(decide(outs(&[5, 9]), band), Step::Split { commitment: "c1".into(), count: 2 });
        assert_eq!(decide(outs(&[7]), band), Step::Split { commitment: "c0".into(), count: 3 });
        assert_eq!(decide(outs(&[]), band), Step::None, "nothing to split");
        assert_eq!(decide(outs(&[1, 2, 3]), band), Step::None);
        assert_eq!(decide(outs(&[1, 2, 3, 4, 5]), band), Step::None);
        assert_eq!(decide(outs(&[9, 1, 8, 2, 7, 3, 6]), band), Step::Join { commitments: vec!["c1".into(), "c3".into(), "c5".into()] });
        let Step::Join { commitments } = decide(outs(&[1; 2000]), band) else { panic!("a join") };
        assert_eq!(commitments.len(), 400, "one transaction takes at most 400 inputs");
        assert!(CoinBand::new(0, 5).is_err() && CoinBand::new(5, 5).is_err());
    }
}
