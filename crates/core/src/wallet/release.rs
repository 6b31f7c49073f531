//! Releasing the outputs a transaction locked: a cancelled prepared payment, a prepare the journal could
//! not record, a lock left by a crash.
//!
//! The library releases them in one SQLite transaction that reads, then writes. In WAL mode such a
//! transaction fails at once ("database is locked", `SQLITE_BUSY_SNAPSHOT`; the busy timeout does not
//! apply) when another connection of the wallet commits between its read and its write: a broadcast, a
//! scan or a validation, all of which run beside a cancel. The transaction rolls back whole, so a retry is
//! safe. Before, a cancel took any storage error for "nothing was locked" and said it had released the
//! inputs while they stayed locked (a flaky test in CI found it). Now only the library's "no output is
//! locked by this transaction" counts as released; a database error is retried, then reported.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use minotari_wallet::output_manager_service::error::{OutputManagerError, OutputManagerStorageError as Storage};
use tari_common_types::transaction::TxId;

use crate::error::{ErrorCode, SdkError, SdkResult};

/// The library's output manager, as a wallet holds it.
pub type OutputManager = minotari_wallet::output_manager_service::handle::OutputManagerHandle<minotari_wallet::WalletKeyManager>;

/// Attempts at a release whose database was busy: about 1.5 s in all.
const ATTEMPTS: usize = 8;

/// What a release found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    /// Outputs were locked by the transaction and are spendable again.
    Outputs,
    /// No output was locked by it (already released, or never locked).
    Nothing,
}

/// Releases what `tx_id` locked. `ERR_WALLET` when the library refuses, or its database stays busy.
pub async fn release(oms: &OutputManager, tx_id: u64) -> SdkResult<Released> {
    release_with(|| {
        let mut oms = oms.clone();
        async move {
            if let Some(e) = take_injected_failure() {
                return Err(e);
            }
            oms.cancel_pending_transaction(TxId::from(tx_id)).await
        }
    })
    .await
}

async fn release_with<F, Fut>(attempt: F) -> SdkResult<Released>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), OutputManagerError>>,
{
    let policy = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_millis(400))
        .with_max_times(ATTEMPTS - 1)
        .with_jitter();
    let result = attempt
        .retry(policy)
        .sleep(tokio::time::sleep)
        .when(busy)
        .notify(|e, delay| tracing::debug!(delay_ms = delay.as_millis() as u64, "retrying an output release: {e}"))
        .await;
    match result {
        Ok(()) => Ok(Released::Outputs),
        Err(OutputManagerError::OutputManagerStorageError(Storage::ValueNotFound)) => Ok(Released::Nothing),
        Err(e) => Err(SdkError::new(ErrorCode::Wallet, format!("cannot release the locked outputs: {e}"))),
    }
}

/// A database failure: the release rolled back and may succeed when tried again.
fn busy(e: &OutputManagerError) -> bool {
    matches!(
        e,
        OutputManagerError::OutputManagerStorageError(
            Storage::DieselError(_) | Storage::DieselR2d2Error(_) | Storage::DieselConnectionError(_)
        )
    )
}

/// Failures the next releases report before reaching the library (`__testFailReleases`).
static INJECTED_FAILURES: AtomicU32 = AtomicU32::new(0);

/// Makes the next `n` release attempts fail as a busy database would (tests only).
pub fn inject_busy_failures(n: u32) {
    INJECTED_FAILURES.store(n, Ordering::Relaxed);
}

fn take_injected_failure() -> Option<OutputManagerError> {
    INJECTED_FAILURES.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).ok().map(|_| busy_error())
}

fn busy_error() -> OutputManagerError {
    let locked =
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::Unknown, Box::new("database is locked".to_string()));
    OutputManagerError::OutputManagerStorageError(Storage::DieselError(locked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A release whose first `busy` attempts fail as a busy database would, then answers `last`.
    async fn run(busy: usize, last: fn() -> Result<(), OutputManagerError>) -> (SdkResult<Released>, usize) {
        let calls = AtomicUsize::new(0);
        let result = release_with(|| {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            async move {
                if n < busy {
                    Err(busy_error())
                } else {
                    last()
                }
            }
        })
        .await;
        (result, calls.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn a_busy_database_is_retried_until_the_release_happens() {
        let (result, calls) = run(3, || Ok(())).await;
        assert_eq!((result.unwrap(), calls), (Released::Outputs, 4));
    }

    #[tokio::test]
    async fn nothing_locked_is_the_only_error_that_counts_as_released() {
        let (result, calls) = run(0, || Err(OutputManagerError::OutputManagerStorageError(Storage::ValueNotFound))).await;
        assert_eq!((result.unwrap(), calls), (Released::Nothing, 1));
        let (result, calls) = run(0, || Err(OutputManagerError::OutputManagerStorageError(Storage::OutputAlreadySpent))).await;
        assert_eq!((result.unwrap_err().code, calls), (ErrorCode::Wallet, 1), "not retried, not taken for released");
    }

    #[tokio::test]
    async fn a_database_that_stays_busy_is_reported_not_taken_for_released() {
        let (result, calls) = run(usize::MAX, || Ok(())).await;
        let e = result.unwrap_err();
        assert_eq!((e.code, calls), (ErrorCode::Wallet, ATTEMPTS));
        assert!(e.message.contains("database is locked"), "{}", e.message);
    }
}
