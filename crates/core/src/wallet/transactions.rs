//! Payments: one-sided sends (plain, stealth, multi-recipient), fee estimates and cancellation.

use minotari_wallet::output_manager_service::error::OutputManagerError;
use minotari_wallet::output_manager_service::UtxoSelectionCriteria;
use minotari_wallet::transaction_service::error::TransactionServiceError;
use tari_common_types::tari_address::{TariAddress, TariAddressFeatures};
use tari_common_types::transaction::TxId;
use tari_transaction_components::transaction_components::memo_field::TxType;
use tari_transaction_components::transaction_components::{MemoField, OutputFeatures};
use tari_transaction_components::MicroMinotari;

use super::history::get;
use super::tx_state::TxStatus;
use super::{address, entry::WalletEntry, queries};
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

/// Largest memo the library accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 254;
pub use crate::fees::{DEFAULT_FEE_PER_GRAM, MAX_FEE_PER_GRAM};

pub struct Payment {
    pub to: TariAddress,
    pub amount: u64,
    /// The memo's user data: a message's UTF-8, or a payment id's bytes. In Tari they are one field.
    pub memo: Vec<u8>,
}

/// Checks a recipient: parses, same network as the wallet, can receive one-sided payments.
pub fn recipient(entry: &WalletEntry, to: &str) -> SdkResult<TariAddress> {
    recipient_on(entry.network, to)
}

/// `recipient` for a wallet on `network`, with no wallet needed.
pub fn recipient_on(network: tari_common::configuration::Network, to: &str) -> SdkResult<TariAddress> {
    let a = address::parse_for(to, network)?;
    if !a.features().contains(TariAddressFeatures::ONE_SIDED) {
        return Err(address::invalid("features", "the address does not accept one-sided payments"));
    }
    let id = address::payment_id_of(&a).len();
    if id > address::MAX_PAYMENT_ID_BYTES {
        // The library would build the transaction and then cancel it as invalid: refuse before anything is stored.
        return Err(address::invalid(
            "size",
            format!("the address's payment id is {id} bytes; a payment can carry at most {}", address::MAX_PAYMENT_ID_BYTES),
        ));
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

/// A payment's fee per gram: fixed, or `auto`, decided just before the payment from the base node's
/// mempool (`fees::suggested`; the default when no base node answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeRate {
    Fixed(MicroMinotari),
    Auto,
}

impl FeeRate {
    /// The rate as idempotency-key parameter bytes. A fixed rate keeps the bytes it had before `auto`
    /// existed, so keys stored then still match.
    pub fn canonical(&self) -> Vec<u8> {
        match self {
            FeeRate::Fixed(f) => f.as_u64().to_le_bytes().to_vec(),
            FeeRate::Auto => b"auto".to_vec(),
        }
    }

    pub async fn resolve(self, entry: &WalletEntry) -> MicroMinotari {
        match self {
            FeeRate::Fixed(f) => f,
            FeeRate::Auto => match crate::fees::stats(&entry.base_node_urls, 2).await {
                Ok(s) => MicroMinotari::from(s.suggested_fee_per_gram),
                Err(e) => {
                    tracing::warn!(handle = entry.handle, "no fee stats ({}); paying the default fee per gram", e.message);
                    MicroMinotari::from(DEFAULT_FEE_PER_GRAM)
                }
            },
        }
    }
}

pub fn memo(data: &[u8]) -> SdkResult<MemoField> {
    if data.len() > MAX_MESSAGE_BYTES {
        return Err(SdkError::invalid_argument(format!(
            "the message or payment id is {} bytes; at most {MAX_MESSAGE_BYTES} fit in a transaction",
            data.len()
        )));
    }
    if data.is_empty() {
        return Ok(MemoField::new_empty());
    }
    MemoField::new_open(data.to_vec(), TxType::PaymentToOther).map_err(SdkError::invalid_argument)
}

pub(super) async fn send_error(entry: &WalletEntry, e: TransactionServiceError) -> SdkError {
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
    let memo = memo(&p.memo)?;
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
        destinations.push((p.to, amount(p.amount)?, memo(&p.memo)?));
    }
    match ts
        .send_one_sided_multi_recipient_transaction(destinations, UtxoSelectionCriteria::default(), OutputFeatures::default(), fee)
        .await
    {
        Ok(ids) => Ok(ids.into_iter().map(TxId::as_u64).collect()),
        Err(e) => Err(send_error(entry, e).await),
    }
}

