//! Forwarding a broadcast channel to a JS listener until the subscription is cancelled or the channel
//! closes: the shared machinery of `onEvent` and `onSystemEvent`. The listener's threadsafe function is
//! weak, so a subscription never keeps the process alive.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::LazyLock;

use dashmap::DashMap;
use napi::bindgen_prelude::{Function, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio_util::sync::CancellationToken;

use crate::error::{SdkError, SdkResult};
use crate::runtime;

static ACTIVE: LazyLock<DashMap<u32, CancellationToken>> = LazyLock::new(DashMap::new);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Calls `listener` with `convert(item)` for every item of `rx`; returns the subscription id.
pub fn subscribe<T, O>(mut rx: Receiver<T>, listener: Function<O, ()>, convert: fn(&T) -> O) -> SdkResult<u32>
where
    T: Clone + Send + 'static,
    O: ToNapiValue + Send + 'static,
{
    let tsfn = listener
        .build_threadsafe_function::<O>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()
        .map_err(|e| SdkError::internal(format!("cannot create the event callback: {e}")))?;
    let id = NEXT_ID.fetch_add(1, Relaxed);
    let token = CancellationToken::new();
    ACTIVE.insert(id, token.clone());
    runtime::pool()?.spawn_background(async move {
        loop {
            let item = tokio::select! {
                _ = token.cancelled() => break,
                item = rx.recv() => item,
            };
            match item {
                Ok(item) => {
                    let _ = tsfn.call(convert(&item), ThreadsafeFunctionCallMode::NonBlocking);
                }
                Err(RecvError::Lagged(skipped)) => tracing::warn!(skipped, "event listener fell behind; events were dropped"),
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
