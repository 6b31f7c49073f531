//! Correlation ids: one per operation, given by the caller or generated, carried by the operation's log
//! records and by its error (`error.correlationId`).
//!
//! A generated id is a number until something prints it, so operations that neither log nor fail pay one
//! atomic increment. The id lives in a task-local while the operation's future runs (and a thread-local
//! for synchronous exports), where the log layer finds it.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock};

use crate::error::{SdkError, SdkResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrelationId {
    Generated(u64),
    Given(Arc<str>),
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorrelationId::Generated(n) => write!(f, "{n:016x}"),
            CorrelationId::Given(s) => f.write_str(s),
        }
    }
}

/// High 32 bits random per process, so ids of several processes in one log pipeline do not collide.
static PREFIX: LazyLock<u64> = LazyLock::new(|| u64::from(rand::random::<u32>()) << 32);
static SEQUENCE: AtomicU64 = AtomicU64::new(1);

pub fn generate() -> CorrelationId {
    CorrelationId::Generated(*PREFIX | (SEQUENCE.fetch_add(1, Relaxed) & 0xffff_ffff))
}

pub const MAX_LEN: usize = 128;

/// A caller's id: 1 to 128 characters of letters, digits and `-_.:/`, so it is safe in any log format.
pub fn given(id: &str) -> SdkResult<CorrelationId> {
    let ok = !id.is_empty() && id.len() <= MAX_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b));
    if !ok {
        return Err(SdkError::invalid_argument(format!("correlationId must be 1 to {MAX_LEN} characters of letters, digits and -_.:/")));
    }
    Ok(CorrelationId::Given(id.into()))
}

/// What an operation's log records carry: its correlation id and its origin (an opaque id of who started
/// it; the napi layer passes its JS environment, so each environment's logger gets its own records).
#[derive(Debug, Clone)]
struct Context {
    id: CorrelationId,
    origin: u64,
}

tokio::task_local! {
    static TASK: Context;
}

thread_local! {
    static SYNC: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Runs `fut` with `id` as the current correlation id, started by `origin`.
pub fn scope<F: Future>(id: CorrelationId, origin: u64, fut: F) -> impl Future<Output = F::Output> {
    TASK.scope(Context { id, origin }, fut)
}

/// Runs `f` with `id` as the current correlation id on this thread, started by `origin`.
pub fn sync_scope<T>(id: CorrelationId, origin: u64, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Context>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SYNC.with(|s| *s.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(SYNC.with(|s| s.borrow_mut().replace(Context { id, origin })));
    f()
}

fn context() -> Option<Context> {
    TASK.try_with(Clone::clone).ok().or_else(|| SYNC.with(|s| s.borrow().clone()))
}

/// The id of the operation running here, if any.
pub fn current() -> Option<CorrelationId> {
    context().map(|c| c.id)
}

/// Who started the operation running here; `None` outside any operation (the library's own tasks).
pub fn current_origin() -> Option<u64> {
    context().map(|c| c.origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_hex() {
        let (a, b) = (generate().to_string(), generate().to_string());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn given_ids_are_checked() {
        assert_eq!(given("req-42/a.b:c").unwrap().to_string(), "req-42/a.b:c");
        assert!(given("").is_err());
        assert!(given("has space").is_err());
        assert!(given("line\nbreak").is_err());
        assert!(given(&"x".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn current_follows_the_scopes() {
        assert_eq!(current(), None);
        let id = given("outer").unwrap();
        sync_scope(id.clone(), 7, || assert_eq!((current(), current_origin()), (Some(id.clone()), Some(7))));
        assert_eq!(current(), None);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let seen = rt.block_on(scope(given("task").unwrap(), 7, async { current() }));
        assert_eq!(seen, given("task").ok());
    }
}
