//! Spends that happen exactly once, whatever times out, aborts, closes or crashes around them.
//!
//! A spend has two phases:
//! 1. **Before the wallet has it** (waiting for the wallet's gate, for another call with the same key, and
//!    the journal's look-up): a timeout or abort here ends the call with `ERR_TIMEOUT` or `ERR_ABORTED`, and
//!    nothing was stored.
//! 2. **Once the wallet has it** (the library call runs on a task of its own, which nothing cancels): a
//!    timeout or abort no longer stops it. The call waits up to [`SETTLE_GRACE`] more for the library's
//!    answer and settles with it: resolved if it paid, the library's error if that stored nothing. Only if
//!    the answer does not come in time, or the library fails in a way that may have stored the
//!    transaction, does it reject with `ERR_OUTCOME_UNKNOWN`.
//!
//! With an idempotency key, the journal (`wallet::journal`) makes a retry safe in every case: a finished key
//! returns the first outcome; a key left `pending` by a crash is looked up in the library's own history
//! (`reconcile`) before anything is spent again.
//!
//! Closing a wallet waits for its spends in phase 2 (`SpendGate::close`), so a close never cuts one short.

use std::sync::Arc;
use std::time::{Duration, Instant};

use minotari_wallet::output_manager_service::storage::database::OutputBackendQuery;
use minotari_wallet::output_manager_service::storage::OutputStatus;
use minotari_wallet::transaction_service::storage::models::CompletedTransaction;
use tari_common_types::transaction::{TransactionDirection, TxId};
use tari_transaction_components::transaction_components::memo_field::TxType;
use tari_transaction_components::MicroMinotari;
use tokio::sync::{oneshot, OwnedRwLockReadGuard};

use super::entry::WalletEntry;
use super::gate::{KeyGuard, CLOSE_WAIT};
use super::journal::{Digest, Record, SpendResult, State};
use super::transactions::{self as tx, FeeRate, Payment};
use crate::call_scope::CallScope;
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};
use crate::metrics;

/// How long a spend that the wallet accepted may still take after its caller's timeout or abort.
pub const SETTLE_GRACE: Duration = Duration::from_secs(60);
/// The library stamps a transaction after the journal stamps its intent; this covers clock steps between.
const CLOCK_SLACK_MS: i64 = 5_000;
/// Longest idempotency key, in bytes.
pub const MAX_KEY_BYTES: usize = 255;

impl From<super::utxos::Plan> for SpendResult {
    fn from(p: super::utxos::Plan) -> Self {
        SpendResult { tx_ids: p.tx_id.into_iter().collect(), outputs: p.outputs, fee: p.fee }
    }
}

/// Everything that spends, with its parameters checked.
pub enum Spend {
    Send {
        payment: Payment,
        fee: FeeRate,
        stealth: bool,
    },
    SendMany {
        payments: Vec<Payment>,
        fee: FeeRate,
    },
    CoinSplit {
        commitments: Option<Vec<String>>,
        count: usize,
        fee: MicroMinotari,
    },
    CoinJoin {
        commitments: Option<Vec<String>>,
        fee: MicroMinotari,
    },
    /// Child pays for parent: spends the change of `tx_id`, still unmined, back to the wallet, paying `fee`
    /// (µT in all) so that miners take both.
    PayFeeFor {
        tx_id: u64,
        fee: MicroMinotari,
    },
}

