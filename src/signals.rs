//! AbortSignals of call options. Each signal gets one `abort` listener, the first time the SDK sees it,
//! and a token list in Rust: a call adds its token and removes it when it finishes, with no JS call. So
//! one long-lived signal can serve any number of concurrent calls without collecting listeners (Node warns
//! past 10) and at a few hundred nanoseconds a call.
//!
//! The list hangs off the signal in a per-environment `WeakMap` (signal → napi External), so it lives as
//! long as the signal and no longer. Not napi-rs's `AbortSignal` type: it overwrites the signal's
//! `onabort` and keeps every call's callback until the signal is collected.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use napi::{sys, Env, JsValue};
use tokio_util::sync::CancellationToken;

/// A call's hold on its signal: `token` is cancelled when the signal aborts; dropping this forgets it.
pub struct Abort {
    pub token: CancellationToken,
    tokens: Arc<SignalTokens>,
    id: u64,
}

impl Drop for Abort {
    fn drop(&mut self) {
        self.tokens.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

/// The tokens of the calls running under one signal.
#[derive(Default)]
struct SignalTokens {
    next: AtomicU64,
    live: Mutex<HashMap<u64, CancellationToken>>,
}

impl SignalTokens {
    fn cancel_all(&self) {
        for token in self.live.lock().unwrap_or_else(|p| p.into_inner()).values() {
            token.cancel();
        }
    }
}

/// Per environment: the `WeakMap` and its `get` and `set` methods.
struct SideTable {
    map: sys::napi_ref,
    get: sys::napi_ref,
    set: sys::napi_ref,
}

thread_local! {
    static TABLE: RefCell<Option<SideTable>> = const { RefCell::new(None) };
}

/// Forgets this environment's table; from its cleanup hook, when its references are going anyway.
pub fn release_env() {
    TABLE.with(|t| t.borrow_mut().take());
}

/// Registers a call under `signal` (a JS AbortSignal that has not aborted yet).
pub fn listen(env: &Env, signal: sys::napi_value) -> napi::Result<Abort> {
    let tokens = unsafe { tokens_of(env, signal)? };
    let token = CancellationToken::new();
    let id = tokens.next.fetch_add(1, Relaxed);
    tokens.live.lock().unwrap_or_else(|p| p.into_inner()).insert(id, token.clone());
    Ok(Abort { token, tokens, id })
}

unsafe fn value(env: sys::napi_env, r: sys::napi_ref) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    napi::check_status!(sys::napi_get_reference_value(env, r, &mut v))?;
    Ok(v)
}

unsafe fn reference(env: sys::napi_env, v: sys::napi_value) -> napi::Result<sys::napi_ref> {
    let mut r = ptr::null_mut();
    napi::check_status!(sys::napi_create_reference(env, v, 1, &mut r))?;
    Ok(r)
}

unsafe fn property(env: sys::napi_env, object: sys::napi_value, name: &std::ffi::CStr) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    napi::check_status!(sys::napi_get_named_property(env, object, name.as_ptr(), &mut v))?;
    Ok(v)
}

unsafe fn call(env: sys::napi_env, this: sys::napi_value, f: sys::napi_value, args: &[sys::napi_value]) -> napi::Result<sys::napi_value> {
    let mut result = ptr::null_mut();
    napi::check_status!(sys::napi_call_function(env, this, f, args.len(), args.as_ptr(), &mut result))?;
    Ok(result)
}

/// The environment's table: (map, get, set) as values, created on first use.
unsafe fn table(env: sys::napi_env) -> napi::Result<[sys::napi_value; 3]> {
    if let Some(t) = TABLE.with(|t| t.borrow().as_ref().map(|t| [t.map, t.get, t.set])) {
        return Ok([value(env, t[0])?, value(env, t[1])?, value(env, t[2])?]);
    }
    let mut global = ptr::null_mut();
    napi::check_status!(sys::napi_get_global(env, &mut global))?;
    let ctor = property(env, global, c"WeakMap")?;
    let mut map = ptr::null_mut();
    napi::check_status!(sys::napi_new_instance(env, ctor, 0, ptr::null(), &mut map))?;
    let (get, set) = (property(env, map, c"get")?, property(env, map, c"set")?);
    let refs = SideTable { map: reference(env, map)?, get: reference(env, get)?, set: reference(env, set)? };
    TABLE.with(|t| *t.borrow_mut() = Some(refs));
    Ok([map, get, set])
}

unsafe extern "C" fn drop_tokens(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Arc::from_raw(data as *const SignalTokens));
}

/// The signal's token list; on first sight, makes it and adds the signal's one `abort` listener.
unsafe fn tokens_of(env: &Env, signal: sys::napi_value) -> napi::Result<Arc<SignalTokens>> {
    let raw = env.raw();
    let [map, get, set] = table(raw)?;
    let found = call(raw, map, get, &[signal])?;
    let mut kind = 0;
    napi::check_status!(sys::napi_typeof(raw, found, &mut kind))?;
    if kind == sys::ValueType::napi_external {
        let mut data = ptr::null_mut();
        napi::check_status!(sys::napi_get_value_external(raw, found, &mut data))?;
        let data = data as *const SignalTokens;
        // The External keeps its own count; this is ours.
        Arc::increment_strong_count(data);
        return Ok(Arc::from_raw(data));
    }
    let tokens = Arc::new(SignalTokens::default());
    let held = Arc::into_raw(tokens.clone()) as *mut c_void;
    let mut external = ptr::null_mut();
    let status = sys::napi_create_external(raw, held, Some(drop_tokens), ptr::null_mut(), &mut external);
    if status != sys::Status::napi_ok {
        drop(Arc::from_raw(held as *const SignalTokens));
        napi::check_status!(status)?;
    }
    call(raw, map, set, &[signal, external])?;
    let on_abort = tokens.clone();
    let listener = env.create_function_from_closure::<(), (), _>("tariSdkAbort", move |_| {
        on_abort.cancel_all();
        Ok(())
    })?;
    let mut event = ptr::null_mut();
    napi::check_status!(sys::napi_create_string_utf8(raw, c"abort".as_ptr(), 5, &mut event))?;
    call(raw, signal, property(raw, signal, c"addEventListener")?, &[event, listener.raw()])?;
    Ok(tokens)
}
