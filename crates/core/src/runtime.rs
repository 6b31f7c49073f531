//! The four dedicated tokio runtimes, sized from config: `wallet` (wallet services and database work),
//! `crypto` (CPU-bound key work), `network` (base node calls) and `general` (everything else, background
//! tasks). Kept apart so a burst of one kind of work cannot starve another.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use serde::Serialize;
use tokio::runtime::{Handle, Runtime};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::RuntimeConfig;
use crate::error::{ErrorCode, SdkError, SdkResult};

/// The four runtimes; each operation class runs on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "RuntimeName")]
pub enum RuntimeKind {
    Wallet,
    Crypto,
    Network,
    General,
}

impl RuntimeKind {
    pub const ALL: [RuntimeKind; 4] = [Self::Wallet, Self::Crypto, Self::Network, Self::General];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Wallet => "wallet",
            Self::Crypto => "crypto",
            Self::Network => "network",
            Self::General => "general",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    fn threads(self, c: &RuntimeConfig) -> usize {
        (match self {
            Self::Wallet => c.wallet_threads,
            Self::Crypto => c.crypto_threads,
            Self::Network => c.network_threads,
            Self::General => c.general_threads,
        }) as usize
    }
}

struct Managed {
    kind: RuntimeKind,
    handle: Handle,
    /// Taken at shutdown; `Runtime::shutdown_timeout` needs ownership.
    runtime: Mutex<Option<Runtime>>,
    ops_completed: AtomicU64,
}

pub struct RuntimePool {
    runtimes: [Managed; 4],
    background: TaskTracker,
    cancel: CancellationToken,
    started: Instant,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeStats {
    pub name: RuntimeKind,
    pub workers: usize,
    pub alive_tasks: usize,
    pub global_queue_depth: usize,
    /// Total time the workers spent busy since the runtime started.
    pub busy_ms: f64,
    /// Share of the workers' wall time spent busy since start, 0..1.
    pub busy_ratio: f64,
    /// SDK operations completed on this runtime.
    pub ops_completed: u64,
}

impl RuntimePool {
    pub fn start(config: &RuntimeConfig) -> SdkResult<Self> {
        let build = |kind: RuntimeKind| -> SdkResult<Managed> {
            let next_thread = Arc::new(AtomicUsize::new(0));
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(kind.threads(config))
                .thread_name_fn(move || format!("tari-{}-{}", kind.name(), next_thread.fetch_add(1, Relaxed)))
                .enable_all()
                .build()
                .map_err(|e| SdkError::internal(format!("cannot start the {} runtime: {e}", kind.name())))?;
            Ok(Managed { kind, handle: runtime.handle().clone(), runtime: Mutex::new(Some(runtime)), ops_completed: AtomicU64::new(0) })
        };
        Ok(Self {
            runtimes: [
                build(RuntimeKind::Wallet)?,
                build(RuntimeKind::Crypto)?,
                build(RuntimeKind::Network)?,
                build(RuntimeKind::General)?,
            ],
            background: TaskTracker::new(),
            cancel: CancellationToken::new(),
            started: Instant::now(),
        })
    }

    #[inline]
    pub fn handle(&self, kind: RuntimeKind) -> &Handle {
        &self.runtimes[kind.index()].handle
    }

    #[inline]
    pub fn op_completed(&self, kind: RuntimeKind) {
        self.runtimes[kind.index()].ops_completed.fetch_add(1, Relaxed);
    }

    /// Runs `task` on the general runtime until it finishes or the SDK shuts down, whichever comes first.
    pub fn spawn_background<F>(&self, task: F) -> BackgroundTask
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let token = self.cancel.child_token();
        let run = token.clone();
        self.background.spawn_on(
            async move {
                run.run_until_cancelled(task).await;
            },
            self.handle(RuntimeKind::General),
        );
        BackgroundTask { token }
    }

    pub fn background_tasks(&self) -> usize {
        self.background.len()
    }

    pub fn stats(&self) -> Vec<RuntimeStats> {
        let wall = self.started.elapsed().as_secs_f64();
        self.runtimes
            .iter()
            .map(|m| {
                let metrics = m.handle.metrics();
                let workers = metrics.num_workers();
                let busy: Duration = (0..workers).map(|w| metrics.worker_total_busy_duration(w)).sum();
                RuntimeStats {
                    name: m.kind,
                    workers,
                    alive_tasks: metrics.num_alive_tasks(),
                    global_queue_depth: metrics.global_queue_depth(),
                    busy_ms: busy.as_secs_f64() * 1e3,
                    busy_ratio: if wall > 0.0 && workers > 0 { busy.as_secs_f64() / (wall * workers as f64) } else { 0.0 },
                    ops_completed: m.ops_completed.load(Relaxed),
                }
            })
            .collect()
    }

    /// Cancels background tasks, then gives every runtime up to `grace` to finish its tasks. Must not be
    /// called from a runtime thread.
    fn shutdown(&self, grace: Duration) {
        self.cancel.cancel();
        self.background.close();
        let deadline = Instant::now() + grace;
        for m in &self.runtimes {
            let runtime = m.runtime.lock().ok().and_then(|mut r| r.take());
            if let Some(rt) = runtime {
                rt.shutdown_timeout(deadline.saturating_duration_since(Instant::now()));
            }
        }
    }
}

