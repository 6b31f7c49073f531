//! Forwarding a broadcast channel to a JS listener until the subscription is cancelled or the channel
//! closes: the shared machinery of `onEvent` and `onSystemEvent`. The listener's threadsafe function is
//! weak, so a subscription never keeps the process alive.
//!
//! Bounded: at most `MAX_UNDELIVERED` items wait for the JS thread. While that many wait (a listener that
//! is slow, or a JS thread that is blocked), the forwarder stops reading; the channel then drops its oldest
//! items, and the listener is told how many with a `lagged` item before the next one it gets. So memory
//! stays flat whatever the event rate, and nothing is lost without a count.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};

use dashmap::DashMap;
use napi::bindgen_prelude::{Function, ToNapiValue};
use napi::threadsafe_function::{ThreadsafeCallContext, ThreadsafeFunctionCallMode};
use napi::Status;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use sdk::error::{SdkError, SdkResult};
use sdk::runtime;

static ACTIVE: LazyLock<DashMap<u32, CancellationToken>> = LazyLock::new(DashMap::new);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Items handed to the JS thread and not yet delivered, per subscription, at most.
pub const MAX_UNDELIVERED: usize = 1024;

/// Counts the items between the forwarder and the JS thread.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    room: Notify,
}

/// Calls `listener` with `convert(item)` for every item of `rx`, and with `lagged(n)` when `n` items were
/// dropped because the listener fell behind; returns the subscription id.
pub fn subscribe<T, O>(
    mut rx: Receiver<T>,
    listener: Function<O, ()>,
    convert: fn(&T) -> O,
    lagged: Box<dyn Fn(u64) -> O + Send>,
) -> SdkResult<u32>
where
    T: Clone + Send + 'static,
    O: ToNapiValue + Send + 'static,
{
    let in_flight = Arc::new(InFlight::default());
    let delivered = in_flight.clone();
    let tsfn = listener
        .build_threadsafe_function::<O>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(move |ctx: ThreadsafeCallContext<O>| {
            delivered.count.fetch_sub(1, Relaxed);
            delivered.room.notify_one();
            Ok(ctx.value)
        })
        .map_err(|e| SdkError::internal(format!("cannot create the event callback: {e}")))?;
    let id = NEXT_ID.fetch_add(1, Relaxed);
    let token = CancellationToken::new();
    ACTIVE.insert(id, token.clone());
    let waiting = in_flight.clone();
    let send = move |value: O| {
        in_flight.count.fetch_add(1, Relaxed);
        if tsfn.call(value, ThreadsafeFunctionCallMode::NonBlocking) != Status::Ok {
            in_flight.count.fetch_sub(1, Relaxed);
        }
    };
    runtime::pool()?.spawn_background(async move {
        let mut dropped = 0u64;
        loop {
            while waiting.count.load(Relaxed) >= MAX_UNDELIVERED {
                // A cancel here ends the loop below at once.
                tokio::select! {
                    _ = token.cancelled() => break,
                    _ = waiting.room.notified() => {}
                }
            }
            let item = tokio::select! {
                _ = token.cancelled() => break,
                item = rx.recv() => item,
            };
            match item {
                Ok(item) => {
                    if dropped > 0 {
                        send(lagged(dropped));
                        dropped = 0;
                    }
                    send(convert(&item));
                }
                Err(RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, "event listener fell behind; the oldest events were dropped");
                    dropped += skipped;
                }
                Err(RecvError::Closed) => break,
            }
        }
        ACTIVE.remove(&id);
    });
    Ok(id)
}

/// Ends a subscription; unknown ids are ignored.
pub fn unsubscribe(id: u32) {
    if let Some((_, token)) = ACTIVE.remove(&id) {
        token.cancel();
    }
}
