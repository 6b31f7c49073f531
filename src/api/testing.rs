//! Exports for the test suite and benchmarks only (`__`-prefixed, left out of the public typings). They
//! exercise the guard paths that real operations cannot trigger on demand: panics, timeouts, background
//! tasks, synthetic events, and the baselines the benchmarks compare against. Built only with the
//! `testing` cargo feature (the test and bench scripts); published builds never carry them.

use std::time::Duration;

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::api::args::whole_number;
use crate::api::call::{self, CallOptions};
use crate::ops::{self, OpSpec};
use sdk::error::SdkError;
use sdk::runtime::{self, RuntimeKind};
use sdk::wallet::entry::WalletEntry;
use sdk::wallet::events::{EventKind, WalletEvent};

/// @internal Panics inside an operation: synchronously, or on a runtime when `onRuntime` is true.
#[napi(catch_unwind, js_name = "__testPanic")]
pub fn test_panic(env: &Env, on_runtime: bool) -> napi::Result<Option<PromiseRaw<'_, ()>>> {
    if on_runtime {
        return ops::spawn(env, OpSpec::new("__testPanic", RuntimeKind::General), Default::default(), async {
            panic!("deliberate test panic on a runtime")
        })
        .map(Some);
    }
    ops::sync(env, "__testPanic", || -> Result<Option<PromiseRaw<'_, ()>>, SdkError> { panic!("deliberate test panic") })
}

/// @internal Sleeps `ms` on a runtime, under an optional per-call timeout.
#[napi(strict, catch_unwind, js_name = "__testSleep")]
pub fn test_sleep<'env>(
    env: &'env Env,
    ms: f64,
    runtime: String,
    timeout_ms: Option<f64>,
    call: Option<CallOptions>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let call = call::parse(env, call);
    let parsed = (|| {
        let ms = whole_number("ms", ms, 0, 86_400_000)?;
        let timeout = timeout_ms.map(|t| whole_number("timeoutMs", t, 1, 86_400_000)).transpose()?;
        let kind = RuntimeKind::parse(&runtime).ok_or_else(|| SdkError::invalid_argument("unknown runtime"))?;
        Ok::<_, SdkError>((ms, timeout, kind))
    })();
    let (ms, timeout, kind) = match parsed {
        Ok(p) => p,
        Err(e) => return ops::rejected(env, "__testSleep", call, e),
    };
    let spec = OpSpec { timeout: timeout.map(Duration::from_millis), ..OpSpec::new("__testSleep", kind) };
    ops::spawn(env, spec, call, async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    })
}

/// @internal `SSL_CERT_FILE` as the addon's own code and OpenSSL read it (through `src/getenv.rs`), which
/// may differ from `process.env`: see `tls_roots`.
#[napi(catch_unwind, js_name = "__testAddonCertFile")]
pub fn test_addon_cert_file() -> Option<String> {
    std::env::var("SSL_CERT_FILE").ok()
}

/// @internal Starts a background task on the general runtime that sleeps `ms`.
#[napi(catch_unwind, js_name = "__testBackgroundSleep")]
pub fn test_background_sleep(env: Env, ms: f64) -> napi::Result<()> {
    ops::sync(&env, "__testBackgroundSleep", || {
        let ms = whole_number("ms", ms, 0, 86_400_000)?;
        runtime::pool()?.spawn_background(async move { tokio::time::sleep(Duration::from_millis(ms)).await });
        Ok(())
    })
}

/// @internal How long a wallet's close waits for its services before leaving them stopping in the
/// background (`wallet::draining`); 10,000 ms unless a test changes it.
#[napi(catch_unwind, js_name = "__testCloseTimeout")]
pub fn test_close_timeout(env: Env, ms: f64) -> napi::Result<()> {
    ops::sync(&env, "__testCloseTimeout", || {
        sdk::wallet::entry::set_close_timeout(Duration::from_millis(whole_number("ms", ms, 0, 600_000)?));
        Ok(())
    })
}

/// @internal Makes the next `n` releases of locked outputs fail as a busy wallet database does
/// (`wallet::release`), before they reach the library.
#[napi(catch_unwind, js_name = "__testFailReleases")]
pub fn test_fail_releases(env: Env, n: f64) -> napi::Result<()> {
    ops::sync(&env, "__testFailReleases", || {
        sdk::wallet::release::inject_busy_failures(whole_number("n", n, 0, 1_000)? as u32);
        Ok(())
    })
}

/// @internal Marks `dir` as holding a wallet that is still stopping, for `ms`: an open or a delete of it
/// waits that long (`wallet::draining`).
#[napi(catch_unwind, js_name = "__testStoppingDir")]
pub fn test_stopping_dir(env: Env, dir: String, ms: f64) -> napi::Result<()> {
    ops::sync(&env, "__testStoppingDir", || {
        let ms = whole_number("ms", ms, 0, 600_000)?;
        let _in_runtime = runtime::pool()?.handle(RuntimeKind::Wallet).enter();
        sdk::wallet::draining::track(dir.into(), tokio::time::sleep(Duration::from_millis(ms)));
        Ok(())
    })
}