impl Spend {
    pub fn kind(&self) -> &'static str {
        match self {
            Spend::Send { .. } => "send",
            Spend::SendMany { .. } => "sendMany",
            Spend::CoinSplit { .. } => "coinSplit",
            Spend::CoinJoin { .. } => "coinJoin",
            Spend::PayFeeFor { .. } => "payFeeFor",
        }
    }

    /// The parameters as bytes, so a key reused with other parameters is caught. Every field is
    /// length-prefixed, so no two parameter lists give the same bytes.
    fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut field = |v: &[u8]| {
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
            out.extend_from_slice(v);
        };
        field(self.kind().as_bytes());
        let payment = |field: &mut dyn FnMut(&[u8]), p: &Payment| {
            field(&p.to.to_vec());
            field(&p.amount.to_le_bytes());
            field(&p.memo);
        };
        let rate = |field: &mut dyn FnMut(&[u8]), fee: &FeeRate| field(&fee.canonical());
        match self {
            Spend::Send { payment: p, fee, stealth } => {
                payment(&mut field, p);
                rate(&mut field, fee);
                field(&[u8::from(*stealth)]);
            }
            Spend::SendMany { payments, fee } => {
                for p in payments {
                    payment(&mut field, p);
                }
                rate(&mut field, fee);
            }
            Spend::CoinSplit { commitments, count, fee } => {
                field(commitments.as_deref().unwrap_or_default().join(",").as_bytes());
                field(&(*count as u64).to_le_bytes());
                field(&fee.as_u64().to_le_bytes());
            }
            Spend::CoinJoin { commitments, fee } => {
                field(commitments.as_deref().unwrap_or_default().join(",").as_bytes());
                field(&fee.as_u64().to_le_bytes());
            }
            Spend::PayFeeFor { tx_id, fee } => {
                field(&tx_id.to_le_bytes());
                field(&fee.as_u64().to_le_bytes());
            }
        }
        out
    }

    /// Hands the spend to the library. Runs to completion on its own task.
    async fn execute(self, entry: &WalletEntry) -> SdkResult<SpendResult> {
        let ids = |tx_ids| SpendResult { tx_ids, ..Default::default() };
        match self {
            Spend::Send { payment, fee, stealth } => {
                tx::send(entry, payment, fee.resolve(entry).await, stealth).await.map(|id| ids(vec![id]))
            }
            Spend::SendMany { payments, fee } => tx::send_many(entry, payments, fee.resolve(entry).await).await.map(ids),
            Spend::PayFeeFor { tx_id, fee } => tx::pay_fee_for(entry, tx_id, fee).await.map(|id| ids(vec![id])),
            coin => coin.coin(entry, false).await,
        }
    }

    /// What a coin split or join would make, without making it. Sends have no preview.
    pub async fn preview(self, entry: &WalletEntry) -> SdkResult<SpendResult> {
        self.coin(entry, true).await
    }

    async fn coin(self, entry: &WalletEntry, preview: bool) -> SdkResult<SpendResult> {
        match self {
            Spend::CoinSplit { commitments, count, fee } => {
                super::utxos::split(entry, commitments, count, fee, preview).await.map(Into::into)
            }
            Spend::CoinJoin { commitments, fee } => super::utxos::join(entry, commitments, fee, preview).await.map(Into::into),
            Spend::Send { .. } | Spend::SendMany { .. } | Spend::PayFeeFor { .. } => {
                Err(SdkError::invalid_argument("only coin splits and joins have previews"))
            }
        }
    }

    /// Whether `t`, a transaction the library stored, is what this spend would have made.
    fn made(&self, t: &CompletedTransaction, p: Option<&Payment>) -> bool {
        match (self, p) {
            (Spend::Send { .. } | Spend::SendMany { .. }, Some(p)) => {
                t.direction == TransactionDirection::Outbound && t.destination_address == p.to && t.amount.as_u64() == p.amount
            }
            (Spend::CoinSplit { .. }, _) => t.payment_id.get_type() == TxType::CoinSplit,
            (Spend::CoinJoin { .. }, _) => t.payment_id.get_type() == TxType::CoinJoin,
            // The child pays the wallet itself, under its parent's memo.
            (Spend::PayFeeFor { .. }, Some(p)) => {
                t.direction == TransactionDirection::Outbound
                    && t.destination_address == p.to
                    && t.payment_id.payment_id_as_bytes() == p.memo
            }
            _ => false,
        }
    }
}

fn outcome_unknown(op: &str, reason: &str, key: Option<&str>) -> SdkError {
    let mut e = SdkError::new(
        ErrorCode::OutcomeUnknown,
        format!("{op}: {reason}; the payment may have been made. Look it up, or retry with the same idempotencyKey"),
    );
    if let Some(k) = key {
        e = e.with("idempotencyKey", Detail::Text(k.to_string()));
    }
    e
}

