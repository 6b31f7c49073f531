//! Keeps idle wallets cheap. The wallet library builds a new HTTP client for every UTXO scan, and on Linux
//! each build makes OpenSSL parse the whole system CA bundle: measured here, 10 idle wallets scanning
//! every second burned 188% CPU (p99 of getBalance 121 ms); with no default roots to load, 6% (1.1 ms).
//!
//! Base nodes reached over plain `http://` need no roots at all. Under `wallet.tlsRoots = "auto"` (the
//! default), when a wallet is about to start and every URL it will use is `http://`, OpenSSL's default CA
//! file is pointed at an empty source (`SSL_CERT_FILE=/dev/null`; a CA directory, looked up lazily,
//! still works). The first time anything in the process needs `https://` (a wallet, or `getTipInfo`),
//! the previous value comes back for good (or, when there was none, the system bundle's path: see
//! `system_bundle`). The variable is process-wide: other OpenSSL users in the
//! process (not Node's own TLS, which has its own store) see it too; `"system"` leaves it alone. Platforms
//! without OpenSSL (macOS, Windows) are untouched.
//!
//! Known defect (child processes and `process.env` see the variable). The clean fix, one client per wallet
//! through a custom `HttpClientFactory`, is not possible in minotari_wallet 6.2.0: `Wallet::start` and the
//! UTXO scanner's initializer hard-code `DefaultHttpClientFactory` for the connectivity service and the
//! scanner (`wallet.rs`, `utxo_scanner_service/initializer.rs`), so a wallet started with another factory
//! panics at start ("service handle ... is not registered"). Tried and measured; it needs the library to
//! take the factory from its caller.

use std::ffi::OsString;
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// As the process started.
    Untouched,
    /// `SSL_CERT_FILE` set to an empty source by the SDK; holds the value to restore: the one it replaced,
    /// else the system bundle's path.
    Narrowed(Option<OsString>),
    /// System roots needed; never narrowed again in this process.
    System,
}

static STATE: Mutex<Roots> = Mutex::new(Roots::Untouched);
const VAR: &str = "SSL_CERT_FILE";

fn plain_http(url: &str) -> bool {
    url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

/// Called before anything builds TLS clients for `urls`.
pub fn prepare_for(urls: &[&str]) {
    let Ok(mut state) = STATE.lock() else { return };
    let needs_roots = urls.is_empty() || urls.iter().any(|u| !plain_http(u));
    match (&*state, needs_roots) {
        (Roots::Narrowed(previous), true) => {
            match previous {
                Some(v) => std::env::set_var(VAR, v),
                None => std::env::remove_var(VAR),
            }
            *state = Roots::System;
            tracing::info!("an https base node is in use: OpenSSL's system CA roots are back");
        }
        (Roots::Untouched, true) => *state = Roots::System,
        (Roots::Untouched, false) if narrowing_applies() => {
            // Probed now: once narrowed, a probe finds `/dev/null` (it reads the variable first).
            *state = Roots::Narrowed(std::env::var_os(VAR).or_else(system_bundle));
            std::env::set_var(VAR, "/dev/null");
            tracing::info!("every base node is plain http: skipping OpenSSL's CA bundle on each wallet scan");
        }
        _ => {}
    }
}

/// The system's CA bundle, found the way native-tls finds it. Restoring "no variable" is not enough:
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

    // One test owns the process-wide state.
    #[test]
    fn narrows_for_plain_http_and_restores_for_https_for_good() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // As on most hosts: no variable, the bundle found by probing (a CI shell may set one).
        std::env::remove_var(VAR);
        // What comes back: the host's value, or with none the system's bundle (native-tls keeps the
        // `/dev/null` it probed while narrowed, so "no variable" would leave https without roots).
        let back = std::env::var_os(VAR).or_else(system_bundle);
        assert!(back.is_some() || !std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists());
        prepare_for(&["http://127.0.0.1:9000", "HTTP://node:9000"]);
        assert_eq!(state(), Roots::Narrowed(back.clone()));
        assert_eq!(std::env::var(VAR).as_deref(), Ok("/dev/null"));
        prepare_for(&["http://127.0.0.1:9000", "https://rpc.tari.com"]);
        assert_eq!(state(), Roots::System);
        assert_eq!(std::env::var_os(VAR), back, "the host's roots are back");
        prepare_for(&["http://127.0.0.1:9000"]);
        assert_eq!(state(), Roots::System, "never narrowed again");
        assert_eq!(std::env::var_os(VAR), back);
    }
}
