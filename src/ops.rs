//! One entry for every async operation: create the JS promise, run the work on its runtime under a timeout
//! with panics caught, record the outcome, and settle the promise back on the JS thread.
//!
//! Why not `#[napi] async fn` or `Env::create_deferred`: both create a threadsafe function per call and hop
//! through napi's own runtime. Here each JS environment owns one shared, weak threadsafe function; it is
//! referenced only while operations are outstanding, so pending work keeps Node alive and idle wallets do
//! not. Measured in `bench/`: ~2 µs per op with 100 in flight.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::*};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::threadsafe_function::{ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{sys, Env, Status};

use sdk::call_scope::CallScope;
use sdk::correlation::{self, CorrelationId};
use sdk::error::{Detail, ErrorCode, SdkError, SdkResult};
use sdk::runtime::{self, RuntimeKind};

/// What the guard needs to know about an operation.
#[derive(Clone, Copy)]
pub struct OpSpec {
    pub name: &'static str,
    pub runtime: RuntimeKind,
    /// `None`: the class default from `timeouts.*`.
    pub timeout: Option<Duration>,
    /// Subject to rate limits and the bulkhead; false only for operations that must always run (closing).
    pub limited: bool,
}

impl OpSpec {
    pub const fn new(name: &'static str, runtime: RuntimeKind) -> Self {
        Self { name, runtime, timeout: None, limited: true }
    }

    /// Exempt from rate limits and the bulkhead: releasing resources must work under overload too.
    pub const fn unlimited(mut self) -> Self {
        self.limited = false;
        self
    }

    fn effective_timeout(&self) -> Duration {
        let t = &sdk::config::current().config.timeouts;
        self.timeout.unwrap_or(Duration::from_millis(match self.runtime {
            RuntimeKind::Wallet => t.wallet_ms,
            RuntimeKind::Crypto => t.crypto_ms,
            RuntimeKind::Network => t.network_ms,
            RuntimeKind::General => t.general_ms,
        }))
    }
}

/// One call's options (`{ correlationId, timeoutMs, signal }`), parsed by the export from its last
/// argument (`api::call`).
#[derive(Default)]
pub struct Call {
    pub correlation_id: Option<CorrelationId>,
    pub timeout: Option<Duration>,
    pub abort: Option<crate::signals::Abort>,
    /// The options were invalid, or the signal had already fired: the operation rejects with this.
    pub invalid: Option<SdkError>,
}

static NEXT_ENV_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The JS environment running on this thread; each environment has a thread of its own.
    static ENV_ID: Cell<u64> = const { Cell::new(0) };
}

/// The JS environment of the calling thread (0 on threads that run none).
pub fn env_id() -> u64 {
    ENV_ID.with(Cell::get)
}

struct SendDeferred(sys::napi_deferred);
// SAFETY: the pointer is only dereferenced by N-API on the JS thread that created it (in `settle`).
unsafe impl Send for SendDeferred {}

type Settle = Box<dyn FnOnce(sys::napi_env, sys::napi_deferred) + Send>;

struct Completion {
    deferred: SendDeferred,
    settle: Settle,
}

type CompletionFn = ThreadsafeFunction<Completion, (), (), Status, false, true>;

/// Per JS environment (main thread or a worker): each runs on its own thread, so a thread-local is the
/// environment's instance data without an N-API lookup per call.
struct EnvDispatch {
    tsfn: Arc<CompletionFn>,
    outstanding: Cell<usize>,
}

thread_local! {
    static DISPATCH: RefCell<Option<Rc<EnvDispatch>>> = const { RefCell::new(None) };
}

/// JS environments that loaded the addon; the last one to go stops the runtimes.
static LIVE_ENVS: AtomicUsize = AtomicUsize::new(0);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Called once per environment from module registration.
pub fn register_env(env: &Env) -> napi::Result<()> {
    LIVE_ENVS.fetch_add(1, SeqCst);
    let id = NEXT_ENV_ID.fetch_add(1, SeqCst);
    ENV_ID.with(|slot| slot.set(id));
    env.add_env_cleanup_hook(id, |id| {
        DISPATCH.with(|d| d.borrow_mut().take());
        crate::signals::release_env();
        sdk::logging::release_sink(id);
        if LIVE_ENVS.fetch_sub(1, SeqCst) == 1 {
            sdk::system::shutdown(SHUTDOWN_GRACE);
        } else {
            sdk::system::release_owner(id);
        }
    })?;
    Ok(())
}

