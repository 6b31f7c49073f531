//! The per-wallet state of spends: the gate that closing waits on, the journal, and the idempotency-key
//! locks. Its own module so that `WalletEntry` can hold it without depending on the spend logic.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::RwLock;

use super::journal::{Digest, Journal};

/// How long closing a wallet waits for its spends in flight.
pub const CLOSE_WAIT: Duration = Duration::from_secs(30);

/// Per wallet: the gate closing waits on, the journal, and one lock per idempotency key in use.
pub struct SpendGate {
    /// `true` while the wallet accepts spends. Spends hold a read guard until they are recorded.
    pub(super) open: Arc<RwLock<bool>>,
    pub journal: Journal,
    keys: KeyLocks,
}

type KeyLocks = Arc<Mutex<HashMap<Digest, Arc<tokio::sync::Mutex<()>>>>>;

/// One key's lock, held until dropped; then the map forgets the key if nobody else holds or waits for
/// it, whichever way the holder returned.
pub struct KeyGuard {
    keys: KeyLocks,
    key: Digest,
    lock: Arc<tokio::sync::Mutex<()>>,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        self.held.take();
        forget_if_idle(&self.keys, &self.key, &self.lock);
    }
}

fn forget_if_idle(keys: &KeyLocks, key: &Digest, lock: &Arc<tokio::sync::Mutex<()>>) {
    let mut keys = keys.lock().unwrap_or_else(|p| p.into_inner());
    if Arc::strong_count(lock) == 2 {
        keys.remove(key);
    }
}

impl SpendGate {
    pub fn new(journal: Journal) -> Self {
        Self { open: Arc::new(RwLock::new(true)), journal, keys: Arc::default() }
    }

    /// Refuses new spends and waits (bounded) for those the wallet has accepted. False if some were still
    /// running when the wait ran out.
    pub async fn close(&self) -> bool {
        match tokio::time::timeout(CLOSE_WAIT, self.open.write()).await {
            Ok(mut open) => {
                *open = false;
                true
            }
            Err(_) => false,
        }
    }

    /// Admits a spend: a read guard held until it is recorded; `ERR_INVALID_HANDLE` once the wallet closes.
    pub(super) async fn enter(&self, handle: u32) -> crate::error::SdkResult<tokio::sync::OwnedRwLockReadGuard<bool>> {
        let gate = self.open.clone().read_owned().await;
        if !*gate {
            return Err(super::errors::invalid_handle(handle));
        }
        Ok(gate)
    }

    fn key_lock(&self, key: &Digest) -> Arc<tokio::sync::Mutex<()>> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.entry(*key).or_default().clone()
    }

    /// Waits for `key`'s lock; released (and forgotten when idle) when the guard drops.
    pub(super) async fn hold(&self, key: Digest) -> KeyGuard {
        self.hold_noting(key, &AtomicBool::new(false)).await
    }

    /// `hold`, with `waiting` set while another holder keeps the caller waiting.
    pub(super) async fn hold_noting(&self, key: Digest, waiting: &AtomicBool) -> KeyGuard {
        let lock = self.key_lock(&key);
        let held = match lock.clone().try_lock_owned() {
            Ok(held) => held,
            Err(_) => {
                waiting.store(true, Ordering::Relaxed);
                let held = lock.clone().lock_owned().await;
                waiting.store(false, Ordering::Relaxed);
                held
            }
        };
        KeyGuard { keys: self.keys.clone(), key, lock, held: Some(held) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_key_is_forgotten_when_its_guard_drops_however_the_holder_returns() {
        let tmp = tempfile::tempdir().unwrap();
        let gate = SpendGate::new(Journal::open(tmp.path(), &[1; 32]).unwrap());
        let tracked = |g: &SpendGate| g.keys.lock().unwrap().len();
        async fn early_return(g: &SpendGate) -> Result<(), ()> {
            let _held = g.hold([7; 32]).await;
            Err(())?;
            Ok(())
        }
        assert!(early_return(&gate).await.is_err());
        assert_eq!(tracked(&gate), 0, "an early return forgets the key");
        let first = gate.hold([7; 32]).await;
        let waiter = gate.hold([7; 32]);
        tokio::pin!(waiter);
        assert!(futures::poll!(waiter.as_mut()).is_pending(), "one holder at a time");
        drop(first);
        assert_eq!(tracked(&gate), 1, "kept while someone waits");
        drop(waiter.await);
        assert_eq!(tracked(&gate), 0);
    }
}
