//! Batch payouts: any number of recipients, packed into as few transactions as the library allows, each
//! paid exactly once, resumable after a crash by the payout's idempotency key.
//!
//! A payout is a row of its own in the journal (kind `payout`, the MAC of every recipient, the fee rate and
//! the batch size), then one ordinary keyed `sendMany` per batch (`spend::run_keyed`). A batch's key is
//! derived from the payout's key and the batch's index, in a MAC domain no caller's key can reach. The
//! batching is a pure function of the parameters, so a rerun with the same key meets the same batches: a
//! finished batch replays its transaction ids, one left `pending` by a crash is reconciled against the
//! library's history, and only batches that never reached the wallet are paid. The same key with other
//! parameters is `ERR_IDEMPOTENCY_CONFLICT` before anything is paid.
//!
//! Recipients that fail validation fail alone: they are reported with their index and error, and never
//! take part in a batch (nor in the parameters' MAC).
//!
//! Coins: the library picks the largest outputs first. When a batch would still need more than
//! [`MAX_INPUTS`] inputs, the payout first joins the smallest outputs and waits for the join to be mined,
//! since the library spends only mined outputs.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tari_transaction_components::MicroMinotari;
use tari_utilities::hex::Hex;

use super::entry::WalletEntry;
use super::journal::{Record, SpendResult, State};
use super::spend::{self, Spend, SpendKey};
use super::transactions::{FeeRate, Payment};
use crate::call_scope::CallScope;
use crate::error::{ErrorCode, SdkError, SdkResult};

/// Default recipients per transaction. A block holds about 2,000 outputs (60 grams each of 127,795), but
/// minotari_wallet 6.2.0 stores a multi-recipient transaction once per recipient, whole, and until it is
/// mined re-broadcasts every copy after each validation (serialized to JSON for the node's HTTP API): its
/// cost grows with the square of the recipients. Profiled with a 250-recipient batch, that was 40% of the
/// process's CPU and stalled the next payment 12-15 s. At 50 the square is 25 times smaller, a batch
/// still takes about 1 s to build, and a 700-recipient payout is 14 transactions.
pub const DEFAULT_PER_TX: usize = 50;
/// Most recipients one transaction may carry (a block's weight, less room for inputs).
pub const MAX_PER_TX: usize = 1_000;
/// Most inputs the payout lets one transaction spend before it joins coins: the limit Tari's own payment
/// processor uses, well inside a block's weight and the library's 4 MiB broadcast limit.
pub const MAX_INPUTS: u64 = 400;
/// How long the payout waits for a coin join to be mined.
pub const JOIN_WAIT: Duration = Duration::from_secs(900);
const JOIN_POLL: Duration = Duration::from_millis(500);

/// One recipient as given: checked (`Ok`) or refused (`Err`, with why).
pub type Line = Result<Payment, SdkError>;

pub struct PayoutRequest {
    pub lines: Vec<Line>,
    pub fee: FeeRate,
    pub per_tx: usize,
}

/// Where a payout is; `onProgress` gets one after each step.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PayoutProgress {
    /// `joining`: waiting for a coin join to be mined; `paying`: a batch was just paid (or replayed).
    #[ts(type = "'joining' | 'paying'")]
    pub stage: &'static str,
    /// Batches done so far, and in all.
    pub batches_done: u32,
    pub batches: u32,
    /// Recipients paid so far (replayed ones included), and the valid recipients in all.
    pub paid: u32,
    pub recipients: u32,
}

