//! A wrong passphrase must leave the wallet's files as they were. The library runs its pending schema
//! migrations before it checks the passphrase (`initialize_sqlite_database_backends`), so a wallet made by
//! an older library would be migrated by anyone who tries a passphrase. When migrations are pending, the
//! SDK checks the passphrase first, on the unmigrated file, with the library's own check.
//!
//! Only then: the check costs a second passphrase derivation (Argon2), which an up-to-date wallet is
//! spared. "Pending" compares the newest migration the file records with the newest this library build
//! applies to a fresh in-memory database, so it stays right when the pinned library changes.

use std::path::Path;
use std::sync::LazyLock;

use diesel::prelude::*;
use diesel::sql_types::Text;
use minotari_wallet::storage::sqlite_db::wallet::WalletSqliteDatabase;
use minotari_wallet::storage::sqlite_utilities::{
    acquire_exclusive_file_lock, run_migration_and_create_sqlite_memory_connection, WalletDbConnection,
};
use tari_common_sqlite::sqlite_connection_pool::{PooledDbConnection, SqliteConnectionPool};
use tari_common_sqlite::DbProfile;
use tari_utilities::SafePassword;

use super::errors;
use crate::error::{SdkError, SdkResult};

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

fn newest_in(c: &mut SqliteConnection) -> Option<String> {
    diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations").load::<Version>(c).ok()?.pop().map(|v| v.version)
}

/// The newest migration this library build applies.
pub static NEWEST: LazyLock<Option<String>> = LazyLock::new(|| {
    let db = run_migration_and_create_sqlite_memory_connection().ok()?;
    let mut c = db.get_pooled_connection().ok()?;
    newest_in(&mut c)
});

/// Whether the library would migrate `db_file` when it opens it. Read without writing anything (the
/// file as it is on disk, WAL aside: a WAL only adds rows, so this errs towards "pending").
pub fn pending(db_file: &Path) -> bool {
    let Some(newest) = NEWEST.as_deref() else { return true };
    let Some(path) = db_file.to_str() else { return true };
    let url = format!("file:{}?immutable=1", path.replace('?', "%3f").replace('#', "%23"));
    match SqliteConnection::establish(&url) {
        Ok(mut c) => newest_in(&mut c).is_none_or(|on_disk| on_disk.as_str() < newest),
        Err(_) => true,
    }
}

/// `ERR_WRONG_PASSPHRASE` before anything is migrated; nothing when no migration is pending (the
/// library's own check then runs before any write).
pub fn check_passphrase_first(db_file: &Path, passphrase: &str) -> SdkResult<()> {
    if !pending(db_file) {
        return Ok(());
    }
    let lock = acquire_exclusive_file_lock(db_file).map_err(errors::storage)?;
    verify_passphrase(db_file, passphrase, Some(lock))
}

/// The library's own passphrase check (Argon2, then the main key's authentication tag), on a connection of
/// its own: `lock` is the library's file lock when the wallet is not open, `None` beside an open wallet.
/// Writes nothing to a wallet whose key fields are current.
pub fn verify_passphrase(db_file: &Path, passphrase: &str, lock: Option<std::fs::File>) -> SdkResult<()> {
    let path = db_file.to_str().ok_or_else(|| SdkError::invalid_argument("dataDir is not valid UTF-8"))?;
    let mut pool = SqliteConnectionPool::new(path.to_string(), 1, DbProfile::KeyMaterial).map_err(|e| errors::storage(e.into()))?;
    pool.create_pool().map_err(|e| errors::storage(e.into()))?;
    WalletSqliteDatabase::new(WalletDbConnection::new(pool, lock), SafePassword::from(passphrase)).map(drop).map_err(errors::storage)
}
