//! Reads from an open wallet: balance and seed words.

use std::sync::Arc;

use zeroize::Zeroizing;

pub use super::balance::Balance;
use super::{entry::WalletEntry, errors, seeds};
use crate::error::{ErrorCode, SdkError, SdkResult};
use crate::runtime::{RuntimeKind, RuntimePool};

/// The balance: the cached one while the wallet has not changed (`wallet::read_cache`), else the library's.
pub async fn balance(entry: &WalletEntry) -> SdkResult<Balance> {
    if let Some(b) = entry.reads.balance() {
        return Ok(b);
    }
    let seen = entry.reads.generation();
    let mut oms = entry.with(|w| w.output_manager_service.clone())?;
    let b = oms.get_balance().await.map_err(|e| SdkError::new(ErrorCode::Wallet, format!("cannot read the balance: {e}")))?;
    let b = Balance {
        available: b.available_balance.as_u64(),
        pending_incoming: b.pending_incoming_balance.as_u64(),
        pending_outgoing: b.pending_outgoing_balance.as_u64(),
        time_locked: b.time_locked_balance.map(|t| t.as_u64()).unwrap_or(0),
    };
    entry.reads.keep_balance(seen, b);
    Ok(b)
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
