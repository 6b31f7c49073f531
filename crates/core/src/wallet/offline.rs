//! Offline signing: a wallet that holds the funds (a view-only one, typically) prepares a payment and
//! locks its inputs; a seed wallet that never touches the network signs it; the preparing wallet
//! broadcasts it. The library's flow (`prepare_one_sided_transaction_for_signing`,
//! `sign_one_sided_transaction`, `broadcast_signed_one_sided_transaction`), with what it leaves to its
//! caller done here:
//!
//! - **Payload format.** Tari's own offline-signing JSON (version 5.0.0), the console wallet's format,
//!   passed through as text: its ids are u64 numbers, which a JS `JSON.parse` would round.
//! - **Tampering.** The view key signs the unsigned payload; the signer refuses one that changed
//!   (`ERR_INVALID_TRANSACTION`, `reason: 'integrity'`). The library's broadcast checks nothing, so the
//!   broadcast here refuses a signed payload whose request is not, byte for byte, what this wallet
//!   prepared (a MAC in the journal; `reason: 'changed'`).
//! - **Exactly once.** The library gives each signing a new transaction (fresh nonces, new id), all
//!   spending the same inputs, and fails a repeated broadcast on a duplicate change output. Here a prepared
//!   payment is broadcast once: the same signed payload again returns its transaction id; another signing
//!   of it is refused (`reason: 'resigned'`). The journal writes the signed id ahead of the broadcast, and
//!   a retry looks in the wallet's history first.
//! - **Locked inputs.** Prepared inputs stay locked (across restarts) until the payment is broadcast or
//!   `cancelPrepared` releases them; the SDK's orphan release at open leaves them alone. A prepare whose
//!   caller stopped waiting (timeout, abort) is cancelled: nobody holds its id.

use std::sync::Arc;

use minotari_wallet::output_manager_service::error::OutputManagerError;
use minotari_wallet::output_manager_service::UtxoSelectionCriteria;
use minotari_wallet::transaction_service::error::TransactionServiceError;
use serde::Serialize;
use tari_common_types::transaction::TxId;
use tari_transaction_components::offline_signing::models::{
    PrepareOneSidedTransactionForSigningResult, SignedOneSidedTransactionResult, TransactionResult,
};
use tari_transaction_components::offline_signing::{present_payload_summary, ConfirmationMode, PayloadSummary};
use tari_transaction_components::transaction_components::OutputFeatures;
use tari_transaction_components::MicroMinotari;
use tari_transaction_components::TransactionBuilderError;
use ts_rs::TS;

use super::entry::WalletEntry;
use super::journal::{PreparedRecord, PreparedState};
use super::release::release;
use super::transactions::{self, FeeRate, Payment};
use crate::call_scope::CallScope;
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

/// A payment prepared for offline signing; its inputs are locked until it is broadcast or cancelled.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreparedPayment {
    /// The prepared id, for `cancelPrepared`. The broadcast transaction gets its own id at signing.
    #[serde(serialize_with = "crate::js_repr::decimal")]
    #[ts(type = "string")]
    pub id: u64,
    /// The unsigned transaction for `signTransaction`: Tari's offline-signing JSON (version 5.0.0). Pass
    /// it on as it is; parsing and re-serialising it in JS rounds its 64-bit ids and breaks it.
    pub unsigned: String,
    /// The recipient, base58.
    pub to: String,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub amount: u64,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee_per_gram: u64,
    /// How many outputs are locked for it, and their total (µT).
    pub inputs: u32,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub input_total: u64,
}

/// A payment signed offline, ready for `broadcastSignedTransaction` on the wallet that prepared it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedPayment {
    /// The transaction id it will have once broadcast.
    #[serde(serialize_with = "crate::js_repr::decimal")]
    #[ts(type = "string")]
    pub tx_id: u64,
    /// `PreparedPayment.id`.
    #[serde(serialize_with = "crate::js_repr::decimal")]
    #[ts(type = "string")]
    pub prepared_id: u64,
    /// The signed transaction (JSON, as `unsigned`: pass it on as it is).
    pub signed: String,
    pub to: String,
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub amount: u64,
    /// The fee the signed transaction pays, µT.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub fee: u64,
}

fn invalid(reason: &str, message: impl Into<String>) -> SdkError {
    SdkError::new(ErrorCode::InvalidTransaction, message).with("reason", Detail::Text(reason.into()))
}

