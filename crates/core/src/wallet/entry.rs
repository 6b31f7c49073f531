//! One open wallet: the library's `Wallet`, its event channel, its base-node link and its spends.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minotari_wallet::WalletSqlite;
use tari_common::configuration::Network;
use tari_common_types::tari_address::TariAddress;
use tari_shutdown::Shutdown;
use tokio_util::sync::CancellationToken;

use super::gate::{SpendGate, CLOSE_WAIT};
use super::layout::{layout, lock_file, lock_is_free, remove_wallet_files};
use crate::error::{SdkError, SdkResult};

/// How long `close` waits for the wallet's services to stop before leaving them to finish on their own
/// (`wallet::draining`), in ms.
static CLOSE_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(10_000);

/// Changes how long `close` waits (tests only: 1 ms makes every close leave its services stopping).
pub fn set_close_timeout(timeout: Duration) {
    CLOSE_TIMEOUT_MS.store(timeout.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
}

fn close_timeout() -> Duration {
    Duration::from_millis(CLOSE_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// The wallet's view of its base node, for health and metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connectivity {
    /// `online`, `degraded` (reachable, not synced), `offline`, or `unknown` before the first report.
    pub status: &'static str,
    pub latency_ms: Option<u64>,
    pub tip_height: Option<u64>,
    /// Since the tip last advanced, or since open if it never has.
    pub tip_age: Duration,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Link {
    pub(super) status: &'static str,
    pub(super) latency_ms: Option<u64>,
    pub(super) tip_changed_at: Instant,
}

pub struct WalletEntry {
    pub handle: u32,
    /// `OpenRequest::owner`.
    pub owner: u64,
    pub data_dir: PathBuf,
    pub network: Network,
    pub address: TariAddress,
    pub opened_at: Instant,
    /// The base node URLs the wallet opened with, primary first.
    pub base_node_urls: Vec<String>,
    /// Confirmations this wallet waits for (`wallet.confirmations` at open).
    pub confirmations: u64,
    /// SDK events of this wallet; subscribers each get a receiver.
    pub events: tokio::sync::broadcast::Sender<Arc<super::events::WalletEvent>>,
    /// Best block height last reported by the base node; 0 until known.
    pub(super) tip: std::sync::atomic::AtomicU64,
    pub(super) link: Mutex<Link>,
    /// The one `Wallet` value: every clone holds a shutdown signal that delays shutdown, so operations clone
    /// service handles out of it under the lock instead of cloning the wallet.
    pub(super) wallet: Mutex<Option<WalletSqlite>>,
    pub(super) shutdown: Mutex<Option<Shutdown>>,
    /// Cancelled as the wallet starts closing. The SDK's own tasks wait on this, not on a library
    /// `ShutdownSignal`: every such signal holds up the library's shutdown until it is dropped.
    pub(super) closed: CancellationToken,
    /// True once the library's first scanning round after open has ended (`wallet::scan_round`).
    pub(super) first_round: tokio::sync::watch::Receiver<bool>,
    /// The durable event log (`wallet::event_log`).
    pub event_log: super::event_log::EventLog,
    /// Spends in flight, the journal, idempotency keys (`wallet::spend`).
    pub spends: SpendGate,
    /// A view-only wallet (`wallet::keys`): no spend key, so spending and signing calls refuse.
    pub view_only: bool,
    /// Reads served without the library while nothing changed (`wallet::read_cache`).
    pub reads: super::read_cache::ReadCache,
}

impl WalletEntry {
    /// The library's database file.
    pub fn db_file(&self) -> PathBuf {
        layout(&self.data_dir).db_file
    }

    pub fn tip_height(&self) -> Option<u64> {
        Some(self.tip.load(std::sync::atomic::Ordering::Relaxed)).filter(|t| *t > 0)
    }

    /// Tips only move forward here; a reorg shows up as transactions changing state, not as a lower tip.
    pub fn set_tip_height(&self, height: u64) {
        if self.tip.fetch_max(height, std::sync::atomic::Ordering::Relaxed) < height {
            if let Ok(mut link) = self.link.lock() {
                link.tip_changed_at = Instant::now();
            }
        }
    }

    pub fn set_link(&self, status: &'static str, latency_ms: Option<u64>) {
        if let Ok(mut link) = self.link.lock() {
            link.status = status;
            link.latency_ms = latency_ms;
        }
    }

    pub fn connectivity(&self) -> Connectivity {
        let link = self.link.lock().map(|l| *l).unwrap_or(Link { status: "unknown", latency_ms: None, tip_changed_at: self.opened_at });
        Connectivity {
            status: link.status,
            latency_ms: link.latency_ms,
            tip_height: self.tip_height(),
            tip_age: link.tip_changed_at.elapsed(),
        }
    }

    /// Runs `f` on the live wallet; `ERR_INVALID_HANDLE` once it is closing.
    pub fn with<T>(&self, f: impl FnOnce(&WalletSqlite) -> T) -> SdkResult<T> {
        let guard = self.wallet.lock().map_err(|_| SdkError::internal("wallet lock poisoned"))?;
        guard.as_ref().map(f).ok_or_else(|| super::errors::invalid_handle(self.handle))
    }

    /// `e`, unless the wallet was closed meanwhile: then what any call on a closed handle gets. A read whose
    /// library service stopped under it reports the close (`ERR_INVALID_HANDLE`), not a wallet failure.
    pub fn unless_closed(&self, e: SdkError) -> SdkError {
        if self.closed.is_cancelled() {
            super::errors::invalid_handle(self.handle)
        } else {
            e
        }
    }

    /// Cancelled when the wallet starts closing; `None` if it already has. Long operations select on it so a
    /// close ends them instead of waiting for them.
    pub fn closing(&self) -> Option<CancellationToken> {
        Some(self.closed.clone()).filter(|c| !c.is_cancelled())
    }

    pub fn trigger_shutdown(&self) {
        self.closed.cancel();
        if let Some(s) = self.shutdown.lock().ok().and_then(|mut s| s.take()) {
            s.trigger();
        }
    }

    /// Closes the wallet, then deletes what the library and the SDK created under its data directory.
    pub async fn destroy(&self) {
        self.close().await;
        super::draining::wait(&self.data_dir, super::draining::WAIT).await;
        remove_wallet_files(&self.data_dir);
    }

    /// Lets the spends the wallet accepted finish, stops the wallet's services and waits (bounded) until
    /// they have released the database, so a close that resolved means the directory can be reopened or
    /// deleted at once.
    pub async fn close(&self) {
        if !self.spends.close().await {
            tracing::warn!(handle = self.handle, "closing with spends still running after {:?}", CLOSE_WAIT);
        }
        super::scan_round::after_first_round(self.first_round.clone()).await;
        let wallet = self.wallet.lock().ok().and_then(|mut w| w.take());
        self.trigger_shutdown();
        let wait = close_timeout();
        let deadline = tokio::time::Instant::now() + wait;
        let lock = lock_file(&self.db_file());
        if let Some(w) = wallet {
            let mut stopping = tokio::spawn(w.wait_until_shutdown());
            if tokio::time::timeout_at(deadline, &mut stopping).await.is_err() {
                tracing::warn!(
                    handle = self.handle,
                    "wallet services still stopping after {wait:?}; an open of this directory waits for them"
                );
                super::draining::track(self.data_dir.clone(), async move {
                    let _ = stopping.await;
                    let until = tokio::time::Instant::now() + super::draining::WAIT;
                    lock_released(&lock, until).await;
                });
                return;
            }
        }
        lock_released(&lock, deadline).await;
    }
}

/// Waits until the library's file lock is free, or `deadline`. Service tasks drop their database
/// connections shortly after the shutdown drains; the library releases its lock with the last one.
async fn lock_released(lock: &std::path::Path, deadline: tokio::time::Instant) {
    while !lock_is_free(lock) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
