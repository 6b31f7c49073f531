//! A circuit breaker per base node URL: closed → open after `breaker.failureThreshold` consecutive
//! failures; open fails fast for `breaker.resetTimeoutMs`; then half-open, where one probe at a time goes
//! through, `breaker.successThreshold` successes close it and any failure opens it again.
//!
//! Hand-written rather than taken from a crate: the SDK needs the time until it may retry
//! (`retryAfterMs`), observable state and transition events, and thresholds that change with the config;
//! the state machine itself is a few lines. Time is passed in, so tests drive it without sleeping.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::BreakerConfig;

/// A circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "BreakerState")]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    pub const fn name(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "halfOpen",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Breaker {
    state: State,
    failures: u32,
    successes: u32,
    open_until: Instant,
    /// Half-open: when the probe in flight started. Its lease runs out if the probe never reports (a
    /// caller that dropped it), so a lost probe cannot wedge the breaker.
    probe_since: Option<Instant>,
}

/// A change of state, for events and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub from: State,
    pub to: State,
}

impl Default for Breaker {
    fn default() -> Self {
        Self { state: State::Closed, failures: 0, successes: 0, open_until: Instant::now(), probe_since: None }
    }
}

impl Breaker {
    pub fn state(&self) -> State {
        self.state
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }

    /// May a call go through now? `Err(wait)` while open, and while half-open with a probe in flight (for
    /// at most `lease`); an open breaker whose reset timeout passed becomes half-open and lets one probe
    /// through.
    pub fn allow(&mut self, now: Instant, lease: Duration) -> Result<Option<Change>, Duration> {
        match self.state {
            State::Open if now < self.open_until => Err(self.open_until - now),
            State::Open => {
                let change = self.to(State::HalfOpen);
                self.probe_since = Some(now);
                Ok(change)
            }
            State::HalfOpen => match self.probe_since {
                Some(started) if now.saturating_duration_since(started) < lease => Err(lease - now.saturating_duration_since(started)),
                _ => {
                    self.probe_since = Some(now);
                    Ok(None)
                }
            },
            State::Closed => Ok(None),
        }
    }

    /// The call that was let through ended without saying anything about the node (it was refused before
    /// it was sent): another probe may go.
    pub fn release(&mut self) {
        self.probe_since = None;
    }

    /// Time until an open breaker half-opens; zero otherwise.
    pub fn retry_after(&self, now: Instant) -> Duration {
        if self.state == State::Open {
            self.open_until.saturating_duration_since(now)
        } else {
            Duration::ZERO
        }
    }

    pub fn on_success(&mut self, c: &BreakerConfig) -> Option<Change> {
        self.failures = 0;
        self.probe_since = None;
        match self.state {
            State::HalfOpen => {
                self.successes += 1;
                (self.successes >= c.success_threshold).then(|| self.to(State::Closed)).flatten()
            }
            _ => None,
        }
    }

    pub fn on_failure(&mut self, c: &BreakerConfig, now: Instant) -> Option<Change> {
        self.failures += 1;
        self.probe_since = None;
        let trip = match self.state {
            State::Closed => self.failures >= c.failure_threshold,
            State::HalfOpen => true,
            State::Open => false,
        };
        if !trip {
            return None;
        }
        self.open_until = now + Duration::from_millis(c.reset_timeout_ms);
        self.to(State::Open)
    }

    fn to(&mut self, next: State) -> Option<Change> {
        let from = self.state;
        self.state = next;
        self.successes = 0;
        if next == State::Closed {
            self.failures = 0;
        }
        (from != next).then_some(Change { from, to: next })
    }
}

/// One base node's circuit breaker, as `getMetrics().breakers` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BreakerStatus {
    pub url: String,
    pub state: State,
    pub consecutive_failures: u32,
    pub retry_after_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(5);

    fn config() -> BreakerConfig {
        BreakerConfig { failure_threshold: 3, success_threshold: 2, reset_timeout_ms: 1_000 }
    }

    #[test]
    fn opens_after_the_threshold_and_fails_fast() {
        let (c, t0) = (config(), Instant::now());
        let mut b = Breaker::default();
        assert_eq!(b.on_failure(&c, t0), None);
        assert_eq!(b.on_failure(&c, t0), None);
        assert_eq!(b.on_failure(&c, t0), Some(Change { from: State::Closed, to: State::Open }));
        assert_eq!(b.allow(t0 + Duration::from_millis(400), LEASE), Err(Duration::from_millis(600)));
        assert_eq!(b.retry_after(t0 + Duration::from_millis(900)), Duration::from_millis(100));
    }

    #[test]
    fn a_success_resets_the_failure_count() {
        let (c, t0) = (config(), Instant::now());
        let mut b = Breaker::default();
        b.on_failure(&c, t0);
        b.on_failure(&c, t0);
        b.on_success(&c);
        assert_eq!(b.on_failure(&c, t0), None);
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn half_opens_after_the_reset_timeout_then_closes_after_successes() {
        let (c, t0) = (config(), Instant::now());
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_failure(&c, t0);
        }
        let later = t0 + Duration::from_millis(1_000);
        assert_eq!(b.allow(later, LEASE), Ok(Some(Change { from: State::Open, to: State::HalfOpen })));
        assert_eq!(b.on_success(&c), None);
        b.allow(later, LEASE).unwrap();
        assert_eq!(b.on_success(&c), Some(Change { from: State::HalfOpen, to: State::Closed }));
        assert_eq!(b.allow(later, LEASE), Ok(None));
    }

    #[test]
    fn a_failure_while_half_open_opens_again() {
        let (c, t0) = (config(), Instant::now());
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_failure(&c, t0);
        }
        let later = t0 + Duration::from_millis(1_500);
        b.allow(later, LEASE).unwrap();
        assert_eq!(b.on_failure(&c, later), Some(Change { from: State::HalfOpen, to: State::Open }));
        assert_eq!(b.allow(later, LEASE), Err(Duration::from_millis(1_000)));
    }

    #[test]
    fn half_open_lets_one_probe_through_at_a_time() {
        let (c, t0) = (config(), Instant::now());
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_failure(&c, t0);
        }
        let later = t0 + Duration::from_millis(1_000);
        assert!(b.allow(later, LEASE).is_ok(), "the first caller probes");
        for _ in 0..10 {
            assert_eq!(b.allow(later, LEASE), Err(LEASE), "the others wait while the probe is out");
        }
        // A probe that never reports loses its lease; one refused before it was sent gives it back.
        assert!(b.allow(later + LEASE, LEASE).is_ok());
        b.release();
        assert!(b.allow(later + LEASE, LEASE).is_ok());
        assert_eq!(b.on_success(&c), None);
        assert!(b.allow(later + LEASE, LEASE).is_ok(), "the next probe after a success");
        assert_eq!(b.on_success(&c), Some(Change { from: State::HalfOpen, to: State::Closed }));
    }
}