fn json_failed(e: impl std::fmt::Display) -> SdkError {
    SdkError::internal(format!("cannot serialise the transaction: {e}"))
}

/// MAC of an unsigned payload as this wallet wrote it.
fn payload_mac(entry: &WalletEntry, unsigned: &str) -> super::journal::Digest {
    entry.spends.journal.digest("prepared", unsigned.as_bytes())
}

/// `prepareTransaction`: locks inputs for the payment and returns it unsigned. Runs to its end whatever
/// happens to the call; a caller that stopped waiting gets `ERR_TIMEOUT` / `ERR_ABORTED`, and the
/// prepared payment is cancelled, its inputs released.
pub async fn prepare(entry: Arc<WalletEntry>, scope: CallScope, payment: Payment, fee: FeeRate) -> SdkResult<PreparedPayment> {
    let _changing = entry.reads.changing();
    let memo = transactions::memo(&payment.memo)?;
    let amount = transactions::amount(payment.amount)?;
    let gate = entry.spends.enter(entry.handle).await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task_entry = entry.clone();
    tokio::spawn(async move {
        let _gate = gate;
        let fee = fee.resolve(&task_entry).await;
        let result = lock_and_record(&task_entry, payment.to, amount, fee, memo).await;
        task_entry.reads.invalidate();
        if let Err(Ok(prepared)) = tx.send(result) {
            tracing::info!(handle = task_entry.handle, "cancelling a prepared payment whose caller stopped waiting");
            if let Err(e) = cancel(&task_entry, prepared.id).await {
                tracing::warn!(handle = task_entry.handle, "cannot cancel an abandoned prepared payment: {}", e.message);
            }
        }
    });
    tokio::select! {
        r = rx => r.unwrap_or_else(|_| Err(SdkError::internal("the prepare task ended without an answer"))),
        why = scope.interrupted() => Err(scope.error(why)),
    }
}

async fn lock_and_record(
    entry: &WalletEntry,
    to: tari_common_types::tari_address::TariAddress,
    amount: MicroMinotari,
    fee: MicroMinotari,
    memo: tari_transaction_components::transaction_components::MemoField,
) -> SdkResult<PreparedPayment> {
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let prepared = match ts
        .prepare_one_sided_transaction_for_signing(to, amount, UtxoSelectionCriteria::default(), OutputFeatures::default(), fee, memo)
        .await
    {
        Ok(p) => p,
        Err(e) => return Err(prepare_error(entry, e).await),
    };
    let id = prepared.tx_id.as_u64();
    let unsigned = prepared.to_json().map_err(json_failed);
    let recorded = unsigned.and_then(|u| entry.spends.journal.record_prepared(id, &payload_mac(entry, &u)).map(|_| u));
    let unsigned = match recorded {
        Ok(u) => u,
        Err(e) => {
            // Not remembered, so never broadcastable: release the inputs rather than leave them locked.
            let oms = entry.with(|w| w.output_manager_service.clone())?;
            if let Err(released) = release(&oms, id).await {
                tracing::warn!(
                    handle = entry.handle,
                    tx_id = id,
                    "an unrecorded prepared payment keeps its inputs locked until the wallet reopens: {}",
                    released.message
                );
            }
            return Err(e);
        }
    };
    let info = &prepared.info;
    let recipient = info.recipients.first().ok_or_else(|| SdkError::internal("the prepared payment has no recipient"))?;
    Ok(PreparedPayment {
        id,
        unsigned,
        to: recipient.address.to_base58(),
        amount: recipient.amount.as_u64(),
        fee_per_gram: info.fee_per_gram.as_u64(),
        inputs: info.inputs.len() as u32,
        input_total: info.inputs.iter().map(|o| o.value().as_u64()).sum(),
    })
}

async fn prepare_error(entry: &WalletEntry, e: TransactionServiceError) -> SdkError {
    use OutputManagerError as Om;
    use TransactionBuilderError as B;
    match e {
        TransactionServiceError::OutputManagerError(Om::TransactionBuilderError(B::OfflineTransactionRequiresChange { .. }))
        | TransactionServiceError::TransactionBuilderError(B::OfflineTransactionRequiresChange { .. }) => SdkError::new(
            ErrorCode::InsufficientFunds,
            "a payment signed offline must leave change: send less than the available balance minus the fee",
        ),
        other => transactions::send_error(entry, other).await,
    }
}

