//! Open wallets by handle. Handles count up from 1 and are never reused in a process, so a stale handle
//! can never reach another wallet.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, LazyLock};

use dashmap::DashMap;

use super::entry::WalletEntry;
use crate::error::{ErrorCode, SdkError, SdkResult};

static WALLETS: LazyLock<DashMap<u32, Arc<WalletEntry>>> = LazyLock::new(DashMap::new);
static NEXT_HANDLE: AtomicU32 = AtomicU32::new(1);
/// Open wallets plus opens in progress, checked against `limits.maxWalletInstances`.
static SLOTS_TAKEN: AtomicUsize = AtomicUsize::new(0);

/// A place for one wallet; given back on drop unless the wallet was registered.
pub struct Reservation {
    active: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.active {
            SLOTS_TAKEN.fetch_sub(1, SeqCst);
        }
    }
}

pub fn reserve(max: usize) -> SdkResult<Reservation> {
    let taken = SLOTS_TAKEN.fetch_add(1, SeqCst);
    if taken >= max {
        SLOTS_TAKEN.fetch_sub(1, SeqCst);
        return Err(SdkError::new(
            ErrorCode::Limit,
            format!("{max} wallets are open or opening (limits.maxWalletInstances); close one first"),
        ));
    }
    Ok(Reservation { active: true })
}

pub fn next_handle() -> u32 {
    NEXT_HANDLE.fetch_add(1, SeqCst)
}

/// Registers an opened wallet; the reservation's place now belongs to it until `remove`.
pub fn insert(mut reservation: Reservation, entry: Arc<WalletEntry>) -> u32 {
    reservation.active = false;
    let handle = entry.handle;
    WALLETS.insert(handle, entry);
    handle
}

pub fn get(handle: u32) -> SdkResult<Arc<WalletEntry>> {
    WALLETS.get(&handle).map(|e| e.value().clone()).ok_or_else(|| invalid_handle(handle))
}

/// Takes the wallet out of the registry: later calls with this handle get `ERR_INVALID_HANDLE`.
pub fn remove(handle: u32) -> SdkResult<Arc<WalletEntry>> {
    let (_, entry) = WALLETS.remove(&handle).ok_or_else(|| invalid_handle(handle))?;
    SLOTS_TAKEN.fetch_sub(1, SeqCst);
    Ok(entry)
}

pub use super::errors::invalid_handle;

pub fn list() -> Vec<Arc<WalletEntry>> {
    let mut all: Vec<_> = WALLETS.iter().map(|e| e.value().clone()).collect();
    all.sort_by_key(|e| e.handle);
    all
}

pub fn count() -> usize {
    WALLETS.len()
}

/// Takes every wallet `owner` opened out of the registry (their handles are invalid from here on); the
/// caller closes them.
pub fn take_owned_by(owner: u64) -> Vec<Arc<WalletEntry>> {
    list().into_iter().filter(|e| e.owner == owner).filter_map(|e| remove(e.handle).ok()).collect()
}

/// Process teardown: asks every wallet to stop. The runtimes' shutdown grace then lets them finish.
pub fn close_all() {
    for entry in list() {
        let _ = remove(entry.handle);
        entry.trigger_shutdown();
    }
}