/// Errors the library raises before it stores anything: the spend did not happen.
fn stored_nothing(e: &SdkError) -> bool {
    matches!(
        e.code,
        ErrorCode::InsufficientFunds
            | ErrorCode::InvalidAddress
            | ErrorCode::InvalidArgument
            | ErrorCode::InvalidHandle
            | ErrorCode::TransactionNotFound
    )
}

pub fn check_key(key: &str) -> SdkResult<()> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(SdkError::invalid_argument(format!("idempotencyKey must be 1 to {MAX_KEY_BYTES} bytes, got {}", key.len())));
    }
    Ok(())
}

/// What phase 1 decided.
enum Ticket {
    /// The key already has an outcome.
    Replay(SpendResult),
    /// Hand the spend to the library.
    Run(Run),
}

struct Run {
    gate: OwnedRwLockReadGuard<bool>,
    key: Option<KeyHold>,
}

/// A claimed idempotency key: its journal MAC and its lock, released when dropped.
struct KeyHold {
    mac: Digest,
    _held: KeyGuard,
}

/// An idempotency key: the text the caller gave (named in errors) and its MAC in the journal.
pub struct SpendKey {
    pub text: String,
    mac: Digest,
}

impl SpendKey {
    /// A key the caller gave to one spend.
    pub fn caller(entry: &WalletEntry, text: String) -> Self {
        let mac = entry.spends.journal.digest("key", text.as_bytes());
        Self { text, mac }
    }

    /// The key of part `index` of a larger job keyed `text` (a payout's batches): a MAC of its own
    /// domain, so no key a caller can give names it.
    pub(super) fn part(entry: &WalletEntry, domain: &str, text: &str, index: u64) -> Self {
        let mut data = index.to_le_bytes().to_vec();
        data.extend_from_slice(text.as_bytes());
        Self { mac: entry.spends.journal.digest(domain, &data), text: text.to_string() }
    }

    pub(super) fn mac(&self) -> &Digest {
        &self.mac
    }
}

/// Runs `spend` exactly once per idempotency key, under the caller's `scope`.
pub async fn run(entry: Arc<WalletEntry>, scope: CallScope, key: Option<String>, spend: Spend) -> SdkResult<SpendResult> {
    let key = key.map(|k| SpendKey::caller(&entry, k));
    run_keyed(entry, scope, key, spend).await
}

/// `run` with a key already derived.
pub(super) async fn run_keyed(entry: Arc<WalletEntry>, scope: CallScope, key: Option<SpendKey>, spend: Spend) -> SdkResult<SpendResult> {
    // Before the key is claimed or an input is chosen: the library would lock inputs, then fail to sign.
    super::keys::refuse_if_view_only(&entry, spend.kind())?;
    let started = Instant::now();
    let waiting_for_key = std::sync::atomic::AtomicBool::new(false);
    let ticket = tokio::select! {
        t = prepare(&entry, key.as_ref().map(|k| &k.mac), &spend, &waiting_for_key) => t?,
        why = scope.interrupted() => {
            return Err(if waiting_for_key.load(std::sync::atomic::Ordering::Relaxed) {
                // Another call with this key owns the spend; only a retry with the key can tell its outcome.
                outcome_unknown(scope.op, "interrupted while another call with this idempotencyKey was spending", key.as_ref().map(|k| k.text.as_str()))
            } else {
                scope.error(why)
            })
        }
    };
    let run = match ticket {
        Ticket::Replay(result) => return Ok(result),
        Ticket::Run(run) => run,
    };
    let op = scope.op;
    metrics::stage(op, "prepare", started.elapsed());
    // Phase 2: from here the spend runs to its end, whatever happens to this call.
    let (tx, mut rx) = oneshot::channel();
    let task_entry = entry.clone();
    let kind = spend.kind();
    tokio::spawn(async move {
        let started = Instant::now();
        let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(spend.execute(&task_entry)))
            .await
            .unwrap_or_else(|panic| Err(outcome_unknown(kind, &SdkError::from_panic(&*panic).message, None)));
        metrics::stage(op, "wallet", started.elapsed());
        // Before the caller hears of it: a balance read after the spend resolves sees it.
        task_entry.reads.invalidate();
        let failed_half_way = matches!(&result, Err(e) if !stored_nothing(e));
        let started = Instant::now();
        let result = record(&task_entry, run.key.as_ref(), result).await;
        metrics::stage(op, "record", started.elapsed());
        drop(run.key);
        drop(run.gate);
        if failed_half_way {
            release_after_failure(task_entry);
        }
        let _ = tx.send(result);
    });
    let lost = || outcome_unknown(scope.op, "the spend's task ended without an answer", None);
    let result = tokio::select! {
        r = &mut rx => r.unwrap_or_else(|_| Err(lost())),
        _ = scope.interrupted() => match tokio::time::timeout(SETTLE_GRACE, rx).await {
            Ok(r) => r.unwrap_or_else(|_| Err(lost())),
            Err(_) => Err(outcome_unknown(scope.op, "the wallet did not answer in time", None)),
        },
    };
    // Every uncertain outcome names the key that finds it.
    result.map_err(|e| match (e.code, key.as_ref().map(|k| k.text.as_str())) {
        (ErrorCode::OutcomeUnknown, Some(k)) => e.with("idempotencyKey", Detail::Text(k.to_string())),
        _ => e,
    })
}

