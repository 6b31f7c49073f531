//! Keeps idle wallets cheap. The wallet library builds a new HTTP client for every UTXO scan, and on Linux
//! each build makes OpenSSL parse the whole system CA bundle: measured here, 10 idle wallets scanning
//! every second burned 188% CPU (p99 of getBalance 121 ms); with no default roots to load, 6% (1.1 ms).
//!
//! Base nodes reached over plain `http://` need no roots at all. Under `wallet.tlsRoots = "auto"` (the
//! default), when a wallet is about to start and every URL it will use is `http://`, the addon's own
//! OpenSSL and native-tls are shown `SSL_CERT_FILE=/dev/null` (an empty source; a CA directory, looked up
//! lazily, still works). The first time anything in the addon needs `https://` (a wallet, or
//! `getTipInfo`), they are shown the host's value again for good, or, when the host set none, the system
//! bundle's path (see `system_bundle`). `"system"` never narrows.
//!
//! How, without touching the environment (#12 item 1): `setenv` while other threads read the environment
//! is undefined behaviour in glibc, and a changed variable leaks to `process.env` and child processes. So
//! the Linux addon is linked with `--wrap=getenv,--wrap=secure_getenv` (`build.rs`): every `getenv` call
//! compiled into the addon (Rust's `std::env`, hence native-tls's probe; OpenSSL's `secure_getenv`) goes
//! through `src/getenv.rs`, which asks `overridden` here first. Node, other addons and child processes
//! read the real, unchanged environment. `cargo test` binaries are not wrapped: there `overridden` is
//! tested directly.
//!
//! Why not one client per wallet through a custom `HttpClientFactory`: minotari_wallet 6.2.0's
//! `Wallet::start` and UTXO scanner initializer hard-code `DefaultHttpClientFactory` (`wallet.rs`,
//! `utxo_scanner_service/initializer.rs`); a wallet started with another factory panics at start
//! ("service handle ... is not registered"). Tried and measured.

use std::ffi::{c_char, CStr, CString, OsString};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// As the process started.
    Untouched,
    /// The addon is shown an empty source; holds what it is shown once roots are needed: `None` for the
    /// host's own value, else the system bundle's path (the host set no variable).
    Narrowed(Option<OsString>),
    /// System roots needed; never narrowed again in this process.
    System,
}

static STATE: Mutex<Roots> = Mutex::new(Roots::Untouched);
const VAR: &str = "SSL_CERT_FILE";
const EMPTY: &CStr = c"/dev/null";

/// What the addon reads for `SSL_CERT_FILE` instead of the environment; null: the environment. Read by
/// the `getenv` wrapper on any thread, so an atomic pointer to a string that lives for the process.
static CERT_FILE: AtomicPtr<c_char> = AtomicPtr::new(null_mut());

/// The value the addon's `getenv(name)` answers instead of the environment's, if any. Lock-free and
/// allocation-free: it runs inside every `getenv` of the addon.
pub fn overridden(name: &CStr) -> Option<&'static CStr> {
    if name.to_bytes() != VAR.as_bytes() {
        return None;
    }
    let p = CERT_FILE.load(Ordering::Acquire);
    // SAFETY: only `show` stores here, and only pointers to strings that are never freed.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

fn show(value: Option<&'static CStr>) {
    CERT_FILE.store(value.map_or(null_mut(), |v| v.as_ptr().cast_mut()), Ordering::Release);
}

fn plain_http(url: &str) -> bool {
    url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

/// Called before anything builds TLS clients for `urls`.
pub fn prepare_for(urls: &[&str]) {
    let Ok(mut state) = STATE.lock() else { return };
    let needs_roots = urls.is_empty() || urls.iter().any(|u| !plain_http(u));
    match (&*state, needs_roots) {
        (Roots::Narrowed(back), true) => {
            // Leaked once per process at most: the wrapper may hand the pointer out at any time after.
            let back = back.clone().and_then(|v| CString::new(v.into_encoded_bytes()).ok());
            show(back.map(|v| &*Box::leak(v.into_boxed_c_str())));
            *state = Roots::System;
            tracing::info!("an https base node is in use: OpenSSL's system CA roots are back");
        }
        (Roots::Untouched, true) => *state = Roots::System,
        (Roots::Untouched, false) if narrowing_applies() => {
            // Probed before narrowing: a probe reads the variable first.
            let host_has_one = std::env::var_os(VAR).is_some();
            *state = Roots::Narrowed(if host_has_one { None } else { system_bundle() });
            show(Some(EMPTY));
            tracing::info!("every base node is plain http: skipping OpenSSL's CA bundle on each wallet scan");
        }
        _ => {}
    }
}

/// The system's CA bundle, found the way native-tls finds it. Showing "no variable" again is not enough:
/// native-tls probes once per process and keeps what it found, `/dev/null` when the narrowing came first,
/// and the vendored OpenSSL's own default (`/usr/local/ssl`) holds nothing, so an https node would fail
/// to verify. Pointing OpenSSL's default at the bundle gives every later connection its roots.
fn system_bundle() -> Option<OsString> {
    openssl_probe::probe().cert_file.map(OsString::from)
}

fn narrowing_applies() -> bool {
    cfg!(target_os = "linux") && crate::config::current().config.wallet.tls_roots == crate::config::TlsRoots::Auto
}

#[cfg(test)]
fn state() -> Roots {
    STATE.lock().map(|s| s.clone()).unwrap_or(Roots::System)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown() -> Option<&'static CStr> {
        overridden(c"SSL_CERT_FILE")
    }

    // One test owns the process-wide state.
    #[test]
    fn narrows_for_plain_http_and_restores_for_https_for_good_without_touching_the_environment() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // As on most hosts: no variable, the bundle found by probing (a CI shell may set one).
        std::env::remove_var(VAR);
        let bundle = system_bundle();
        assert!(bundle.is_some() || !std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists());
        assert_eq!(shown(), None);
        prepare_for(&["http://127.0.0.1:9000", "HTTP://node:9000"]);
        assert_eq!(state(), Roots::Narrowed(bundle.clone()));
        assert_eq!(shown(), Some(EMPTY));
        assert_eq!(overridden(c"SSL_CERT_DIR"), None, "only the file is narrowed");
        assert_eq!(std::env::var_os(VAR), None, "the environment is untouched");
        prepare_for(&["http://127.0.0.1:9000", "https://rpc.tari.com"]);
        assert_eq!(state(), Roots::System);
        // native-tls keeps the `/dev/null` it probed while narrowed, so "no variable" would leave https
        // without roots: the system's bundle is shown instead.
        assert_eq!(shown().map(|v| OsString::from(v.to_str().unwrap())), bundle);
        assert_eq!(std::env::var_os(VAR), None);
        prepare_for(&["http://127.0.0.1:9000"]);
        assert_eq!(state(), Roots::System, "never narrowed again");
        assert_eq!(shown().map(|v| OsString::from(v.to_str().unwrap())), bundle);
    }
}
