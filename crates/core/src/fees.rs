//! Fee intelligence: what the base node's mempool says payments are paying, and a fee per gram that gets
//! a payment into the next block.
//!
//! The node answers per block it would mine next (order 0 first), from its mempool: min, average and max
//! fee per gram. While the mempool holds less than a block, every valid transaction goes into the next
//! one, so the default rate is enough; once it holds more, a payment must outbid the cheapest
//! transaction of the next block.

use serde::Serialize;
use ts_rs::TS;

use crate::base_node;
use crate::error::SdkResult;

/// The wallet's default fee per gram, µT (the library's own default).
pub const DEFAULT_FEE_PER_GRAM: u64 = 5;
/// The most any call takes, µT per gram: a typo's guard.
pub const MAX_FEE_PER_GRAM: u64 = 1_000_000;
/// The most blocks a base node reports on.
pub const MAX_BLOCKS: u64 = 20;

/// Fees per gram of one block the node would mine next, µT.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlockFees {
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub min_fee_per_gram: u64,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub avg_fee_per_gram: u64,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub max_fee_per_gram: u64,
}

/// `getFeeStats`: the mempool's fees, block by block from the next one (empty when the mempool is), and
/// the fee per gram the SDK suggests.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FeeStats {
    /// The base node that answered (credentials redacted).
    pub url: String,
    pub blocks: Vec<BlockFees>,
    /// Enough for the next block: the default while the mempool holds at most one block of
    /// transactions, else one above the cheapest transaction of the next block. µT per gram.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub suggested_fee_per_gram: u64,
}

pub fn suggested(blocks: &[BlockFees]) -> u64 {
    match blocks {
        [next, _, ..] => next.min_fee_per_gram.saturating_add(1).clamp(DEFAULT_FEE_PER_GRAM, MAX_FEE_PER_GRAM),
        _ => DEFAULT_FEE_PER_GRAM,
    }
}

/// The mempool's fees for the next `blocks` blocks (1..=20) from the first of `urls` that answers.
pub async fn stats(urls: &[String], blocks: u64) -> SdkResult<FeeStats> {
    let (url, blocks) = base_node::mempool_fee_stats(urls, blocks.clamp(1, MAX_BLOCKS)).await?;
    let blocks: Vec<BlockFees> = blocks
        .into_iter()
        .map(|(min, avg, max)| BlockFees { min_fee_per_gram: min, avg_fee_per_gram: avg, max_fee_per_gram: max })
        .collect();
    Ok(FeeStats { url, suggested_fee_per_gram: suggested(&blocks), blocks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(min: u64) -> BlockFees {
        BlockFees { min_fee_per_gram: min, avg_fee_per_gram: min + 10, max_fee_per_gram: min + 20 }
    }

    #[test]
    fn the_default_until_the_mempool_holds_more_than_a_block_then_one_above_the_next_blocks_cheapest() {
        assert_eq!(suggested(&[]), DEFAULT_FEE_PER_GRAM);
        assert_eq!(suggested(&[block(40)]), DEFAULT_FEE_PER_GRAM, "everything fits in the next block");
        assert_eq!(suggested(&[block(40), block(5)]), 41);
        assert_eq!(suggested(&[block(1), block(1)]), DEFAULT_FEE_PER_GRAM, "never below the default");
        assert_eq!(suggested(&[block(u64::MAX), block(1)]), MAX_FEE_PER_GRAM, "never above the cap");
    }
}
