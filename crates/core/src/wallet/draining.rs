//! Data directories whose wallet services outlived `close`'s wait. The library goes on stopping them in
//! the background (for up to its own 30 s drain); an open or a delete of the same directory meanwhile waits
//! for that instead of failing with `ERR_WALLET_LOCKED` or deleting files under running services. Seen on a
//! CPU-starved machine: a close gave up after 10 s, and the next open of its directory was refused.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use tokio::sync::watch;

/// How long an open or a delete waits for a directory's earlier wallet to stop: the library's drain, then
/// the file lock.
pub const WAIT: Duration = Duration::from_secs(40);

static DRAINING: LazyLock<Mutex<HashMap<PathBuf, watch::Receiver<bool>>>> = LazyLock::new(Default::default);

/// Marks `dir` as stopping until `stopped` resolves (on a task of its own).
pub fn track(dir: PathBuf, stopped: impl Future<Output = ()> + Send + 'static) {
    let (tx, rx) = watch::channel(false);
    if let Ok(mut all) = DRAINING.lock() {
        all.insert(dir.clone(), rx);
    }
    tokio::spawn(async move {
        stopped.await;
        if let Ok(mut all) = DRAINING.lock() {
            // A later close of the same directory may have replaced this entry; leave that one.
            if all.get(&dir).is_some_and(|rx| rx.same_channel(&tx.subscribe())) {
                all.remove(&dir);
            }
        }
        let _ = tx.send(true);
    });
}

/// Waits, at most `max`, until the wallet last closed in `dir` has stopped; at once if it has.
pub async fn wait(dir: &Path, max: Duration) {
    let rx = DRAINING.lock().ok().and_then(|all| all.get(dir).cloned());
    if let Some(mut rx) = rx {
        tracing::info!(dir = %dir.display(), "waiting for this directory's last wallet to finish stopping");
        let _ = tokio::time::timeout(max, rx.wait_for(|stopped| *stopped)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn a_wait_lasts_until_the_directory_stopped_and_no_longer() {
        let dir = PathBuf::from("/draining/test/a");
        let t = Instant::now();
        wait(&dir, Duration::from_secs(5)).await;
        assert!(t.elapsed() < Duration::from_millis(50), "nothing is stopping there");

        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        track(dir.clone(), async move {
            let _ = rx.await;
        });
        let t = Instant::now();
        wait(&dir, Duration::from_millis(100)).await;
        assert!(t.elapsed() >= Duration::from_millis(100), "bounded by its maximum while still stopping");

        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = tx.send(());
        });
        let t = Instant::now();
        wait(&dir, Duration::from_secs(5)).await;
        assert!(t.elapsed() < Duration::from_secs(1), "returns once it stopped");
        wait(&dir, Duration::from_secs(5)).await;
        assert!(DRAINING.lock().unwrap().get(&dir).is_none(), "forgotten once stopped");
    }
}