/// Phase 1: the gate, the key's lock, and the journal.
async fn prepare(
    entry: &WalletEntry,
    key: Option<&Digest>,
    spend: &Spend,
    waiting_for_key: &std::sync::atomic::AtomicBool,
) -> SdkResult<Ticket> {
    let gates = &entry.spends;
    let gate = gates.enter(entry.handle).await?;
    let Some(&mac) = key else { return Ok(Ticket::Run(Run { gate, key: None })) };
    let journal = &gates.journal;
    let params = journal.digest("params", &spend.canonical());
    // Dropped on every early return below (a conflict, a journal error): the key never stays locked.
    let hold = KeyHold { mac, _held: gates.hold_noting(mac, waiting_for_key).await };
    let begin = |hold: KeyHold| -> SdkResult<Ticket> {
        journal.begin(&hold.mac, &params, spend.kind())?;
        Ok(Ticket::Run(Run { gate, key: Some(hold) }))
    };
    match journal.lookup(&mac)? {
        None => begin(hold),
        Some(Record { params: p, kind, .. }) if p != params => Err(SdkError::new(
            ErrorCode::IdempotencyConflict,
            format!("this idempotencyKey was used for a {kind} with different parameters"),
        )),
        Some(Record { state: State::Done(result), .. }) => {
            if exists(entry, result.tx_ids.first().copied()).await? {
                Ok(Ticket::Replay(result))
            } else {
                // The journal outlived the wallet's record (a restored database): nothing stands, spend again.
                begin(hold)
            }
        }
        Some(Record { state: State::Pending, started_at_ms, .. }) => match reconcile(entry, spend, started_at_ms).await? {
            Some(result) => {
                journal.finish(Some(&mac), &result)?;
                tracing::info!(handle = entry.handle, tx_ids = ?result.tx_ids, "a spend interrupted earlier was found in the wallet");
                Ok(Ticket::Replay(result))
            }
            None => begin(hold),
        },
    }
}

async fn exists(entry: &WalletEntry, tx_id: Option<u64>) -> SdkResult<bool> {
    let Some(id) = tx_id else { return Ok(true) };
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    ts.get_any_transaction(TxId::from(id)).await.map(|t| t.is_some()).map_err(super::history::tx_error)
}

