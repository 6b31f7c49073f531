//! The options every async export takes as its last argument, parsed once into the guard's `ops::Call`.

use std::time::Duration;

use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::api::args::whole_number;
use crate::ops::Call;
use sdk::correlation;
use sdk::error::{ErrorCode, SdkError, SdkResult};

/// Options of one call, accepted last by every async operation.
#[napi(object)]
pub struct CallOptions<'a> {
    /// Your id for this call (1-128 characters of letters, digits and `-_.:/`); one is generated otherwise.
    /// It appears in the operation's log records and as `error.correlationId`.
    pub correlation_id: Option<String>,
    /// Overrides the configured timeout of the operation's class (ms); rejects with `ERR_TIMEOUT`.
    pub timeout_ms: Option<f64>,
    /// Aborting stops the operation at its next await and rejects with `ERR_ABORTED` (a spend only until the
    /// wallet has it: see `send`). An already aborted signal rejects at once.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<Object<'a>>,
}

/// Parses `options`; a problem (or an already aborted signal) becomes `Call::invalid`, which the guard
/// rejects with.
pub fn parse(env: &Env, options: Option<CallOptions>) -> Call {
    let Some(o) = options else { return Call::default() };
    let mut call = Call::default();
    let parsed = (|| -> SdkResult<()> {
        call.correlation_id = o.correlation_id.as_deref().map(correlation::given).transpose()?;
        call.timeout = o.timeout_ms.map(|t| whole_number("timeoutMs", t, 1, 86_400_000).map(Duration::from_millis)).transpose()?;
        if let Some(signal) = o.signal {
            let aborted = signal.get_named_property::<Option<bool>>("aborted").ok().flatten();
            match aborted {
                None => return Err(SdkError::invalid_argument("signal must be an AbortSignal")),
                Some(true) => return Err(SdkError::new(ErrorCode::Aborted, "the operation was aborted before it started")),
                Some(false) => {
                    call.abort = Some(
                        crate::signals::listen(env, signal.raw())
                            .map_err(|e| SdkError::invalid_argument(format!("signal: {}", sdk::error::shown(&e.reason))))?,
                    )
                }
            }
        }
        Ok(())
    })();
    call.invalid = parsed.err();
    call
}
