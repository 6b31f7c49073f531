//! The limits a caller put on one operation (its deadline and its abort), for operations that must decide
//! themselves what an interruption means. Most operations are simply dropped when interrupted; a spend
//! cannot be, once the wallet has accepted it (see `wallet::spend`).

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::{Detail, ErrorCode, SdkError};

#[derive(Clone)]
pub struct CallScope {
    pub op: &'static str,
    pub timeout: Duration,
    deadline: Instant,
    /// Set only when the caller passed a signal: most calls have none, and need no token.
    cancel: Option<CancellationToken>,
}

/// Why an operation was interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    Timeout,
    Aborted,
}

impl CallScope {
    pub fn new(op: &'static str, timeout: Duration, cancel: Option<CancellationToken>) -> Self {
        Self { op, timeout, deadline: Instant::now() + timeout, cancel }
    }

    /// Resolves when the deadline passes or the caller aborts, whichever comes first.
    pub async fn interrupted(&self) -> Interrupt {
        let aborted = async {
            match &self.cancel {
                Some(token) => token.cancelled().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep_until(self.deadline) => Interrupt::Timeout,
            _ = aborted => Interrupt::Aborted,
        }
    }

    /// The error an operation interrupted before it changed anything reports.
    pub fn error(&self, why: Interrupt) -> SdkError {
        match why {
            Interrupt::Timeout => {
                SdkError::new(ErrorCode::Timeout, format!("{} did not finish within {} ms", self.op, self.timeout.as_millis()))
                    .with("timeoutMs", Detail::Number(self.timeout.as_millis() as f64))
            }
            Interrupt::Aborted => SdkError::new(ErrorCode::Aborted, format!("{} was aborted by its signal", self.op)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deadline_and_abort_interrupt() {
        let s = CallScope::new("op", Duration::from_millis(50), None);
        assert_eq!(s.interrupted().await, Interrupt::Timeout);
        assert_eq!(s.error(Interrupt::Timeout).code, ErrorCode::Timeout);

        let token = CancellationToken::new();
        let s = CallScope::new("op", Duration::from_secs(60), Some(token.clone()));
        token.cancel();
        assert_eq!(s.interrupted().await, Interrupt::Aborted);
        assert_eq!(s.error(Interrupt::Aborted).code, ErrorCode::Aborted);
    }
}