/// Writes the outcome to the journal; on a failure that may have stored something, keeps the key pending
/// and frees outputs the failed spend may have left locked.
async fn record(entry: &WalletEntry, key: Option<&KeyHold>, result: SdkResult<SpendResult>) -> SdkResult<SpendResult> {
    let journal = &entry.spends.journal;
    match result {
        Ok(r) => {
            if let Err(e) = journal.finish(key.map(|k| &k.mac), &r) {
                // The payment stands; a retry with the key still finds it in the wallet (reconcile).
                tracing::error!(handle = entry.handle, tx_ids = ?r.tx_ids, "cannot record a spend in the journal: {e}");
            }
            Ok(r)
        }
        Err(e) if stored_nothing(&e) => {
            if let Some(k) = key {
                let _ = journal.forget(&k.mac);
            }
            Err(e)
        }
        Err(e) => {
            tracing::warn!(handle = entry.handle, code = %e.code, "a spend failed after the wallet accepted it: {}", e.message);
            Err(if e.code == ErrorCode::OutcomeUnknown { e } else { outcome_unknown("the spend", &e.message, None) })
        }
    }
}

/// After a spend failed half-way: once no other spend is in flight, frees what it may have left locked.
fn release_after_failure(entry: Arc<WalletEntry>) {
    tokio::spawn(async move {
        let Ok(open) = tokio::time::timeout(CLOSE_WAIT, entry.spends.open.write()).await else { return };
        if *open {
            if let Ok((ts, oms)) = entry.with(|w| (w.transaction_service.clone(), w.output_manager_service.clone())) {
                if let Err(e) = release_orphaned_outputs(ts, oms, &entry.spends.journal).await {
                    tracing::warn!(handle = entry.handle, "{}", e.message);
                }
            }
        }
    });
}

/// Phase 1 after a crash: did the library store the spend that a `pending` row announced? Looks for
/// transactions stored since then that match it and that no other spend claimed.
async fn reconcile(entry: &WalletEntry, spend: &Spend, started_at_ms: i64) -> SdkResult<Option<SpendResult>> {
    let (mut ts, mut oms) = entry.with(|w| (w.transaction_service.clone(), w.output_manager_service.clone()))?;
    let since = started_at_ms - CLOCK_SLACK_MS;
    let journal = &entry.spends.journal;
    let mut candidates = Vec::new();
    for t in ts.get_completed_transactions(None, None, None, 0).await.map_err(super::history::tx_error)? {
        if t.timestamp.timestamp_millis() >= since && !journal.is_claimed(t.tx_id.as_u64())? {
            candidates.push(t);
        }
    }
    candidates.sort_by_key(|t| t.timestamp);
    let mut take = |p: Option<&Payment>| -> Option<CompletedTransaction> {
        let i = candidates.iter().position(|t| spend.made(t, p))?;
        Some(candidates.remove(i))
    };
    let found: Vec<Option<CompletedTransaction>> = match spend {
        Spend::Send { payment, .. } => vec![take(Some(payment))],
        Spend::SendMany { payments, .. } => payments.iter().map(|p| take(Some(p))).collect(),
        Spend::CoinSplit { .. } | Spend::CoinJoin { .. } => vec![take(None)],
        Spend::PayFeeFor { tx_id, .. } => {
            let memo = match ts.get_any_transaction(TxId::from(*tx_id)).await.map_err(super::history::tx_error)? {
                Some(minotari_wallet::transaction_service::storage::models::WalletTransaction::Completed(c)) => {
                    c.payment_id.payment_id_as_bytes()
                }
                _ => return Ok(None),
            };
            vec![take(Some(&Payment { to: entry.address.clone(), amount: 0, memo }))]
        }
    };
    if found.iter().all(Option::is_none) {
        return Ok(None);
    }
    let found: Vec<CompletedTransaction> = found
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| outcome_unknown(spend.kind(), "only some of the recipients' transactions are in the wallet", None))?;
    let mut result = SpendResult { tx_ids: found.iter().map(|t| t.tx_id.as_u64()).collect(), ..Default::default() };
    if let (Spend::CoinSplit { .. } | Spend::CoinJoin { .. }, Some(t)) = (spend, found.first()) {
        result.fee = t.fee.as_u64();
        let outputs = oms.fetch_outputs_by_tx_id(t.tx_id).await.map_err(super::utxos::om_error)?;
        result.outputs =
            outputs.iter().filter(|o| o.received_in_tx_id == Some(t.tx_id)).map(|o| o.wallet_output.value().as_u64()).collect();
    }
    Ok(Some(result))
}

