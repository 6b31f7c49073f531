//! Where the library and the SDK put a wallet's files under its data directory, and how they go.

use std::path::{Path, PathBuf};

use minotari_wallet::WalletConfig;

#[cfg(test)]
use crate::error::ErrorCode;
use crate::error::{SdkError, SdkResult};

/// The library's lock file beside the database (`.<db file name>.lock`).
pub fn lock_file(db: &Path) -> PathBuf {
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    db.with_file_name(format!(".{name}.lock"))
}

pub fn lock_is_free(lock: &Path) -> bool {
    use fs2::FileExt;
    match std::fs::File::open(lock) {
        Ok(f) => f.try_lock_exclusive().map(|_| f.unlock()).is_ok(),
        Err(_) => true,
    }
}

/// The library's layout under a base directory: `db_file`, `data_dir` and `config_dir` are what matter.
pub fn layout(base: &Path) -> WalletConfig {
    let mut c = WalletConfig::default();
    c.set_base_path(base);
    c
}

/// Deletes the files the library and the SDK create for a wallet under `base`, then each of their
/// directories that this left empty. Anything else (a file of the user's) stays, and so do its directories.
pub fn remove_wallet_files(base: &Path) {
    let c = layout(base);
    let sdk_dir = super::journal::dir(base);
    let _ = std::fs::remove_file(lock_file(&c.db_file));
    for db in [c.db_file.clone(), sdk_dir.join(super::journal::FILE), sdk_dir.join(super::event_log::FILE)] {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
    // Innermost first, up to `base`; `remove_dir` refuses a directory that still holds something.
    for leaf in [sdk_dir.as_path(), c.db_file.parent().unwrap_or(base), c.config_dir.as_path()] {
        let mut dir = Some(leaf);
        while let Some(d) = dir.filter(|d| *d != base && d.starts_with(base)) {
            let _ = std::fs::remove_dir(d);
            dir = d.parent();
        }
    }
    let _ = std::fs::remove_dir(base);
}

/// Refuses a `dataDir` whose wallet files would mix with a system's or a user's own: the filesystem root
/// and the home directory.
pub fn check_data_dir(dir: &Path) -> SdkResult<()> {
    let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let home = std::env::var_os("HOME").map(PathBuf::from).map(|h| std::fs::canonicalize(&h).unwrap_or(h));
    if resolved.parent().is_none() || home.as_deref() == Some(resolved.as_path()) {
        return Err(SdkError::invalid_argument(format!(
            "dataDir {} is the filesystem root or the home directory; give each wallet a directory of its own",
            crate::error::shown(&dir.display().to_string())
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_no_data_dir() {
        assert_eq!(check_data_dir(Path::new("/")).unwrap_err().code, ErrorCode::InvalidArgument);
        let tmp = tempfile::tempdir().unwrap();
        assert!(check_data_dir(&tmp.path().join("wallet")).is_ok());
    }
}