/// `signTransaction`: signs an unsigned payment with this wallet's spend key. Touches neither the network
/// nor the database: the signing wallet can run offline (an unreachable base node URL).
pub async fn sign(entry: &WalletEntry, unsigned: &str) -> SdkResult<SignedPayment> {
    super::keys::refuse_if_view_only(entry, "signTransaction")?;
    let prepared = PrepareOneSidedTransactionForSigningResult::from_json(unsigned)
        .map_err(|_| invalid("format", "not an unsigned transaction in Tari's offline-signing format (version 5.0.0)"))?;
    let recipient = prepared.info.recipients.first().ok_or_else(|| invalid("format", "the unsigned transaction has no recipient"))?;
    if prepared.info.recipients.iter().any(|r| r.address.network() != entry.network) {
        return Err(invalid("network", format!("the payment is for another network than this wallet's ({})", entry.network)));
    }
    let (prepared_id, to, amount) = (prepared.tx_id.as_u64(), recipient.address.to_base58(), recipient.amount.as_u64());
    // The library asks an operator to approve a summary; the SDK's caller decided when it called this.
    let summary = PayloadSummary::from_one_sided(prepared);
    let decision = present_payload_summary(&summary, ConfirmationMode::NonInteractive, &mut std::io::sink(), &mut std::io::empty())
        .map_err(|e| SdkError::internal(format!("cannot confirm the payload: {e}")))?;
    let confirmed = summary.confirm(decision).map_err(|e| SdkError::internal(format!("cannot confirm the payload: {e:?}")))?;
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let signed = ts.sign_one_sided_transaction(confirmed).await.map_err(sign_error)?;
    let fee = signed.signed_transaction.transaction.body.get_total_fee().map(|f| f.as_u64()).unwrap_or(0);
    Ok(SignedPayment {
        tx_id: signed.signed_transaction.tx_id.as_u64(),
        prepared_id,
        signed: signed.to_json().map_err(json_failed)?,
        to,
        amount,
        fee,
    })
}

fn sign_error(e: TransactionServiceError) -> SdkError {
    match e {
        TransactionServiceError::TransactionBuilderError(TransactionBuilderError::Other(m)) if m.contains("integrity check failed") => {
            invalid(
                "integrity",
                "the unsigned transaction was changed after it was prepared, or was prepared by a wallet with another view key",
            )
        }
        TransactionServiceError::TransactionBuilderError(b) => invalid("rejected", format!("the signer refused the transaction: {b}")),
        other => SdkError::new(ErrorCode::Wallet, format!("signing failed: {other}")),
    }
}

/// `broadcastSignedTransaction`: hands a signed payment this wallet prepared to the library, once.
/// Resolves to its transaction id; the same signed payment again resolves to the same id.
pub async fn broadcast(entry: Arc<WalletEntry>, scope: CallScope, signed_json: String) -> SdkResult<u64> {
    let _changing = entry.reads.changing();
    let signed = SignedOneSidedTransactionResult::from_json(&signed_json)
        .map_err(|_| invalid("format", "not a signed transaction in Tari's offline-signing format (version 5.0.0)"))?;
    let (prepared_id, tx_id) = (signed.request.tx_id.as_u64(), signed.signed_transaction.tx_id.as_u64());
    let held = hold_prepared(&entry, prepared_id).await;
    let record = checked(&entry, &signed, prepared_id, tx_id)?;
    if record.state == PreparedState::Broadcast {
        return Ok(tx_id);
    }
    let gate = entry.spends.enter(entry.handle).await?;
    // From here it runs to its end; a retry is always safe (it finds the transaction first).
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task_entry = entry.clone();
    tokio::spawn(async move {
        let result = hand_over(&task_entry, signed, prepared_id, tx_id).await;
        drop((held, gate));
        let _ = tx.send(result);
    });
    let unknown = || {
        SdkError::new(
            ErrorCode::OutcomeUnknown,
            "broadcastSignedTransaction: stopped waiting before the wallet answered; retry with the same signed transaction, it never pays twice",
        )
        .with("txId", Detail::Text(tx_id.to_string()))
    };
    tokio::select! {
        r = rx => r.unwrap_or_else(|_| Err(unknown())),
        _ = scope.interrupted() => Err(unknown()),
    }
}

