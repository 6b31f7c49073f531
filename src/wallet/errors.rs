//! `minotari_wallet` errors mapped onto the SDK's codes. Library messages carry no secrets (they never see
//! the seed words or passphrase as text), so they are kept for diagnosis.

use minotari_wallet::error::{WalletError, WalletStorageError};
use tari_common_sqlite::error::SqliteStorageError;

use crate::error::{ErrorCode, SdkError};

pub fn storage(e: WalletStorageError) -> SdkError {
    match e {
        WalletStorageError::InvalidPassphrase => {
            SdkError::new(ErrorCode::WrongPassphrase, "the passphrase does not decrypt this wallet database")
        }
        WalletStorageError::CannotAcquireFileLock => {
            SdkError::new(ErrorCode::WalletLocked, "the wallet database is already open (in this process or another); close it first")
        }
        WalletStorageError::DieselR2d2Error(SqliteStorageError::JournalMode { .. })
        | WalletStorageError::DatabaseMigrationError(_)
        | WalletStorageError::DieselError(_)
        | WalletStorageError::UnexpectedResult(_)
        | WalletStorageError::BadEncryptionVersion(_)
        | WalletStorageError::InvalidEncryptionCipher => {
            SdkError::new(ErrorCode::WalletCorrupt, format!("the wallet database cannot be read: {e}"))
        }
        other => SdkError::new(ErrorCode::Wallet, format!("wallet storage: {other}")),
    }
}

pub fn wallet(e: WalletError) -> SdkError {
    match e {
        WalletError::WalletStorageError(s) => storage(s),
        other => SdkError::new(ErrorCode::Wallet, other.to_string()),
    }
}