fn dispatch(env: &Env) -> napi::Result<Rc<EnvDispatch>> {
    if let Some(d) = DISPATCH.with(|d| d.borrow().clone()) {
        return Ok(d);
    }
    let settle_noop = env.create_function_from_closure::<(), (), _>("tariSdkSettled", |_| Ok(()))?;
    let tsfn: CompletionFn =
        settle_noop.build_threadsafe_function::<Completion>().callee_handled::<false>().weak::<true>().build_callback(
            |ctx: ThreadsafeCallContext<Completion>| {
                let env = ctx.env.raw();
                (ctx.value.settle)(env, ctx.value.deferred.0);
                end_outstanding(env);
                Ok(())
            },
        )?;
    let d = Rc::new(EnvDispatch { tsfn: Arc::new(tsfn), outstanding: Cell::new(0) });
    DISPATCH.with(|slot| *slot.borrow_mut() = Some(d.clone()));
    Ok(d)
}

fn begin_outstanding(env: sys::napi_env, d: &EnvDispatch) {
    let n = d.outstanding.get();
    if n == 0 && !d.tsfn.aborted() {
        unsafe { sys::napi_ref_threadsafe_function(env, d.tsfn.raw()) };
    }
    d.outstanding.set(n + 1);
}

fn end_outstanding(env: sys::napi_env) {
    DISPATCH.with(|slot| {
        if let Some(d) = slot.borrow().as_ref() {
            let n = d.outstanding.get().saturating_sub(1);
            d.outstanding.set(n);
            if n == 0 && !d.tsfn.aborted() {
                unsafe { sys::napi_unref_threadsafe_function(env, d.tsfn.raw()) };
            }
        }
    });
}

/// Settles the promise exactly once: with the result, or, if the task is dropped unfinished (runtime shut
/// down), with `ERR_SHUTTING_DOWN`.
struct Completer {
    tsfn: Arc<CompletionFn>,
    deferred: Option<SendDeferred>,
}

impl Completer {
    fn complete(mut self, settle: Settle) {
        if let Some(deferred) = self.deferred.take() {
            // `Closing` means the environment is gone; nobody is left to settle for.
            let _ = self.tsfn.call(Completion { deferred, settle }, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

impl Drop for Completer {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            let err = SdkError::new(ErrorCode::ShuttingDown, "the operation was stopped because the SDK is shutting down");
            let _ =
                self.tsfn.call(Completion { deferred, settle: settle_with::<()>(Err(err), None) }, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

fn settle_with<T: ToNapiValue + Send + 'static>(result: SdkResult<T>, correlation: Option<CorrelationId>) -> Settle {
    Box::new(move |env, deferred| unsafe {
        let outcome = match result {
            Ok(v) => T::to_napi_value(env, v).map_err(|e| SdkError::internal(format!("result conversion failed: {e}"))),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(value) => {
                sys::napi_resolve_deferred(env, deferred, value);
            }
            Err(e) => {
                sys::napi_reject_deferred(env, deferred, js_error(env, &e, correlation.as_ref()));
            }
        }
    })
}

fn set_text(env: sys::napi_env, object: sys::napi_value, key: &str, text: &str) {
    let (mut name, mut value) = (ptr::null_mut(), ptr::null_mut());
    unsafe {
        sys::napi_create_string_utf8(env, key.as_ptr().cast(), key.len() as isize, &mut name);
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value);
        sys::napi_set_property(env, object, name, value);
    }
}

/// Builds the JS `Error` for an `SdkError`: `code`, `message`, `correlationId`, and each detail as a
/// property.
pub unsafe fn js_error(env: sys::napi_env, err: &SdkError, correlation: Option<&CorrelationId>) -> sys::napi_value {
    let mut code = ptr::null_mut();
    let mut msg = ptr::null_mut();
    let mut error = ptr::null_mut();
    let c = err.code.as_str();
    sys::napi_create_string_utf8(env, c.as_ptr().cast(), c.len() as isize, &mut code);
    sys::napi_create_string_utf8(env, err.message.as_ptr().cast(), err.message.len() as isize, &mut msg);
    sys::napi_create_error(env, code, msg, &mut error);
    for (key, detail) in &err.details {
        let mut value = ptr::null_mut();
        match detail {
            Detail::Number(n) => sys::napi_create_double(env, *n, &mut value),
            Detail::Amount(a) => sys::napi_create_bigint_uint64(env, *a, &mut value),
            Detail::Text(t) => sys::napi_create_string_utf8(env, t.as_ptr().cast(), t.len() as isize, &mut value),
        };
        let mut name = ptr::null_mut();
        sys::napi_create_string_utf8(env, key.as_ptr().cast(), key.len() as isize, &mut name);
        sys::napi_set_property(env, error, name, value);
    }
    if let Some(id) = correlation {
        set_text(env, error, "correlationId", &id.to_string());
    }
    error
}

/// An already-rejected promise for operation `name`: async exports report bad arguments by rejecting,
/// never by throwing. Counts in metrics like any other outcome.
pub fn rejected<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    name: &'static str,
    call: Call,
    err: SdkError,
) -> napi::Result<PromiseRaw<'env, T>> {
    // Invalid call options come first: they are what the caller must fix.
    let err = call.invalid.unwrap_or(err);
    let correlation = call.correlation_id.unwrap_or_else(correlation::generate);
    sdk::metrics::record(name, Some(err.code), Duration::ZERO);
    correlation::sync_scope(correlation.clone(), env_id(), || tracing::debug!(op = name, code = %err.code, "operation rejected"));
    settled(env, Err(err), correlation)
}

/// A promise settled now with `result`.
fn settled<T: ToNapiValue + Send + 'static>(
    env: &Env,
    result: SdkResult<T>,
    correlation: CorrelationId,
) -> napi::Result<PromiseRaw<'_, T>> {
    let raw_env = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    napi::check_status!(unsafe { sys::napi_create_promise(raw_env, &mut deferred, &mut promise) })?;
    settle_with::<T>(result, Some(correlation))(raw_env, deferred);
    Ok(PromiseRaw::new(raw_env, promise))
}

