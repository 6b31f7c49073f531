//! `tracing` set up for the SDK: levels that change at runtime; each record built once, with the
//! correlation id of the operation that emitted it, then either handed to the JS logger (`setLogger`) or
//! written to stderr as a JSON (or pretty) line; the `log` records of the Tari crates bridged into the same
//! pipeline.
//!
//! Two levels: `logging.level` for the SDK's own records and `logging.libraryLevel` for the embedded Tari
//! crates, which are chatty (validation retries, first-scan HTTP 400s) and off by default.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex, Once};
use std::time::{SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};
use ts_rs::TS;

use crate::config::{LogFormat, LogLevel, LoggingConfig};

static INSTALL: Once = Once::new();
static JSON: AtomicBool = AtomicBool::new(true);
/// Levels as `LevelFilter` ranks (0 = off … 5 = trace).
static SDK_LEVEL: AtomicU8 = AtomicU8::new(2);
static LIBRARY_LEVEL: AtomicU8 = AtomicU8::new(0);
/// Records the JS logger's queue had no room for.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// One log record, as the JS logger receives it and as the JSON line on stderr carries it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    pub level: RecordLevel,
    /// The module that emitted the record (`tari_wallet_sdk::…` for the SDK, the crate path for Tari's).
    pub target: String,
    pub message: String,
    /// Structured fields of the record, besides the message.
    pub fields: BTreeMap<String, FieldValue>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: f64,
    /// The operation that emitted it, when it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub correlation_id: Option<String>,
}

/// How severe a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RecordLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl RecordLevel {
    fn as_str(self) -> &'static str {
        match self {
            RecordLevel::Error => "error",
            RecordLevel::Warn => "warn",
            RecordLevel::Info => "info",
            RecordLevel::Debug => "debug",
            RecordLevel::Trace => "trace",
        }
    }
}

