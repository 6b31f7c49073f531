//! What the SDK does to files under a wallet's `dataDir`: everything it or the library creates there is
//! private to this user (files 0600, directories 0700).

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use crate::error::{SdkError, SdkResult};

/// Creates `dir` and makes every directory from `base` down to it private, whether new or left 0755 by an
/// older SDK. `base` itself is the caller's: made private only when created here.
pub fn private_dirs(base: &Path, dir: &Path) -> SdkResult<()> {
    let failed = |d: &Path, e: std::io::Error| SdkError::invalid_argument(format!("cannot create the data directory {}: {e}", d.display()));
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| failed(dir, e))?;
    let mut next = Some(dir);
    while let Some(d) = next.filter(|d| *d != base && d.starts_with(base)) {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).map_err(|e| failed(d, e))?;
        next = d.parent();
    }
    Ok(())
}

/// Best effort: for a file another component created with the process umask (the library's lock file).
pub fn private_file(path: &Path) {
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
