//! Process-level events (health and circuit-breaker transitions), fanned out to every
//! subscriber. Lagging subscribers lose the oldest events rather than slowing the sender.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast;

use crate::breaker::State;
use crate::health::Transition;

#[derive(Debug, Clone, PartialEq)]
pub enum SystemEventKind {
    HealthChanged(Transition),
    /// A base node's circuit breaker changed state; `url` has credentials redacted.
    BreakerChanged {
        url: String,
        from: State,
        to: State,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SystemEvent {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: f64,
    pub kind: SystemEventKind,
}

static CHANNEL: LazyLock<broadcast::Sender<SystemEvent>> = LazyLock::new(|| broadcast::channel(256).0);

pub fn publish(kind: SystemEventKind) {
    let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
    // No subscribers is fine: nobody is listening.
    let _ = CHANNEL.send(SystemEvent { timestamp_ms, kind });
}

pub fn subscribe() -> broadcast::Receiver<SystemEvent> {
    CHANNEL.subscribe()
}
