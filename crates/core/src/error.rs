//! The one error type of the SDK. Every failure that reaches JavaScript is an `SdkError`, whose `code` is
//! one of the stable strings in [`ErrorCode`]; the JS side sees `error.code` plus any `details` as properties.

use std::fmt;

use serde::Serialize;

macro_rules! error_codes {
    ($($variant:ident => $code:literal: $doc:literal,)*) => {
        /// Stable error codes. Never renumber or rename: applications `switch` on these strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
        #[ts(rename = "ErrorCodeName")]
        pub enum ErrorCode {
            $(#[doc = $doc] #[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub const fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }
        }
    };
}

error_codes! {
    InvalidArgument => "ERR_INVALID_ARGUMENT": "An argument has the wrong type, is missing, or is out of range.",
    InvalidHandle => "ERR_INVALID_HANDLE": "The wallet handle is unknown or was closed.",
    Config => "ERR_CONFIG": "A configuration value is invalid or cannot change at runtime.",
    Timeout => "ERR_TIMEOUT": "The operation did not finish within its timeout.",
    Aborted => "ERR_ABORTED": "The operation was cancelled through its AbortSignal.",
    Internal => "ERR_INTERNAL": "An unexpected internal failure (including a caught panic); the process stays up.",
    ShuttingDown => "ERR_SHUTTING_DOWN": "The SDK is shutting down and accepts no new work.",
    Limit => "ERR_LIMIT": "A configured limit, such as limits.maxWalletInstances, was reached.",
    NetworkMismatch => "ERR_NETWORK_MISMATCH": "The network differs from the one this process already uses.",
    UnsupportedNetwork => "ERR_UNSUPPORTED_NETWORK": "This build of the SDK cannot use that network.",
    WalletLocked => "ERR_WALLET_LOCKED": "The wallet database is already open, in this process or another.",
    WrongPassphrase => "ERR_WRONG_PASSPHRASE": "The passphrase does not decrypt the wallet database.",
    WalletNotFound => "ERR_WALLET_NOT_FOUND": "No wallet database exists in the data directory.",
    WalletCorrupt => "ERR_WALLET_CORRUPT": "The wallet database exists but cannot be read.",
    WalletExists => "ERR_WALLET_EXISTS": "A wallet database already exists in the data directory.",
    InvalidSeedWords => "ERR_INVALID_SEED_WORDS": "The seed words are not a valid 24-word Tari CipherSeed.",
    InvalidAddress => "ERR_INVALID_ADDRESS": "The string is not a valid Tari address for this use.",
    InsufficientFunds => "ERR_INSUFFICIENT_FUNDS": "The wallet's available balance cannot cover the amount and fee.",
    TransactionNotFound => "ERR_TRANSACTION_NOT_FOUND": "No transaction with that id exists in the wallet.",
    NotCancellable => "ERR_NOT_CANCELLABLE": "The transaction is mined, or was broadcast and may still be mined (`reason`), and cannot be cancelled.",
    Wallet => "ERR_WALLET": "The wallet library reported an error.",
    BaseNode => "ERR_BASE_NODE": "The base node could not be reached or answered with an error.",
    CircuitOpen => "ERR_CIRCUIT_OPEN": "The circuit breaker for the base node is open; retry after retryAfterMs.",
    RateLimited => "ERR_RATE_LIMITED": "The rate limit was exceeded; retry after retryAfterMs.",
    Overloaded => "ERR_OVERLOADED": "Too many operations are in flight and queued.",
    OutcomeUnknown => "ERR_OUTCOME_UNKNOWN": "A payment was handed to the wallet but its outcome is not known yet; look it up by txId or retry with the same idempotencyKey, never without one.",
    IdempotencyConflict => "ERR_IDEMPOTENCY_CONFLICT": "The idempotencyKey was already used for a spend with different parameters.",
    ViewOnly => "ERR_VIEW_ONLY": "The wallet is view-only (it holds no spend key) and cannot spend or sign; nothing was stored.",
    InvalidTransaction => "ERR_INVALID_TRANSACTION": "A prepared or signed transaction is malformed, was changed after it was prepared, or belongs to another wallet or network.",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Extra machine-readable fields carried to the JS error object.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Number(f64),
    /// An amount in µT; becomes a JS `bigint`.
    Amount(u64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SdkError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<(&'static str, Detail)>,
}

pub type SdkResult<T> = Result<T, SdkError>;

impl SdkError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: Vec::new() }
    }

    pub fn with(mut self, key: &'static str, detail: Detail) -> Self {
        self.details.retain(|(k, _)| *k != key);
        self.details.push((key, detail));
        self
    }

    pub fn detail(&self, key: &str) -> Option<&Detail> {
        self.details.iter().find(|(k, _)| *k == key).map(|(_, d)| d)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Config, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// A panic payload turned into an error; the payload text is kept because panics come from our code or
    /// the wallet crates, never from user secrets.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic payload".into());
        Self::internal(format!("internal panic: {text}"))
    }
}

/// At most this many characters of a caller's input appear in any error message.
pub const MAX_ECHO_CHARS: usize = 64;

/// A caller's value as an error message shows it: quoted and escaped, and cut to [`MAX_ECHO_CHARS`]
/// characters of the input, so a huge or hostile argument never comes back whole.
pub fn shown(input: &str) -> String {
    // Counted as JavaScript counts them (UTF-16 units), where the message is read.
    let mut units = 0;
    let head: String = input
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= MAX_ECHO_CHARS
        })
        .collect();
    if head.len() == input.len() {
        format!("{input:?}")
    } else {
        format!("{head:?}… ({} characters)", input.encode_utf16().count())
    }
}

impl fmt::Display for SdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SdkError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(code.as_str().starts_with("ERR_"), "{code}");
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn details_replace_same_key() {
        let e = SdkError::new(ErrorCode::RateLimited, "slow down")
            .with("retryAfterMs", Detail::Number(5.0))
            .with("retryAfterMs", Detail::Number(7.0));
        assert_eq!(e.details.len(), 1);
        assert_eq!(e.detail("retryAfterMs"), Some(&Detail::Number(7.0)));
    }

    #[test]
    fn echoed_input_is_cut() {
        assert_eq!(shown("abc"), "\"abc\"");
        let long = "x".repeat(10_000);
        let s = shown(&long);
        assert!(s.matches('x').count() == MAX_ECHO_CHARS, "{s}");
        assert!(s.contains("10000 characters"));
        // Multi-byte characters are cut on a character boundary, and counted as JavaScript counts them.
        assert!(shown(&"é".repeat(100)).starts_with("\"éé"));
        assert_eq!(shown(&"🦀".repeat(40)).matches('🦀').count(), 32);
    }

    #[test]
    fn panic_payloads_become_internal_errors() {
        let e = SdkError::from_panic(&"boom");
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(e.message.contains("boom"));
        let e = SdkError::from_panic(&String::from("owned boom"));
        assert!(e.message.contains("owned boom"));
    }
}
