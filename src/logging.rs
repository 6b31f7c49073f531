//! `tracing` set up for the SDK: levels that can change at runtime, JSON (or pretty) lines on stderr, and
//! the `log` records of the Tari crates bridged into the same pipeline.
//!
//! Two levels: `logging.level` for the SDK's own records and `logging.libraryLevel` for the embedded Tari
//! crates, which are chatty (validation retries, first-scan HTTP 400s) and off by default.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};
use std::sync::Once;

use tracing::Metadata;
use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{fmt, Layer, Registry};

use crate::config::LoggingConfig;

static INSTALL: Once = Once::new();
static JSON: AtomicBool = AtomicBool::new(true);
/// Levels as `LevelFilter` ranks (0 = off … 5 = trace).
static SDK_LEVEL: AtomicU8 = AtomicU8::new(2);
static LIBRARY_LEVEL: AtomicU8 = AtomicU8::new(0);

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

fn enabled(meta: &Metadata<'_>) -> bool {
    let ceiling = if meta.target().starts_with(env!("CARGO_CRATE_NAME")) { &SDK_LEVEL } else { &LIBRARY_LEVEL };
    rank(LevelFilter::from_level(*meta.level())) <= ceiling.load(Relaxed)
}

pub fn parse_level(s: &str) -> Option<LevelFilter> {
    match s.to_ascii_lowercase().as_str() {
        "off" => Some(LevelFilter::OFF),
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        "trace" => Some(LevelFilter::TRACE),
        _ => None,
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

/// Installs the subscriber once per process; later calls only apply the config. If the host already set a
/// global subscriber, that one is left alone and the SDK's events go to it.
pub fn init(config: &LoggingConfig) {
    INSTALL.call_once(|| {
        let json = fmt::layer().json().with_writer(std::io::stderr).with_filter(filter_fn(|_| JSON.load(Relaxed)));
        let pretty = fmt::layer().with_writer(std::io::stderr).with_filter(filter_fn(|_| !JSON.load(Relaxed)));
        let subscriber = Registry::default().with(filter_fn(enabled)).with(json).with(pretty);
        if tracing::subscriber::set_global_default(subscriber).is_ok() {
            let _ = tracing_log::LogTracer::init();
        }
    });
    // After LogTracer::init, which resets the `log` ceiling to trace.
    apply(config);
}

/// Applies levels and format; cheap enough to call on every config update.
pub fn apply(config: &LoggingConfig) {
    JSON.store(config.format != "pretty", Relaxed);
    let sdk = parse_level(&config.level).unwrap_or(LevelFilter::WARN);
    let library = parse_level(&config.library_level).unwrap_or(LevelFilter::OFF);
    SDK_LEVEL.store(rank(sdk), Relaxed);
    LIBRARY_LEVEL.store(rank(library), Relaxed);
    // Callsites cache whether they are enabled; make them ask again.
    tracing::callsite::rebuild_interest_cache();
    // Lets the Tari crates' `log` macros skip disabled records before they reach the bridge.
    log::set_max_level(to_log_level(sdk.max(library)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_case_insensitively() {
        assert_eq!(parse_level("WARN"), Some(LevelFilter::WARN));
        assert_eq!(parse_level("trace"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level("off"), Some(LevelFilter::OFF));
        assert_eq!(parse_level("loud"), None);
    }

    #[test]
    fn apply_sets_the_log_crate_ceiling() {
        init(&LoggingConfig { level: "info".into(), library_level: "off".into(), format: "json".into() });
        assert_eq!(log::max_level(), log::LevelFilter::Info);
        apply(&LoggingConfig { level: "error".into(), library_level: "debug".into(), format: "pretty".into() });
        assert_eq!(log::max_level(), log::LevelFilter::Debug);
        assert!(!JSON.load(Relaxed));
    }
}