/// Frees outputs locked for a transaction the wallet does not have: what a crash (or a failed coin split)
/// between locking the inputs and storing the transaction leaves behind. Must run while no spend is in
/// flight: at open, before the wallet is registered, or under the gate's write lock. Payments prepared
/// for offline signing have no transaction until they are broadcast: the journal keeps theirs locked.
pub async fn release_orphaned_outputs(
    mut ts: minotari_wallet::transaction_service::handle::TransactionServiceHandle,
    mut oms: super::release::OutputManager,
    journal: &super::journal::Journal,
) -> SdkResult<usize> {
    let prepared: std::collections::BTreeSet<u64> = journal.locked_by_prepared()?.into_iter().collect();
    let wallet_err = |e: &dyn std::fmt::Display| SdkError::new(ErrorCode::Wallet, format!("cannot check locked outputs: {e}"));
    let query =
        OutputBackendQuery { status: vec![OutputStatus::EncumberedToBeSpent, OutputStatus::EncumberedToBeReceived], ..Default::default() };
    let mut orphans = std::collections::BTreeSet::new();
    for o in oms.get_outputs_by_query(query).await.map_err(|e| wallet_err(&e))? {
        let id = if o.status == OutputStatus::EncumberedToBeSpent { o.spent_in_tx_id } else { o.received_in_tx_id };
        if let Some(id) = id {
            if !prepared.contains(&id.as_u64()) && ts.get_any_transaction(id).await.map_err(|e| wallet_err(&e))?.is_none() {
                orphans.insert(id.as_u64());
            }
        }
    }
    for id in &orphans {
        if super::release::release(&oms, *id).await? == super::release::Released::Outputs {
            tracing::warn!(tx_id = id, "released outputs locked for a transaction the wallet never stored");
        }
    }
    Ok(orphans.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tari_common_types::tari_address::TariAddress;

    fn pay(amount: u64, message: &str) -> Payment {
        Payment { to: TariAddress::default(), amount, memo: message.as_bytes().to_vec() }
    }

    #[test]
    fn parameters_are_told_apart() {
        let fee = FeeRate::Fixed(MicroMinotari::from(5));
        let send = |amount, message: &str, stealth| Spend::Send { payment: pay(amount, message), fee, stealth }.canonical();
        let auto = Spend::Send { payment: pay(1, "a"), fee: FeeRate::Auto, stealth: false }.canonical();
        assert_ne!(auto, send(1, "a", false), "auto is not any fixed rate");
        assert_eq!(auto, Spend::Send { payment: pay(1, "a"), fee: FeeRate::Auto, stealth: false }.canonical());
        assert_eq!(send(1, "a", false), send(1, "a", false));
        assert_ne!(send(1, "a", false), send(2, "a", false));
        assert_ne!(send(1, "a", false), send(1, "b", false));
        assert_ne!(send(1, "a", false), send(1, "a", true));
        // Length prefixes: moving a byte between fields changes the bytes.
        let many = |m1: &str, m2: &str| Spend::SendMany { payments: vec![pay(1, m1), pay(1, m2)], fee }.canonical();
        assert_ne!(many("ab", "c"), many("a", "bc"));
        let coin_fee = MicroMinotari::from(5);
        let split = |count| Spend::CoinSplit { commitments: None, count, fee: coin_fee }.canonical();
        assert_ne!(split(2), split(3));
        assert_ne!(Spend::CoinJoin { commitments: None, fee: coin_fee }.canonical(), split(2));
    }

    #[test]
    fn keys_are_bounded() {
        assert!(check_key("k").is_ok());
        assert_eq!(check_key("").unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(check_key(&"k".repeat(256)).unwrap_err().code, ErrorCode::InvalidArgument);
        let e = check_key(&"k".repeat(10_000)).unwrap_err();
        assert!(!e.message.contains("kkk"), "the key is not echoed");
    }
}
