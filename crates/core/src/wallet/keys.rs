//! Cold storage keys: what a seed wallet exports for a view-only wallet, and the view-only wallet made
//! from them.
//!
//! A view-only wallet is the library's `ProvidedKeys` wallet type without a spend private key: it holds the
//! view private key (reads every incoming amount and the wallet's own change) and the spend public key, so
//! its one-sided address is the seed wallet's, and it cannot sign. Keys are 64-character hex, as the
//! console wallet's `--view-private-key` / `--spend-key` take them.
//!
//! Exposure (minotari_wallet 6.2.0): the library stores the wallet type, view key included, as plain JSON
//! in the database's settings table; the passphrase does not encrypt it (6.3.0 will). The SDK keeps the
//! files 0600 in a 0700 directory (`files`); treat a view wallet's data directory as the view key itself.

use std::sync::Arc;

use minotari_wallet::storage::database::WalletDatabase;
use minotari_wallet::storage::sqlite_db::wallet::WalletSqliteDatabase;
use serde::Serialize;
use tari_common_types::types::{CompressedPublicKey, PrivateKey};
use tari_transaction_components::key_manager::TransactionKeyManagerInterface;
use tari_transaction_key_manager::legacy_key_manager::wallet_types::{LegacyWalletType, ProvidedKeysWallet};
use tari_utilities::hex::Hex;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::entry::WalletEntry;
use super::errors;
use crate::error::{ErrorCode, SdkError, SdkResult};
use crate::runtime::{RuntimeKind, RuntimePool};

/// What a view-only wallet is made from (`exportViewKeys` → `createViewWallet`).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ViewKeys {
    /// The view private key, hex. Reveals every incoming amount and the wallet's own change; cannot spend.
    #[serde(serialize_with = "reveal")]
    #[ts(type = "string")]
    pub view_key: Zeroizing<String>,
    /// The spend public key, hex.
    pub spend_public_key: String,
    /// Days since 2022-01-01 from which the wallet's outputs can exist; a view wallet scans from here.
    pub birthday: u16,
}

fn reveal<S: serde::Serializer>(v: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// The keys of a view-only wallet to be created, checked.
pub struct ViewWalletKeys(ProvidedKeysWallet);

/// Checks the keys before anything is written: a scalar that is not canonical, or a spend public key that
/// is not a curve point, is `ERR_INVALID_ARGUMENT` (without echoing either).
pub fn parse(view_key: &str, spend_public_key: &str, birthday: Option<u16>) -> SdkResult<ViewWalletKeys> {
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex64(view_key) {
        return Err(SdkError::invalid_argument("viewKey must be 64 hex characters (a private key)"));
    }
    let view_key = PrivateKey::from_hex(view_key).map_err(|_| SdkError::invalid_argument("viewKey is not a valid private key"))?;
    let public_spend_key = hex64(spend_public_key)
        .then(|| CompressedPublicKey::from_hex(spend_public_key).ok())
        .flatten()
        .filter(|k| k.to_public_key().is_ok())
        .ok_or_else(|| SdkError::invalid_argument("spendPublicKey must be 64 hex characters of a valid public key"))?;
    Ok(ViewWalletKeys(ProvidedKeysWallet { public_spend_key, private_spend_key: None, private_comms_key: None, view_key, birthday }))
}

impl ViewWalletKeys {
    pub(super) fn wallet_type(self) -> LegacyWalletType {
        LegacyWalletType::ProvidedKeys(self.0)
    }
}

/// Whether the stored wallet type lacks a spend key.
pub(super) fn is_view_only(wallet_type: Option<&LegacyWalletType>) -> bool {
    matches!(wallet_type, Some(LegacyWalletType::ProvidedKeys(p)) if p.private_spend_key.is_none())
}

/// The day the wallet's scanner starts from, as the library's scanner decides it: a view wallet's stored
/// keys carry it (its master seed is a placeholder made when the view wallet was).
fn scan_birthday(db: &WalletDatabase<WalletSqliteDatabase>) -> SdkResult<u16> {
    Ok(match db.get_wallet_type().map_err(errors::storage)? {
        Some(LegacyWalletType::ProvidedKeys(p)) => p.birthday.unwrap_or(0),
        Some(LegacyWalletType::Ledger(_)) => 0,
        _ => db.get_wallet_birthday().map_err(errors::storage)?,
    })
}

/// `exportViewKeys`: re-checks the passphrase (Argon2, on the crypto runtime's blocking pool), then reads
/// the keys from the running wallet's key manager.
pub async fn export(pool: &RuntimePool, entry: Arc<WalletEntry>, passphrase: Zeroizing<String>) -> SdkResult<ViewKeys> {
    let (km, db) = entry.with(|w| (w.key_manager_service.clone(), w.db.clone()))?;
    let db_file = entry.db_file();
    pool.handle(RuntimeKind::Crypto)
        .spawn_blocking(move || {
            super::migrations::verify_passphrase(&db_file, &passphrase, None)?;
            Ok(ViewKeys {
                view_key: Zeroizing::new(km.get_private_view_key().to_hex()),
                spend_public_key: km.get_spend_key().pub_key.to_hex(),
                birthday: scan_birthday(&db)?,
            })
        })
        .await
        .map_err(|e| SdkError::internal(format!("key export task failed: {e}")))?
}

/// Refuses what a view-only wallet cannot do, before anything runs.
pub fn refuse_if_view_only(entry: &WalletEntry, what: &str) -> SdkResult<()> {
    if entry.view_only {
        return Err(SdkError::new(ErrorCode::ViewOnly, format!("{what}: this wallet is view-only (it has no spend key)")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_before_anything_is_written_and_never_echoed() {
        let view = PrivateKey::from_hex(&"01".repeat(32)).unwrap_or_else(|_| PrivateKey::default());
        let view_hex = view.to_hex();
        let spend = CompressedPublicKey::from_secret_key(&PrivateKey::from_hex(&format!("{:0>64}", "07")).unwrap()).to_hex();
        assert!(parse(&view_hex, &spend, Some(5)).is_ok());
        for (v, s) in [
            ("zz".repeat(32), spend.clone()),
            (view_hex[..62].to_string(), spend.clone()),
            ("ff".repeat(32), spend.clone()),    // not a canonical scalar
            (view_hex.clone(), "ff".repeat(32)), // not a point
            (view_hex.clone(), format!("{spend}00")),
        ] {
            let e = parse(&v, &s, None).err().unwrap();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(!e.message.contains(&v) && !e.message.contains(&s), "{}", e.message);
        }
        assert!(is_view_only(Some(&parse(&view_hex, &spend, None).unwrap().wallet_type())));
        assert!(!is_view_only(Some(&LegacyWalletType::DerivedKeys)));
        assert!(!is_view_only(None));
    }
}