/// A promise already resolved with `value`: for an answer the SDK holds without asking the wallet (a
/// cached read). Recorded like any operation; bad call options, a bad configuration and the rate limits
/// still reject. It takes no slot of the bulkhead, since it runs nowhere.
pub fn resolved<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    spec: OpSpec,
    call: Call,
    value: T,
) -> napi::Result<PromiseRaw<'env, T>> {
    let name = spec.name;
    let admitted = if spec.limited { sdk::limits::admit(spec.runtime).map(drop) } else { Ok(()) };
    if let Some(e) = call.invalid.clone().or_else(sdk::config::startup_error).or(admitted.err()) {
        return rejected(env, name, call, e);
    }
    let correlation = call.correlation_id.unwrap_or_else(correlation::generate);
    sdk::metrics::record(name, None, Duration::ZERO);
    settled(env, Ok(value), correlation)
}

/// Runs `work` on the operation's runtime and returns the promise for its result. Never throws for the
/// operation's own failures: they reject the promise. A timeout or abort drops `work` at its next await.
pub fn spawn<'env, T, F>(env: &'env Env, spec: OpSpec, call: Call, work: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = SdkResult<T>> + Send + 'static,
{
    launch(env, spec, call, Interruption::DropsWork, move |_| work)
}

/// Like `spawn`, but the guard only interrupts the wait for admission: after that, `work` gets the call's
/// deadline and abort as a `CallScope` and decides itself what they mean. For spends, which cannot be
/// dropped once the wallet has accepted them.
pub fn spawn_scoped<'env, T, F, Fut>(env: &'env Env, spec: OpSpec, call: Call, work: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce(CallScope) -> Fut + Send + 'static,
    Fut: Future<Output = SdkResult<T>> + Send + 'static,
{
    launch(env, spec, call, Interruption::HandedToWork, work)
}

/// What a timeout or abort does once the operation has its slot.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Interruption {
    /// The guard drops the work at its next await.
    DropsWork,
    /// The work gets the `CallScope` and decides.
    HandedToWork,
}

/// `work` with a panic turned into `ERR_INTERNAL`.
async fn caught<T>(work: impl Future<Output = SdkResult<T>>) -> SdkResult<T> {
    AssertUnwindSafe(work).catch_unwind().await.unwrap_or_else(|panic| Err(SdkError::from_panic(&*panic)))
}