/// Child pays for parent: the library spends the wallet's outputs of `tx_id` (its change), unmined, back
/// to the wallet with `fee` µT in all, so a miner who wants the child's fee takes the parent too (the
/// 6.2.0 mempool accepts a child of an unmined parent and ranks the two together). Returns the child's id.
pub async fn pay_fee_for(entry: &WalletEntry, tx_id: u64, fee: MicroMinotari) -> SdkResult<u64> {
    let current = get(entry, tx_id).await?;
    if current.direction != "outbound" || current.mined.mined_height.is_some() || current.status == TxStatus::Cancelled {
        return Err(SdkError::invalid_argument(format!(
            "transaction {tx_id} is not an unmined payment of this wallet ({}, {:?}): there is nothing to pay for",
            current.direction, current.status
        )));
    }
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    match ts.user_pay_for_fee(TxId::from(tx_id), entry.address.clone(), fee).await {
        Ok(id) => Ok(id.as_u64()),
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

fn not_cancellable(reason: &str, message: String) -> SdkError {
    SdkError::new(ErrorCode::NotCancellable, message).with("reason", Detail::Text(reason.into()))
}

/// Cancels a transaction that no base node can mine: one still being negotiated, or one the mempool
/// rejected. Its inputs become spendable again.
///
/// A transaction handed to a base node (`completed`, `broadcast`, `queued`: every one-sided payment from
/// the moment `send` resolves) is refused with `reason: 'broadcast'`. The library would mark it cancelled
/// and free its inputs, but nodes keep it in their mempools and mine it: the payment happens while the
/// wallet says it did not, and a payment made again with the freed inputs pays twice.
pub async fn cancel(entry: &WalletEntry, id: u64) -> SdkResult<()> {
    let _changing = entry.reads.changing();
    let current = get(entry, id).await?;
    if current.status == TxStatus::Cancelled {
        return Ok(());
    }
    if let Some(height) = current.mined.mined_height {
        return Err(not_cancellable("mined", format!("transaction {id} is already mined at height {height}; it cannot be cancelled")));
    }
    let mut ts = entry.with(|w| w.transaction_service.clone())?;
    let result = match current.status {
        TxStatus::PendingOutbound | TxStatus::PendingInbound => ts.cancel_pending_transaction(TxId::from(id)).await,
        TxStatus::Rejected => ts.cancel_completed_transaction(TxId::from(id)).await,
        _ => {
            return Err(not_cancellable(
                "broadcast",
                format!("transaction {id} was handed to the base node and may still be mined; cancelling it would not stop the payment"),
            ))
        }
    };
    result.map_err(|e| SdkError::new(ErrorCode::NotCancellable, format!("transaction {id} cannot be cancelled: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tari_common::configuration::Network;
    use tari_common_types::types::CompressedPublicKey;
    use tari_utilities::hex::Hex;

    #[test]
    fn a_recipient_whose_payment_id_a_payment_cannot_carry_is_refused_before_sending() {
        let key = CompressedPublicKey::from_hex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76").unwrap();
        let plain = TariAddress::new_dual_address_with_default_features(key.clone(), key, Network::LocalNet).unwrap();
        let fits = plain.with_memo_field_payment_id(vec![1; address::MAX_PAYMENT_ID_BYTES]).unwrap();
        assert!(recipient_on(Network::LocalNet, &fits.to_base58()).is_ok());
        let long = plain.with_memo_field_payment_id(vec![1; address::MAX_PAYMENT_ID_BYTES + 1]).unwrap();
        let e = recipient_on(Network::LocalNet, &long.to_base58()).unwrap_err();
        assert_eq!((e.code, e.detail("reason")), (ErrorCode::InvalidAddress, Some(&Detail::Text("size".into()))));
    }
}
