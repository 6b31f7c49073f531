//! Reads from an open wallet: balance and seed words.

use std::sync::Arc;

use zeroize::Zeroizing;

pub use super::balance::Balance;
use super::{entry::WalletEntry, errors, seeds};
use crate::error::{ErrorCode, SdkError, SdkResult};
use crate::runtime::{RuntimeKind, RuntimePool};

pub async fn balance(entry: &WalletEntry) -> SdkResult<Balance> {
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let b = oms.get_balance().await.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("cannot read the balance: {e}")))?;
    Ok(Balance {
        available: b.available_balance.as_u64(),
        pending_incoming: b.pending_incoming_balance.as_u64(),
        pending_outgoing: b.pending_outgoing_balance.as_u64(),
        time_locked: b.time_locked_balance.map(|t| t.as_u64()).unwrap_or(0),
    })
}

/// The wallet's 24 words, deciphered on the crypto runtime's blocking pool.
pub async fn seed_words(
    pool: &RuntimePool,
    entry: Arc<WalletEntry>,
    seed_passphrase: Option<Zeroizing<String>>,
) -> SdkResult<Zeroizing<Vec<String>>> {
    // Its stored seed is a placeholder: its words would restore an unrelated, empty wallet.
    super::keys::refuse_if_view_only(&entry, "getSeedWords")?;
    let db = entry.with(|w| w.db.clone())?;
    pool.handle(RuntimeKind::Crypto)
        .spawn_blocking(move || {
            let seed = db
                .get_master_seed()
                .map_err(errors::storage)?
                .ok_or_else(|| SdkError::new(ErrorCode::WalletCorrupt, "the wallet database holds no seed"))?;
            seeds::words(&seed, seed_passphrase.as_deref().map(String::as_str))
        })
        .await
        .map_err(|e| SdkError::internal(format!("seed task failed: {e}")))?
}