/// A structured field's value: what `tracing` records, with anything else as its `Debug` text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(untagged)]
pub enum FieldValue {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl std::fmt::Display for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Text(s) => write!(f, "{s:?}"),
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Receives records when a JS logger is set. `deliver` must never block; false means the record was
/// dropped (queue full).
pub trait RecordSink: Send + Sync {
    fn deliver(&self, record: LogRecord) -> bool;
}

/// Each owner's sink (the napi layer passes its JS environment as the owner). A record of an operation
/// goes to the sink of the owner that started it; a record from outside any operation (the wallet
/// library's own tasks) goes to every sink; a record no sink takes goes to stderr.
struct SinkSlot(Box<dyn RecordSink>, u64);
static SINKS: LazyLock<ArcSwap<Vec<Arc<SinkSlot>>>> = LazyLock::new(|| ArcSwap::from_pointee(Vec::new()));
/// Serialises writers; readers (every record) only load.
static SINKS_WRITE: Mutex<()> = Mutex::new(());

/// Sends `owner`'s records to `sink` instead of stderr; `None` sends them back to stderr.
pub fn set_sink(owner: u64, sink: Option<Box<dyn RecordSink>>) {
    let _w = SINKS_WRITE.lock().unwrap_or_else(|p| p.into_inner());
    let mut next: Vec<Arc<SinkSlot>> = SINKS.load().iter().filter(|s| s.1 != owner).cloned().collect();
    if let Some(s) = sink {
        next.push(Arc::new(SinkSlot(s, owner)));
    }
    SINKS.store(Arc::new(next));
}

/// `owner` is going away: its records would go into a callback nobody will run.
pub fn release_sink(owner: u64) {
    set_sink(owner, None);
}

pub fn dropped_records() -> u64 {
    DROPPED.load(Relaxed)
}

fn rank(level: LevelFilter) -> u8 {
    match level.into_level() {
        None => 0,
        Some(tracing::Level::ERROR) => 1,
        Some(tracing::Level::WARN) => 2,
        Some(tracing::Level::INFO) => 3,
        Some(tracing::Level::DEBUG) => 4,
        Some(tracing::Level::TRACE) => 5,
    }
}

fn is_sdk(target: &str) -> bool {
    // Both crates: the binding (`tari_wallet_sdk`) and this core (`tari_wallet_sdk_core`).
    target.starts_with("tari_wallet_sdk")
}

fn enabled(meta: &Metadata<'_>) -> bool {
    let ceiling = if is_sdk(meta.target()) { &SDK_LEVEL } else { &LIBRARY_LEVEL };
    rank(LevelFilter::from_level(*meta.level())) <= ceiling.load(Relaxed)
}

pub fn filter(level: LogLevel) -> LevelFilter {
    match level {
        LogLevel::Off => LevelFilter::OFF,
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    }
}

fn to_log_level(level: LevelFilter) -> log::LevelFilter {
    match level.into_level() {
        None => log::LevelFilter::Off,
        Some(tracing::Level::ERROR) => log::LevelFilter::Error,
        Some(tracing::Level::WARN) => log::LevelFilter::Warn,
        Some(tracing::Level::INFO) => log::LevelFilter::Info,
        Some(tracing::Level::DEBUG) => log::LevelFilter::Debug,
        Some(tracing::Level::TRACE) => log::LevelFilter::Trace,
    }
}

impl From<&tracing::Level> for RecordLevel {
    fn from(level: &tracing::Level) -> Self {
        match *level {
            tracing::Level::ERROR => RecordLevel::Error,
            tracing::Level::WARN => RecordLevel::Warn,
            tracing::Level::INFO => RecordLevel::Info,
            tracing::Level::DEBUG => RecordLevel::Debug,
            tracing::Level::TRACE => RecordLevel::Trace,
        }
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    fields: BTreeMap<String, FieldValue>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: FieldValue) {
        match field.name() {
            "message" => {
                self.message = match value {
                    FieldValue::Text(s) => s,
                    other => other.to_string(),
                }
            }
            // tracing-log's copies of the `log` metadata; the normalised metadata already carries them.
            name if name.starts_with("log.") => {}
            name => {
                self.fields.insert(name.to_string(), value);
            }
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, FieldValue::Text(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, FieldValue::Text(value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, FieldValue::Number(value.into()));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, FieldValue::Number(value.into()));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        // NaN and infinities are not JSON numbers; their text still says what they were.
        self.put(field, serde_json::Number::from_f64(value).map_or_else(|| FieldValue::Text(value.to_string()), FieldValue::Number));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, FieldValue::Bool(value));
    }
}

/// Builds the record for `event` with the correlation id of the operation running here.
fn record_of(event: &Event<'_>) -> LogRecord {
    let normalized = event.normalized_metadata();
    let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
    let mut f = Fields::default();
    event.record(&mut f);
    LogRecord {
        level: meta.level().into(),
        target: meta.target().to_string(),
        message: f.message,
        fields: f.fields,
        timestamp: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
        correlation_id: crate::correlation::current().map(|c| c.to_string()),
    }
}

fn write_stderr(record: &LogRecord) {
    let time = UNIX_EPOCH + std::time::Duration::try_from_secs_f64(record.timestamp / 1e3).unwrap_or_default();
    let line = if JSON.load(Relaxed) {
        let mut v = serde_json::to_value(record).unwrap_or_default();
        v["timestamp"] = humantime::format_rfc3339_millis(time).to_string().into();
        v.to_string()
    } else {
        let mut line = format!(
            "{} {:>5} {}: {}",
            humantime::format_rfc3339_millis(time),
            record.level.as_str().to_uppercase(),
            record.target,
            record.message
        );
        for (k, v) in &record.fields {
            line.push_str(&format!(" {k}={v}"));
        }
        if let Some(id) = &record.correlation_id {
            line.push_str(&format!(" correlationId={id}"));
        }
        line
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

struct SdkLayer;

impl<S: Subscriber> Layer<S> for SdkLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let record = record_of(event);
        let sinks = SINKS.load();
        let origin = crate::correlation::current_origin();
        let targets: Vec<&Arc<SinkSlot>> = sinks.iter().filter(|s| origin.is_none_or(|o| o == s.1)).collect();
        let deliver = |sink: &SinkSlot, r: LogRecord| {
            if !sink.0.deliver(r) {
                DROPPED.fetch_add(1, Relaxed);
            }
        };
        match targets.split_last() {
            None => write_stderr(&record),
            Some((last, rest)) => {
                for sink in rest {
                    deliver(sink, record.clone());
                }
                deliver(last, record);
            }
        }
    }
}

/// Installs the subscriber once per process; later calls only apply the config. If the host already set a
/// global subscriber, that one is left alone and the SDK's events go to it.
pub fn init(config: &LoggingConfig) {
    INSTALL.call_once(|| {
        let subscriber = Registry::default().with(SdkLayer.with_filter(filter_fn(enabled)));
        if tracing::subscriber::set_global_default(subscriber).is_ok() {
            let _ = tracing_log::LogTracer::init();
        }
    });
    // After LogTracer::init, which resets the `log` ceiling to trace.
    apply(config);
}

/// Applies levels and format; cheap enough to call on every config update.
pub fn apply(config: &LoggingConfig) {
    JSON.store(config.format == LogFormat::Json, Relaxed);
    let (sdk, library) = (filter(config.level), filter(config.library_level));
    SDK_LEVEL.store(rank(sdk), Relaxed);
    LIBRARY_LEVEL.store(rank(library), Relaxed);
    // Callsites cache whether they are enabled; make them ask again.
    tracing::callsite::rebuild_interest_cache();
    // Lets the Tari crates' `log` macros skip disabled records before they reach the bridge.
    log::set_max_level(to_log_level(sdk.max(library)));
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    struct Collect(Arc<Mutex<Vec<LogRecord>>>);
    impl RecordSink for Collect {
        fn deliver(&self, record: LogRecord) -> bool {
            self.0.lock().unwrap().push(record);
            true
        }
    }

    // One test owns the process-wide subscriber and levels, so the steps run in order.
    #[test]
    fn records_carry_fields_levels_and_correlation_ids() {
        init(&LoggingConfig { level: LogLevel::Info, library_level: LogLevel::Off, format: LogFormat::Json });
        assert_eq!(log::max_level(), log::LevelFilter::Info);
        let seen = Arc::new(Mutex::new(Vec::new()));
        set_sink(1, Some(Box::new(Collect(seen.clone()))));

        let id = crate::correlation::given("corr-1").unwrap();
        crate::correlation::sync_scope(id, 1, || tracing::info!(op = "send", amount = 5u64, "sent it"));
        tracing::debug!("below the level");
        log::warn!(target: "minotari_wallet::x", "library record while the library level is off");
        {
            let records = seen.lock().unwrap();
            assert_eq!(records.len(), 1, "{records:?}");
            let r = &records[0];
            assert_eq!((r.level, r.message.as_str()), (RecordLevel::Info, "sent it"));
            assert!(is_sdk(&r.target));
            assert_eq!(r.fields["op"], FieldValue::Text("send".into()));
            assert_eq!(r.fields["amount"], FieldValue::Number(5u64.into()));
            assert_eq!(r.correlation_id.as_deref(), Some("corr-1"));
        }

        apply(&LoggingConfig { level: LogLevel::Error, library_level: LogLevel::Debug, format: LogFormat::Pretty });
        assert_eq!(log::max_level(), log::LevelFilter::Debug);
        assert!(!JSON.load(Relaxed));
        log::info!(target: "minotari_wallet::y", "bridged");
        tracing::info!("now below the SDK level");
        {
            let records = seen.lock().unwrap();
            assert_eq!(records.len(), 2, "{records:?}");
            assert_eq!(records[1].target, "minotari_wallet::y");
            assert_eq!(records[1].message, "bridged");
            assert!(records[1].fields.is_empty());
        }
        set_sink(1, None);
    }
}
