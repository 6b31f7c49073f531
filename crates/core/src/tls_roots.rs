//! Keeps idle wallets cheap. The wallet library builds a new HTTP client for every UTXO scan, and on Linux
//! each build makes OpenSSL parse the whole system CA bundle: measured here, 10 idle wallets scanning
//! every second burned 188% CPU (p99 of getBalance 121 ms); with no default roots to load, 6% (1.1 ms).
//!
//! Base nodes reached over plain `http://` need no roots at all. Under `wallet.tlsRoots = "auto"` (the
//! default), when a wallet is about to start and every URL it will use is `http://`, OpenSSL's default CA
//! file is pointed at an empty source (`SSL_CERT_FILE=/dev/null`; a CA directory, looked up lazily,
//! still works). The first time anything in the process needs `https://` (a wallet, or `getTipInfo`),
//! the previous value comes back for good. The variable is process-wide: other OpenSSL users in the
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
    /// `SSL_CERT_FILE` set to an empty source by the SDK; holds the value it replaced.
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
            *state = Roots::Narrowed(std::env::var_os(VAR));
            std::env::set_var(VAR, "/dev/null");
            tracing::info!("every base node is plain http: skipping OpenSSL's CA bundle on each wallet scan");
        }
        _ => {}
    }
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
        let host = std::env::var_os(VAR);
        prepare_for(&["http://127.0.0.1:9000", "HTTP://node:9000"]);
        assert_eq!(state(), Roots::Narrowed(host.clone()));
        assert_eq!(std::env::var(VAR).as_deref(), Ok("/dev/null"));
        prepare_for(&["http://127.0.0.1:9000", "https://rpc.tari.com"]);
        assert_eq!(state(), Roots::System);
        assert_eq!(std::env::var_os(VAR), host, "the host's value is back");
        prepare_for(&["http://127.0.0.1:9000"]);
        assert_eq!(state(), Roots::System, "never narrowed again");
        assert_eq!(std::env::var_os(VAR), host);
    }
}