/// What happened to one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PayoutLine {
    /// The recipient's position in `recipients`.
    pub index: u32,
    /// `paid`: in a transaction the wallet made (now or by an earlier run with the key). `invalid`: refused
    /// before anything was sent. `failed`: not paid, nothing stored for it; a rerun with the key pays it.
    /// `unknown`: the wallet may have paid it (`ERR_OUTCOME_UNKNOWN`); a rerun with the key finds out.
    #[ts(type = "'paid' | 'invalid' | 'failed' | 'unknown'")]
    pub status: &'static str,
    /// The recipient's transaction id (decimal), when paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tx_id: Option<String>,
    /// Its share of its transaction's fee, µT, as `getTransaction` reports it.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "crate::js_repr::bigint_opt")]
    #[ts(optional, type = "bigint")]
    pub fee: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<PayoutLineError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PayoutLineError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&SdkError> for PayoutLineError {
    fn from(e: &SdkError) -> Self {
        PayoutLineError { code: e.code, message: e.message.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PayoutResult {
    /// One per recipient, in the order given.
    pub lines: Vec<PayoutLine>,
    pub paid: u32,
    /// Recipients not paid: `invalid`, `failed` and `unknown` ones.
    pub unpaid: u32,
    /// Transactions that pay them, and their fees in all, µT.
    pub transactions: u32,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee: u64,
    /// Coin joins this run made first.
    pub joins: u32,
}

impl PayoutRequest {
    /// The valid recipients, with their indexes, cut into batches.
    fn batches(&self) -> Vec<Vec<(usize, &Payment)>> {
        let valid: Vec<(usize, &Payment)> = self.lines.iter().enumerate().filter_map(|(i, l)| l.as_ref().ok().map(|p| (i, p))).collect();
        valid.chunks(self.per_tx.max(1)).map(<[_]>::to_vec).collect()
    }

    /// The parameters as bytes: each valid recipient with its index, the fee rate and the batch size.
    fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut field = |v: &[u8]| {
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
            out.extend_from_slice(v);
        };
        for (i, p) in self.lines.iter().enumerate().filter_map(|(i, l)| l.as_ref().ok().map(|p| (i, p))) {
            field(&(i as u64).to_le_bytes());
            field(&p.to.to_vec());
            field(&p.amount.to_le_bytes());
            field(&p.memo);
        }
        field(&self.fee.canonical());
        field(&(self.per_tx as u64).to_le_bytes());
        out
    }
}

/// Claims the payout's key: refuses one used for anything else, and records the payout before any batch.
fn claim(entry: &WalletEntry, key: &str, req: &PayoutRequest) -> SdkResult<()> {
    let journal = &entry.spends.journal;
    let mac = journal.digest("key", key.as_bytes());
    let params = journal.digest("params", &req.canonical());
    match journal.lookup(&mac)? {
        None => journal.begin(&mac, &params, "payout").map(|_| ()),
        Some(Record { params: p, kind, .. }) if p != params || kind != "payout" => Err(SdkError::new(
            ErrorCode::IdempotencyConflict,
            format!("this idempotencyKey was used for a {kind} with different parameters"),
        )),
        Some(_) => Ok(()),
    }
}

/// Pays every valid recipient of `req`, batch by batch; see the module's docs.
pub async fn run(
    entry: Arc<WalletEntry>,
    scope: CallScope,
    key: String,
    req: PayoutRequest,
    progress: &(dyn Fn(PayoutProgress) + Send + Sync),
) -> SdkResult<PayoutResult> {
    super::keys::refuse_if_view_only(&entry, "payout")?;
    if req.lines.is_empty() {
        return Err(SdkError::invalid_argument("recipients must not be empty"));
    }
    // One run per key at a time: a second waits, then replays what the first paid.
    let _held = tokio::select! {
        held = entry.spends.hold(entry.spends.journal.digest("payout", key.as_bytes())) => held,
        why = scope.interrupted() => return Err(scope.error(why)),
    };
    claim(&entry, &key, &req)?;
    let batches = req.batches();
    let recipients = batches.iter().map(Vec::len).sum::<usize>() as u32;
    let mut lines: Vec<PayoutLine> = req
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| PayoutLine { index: i as u32, status: "failed", tx_id: None, fee: None, error: l.as_ref().err().map(Into::into) })
        .collect();
    for l in lines.iter_mut().filter(|l| l.error.is_some()) {
        l.status = "invalid";
    }
    let mut result = PayoutResult { lines: Vec::new(), paid: 0, unpaid: 0, transactions: 0, fee: 0, joins: 0 };
    let mut stopped: Option<SdkError> = None;
    // Each paid batch's entries (for the fee shares), read while the next batch is built.
    let mut reads = Vec::new();
    for (b, batch) in batches.iter().enumerate() {
        let report =
            |stage, paid| progress(PayoutProgress { stage, batches_done: b as u32, batches: batches.len() as u32, paid, recipients });
        let outcome = match stopped.clone() {
            Some(e) => Err(e),
            None => pay_batch(&entry, &scope, &key, b, batch, req.fee, &mut result.joins, &|| report("joining", result.paid)).await,
        };
        match outcome {
            Ok(r) => {
                for ((i, _), id) in batch.iter().zip(&r.tx_ids) {
                    lines[*i] = PayoutLine { index: *i as u32, status: "paid", tx_id: Some(id.to_string()), fee: None, error: None };
                }
                let (read_entry, op) = (entry.clone(), scope.op);
                let read = tokio::spawn(async move {
                    let started = std::time::Instant::now();
                    let entries = super::history::get_many(&read_entry, &r.tx_ids).await.unwrap_or_default();
                    crate::metrics::stage(op, "entries", started.elapsed());
                    entries
                });
                reads.push((batch.iter().map(|(i, _)| *i).collect::<Vec<_>>(), read));
                result.paid += batch.len() as u32;
                result.transactions += 1;
                progress(PayoutProgress {
                    stage: "paying",
                    batches_done: b as u32 + 1,
                    batches: batches.len() as u32,
                    paid: result.paid,
                    recipients,
                });
            }
            Err(e) => {
                let status = if e.code == ErrorCode::OutcomeUnknown { "unknown" } else { "failed" };
                for (i, _) in batch {
                    lines[*i] = PayoutLine { index: *i as u32, status, tx_id: None, fee: None, error: Some((&e).into()) };
                }
                // Later batches are not tried: the same cause (funds, the node, the caller's deadline) would
                // fail them too, and a rerun with the key resumes here.
                stopped.get_or_insert(e);
            }
        }
    }
    // One read of a batch's entries gives each share and the transaction's whole fee.
    for (indexes, read) in reads {
        let entries = read.await.unwrap_or_default();
        for (k, i) in indexes.into_iter().enumerate() {
            lines[i].fee = entries.get(k).and_then(Option::as_ref).map(|t| t.fee);
        }
        result.fee += entries.first().and_then(Option::as_ref).map_or(0, |t| t.transaction_fee);
    }
    result.unpaid = lines.len() as u32 - result.paid;
    if result.unpaid == 0 {
        let journal = &entry.spends.journal;
        let all = SpendResult { tx_ids: lines.iter().filter_map(|l| l.tx_id.as_ref()?.parse().ok()).collect(), ..Default::default() };
        if let Err(e) = journal.finish(Some(&journal.digest("key", key.as_bytes())), &all) {
            tracing::warn!(handle = entry.handle, "cannot mark a payout finished in the journal: {}", e.message);
        }
    }
    result.lines = lines;
    Ok(result)
}

/// One batch: joins coins first if it would need too many inputs, then one keyed `sendMany`.
#[allow(clippy::too_many_arguments)]
async fn pay_batch(
    entry: &Arc<WalletEntry>,
    scope: &CallScope,
    key: &str,
    index: usize,
    batch: &[(usize, &Payment)],
    fee: FeeRate,
    joins: &mut u32,
    joining: &(dyn Fn() + Send + Sync),
) -> SdkResult<SpendResult> {
    let batch_key = SpendKey::part(entry, "payout-batch", key, index as u64);
    let done = matches!(entry.spends.journal.lookup(batch_key.mac())?, Some(Record { state: State::Done(_), .. }));
    if !done {
        let total: u64 = batch.iter().map(|(_, p)| p.amount).sum();
        let started = std::time::Instant::now();
        let mut needed = inputs_needed(entry, total, batch.len()).await?;
        crate::metrics::stage(scope.op, "inputs", started.elapsed());
        while needed > MAX_INPUTS {
            joining();
            join_smallest(entry, scope).await?;
            *joins += 1;
            needed = inputs_needed(entry, total, batch.len()).await?;
        }
    }
    let payments = batch.iter().map(|(_, p)| Payment { to: p.to.clone(), amount: p.amount, memo: p.memo.clone() }).collect();
    spend::run_keyed(entry.clone(), scope.clone(), Some(batch_key), Spend::SendMany { payments, fee }).await
}

/// Inputs the library would spend to pay `total` to `outputs` recipients; 0 when it cannot say (the
/// payment itself then reports why).
async fn inputs_needed(entry: &WalletEntry, total: u64, outputs: usize) -> SdkResult<u64> {
    let fee = MicroMinotari::from(super::transactions::DEFAULT_FEE_PER_GRAM);
    Ok(match super::transactions::estimate_fee(entry, total, fee, outputs).await {
        Ok(e) => e.inputs,
        Err(_) => 0,
    })
}

/// Joins the smallest `MAX_INPUTS` unspent outputs into one and waits until the join is mined.
async fn join_smallest(entry: &Arc<WalletEntry>, scope: &CallScope) -> SdkResult<()> {
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let mut outputs = oms.get_unspent_outputs().await.map_err(super::utxos::om_error)?;
    outputs.sort_by_key(|o| o.wallet_output.value());
    let commitments: Vec<String> = outputs.iter().take(MAX_INPUTS as usize).map(|o| o.commitment.to_hex()).collect();
    let fee = MicroMinotari::from(super::transactions::DEFAULT_FEE_PER_GRAM);
    let joined = spend::run_keyed(entry.clone(), scope.clone(), None, Spend::CoinJoin { commitments: Some(commitments), fee }).await?;
    let Some(&id) = joined.tx_ids.first() else { return Ok(()) };
    let mined = async {
        loop {
            let t = super::history::get(entry, id).await?;
            if t.mined.mined_height.is_some() || t.status == super::tx_state::TxStatus::Cancelled {
                return SdkResult::Ok(());
            }
            tokio::time::sleep(JOIN_POLL).await;
        }
    };
    tokio::select! {
        r = tokio::time::timeout(JOIN_WAIT, mined) => r.map_err(|_| SdkError::new(ErrorCode::Timeout, format!("the coin join {id} was not mined within {} s", JOIN_WAIT.as_secs())))?,
        why = scope.interrupted() => Err(scope.error(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tari_common_types::tari_address::TariAddress;

    fn req(amounts: &[u64], per_tx: usize) -> PayoutRequest {
        let lines = amounts
            .iter()
            .map(|&a| {
                if a == 0 {
                    Err(SdkError::invalid_argument("zero"))
                } else {
                    Ok(Payment { to: TariAddress::default(), amount: a, memo: vec![] })
                }
            })
            .collect();
        PayoutRequest { lines, fee: FeeRate::Auto, per_tx }
    }

    #[test]
    fn batches_hold_only_valid_recipients_in_order() {
        let r = req(&[1, 0, 2, 3, 0, 4, 5], 2);
        let shape: Vec<Vec<usize>> = r.batches().iter().map(|b| b.iter().map(|(i, _)| *i).collect()).collect();
        assert_eq!(shape, vec![vec![0, 2], vec![3, 5], vec![6]]);
    }

    #[test]
    fn parameters_name_each_recipient_by_index() {
        assert_eq!(req(&[1, 2], 2).canonical(), req(&[1, 2], 2).canonical());
        assert_ne!(req(&[1, 2], 2).canonical(), req(&[2, 1], 2).canonical());
        assert_ne!(req(&[1, 2], 2).canonical(), req(&[1, 2], 1).canonical(), "the batch size shapes the batches");
        assert_ne!(req(&[0, 1, 2], 2).canonical(), req(&[1, 0, 2], 2).canonical(), "a recipient's index is part of it");
    }
}
