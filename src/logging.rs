//! `tracing` set up for the SDK: a level that can change at runtime, JSON (or pretty) lines on stderr, and
//! the `log` records of the Tari crates bridged into the same pipeline.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::OnceLock;

use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{fmt, reload, Layer, Registry};

use crate::config::LoggingConfig;

static LEVEL: OnceLock<reload::Handle<LevelFilter, Registry>> = OnceLock::new();
static JSON: AtomicBool = AtomicBool::new(true);

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
    LEVEL.get_or_init(|| {
        let level = parse_level(&config.level).unwrap_or(LevelFilter::WARN);
        let (level_layer, handle) = reload::Layer::new(level);
        let json = fmt::layer().json().with_writer(std::io::stderr).with_filter(filter_fn(|_| JSON.load(Relaxed)));
        let pretty = fmt::layer().with_writer(std::io::stderr).with_filter(filter_fn(|_| !JSON.load(Relaxed)));
        let subscriber = Registry::default().with(level_layer).with(json).with(pretty);
        if tracing::subscriber::set_global_default(subscriber).is_ok() {
            let _ = tracing_log::LogTracer::init();
        }
        handle
    });
    apply(config);
}

/// Applies level and format; cheap enough to call on every config update.
pub fn apply(config: &LoggingConfig) {
    JSON.store(config.format != "pretty", Relaxed);
    let level = parse_level(&config.level).unwrap_or(LevelFilter::WARN);
    if let Some(handle) = LEVEL.get() {
        let _ = handle.modify(|l| *l = level);
    }
    // Lets the Tari crates' `log` macros skip disabled records before they reach the bridge.
    log::set_max_level(to_log_level(level));
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
        init(&LoggingConfig { level: "info".into(), format: "json".into() });
        assert_eq!(log::max_level(), log::LevelFilter::Info);
        apply(&LoggingConfig { level: "error".into(), format: "pretty".into() });
        assert_eq!(log::max_level(), log::LevelFilter::Error);
        assert!(!JSON.load(Relaxed));
    }
}
