//! Keeping a wallet safe: changing its passphrase, and consistent backups of an open wallet.
//!
//! The passphrase only wraps the database's main key (Argon2id, then XChaCha20-Poly1305); the library's
//! `change_passphrase` re-wraps that key in one SQLite transaction, so a crash leaves the old or the new
//! passphrase working, never neither. The main key itself never changes: a backup taken before the
//! change still opens with the old passphrase.
//!
//! Backups use SQLite's `VACUUM INTO` on a connection of their own: one read transaction, so a snapshot
//! consistent with itself while the wallet keeps writing (WAL mode), compacted, with no stale WAL pages.
//! The SDK's own files (journal, event log) are copied the same way, all while the spend gate is held
//! shut, so no spend is half-recorded in the copy.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use tari_utilities::SafePassword;
use zeroize::Zeroizing;

use super::entry::WalletEntry;
use super::layout::{check_data_dir, layout, remove_wallet_files};
use super::{errors, event_log, files, journal};
use crate::error::{ErrorCode, SdkError, SdkResult};
use crate::runtime::{RuntimeKind, RuntimePool};

/// `changePassphrase`: `ERR_WRONG_PASSPHRASE` when `old` is not the current one (nothing changes).
pub async fn change_passphrase(
    pool: &RuntimePool,
    entry: Arc<WalletEntry>,
    old: Zeroizing<String>,
    new: Zeroizing<String>,
) -> SdkResult<()> {
    if new.is_empty() {
        return Err(SdkError::invalid_argument("the new passphrase must not be empty"));
    }
    let db = entry.with(|w| w.db.clone())?;
    let db_file = entry.db_file();
    // One change at a time: the library reads, then writes, the key fields in two transactions.
    let _held = entry.spends.hold(entry.spends.journal.digest("passphrase", b"")).await;
    let result = pool
        .handle(RuntimeKind::Crypto)
        .spawn_blocking(move || {
            db.change_passphrase(&SafePassword::from(old.as_str()), &SafePassword::from(new.as_str())).map_err(errors::storage)?;
            // Best effort: the superseded wrapped key leaves the write-ahead log now, not at some later
            // checkpoint.
            if let Err(e) = open(&db_file).and_then(|mut c| c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);").map_err(failed)) {
                tracing::debug!("no checkpoint after the passphrase change: {}", e.message);
            }
            Ok(())
        })
        .await
        .map_err(|e| SdkError::internal(format!("passphrase task failed: {e}")))?;
    if result.is_ok() {
        tracing::info!(handle = entry.handle, "wallet passphrase changed");
    }
    result
}

fn failed(e: impl std::fmt::Display) -> SdkError {
    SdkError::new(ErrorCode::Wallet, format!("backup failed: {e}"))
}

fn open(db: &Path) -> SdkResult<SqliteConnection> {
    let url = db.to_str().ok_or_else(|| SdkError::invalid_argument("the path is not valid UTF-8"))?;
    let mut c = SqliteConnection::establish(url).map_err(failed)?;
    c.batch_execute("PRAGMA busy_timeout = 5000;").map_err(failed)?;
    Ok(c)
}

/// One consistent copy of `src` at `dst`, a file made here, 0600 (SQLite writes into an empty file).
fn vacuum_into(src: &Path, dst: &Path) -> SdkResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(dst).map_err(failed)?;
    let target = dst.to_str().ok_or_else(|| SdkError::invalid_argument("the backup path is not valid UTF-8"))?;
    diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(target).execute(&mut open(src)?).map_err(failed)?;
    std::fs::File::open(dst).and_then(|f| f.sync_all()).map_err(failed)
}

/// `backupWallet`: a consistent copy of the open wallet in `dest`, a new data directory that
/// `openWallet` opens with the wallet's current passphrase.
pub async fn backup(pool: &RuntimePool, entry: Arc<WalletEntry>, dest: PathBuf) -> SdkResult<()> {
    check_data_dir(&dest)?;
    let to = layout(&dest).db_file;
    if to.exists() {
        return Err(SdkError::new(ErrorCode::WalletExists, format!("a wallet database already exists at {}", to.display())));
    }
    let from = entry.db_file();
    let (src_sdk, dst_sdk) = (journal::dir(&entry.data_dir), journal::dir(&dest));
    // No spend in flight while the copies are taken.
    let gate = entry.spends.open.write().await;
    if !*gate {
        return Err(errors::invalid_handle(entry.handle));
    }
    let copy = move || -> SdkResult<()> {
        files::private_dirs(&dest, to.parent().unwrap_or(&dest))?;
        files::private_dirs(&dest, &dst_sdk)?;
        let made = (|| {
            vacuum_into(&from, &to)?;
            for file in [journal::FILE, event_log::FILE] {
                if src_sdk.join(file).exists() {
                    vacuum_into(&src_sdk.join(file), &dst_sdk.join(file))?;
                }
            }
            Ok(())
        })();
        if made.is_err() {
            remove_wallet_files(&dest);
        }
        made
    };
    let result =
        pool.handle(RuntimeKind::Crypto).spawn_blocking(copy).await.map_err(|e| SdkError::internal(format!("backup task failed: {e}")))?;
    drop(gate);
    result
}