fn launch<T, F, Fut>(env: &Env, spec: OpSpec, mut call: Call, interruption: Interruption, work: F) -> napi::Result<PromiseRaw<'_, T>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce(CallScope) -> Fut + Send + 'static,
    Fut: Future<Output = SdkResult<T>> + Send + 'static,
{
    if let Some(e) = call.invalid.take().or_else(sdk::config::startup_error) {
        return rejected(env, spec.name, call, e);
    }
    let admitted = runtime::pool().and_then(|pool| {
        let admission = if spec.limited { sdk::limits::admit(spec.runtime)? } else { sdk::limits::Admission::Exempt };
        Ok((pool, admission))
    });
    let (pool, admission) = match admitted {
        Ok(a) => a,
        Err(e) => return rejected(env, spec.name, call, e),
    };
    let raw_env = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    napi::check_status!(unsafe { sys::napi_create_promise(raw_env, &mut deferred, &mut promise) })?;
    let d = dispatch(env)?;
    begin_outstanding(raw_env, &d);
    // The registration lives as long as the operation: dropping it forgets the token.
    let (token, registration) = call.abort.map(|a| (a.token.clone(), a)).unzip();
    let completer = Completer { tsfn: d.tsfn.clone(), deferred: Some(SendDeferred(deferred)) };
    let timeout = call.timeout.unwrap_or_else(|| spec.effective_timeout());
    let correlation = call.correlation_id.unwrap_or_else(correlation::generate);
    // Time in the bulkhead's queue counts towards the timeout.
    let scope = CallScope::new(spec.name, timeout, token);
    let metrics = sdk::metrics::begin(spec.name);
    let started = Instant::now();
    let task_pool = pool.clone();
    let scoped_id = correlation.clone();
    pool.handle(spec.runtime).spawn(correlation::scope(scoped_id, env_id(), async move {
        let slot = tokio::select! {
            slot = admission.ready() => Ok(slot),
            why = scope.interrupted() => Err(scope.error(why)),
        };
        let result = match (slot, interruption) {
            (Err(e), _) => Err(e),
            (Ok(_slot), Interruption::DropsWork) => tokio::select! {
                r = caught(work(scope.clone())) => r,
                why = scope.interrupted() => Err(scope.error(why)),
            },
            (Ok(_slot), Interruption::HandedToWork) => caught(work(scope)).await,
        };
        drop(registration);
        let elapsed = started.elapsed();
        let code = result.as_ref().err().map(|e| e.code);
        if let Some(m) = metrics {
            m.finish(code, elapsed);
        }
        match code {
            None => tracing::trace!(op = spec.name, elapsed_us = elapsed.as_micros() as u64, "operation finished"),
            Some(code) => tracing::debug!(op = spec.name, %code, elapsed_us = elapsed.as_micros() as u64, "operation failed"),
        }
        task_pool.op_completed(spec.runtime);
        completer.complete(settle_with(result, Some(correlation)));
    }));
    Ok(PromiseRaw::new(raw_env, promise))
}

/// For synchronous exports: runs `f` with panics caught, so nothing unwinds across the FFI boundary, under
/// a correlation id, and records the outcome as operation `name`. Fails with the startup error while the
/// environment's configuration is bad (see `config::startup_error`).
pub fn sync<T>(env: &Env, name: &'static str, f: impl FnOnce() -> SdkResult<T>) -> napi::Result<T> {
    run_sync(env, name, || match sdk::config::startup_error() {
        Some(e) => Err(e),
        None => f(),
    })
}

/// `sync` for `init`, the one call that can put a bad startup configuration right.
pub fn sync_init<T>(env: &Env, f: impl FnOnce() -> SdkResult<T>) -> napi::Result<T> {
    run_sync(env, "init", f)
}

fn run_sync<T>(env: &Env, name: &'static str, f: impl FnOnce() -> SdkResult<T>) -> napi::Result<T> {
    let correlation = correlation::generate();
    let started = sdk::metrics::enabled().then(Instant::now);
    let result = correlation::sync_scope(correlation.clone(), env_id(), || {
        let result = match std::panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(r) => r,
            Err(panic) => Err(SdkError::from_panic(&*panic)),
        };
        if let Err(e) = &result {
            tracing::debug!(op = name, code = %e.code, "operation failed");
        }
        result
    });
    if let Some(started) = started {
        sdk::metrics::record(name, result.as_ref().err().map(|e| e.code), started.elapsed());
    }
    result.map_err(|e| to_napi_error(env, e, Some(&correlation)))
}

/// An `SdkError` as a `napi::Error` that throws our own JS error object (with `code` and details).
pub fn to_napi_error(env: &Env, err: SdkError, correlation: Option<&CorrelationId>) -> napi::Error {
    let raw = unsafe { js_error(env.raw(), &err, correlation) };
    match unsafe { <napi::bindgen_prelude::Unknown as napi::bindgen_prelude::FromNapiValue>::from_napi_value(env.raw(), raw) } {
        Ok(value) => napi::Error::from(value),
        Err(e) => e,
    }
}