/// The journal's word on a signed payment: prepared here, unchanged, not cancelled, not signed twice.
fn checked(entry: &WalletEntry, signed: &SignedOneSidedTransactionResult, prepared_id: u64, tx_id: u64) -> SdkResult<PreparedRecord> {
    let record = entry
        .spends
        .journal
        .prepared(prepared_id)?
        .ok_or_else(|| invalid("unknown", "this wallet did not prepare that transaction (broadcast it from the wallet that did)"))?;
    if payload_mac(entry, &signed.request.to_json().map_err(json_failed)?) != record.payload {
        return Err(invalid("changed", "the signed transaction does not carry the payment this wallet prepared"));
    }
    match (record.state, record.signed_tx_id) {
        (PreparedState::Cancelled, _) => Err(invalid("cancelled", "this prepared payment was cancelled; its inputs were released")),
        (PreparedState::Broadcast | PreparedState::Broadcasting, Some(id)) if id != tx_id => {
            Err(invalid("resigned", format!("another signature of this prepared payment was already broadcast, as transaction {id}")))
        }
        _ => Ok(record),
    }
}

async fn hand_over(entry: &WalletEntry, signed: SignedOneSidedTransactionResult, prepared_id: u64, tx_id: u64) -> SdkResult<u64> {
    let journal = &entry.spends.journal;
    let done = |id| -> SdkResult<u64> {
        journal.set_prepared(prepared_id, PreparedState::Broadcast, Some(id))?;
        // Claimed, so that no idempotency-key retry of another spend takes it for its own.
        journal.finish(None, &super::journal::SpendResult { tx_ids: vec![id], ..Default::default() })?;
        Ok(id)
    };
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let stored = |mut ts: minotari_wallet::transaction_service::handle::TransactionServiceHandle| async move {
        ts.get_any_transaction(TxId::from(tx_id)).await.map(|t| t.is_some()).map_err(super::history::tx_error)
    };
    if stored(ts.clone()).await? {
        return done(tx_id);
    }
    journal.set_prepared(prepared_id, PreparedState::Broadcasting, Some(tx_id))?;
    match ts.broadcast_signed_one_sided_transaction(signed).await {
        Ok(_) => done(tx_id),
        Err(e @ (TransactionServiceError::InvalidNetwork | TransactionServiceError::InvalidAddress(_))) => {
            // Refused before anything was stored.
            journal.set_prepared(prepared_id, PreparedState::Prepared, None)?;
            Err(super::address::invalid("network", e.to_string()))
        }
        Err(e) => {
            if stored(ts).await.unwrap_or(false) {
                return done(tx_id);
            }
            tracing::warn!(handle = entry.handle, tx_id, "a signed payment's broadcast failed: {e}");
            Err(SdkError::new(
                ErrorCode::OutcomeUnknown,
                format!("broadcastSignedTransaction failed ({e}); retry with the same signed transaction, it never pays twice"),
            )
            .with("txId", Detail::Text(tx_id.to_string())))
        }
    }
}

/// `cancelPrepared`: releases a prepared payment's inputs. Cancelling one already cancelled succeeds;
/// one broadcast is `ERR_NOT_CANCELLABLE` (cancel its transaction instead, while it is unmined).
pub async fn cancel_prepared(entry: &WalletEntry, prepared_id: u64) -> SdkResult<()> {
    let _changing = entry.reads.changing();
    let _held = hold_prepared(entry, prepared_id).await;
    cancel(entry, prepared_id).await
}

/// Serialises the calls on one prepared payment (a broadcast racing a cancel).
async fn hold_prepared(entry: &WalletEntry, prepared_id: u64) -> super::gate::KeyGuard {
    entry.spends.hold(entry.spends.journal.digest("prepared-id", &prepared_id.to_le_bytes())).await
}

async fn cancel(entry: &WalletEntry, prepared_id: u64) -> SdkResult<()> {
    let journal = &entry.spends.journal;
    let record = journal
        .prepared(prepared_id)?
        .ok_or_else(|| SdkError::new(ErrorCode::TransactionNotFound, format!("no payment prepared here has id {prepared_id}")))?;
    match (record.state, record.signed_tx_id) {
        (PreparedState::Cancelled, _) => Ok(()),
        (PreparedState::Prepared, _) => {
            // Recorded as cancelled only once the library says nothing stays locked by it; otherwise it
            // stays prepared, and a retry of the cancel releases it.
            let oms = entry.with(|w| w.output_manager_service.clone())?;
            release(&oms, prepared_id).await?;
            journal.set_prepared(prepared_id, PreparedState::Cancelled, None)
        }
        (_, id) => Err(SdkError::new(
            ErrorCode::NotCancellable,
            format!("this prepared payment was broadcast as transaction {}; cancel that while it is unmined", id.unwrap_or(0)),
        )),
    }
}