/// Cancels its task when asked; dropping it leaves the task running until SDK shutdown.
#[derive(Clone)]
pub struct BackgroundTask {
    token: CancellationToken,
}

impl BackgroundTask {
    pub fn cancel(&self) {
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

static POOL: ArcSwapOption<RuntimePool> = ArcSwapOption::const_empty();
/// Runs once for every pool that starts: how the system layer adds its background tasks (the health
/// monitor) without the runtimes knowing about them.
static ON_START: std::sync::OnceLock<fn(&Arc<RuntimePool>)> = std::sync::OnceLock::new();

pub fn set_on_start(hook: fn(&Arc<RuntimePool>)) {
    let _ = ON_START.set(hook);
}
static START_LOCK: Mutex<()> = Mutex::new(());
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

/// The running pool, started from the current config on first use.
#[inline]
pub fn pool() -> SdkResult<Arc<RuntimePool>> {
    if let Some(p) = POOL.load_full() {
        return Ok(p);
    }
    start_pool()
}

#[cold]
fn start_pool() -> SdkResult<Arc<RuntimePool>> {
    let _guard = START_LOCK.lock().map_err(|_| SdkError::internal("runtime start lock poisoned"))?;
    if SHUTTING_DOWN.load(Acquire) {
        return Err(SdkError::new(ErrorCode::ShuttingDown, "the SDK is shutting down"));
    }
    if let Some(p) = POOL.load_full() {
        return Ok(p);
    }
    let config = crate::config::current();
    let pool = Arc::new(RuntimePool::start(&config.config.runtime)?);
    POOL.store(Some(pool.clone()));
    if let Some(hook) = ON_START.get() {
        hook(&pool);
    }
    Ok(pool)
}

#[inline]
pub fn is_started() -> bool {
    POOL.load().is_some()
}

/// Stops the pool (if any) so a later `pool()` starts a fresh one. Called when the last JS environment
/// using the addon is torn down.
pub fn shutdown(grace: Duration) {
    let Ok(_guard) = START_LOCK.lock() else { return };
    SHUTTING_DOWN.store(true, Release);
    if let Some(pool) = POOL.swap(None) {
        pool.shutdown(grace);
    }
    SHUTTING_DOWN.store(false, Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> RuntimeConfig {
        RuntimeConfig { wallet_threads: 2, crypto_threads: 1, network_threads: 3, general_threads: 1 }
    }

    #[test]
    fn runtimes_have_configured_workers_and_named_threads() {
        let pool = RuntimePool::start(&small()).unwrap();
        let stats = pool.stats();
        let workers: Vec<_> = stats.iter().map(|s| (s.name.name(), s.workers)).collect();
        assert_eq!(workers, vec![("wallet", 2), ("crypto", 1), ("network", 3), ("general", 1)]);
        for kind in RuntimeKind::ALL {
            let name = pool
                .handle(kind)
                .block_on(async { tokio::task::spawn(async { std::thread::current().name().map(String::from) }).await })
                .unwrap()
                .unwrap();
            assert!(name.starts_with(&format!("tari-{}-", kind.name())), "{name}");
        }
        pool.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn background_tasks_are_cancelled_at_shutdown() {
        let pool = RuntimePool::start(&small()).unwrap();
        let finished = Arc::new(AtomicBool::new(false));
        let f = finished.clone();
        let task = pool.spawn_background(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            f.store(true, SeqCst);
        });
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(pool.background_tasks(), 1);
        pool.shutdown(Duration::from_secs(5));
        assert!(start.elapsed() < Duration::from_secs(2), "shutdown waited for the sleeping task");
        assert!(!finished.load(SeqCst));
        assert!(!task.is_cancelled() || pool.cancel.is_cancelled());
    }

    #[test]
    fn a_single_background_task_can_be_cancelled() {
        let pool = RuntimePool::start(&small()).unwrap();
        let task = pool.spawn_background(async { tokio::time::sleep(Duration::from_secs(3600)).await });
        task.cancel();
        let deadline = Instant::now() + Duration::from_secs(2);
        while pool.background_tasks() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(pool.background_tasks(), 0);
        pool.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn busy_time_and_ops_are_counted() {
        let pool = RuntimePool::start(&small()).unwrap();
        pool.handle(RuntimeKind::Crypto).block_on(async {
            tokio::task::spawn(async {
                let t = Instant::now();
                while t.elapsed() < Duration::from_millis(30) {}
            })
            .await
            .unwrap()
        });
        pool.op_completed(RuntimeKind::Crypto);
        // Workers publish busy time when they park, shortly after going idle.
        let crypto = || pool.stats().into_iter().find(|s| s.name == RuntimeKind::Crypto).unwrap();
        let deadline = Instant::now() + Duration::from_secs(2);
        while crypto().busy_ms < 20.0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let crypto = crypto();
        assert!(crypto.busy_ms >= 20.0, "{crypto:?}");
        assert_eq!(crypto.ops_completed, 1);
        pool.shutdown(Duration::from_secs(1));
    }
}
