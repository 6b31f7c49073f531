//! Observability exports: metrics (JSON and Prometheus), the JS log bridge and process events.

use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;

use crate::api::js::Js;
use crate::api::subscriptions;
use crate::ops;
use sdk::error::SdkError;
use sdk::logging::{LogRecord, RecordSink};
use sdk::system_events::{SystemEvent, SystemEventKind};
use sdk::{logging, metrics, prometheus, system};

/// Per-operation counts by outcome, latency percentiles, in-flight and last-minute throughput, plus
/// runtime, memory, wallet and health figures.
#[napi(catch_unwind, ts_return_type = "MetricsReport")]
pub fn get_metrics() -> Js<system::MetricsReport> {
    Js(system::metrics_report())
}

/// All metrics as Prometheus text: format `text` (default; exposition format 0.0.4, served as
/// `PROMETHEUS_CONTENT_TYPE`) or `openmetrics` (OpenMetrics 1.0, served as `OPENMETRICS_CONTENT_TYPE`).
#[napi(catch_unwind, ts_args_type = "format?: 'text' | 'openmetrics'")]
pub fn get_prometheus_metrics(env: Env, format: Option<String>) -> napi::Result<String> {
    ops::sync(&env, "getPrometheusMetrics", || match format.as_deref() {
        None | Some("text") => Ok(prometheus::render(prometheus::Format::Text)),
        Some("openmetrics") => Ok(prometheus::render(prometheus::Format::OpenMetrics)),
        Some(other) => Err(SdkError::invalid_argument(format!("format {} is not text or openmetrics", sdk::error::shown(other)))),
    })
}

/// Content type of `getPrometheusMetrics()` (the Prometheus text format 0.0.4).
#[napi]
pub const PROMETHEUS_CONTENT_TYPE: &str = prometheus::CONTENT_TYPE;

/// Content type of `getPrometheusMetrics('openmetrics')`.
#[napi]
pub const OPENMETRICS_CONTENT_TYPE: &str = prometheus::OPENMETRICS_CONTENT_TYPE;

/// Switches recording of operation metrics on or off (same as `updateConfig({ metrics: { enabled } })`).
/// Off costs one atomic load per operation.
#[napi(catch_unwind)]
pub fn enable_metrics(env: Env, enabled: bool) -> napi::Result<()> {
    ops::sync(&env, "enableMetrics", || system::update(serde_json::json!({ "metrics": { "enabled": enabled } })).map(|_| ()))
}

/// Forgets every recorded operation figure (counts, histograms, windows).
#[napi(catch_unwind)]
pub fn reset_metrics() {
    metrics::reset();
}

/// Records waiting for the JS thread beyond this are dropped (and counted) rather than buffered.
const LOG_QUEUE: usize = 4096;

type LogTsfn = ThreadsafeFunction<Js<LogRecord>, (), Js<LogRecord>, Status, false, true, LOG_QUEUE>;

struct JsSink(LogTsfn);

impl RecordSink for JsSink {
    fn deliver(&self, record: LogRecord) -> bool {
        self.0.call(Js(record), ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok
    }
}

#[napi(object)]
pub struct LoggerOptions {
    /// Sets `logging.level` (the SDK's records) at the same time.
    #[napi(ts_type = "LogLevel")]
    pub level: Option<String>,
    /// Sets `logging.libraryLevel` (the embedded Tari crates' records).
    #[napi(ts_type = "LogLevel")]
    pub library_level: Option<String>,
}

/// Sends every log record to `logger` instead of stderr; `null` goes back to JSON lines on stderr. The
/// logger never keeps the process alive and is called on the JS thread; one that throws is reported once
/// as a process warning, never a crash. If it falls more
/// than 4096 records behind, records are dropped and counted (`tari_sdk_log_records_dropped_total`).
#[napi(catch_unwind, ts_args_type = "logger: ((record: LogRecord) => void) | null, options?: LoggerOptions")]
pub fn set_logger(env: Env, logger: Option<Function<Js<LogRecord>, ()>>, options: Option<LoggerOptions>) -> napi::Result<()> {
    ops::sync(&env, "setLogger", || {
        let mut logging_patch = serde_json::Map::new();
        if let Some(o) = options {
            if let Some(l) = o.level {
                logging_patch.insert("level".into(), l.into());
            }
            if let Some(l) = o.library_level {
                logging_patch.insert("libraryLevel".into(), l.into());
            }
        }
        let sink = logger
            .map(|f| {
                f.build_threadsafe_function::<Js<LogRecord>>()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .max_queue_size::<LOG_QUEUE>()
                    .build()
                    .map_err(|e| SdkError::internal(format!("cannot create the logger callback: {e}")))
            })
            .transpose()?;
        if !logging_patch.is_empty() {
            system::update(serde_json::json!({ "logging": logging_patch }))?;
        }
        logging::set_sink(ops::env_id(), sink.map(|t| Box::new(JsSink(t)) as Box<dyn RecordSink>));
        Ok(())
    })
}

/// Calls `listener` with every process-level event (health transitions) until `offSystemEvent(id)`.
/// Never keeps the process alive on its own. Starts the runtimes (the health monitor runs there).
#[napi(catch_unwind, ts_args_type = "listener: (event: SystemEvent) => void")]
pub fn on_system_event(env: Env, listener: Function<Js<SystemEvent>, ()>) -> napi::Result<u32> {
    ops::sync(&env, "onSystemEvent", || {
        let lagged = Box::new(|dropped| Js(SystemEvent::now(SystemEventKind::Lagged { dropped })));
        subscriptions::subscribe(sdk::system_events::subscribe(), listener, |e: &SystemEvent| Js(e.clone()), lagged)
    })
}

/// Stops a subscription made with `onSystemEvent`. Unknown ids are ignored.
#[napi(catch_unwind)]
pub fn off_system_event(subscription: u32) {
    subscriptions::unsubscribe(subscription);
}