/// @internal The cheapest possible export: the benchmark's baseline for sync calls.
#[napi(catch_unwind, js_name = "__benchEmpty")]
pub fn bench_empty() {}

/// @internal napi-rs's built-in `async fn`: the benchmark's baseline for async calls.
#[napi(catch_unwind, js_name = "__benchNapiAsyncNoop")]
pub async fn bench_napi_async_noop() {}

/// @internal Runs the allocation churn on `threads` threads with the tracking allocator or plain System,
/// with or without filling each block; returns nanoseconds per allocation.
#[napi(catch_unwind, js_name = "__benchAllocChurn")]
pub fn bench_alloc_churn(tracking: bool, threads: u32, iterations: u32, fill: bool) -> f64 {
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(move || {
                if tracking {
                    std::hint::black_box(sdk::alloc::churn(&sdk::alloc::ALLOCATOR, iterations as usize, fill))
                } else {
                    std::hint::black_box(sdk::alloc::churn(&std::alloc::System, iterations as usize, fill))
                }
            });
        }
    });
    start.elapsed().as_nanos() as f64 / (iterations as f64 * threads.max(1) as f64)
}

/// @internal What `ops::spawn` does for metrics, `iterations` times on each of `threads` threads, with
/// recording on or off; returns nanoseconds per operation. Threads share one operation name, as
/// concurrent calls of one export would.
#[napi(catch_unwind, js_name = "__benchMetricsRecord")]
pub fn bench_metrics_record(enabled: bool, threads: u32, iterations: u32) -> f64 {
    let was = sdk::metrics::enabled();
    sdk::metrics::set_enabled(enabled);
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(move || {
                for _ in 0..iterations {
                    let m = sdk::metrics::begin("__benchRecord");
                    let started = std::time::Instant::now();
                    std::hint::black_box(&m);
                    if let Some(m) = m {
                        m.finish(None, started.elapsed());
                    }
                }
            });
        }
    });
    sdk::metrics::set_enabled(was);
    start.elapsed().as_nanos() as f64 / (iterations as f64 * threads.max(1) as f64)
}

/// @internal Records `samples` latencies for each of `ops` synthetic operation names under every outcome
/// (ok and each error code): the rendering benchmark's population.
#[napi(catch_unwind, js_name = "__benchPopulateMetrics")]
pub fn bench_populate_metrics(ops: u32, samples: u32) {
    for i in 0..ops {
        let name: &'static str = Box::leak(format!("benchOp{i:02}").into_boxed_str());
        for outcome in std::iter::once(None).chain(sdk::error::ErrorCode::ALL.iter().copied().map(Some)) {
            for s in 0..samples {
                sdk::metrics::record(name, outcome, Duration::from_micros(50 + u64::from(s) * 37 % 250_000));
            }
        }
    }
}

/// @internal The policy layer's admission (rate limiters and bulkhead) `iterations` times on one thread,
/// or, with `admit` false, the same loop without it; returns nanoseconds per operation.
#[napi(catch_unwind, js_name = "__benchAdmission")]
pub fn bench_admission(admit: bool, iterations: u32) -> f64 {
    let start = std::time::Instant::now();
    for _ in 0..iterations {
        if admit {
            std::hint::black_box(sdk::limits::admit(RuntimeKind::General).ok());
        } else {
            std::hint::black_box(RuntimeKind::General);
        }
    }
    start.elapsed().as_nanos() as f64 / iterations as f64
}

/// @internal Benchmark: publishes `count` synthetic events into the wallet's event path, as fast as the
/// listeners take them, or (`flood`) as fast as it can, as the library would. Resolves when all were
/// published.
#[napi(catch_unwind, js_name = "__benchEmitEvents", ts_return_type = "Promise<void>")]
pub fn bench_emit_events(env: &Env, handle: f64, count: u32, flood: Option<bool>) -> napi::Result<PromiseRaw<'_, ()>> {
    let flood = flood.unwrap_or(false);
    let args: sdk::error::SdkResult<_> = Ok(move |entry: std::sync::Arc<WalletEntry>| async move {
        for i in 0..count as u64 {
            while !flood && entry.events.len() > sdk::wallet::events::CHANNEL_CAPACITY / 2 {
                tokio::task::yield_now().await;
            }
            let _ = entry.events.send(std::sync::Arc::new(WalletEvent {
                wallet_handle: entry.handle,
                seq: Some(i + 1),
                timestamp_ms: 0.0,
                kind: EventKind::mined_unconfirmed(i, 1),
            }));
        }
        Ok(())
    });
    crate::api::wallet::on_wallet(env, OpSpec::new("__benchEmitEvents", RuntimeKind::Wallet), Default::default(), handle, args)
}
