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
    use minotari_wallet::output_manager_service::error::OutputManagerError as Om;
    use minotari_wallet::transaction_service::error::TransactionServiceError as Ts;
    match e {
        WalletError::WalletStorageError(s) => storage(s),
        // Raised while choosing inputs, before anything is stored (coin split and join).
        WalletError::OutputManagerError(Om::NotEnoughFunds | Om::FundsPending)
        | WalletError::TransactionServiceError(Ts::OutputManagerError(Om::NotEnoughFunds | Om::FundsPending)) => {
            SdkError::new(ErrorCode::InsufficientFunds, "the spendable outputs cannot cover this (some may still be immature or pending)")
        }
        other => SdkError::new(ErrorCode::Wallet, other.to_string()),
    }
}

pub fn invalid_handle(handle: u32) -> crate::error::SdkError {
    crate::error::SdkError::new(
        crate::error::ErrorCode::InvalidHandle,
        format!("wallet handle {handle} is not open (closed, destroyed or never issued)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use minotari_wallet::output_manager_service::error::OutputManagerError;

    #[test]
    fn missing_funds_are_insufficient_funds_not_a_wallet_failure() {
        // A spend that fails this way stored nothing; ERR_WALLET would make it an uncertain outcome.
        assert_eq!(wallet(WalletError::OutputManagerError(OutputManagerError::NotEnoughFunds)).code, ErrorCode::InsufficientFunds);
        assert_eq!(wallet(WalletError::OutputManagerError(OutputManagerError::FundsPending)).code, ErrorCode::InsufficientFunds);
    }
}
