//! Process-level events (health and circuit-breaker transitions), fanned out to every
//! subscriber. Lagging subscribers lose the oldest events rather than slowing the sender.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::breaker::State;
use crate::health::Transition;

/// What happened to the process; `type` names it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SystemEventKind {
    /// The overall health level changed.
    HealthChanged(Transition),
    /// A base node's circuit breaker changed state; `url` has credentials redacted.
    BreakerChanged { url: String, from: State, to: State },
    /// Made by the delivery to one listener: it fell behind and this many of the oldest events were dropped.
    Lagged { dropped: u64 },
}

/// A process-level event (`systemEvents`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SystemEvent {
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "timestamp")]
    pub timestamp_ms: f64,
    #[serde(flatten)]
    pub kind: SystemEventKind,
}

impl SystemEvent {
    pub fn now(kind: SystemEventKind) -> Self {
        let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
        SystemEvent { timestamp_ms, kind }
    }
}

static CHANNEL: LazyLock<broadcast::Sender<SystemEvent>> = LazyLock::new(|| broadcast::channel(256).0);

pub fn publish(kind: SystemEventKind) {
    // No subscribers is fine: nobody is listening.
    let _ = CHANNEL.send(SystemEvent::now(kind));
}

pub fn subscribe() -> broadcast::Receiver<SystemEvent> {
    CHANNEL.subscribe()
}
