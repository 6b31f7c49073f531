//! Loading the config from its layers: compiled defaults → a TOML/JSON file → `TARI_*` environment
//! variables → `init` → `updateConfig`. figment merges them and remembers which layer set each value, so
//! every effective value has a source and every error names the layer it came from.
//!
//! Extraction is figment's lossy one: in every layer a string that spells a number or a boolean (`"7"`,
//! `"yes"`) counts as one, which is what environment variables need and what a hand-written file expects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::error::{Actual, Kind};
use figment::providers::{Format, Json, Toml};
use figment::value::{Dict, Map, Num, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::Serialize;
use ts_rs::TS;

use super::schema::Config;
use super::url::redact_url;
use super::validate::validate;
use crate::error::{shown, Detail, SdkError, SdkResult};

/// Every leaf and the environment variable that sets it. A unit test keeps this in step with `Config`.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("TARI_NETWORK", "network.name"),
    ("TARI_BASE_NODE_URLS", "network.baseNodeUrls"),
    ("TARI_WALLET_THREADS", "runtime.walletThreads"),
    ("TARI_CRYPTO_THREADS", "runtime.cryptoThreads"),
    ("TARI_NETWORK_THREADS", "runtime.networkThreads"),
    ("TARI_GENERAL_THREADS", "runtime.generalThreads"),
    ("TARI_MAX_WALLET_INSTANCES", "limits.maxWalletInstances"),
    ("TARI_MAX_CONCURRENT_OPERATIONS", "limits.maxConcurrentOperations"),
    ("TARI_MAX_QUEUED_OPERATIONS", "limits.maxQueuedOperations"),
    ("TARI_RATE_LIMIT_PER_MINUTE", "limits.rateLimitPerMinute"),
    ("TARI_WALLET_RATE_LIMIT_PER_MINUTE", "limits.classRateLimitsPerMinute.wallet"),
    ("TARI_CRYPTO_RATE_LIMIT_PER_MINUTE", "limits.classRateLimitsPerMinute.crypto"),
    ("TARI_NETWORK_RATE_LIMIT_PER_MINUTE", "limits.classRateLimitsPerMinute.network"),
    ("TARI_GENERAL_RATE_LIMIT_PER_MINUTE", "limits.classRateLimitsPerMinute.general"),
    ("TARI_MAX_REQUEST_BYTES", "limits.maxRequestBytes"),
    ("TARI_WALLET_TIMEOUT_MS", "timeouts.walletMs"),
    ("TARI_CRYPTO_TIMEOUT_MS", "timeouts.cryptoMs"),
    ("TARI_NETWORK_TIMEOUT_MS", "timeouts.networkMs"),
    ("TARI_GENERAL_TIMEOUT_MS", "timeouts.generalMs"),
    ("TARI_CONNECTION_TIMEOUT_MS", "timeouts.connectionMs"),
    ("TARI_ATTEMPT_TIMEOUT_MS", "timeouts.attemptMs"),
    ("TARI_RETRY_ATTEMPTS", "retry.attempts"),
    ("TARI_RETRY_BASE_DELAY_MS", "retry.baseDelayMs"),
    ("TARI_RETRY_MAX_DELAY_MS", "retry.maxDelayMs"),
    ("TARI_BREAKER_FAILURE_THRESHOLD", "breaker.failureThreshold"),
    ("TARI_BREAKER_SUCCESS_THRESHOLD", "breaker.successThreshold"),
    ("TARI_BREAKER_RESET_TIMEOUT_MS", "breaker.resetTimeoutMs"),
    ("TARI_MEMORY_LIMIT_BYTES", "health.memoryLimitBytes"),
    ("TARI_ERROR_RATE_WARNING", "health.errorRateWarning"),
    ("TARI_ERROR_RATE_DEGRADED", "health.errorRateDegraded"),
    ("TARI_ERROR_RATE_CRITICAL", "health.errorRateCritical"),
    ("TARI_LATENCY_TARGET_MS", "health.latencyTargetMs"),
    ("TARI_QUEUE_DEPTH_WARNING", "health.queueDepthWarning"),
    ("TARI_TIP_AGE_WARNING_SECS", "health.tipAgeWarningSecs"),
    ("TARI_TIP_AGE_DEGRADED_SECS", "health.tipAgeDegradedSecs"),
    ("TARI_HEALTH_CHECK_INTERVAL_MS", "health.checkIntervalMs"),
    ("TARI_LOG_LEVEL", "logging.level"),
    ("TARI_LOG_FORMAT", "logging.format"),
    ("TARI_LIBRARY_LOG_LEVEL", "logging.libraryLevel"),
    ("TARI_ENABLE_METRICS", "metrics.enabled"),
    ("TARI_METRICS_WALLET_LABELS", "metrics.walletLabels"),
    ("TARI_SQLITE_HEAP_LIMIT_BYTES", "memory.sqliteHeapLimitBytes"),
    ("TARI_MALLOC_TRIM_INTERVAL_SECS", "memory.trimIntervalSecs"),
    ("TARI_MMAP_THRESHOLD_BYTES", "memory.mmapThresholdBytes"),
    ("TARI_WALLET_DB_POOL_SIZE", "wallet.dbPoolSize"),
    ("TARI_SCANNING_INTERVAL_SECS", "wallet.scanningIntervalSecs"),
    ("TARI_TLS_ROOTS", "wallet.tlsRoots"),
    ("TARI_CONFIRMATIONS", "wallet.confirmations"),
];

/// The section fixed once the runtimes have started.
const RESTART_ONLY: &str = "runtime.";

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "layer", rename_all = "camelCase")]
#[ts(rename = "ConfigSource")]
pub enum Source {
    Default,
    File { path: String },
    Env { var: String },
    Init,
    Update,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path } => write!(f, "file {path}"),
            Source::Env { var } => write!(f, "environment {var}"),
            Source::Init => f.write_str("init()"),
            Source::Update => f.write_str("updateConfig()"),
        }
    }
}

/// One layer as figment sees it: its values, named after where they came from.
struct Layer<'a>(&'a Source, &'a Dict);

impl Provider for Layer<'_> {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.0.to_string())
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Profile::Default.collect(self.1.clone()))
    }
}

/// The effective config plus the layers it was built from, so an update can be re-validated as a whole.
#[derive(Debug, Clone)]
pub struct ConfigState {
    pub config: Config,
    /// Leaf path (`limits.maxWalletInstances`) → the layer that set its effective value.
    pub sources: BTreeMap<String, Source>,
    layers: Vec<(Source, Dict)>,
}

impl ConfigState {
    /// Builds the effective config from defaults, an optional file (or `TARI_CONFIG_FILE`), the given
    /// environment, and `init` overrides.
    pub fn load(file: Option<&Path>, env: &[(String, String)], overrides: Option<serde_json::Value>) -> SdkResult<Self> {
        let mut layers = Vec::new();
        let env_file = env.iter().find(|(k, _)| k == "TARI_CONFIG_FILE").map(|(_, v)| PathBuf::from(v));
        if let Some(path) = file.map(Path::to_path_buf).or(env_file) {
            layers.push((Source::File { path: path.display().to_string() }, read_file(&path)?));
        }
        for (var, path) in ENV_VARS {
            if let Some((_, raw)) = env.iter().find(|(k, _)| k == var) {
                let value = env_value(raw.trim());
                let source = Source::Env { var: var.to_string() };
                let dict = dict_of(&source, figment::util::nest(path, value))?;
                layers.push((source, dict));
            }
        }
        if let Some(o) = overrides {
            layers.push((Source::Init, from_js(&Source::Init, &o)?));
        }
        Self::from_layers(layers)
    }

    fn from_layers(layers: Vec<(Source, Dict)>) -> SdkResult<Self> {
        let defaults = defaults_dict();
        let figment = layers.iter().fold(Figment::from(Layer(&Source::Default, &defaults)), |f, (s, d)| f.merge(Layer(s, d)));
        let source_of = |path: &str| {
            let name = figment.find_metadata(path).map(|m| m.name.as_ref()).unwrap_or_default();
            layers.iter().map(|(s, _)| s).find(|s| s.to_string() == name).cloned().unwrap_or(Source::Default)
        };
        let config: Config = figment.extract_lossy().map_err(|e| extraction_error(e, &source_of))?;
        let sources: BTreeMap<String, Source> = ENV_VARS.iter().map(|(_, p)| (p.to_string(), source_of(p))).collect();
        validate(&config).map_err(|v| {
            SdkError::config(format!("{}: {} (from {})", v.path, v.message, source_of(v.path))).with("field", Detail::Text(v.path.into()))
        })?;
        Ok(Self { config, sources, layers })
    }

    /// The compiled defaults alone, without validation (a unit test checks they are valid): the fallback
    /// that cannot fail.
    pub(super) fn defaults() -> Self {
        let sources = ENV_VARS.iter().map(|(_, p)| (p.to_string(), Source::Default)).collect();
        Self { config: Config::default(), sources, layers: Vec::new() }
    }

    /// Applies a runtime update. `runtimes_started` refuses changes to fields that need a restart.
    /// Consecutive updates fold into one `update` layer (later values win, as they would as separate
    /// layers), so a process that calls `updateConfig` all day keeps a bounded list of layers.
    pub fn update(&self, patch: serde_json::Value, runtimes_started: bool) -> SdkResult<Self> {
        let patch = from_js(&Source::Update, &patch)?;
        let mut layers = self.layers.clone();
        match layers.last_mut() {
            Some((Source::Update, folded)) => fold(folded, patch),
            _ => layers.push((Source::Update, patch)),
        }
        let next = Self::from_layers(layers)?;
        if runtimes_started && next.config.runtime != self.config.runtime {
            let (before, after) = (Value::serialize(&self.config).ok(), Value::serialize(&next.config).ok());
            let at = |tree: &Option<Value>, path: &str| tree.as_ref().and_then(|t| t.find_ref(path)).cloned();
            let path = ENV_VARS
                .iter()
                .map(|(_, p)| *p)
                .filter(|p| p.starts_with(RESTART_ONLY))
                .find(|p| at(&before, p) != at(&after, p))
                .unwrap_or("runtime");
            return Err(SdkError::config(format!(
                "{path} cannot change at runtime: the runtimes are already running (set it before the first operation, \
                 in init() or the environment)"
            ))
            .with("field", Detail::Text(path.into())));
        }
        Ok(next)
    }

    /// The config with secrets redacted (credentials, paths and queries inside base node URLs).
    pub fn redacted(&self) -> Config {
        let mut config = self.config.clone();
        for url in config.network.base_node_urls.iter_mut() {
            *url = redact_url(url);
        }
        config
    }
}

/// Deep-merges `patch` into `into`: dictionaries key by key, anything else replaced. (figment's own merge
/// would tag the values with its providers, and a folded layer must stay one layer.)
fn fold(into: &mut Dict, patch: Dict) {
    for (key, value) in patch {
        match (into.get_mut(&key), value) {
            (Some(Value::Dict(_, a)), Value::Dict(_, b)) => fold(a, b),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

fn defaults_dict() -> Dict {
    Value::serialize(Config::default()).ok().and_then(Value::into_dict).unwrap_or_default()
}

fn read_file(path: &Path) -> SdkResult<Dict> {
    let shown_path = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| SdkError::config(format!("cannot read config file {shown_path}: {e}")))?;
    let is_json = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let source = Source::File { path: shown_path.to_string() };
    let value = if is_json {
        Json::from_str::<Value>(&text).map_err(|e| SdkError::config(format!("config file {shown_path} is not valid JSON: {e}")))?
    } else {
        Toml::from_str::<Value>(&text).map_err(|e| SdkError::config(format!("config file {shown_path} is not valid TOML: {e}")))?
    };
    dict_of(&source, value)
}

/// A patch from JS (`init`, `updateConfig`) as a layer.
fn from_js(source: &Source, patch: &serde_json::Value) -> SdkResult<Dict> {
    let value = Value::serialize(patch).map_err(|e| SdkError::config(format!("config from {source}: {}", shown(&e.to_string()))))?;
    dict_of(source, value)
}

fn dict_of(source: &Source, mut value: Value) -> SdkResult<Dict> {
    whole_numbers(&mut value);
    value.into_dict().ok_or_else(|| SdkError::config(format!("config from {source} must be an object")))
}

/// An environment value: a number when it spells one exactly, else the text, which lossy extraction reads
/// as a boolean (`yes`, `off`) where the schema wants one. Not figment's `Value::from_str`: it panics on
/// some non-ASCII input with escapes (the config fuzzer found it), and its lossy numbers go through `f32`.
fn env_value(raw: &str) -> Value {
    if let Ok(n) = raw.parse::<u64>() {
        return Value::from(n);
    }
    if let Ok(n) = raw.parse::<i64>() {
        return Value::from(n);
    }
    match raw.parse::<f64>() {
        Ok(f)
            if f.is_finite()
                && raw.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'e' || b == b'E' || b == b'+') =>
        {
            Value::from(f)
        }
        _ => Value::from(raw.to_string()),
    }
}

/// JS numbers arrive as doubles once they pass 2^31; a whole double is the integer it spells.
fn whole_numbers(v: &mut Value) {
    match v {
        Value::Dict(_, d) => d.values_mut().for_each(whole_numbers),
        Value::Array(_, a) => a.iter_mut().for_each(whole_numbers),
        Value::Num(_, n) => {
            if let Num::F64(f) = *n {
                if f.fract() == 0.0 && (0.0..u64::MAX as f64).contains(&f) {
                    *n = Num::U64(f as u64);
                }
            }
        }
        _ => {}
    }
}

/// figment's error in the SDK's words: the path, what was expected, at most 64 characters of what came,
/// and the layer it came from.
fn extraction_error(e: figment::Error, source_of: &dyn Fn(&str) -> Source) -> SdkError {
    let mut path = e.path.join(".");
    let message = match &e.kind {
        // The key is shown, never its value: it may be a secret put in the wrong place (`{ passphrase }`).
        Kind::UnknownField(key, _) => {
            if !path.ends_with(key.as_str()) {
                path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            }
            format!("{} is not a config field", shown(&path))
        }
        // An enum: the allowed values are short and safe to show.
        Kind::UnknownVariant(got, allowed) => format!("{path}: expected {}; got {}", allowed.join(", "), shown(got)),
        Kind::InvalidType(got, expected) | Kind::InvalidValue(got, expected) => {
            let got = match got {
                Actual::Str(s) => shown(s),
                other => other.to_string(),
            };
            format!("{path}: expected {}; got {got}", plain(expected))
        }
        // The schema's own words (`expecting`); capped all the same, as any message that could echo input.
        Kind::Message(m) => format!("{path}: {}", m.chars().take(crate::error::MAX_ECHO_CHARS).collect::<String>()),
        other => format!("{path}: {}", shown(&other.to_string())),
    };
    let field = path.clone();
    SdkError::config(format!("{message} (from {})", source_of(&path))).with("field", Detail::Text(field))
}

/// serde's names for what it expected, as a JS user would say them.
fn plain(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number ≥ 0",
        "f32" | "f64" => "a number",
        "a string" | "a boolean" => expected,
        e if e.starts_with("struct ") => "an object",
        e if e.starts_with("a sequence") => "a list",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::schema::LogLevel;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_valid_and_match_the_design() {
        let s = ConfigState::load(None, &[], None).unwrap();
        assert_eq!(s.config, Config::default());
        assert_eq!(
            (
                s.config.runtime.wallet_threads,
                s.config.runtime.crypto_threads,
                s.config.runtime.network_threads,
                s.config.runtime.general_threads
            ),
            (2, 1, 4, 2)
        );
        assert!(s.sources.values().all(|v| *v == Source::Default));
        let fallback = ConfigState::defaults();
        assert_eq!((&fallback.config, &fallback.sources), (&s.config, &s.sources));
    }

    #[test]
    fn every_leaf_has_exactly_one_env_var() {
        fn leaves(prefix: &str, dict: &Dict, out: &mut Vec<String>) {
            for (k, v) in dict {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match v.as_dict() {
                    Some(d) => leaves(&path, d, out),
                    None => out.push(path),
                }
            }
        }
        let mut all = Vec::new();
        leaves("", &defaults_dict(), &mut all);
        for leaf in &all {
            assert_eq!(ENV_VARS.iter().filter(|(_, p)| p == leaf).count(), 1, "{leaf}");
        }
        assert_eq!(ENV_VARS.len(), all.len());
    }

    #[test]
    fn layers_apply_in_order_with_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tari.toml");
        std::fs::write(&file, "[limits]\nmaxWalletInstances = 5\nmaxRequestBytes = 1000\n[logging]\nlevel = \"debug\"\n").unwrap();
        let s = ConfigState::load(
            Some(&file),
            &env(&[("TARI_MAX_WALLET_INSTANCES", "7"), ("TARI_ENABLE_METRICS", "false"), ("TARI_CONNECTION_TIMEOUT_MS", "1500")]),
            Some(json!({"limits": {"maxWalletInstances": 9}})),
        )
        .unwrap();
        assert_eq!(s.config.limits.max_wallet_instances, 9);
        assert_eq!(s.sources["limits.maxWalletInstances"], Source::Init);
        assert_eq!(s.config.limits.max_request_bytes, 1000);
        assert!(matches!(s.sources["limits.maxRequestBytes"], Source::File { .. }));
        assert_eq!(s.config.logging.level, LogLevel::Debug);
        assert!(!s.config.metrics.enabled);
        assert_eq!(s.sources["metrics.enabled"], Source::Env { var: "TARI_ENABLE_METRICS".into() });
        assert_eq!(s.config.timeouts.connection_ms, 1500);
        assert_eq!(s.sources["retry.attempts"], Source::Default);
    }

    #[test]
    fn environment_values_read_as_people_write_them() {
        let s = ConfigState::load(
            None,
            &env(&[
                ("TARI_BASE_NODE_URLS", "http://a.example:1, http://b.example:2"),
                ("TARI_ENABLE_METRICS", "off"),
                ("TARI_METRICS_WALLET_LABELS", "YES"),
                ("TARI_ERROR_RATE_WARNING", "0.01"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(s.config.network.base_node_urls, ["http://a.example:1", "http://b.example:2"]);
        assert!(!s.config.metrics.enabled && s.config.metrics.wallet_labels);
        assert_eq!(s.config.health.error_rate_warning, 0.01);
        let m = config_error(ConfigState::load(None, &env(&[("TARI_ENABLE_METRICS", "maybe")]), None));
        assert_eq!(m, "metrics.enabled: expected a boolean; got \"maybe\" (from environment TARI_ENABLE_METRICS)");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"network": {"baseNodeUrls": 5}}))));
        assert!(m.starts_with("network.baseNodeUrls: expected a list of URLs"), "{m}");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"limits": {"bogus": 1}}))));
        assert_eq!(m, "\"limits.bogus\" is not a config field (from init())");
    }

    #[test]
    fn hostile_environment_values_are_errors_not_panics() {
        // What the config fuzzer found panicking figment's value parser: in a quoted string, a backslash
        // after a multi-byte character (figment slices at a char index as if it were a byte index).
        for raw in [r#""𖽩\n""#, r#"["é\t"]"#, r#"{a="ꟐꟐ\\"}"#] {
            for var in ["TARI_NETWORK", "TARI_RETRY_ATTEMPTS", "TARI_BASE_NODE_URLS", "TARI_ENABLE_METRICS"] {
                let r = std::panic::catch_unwind(|| ConfigState::load(None, &env(&[(var, raw)]), None));
                assert!(r.is_ok(), "{var}={raw:?} panicked");
            }
        }
    }

    #[test]
    fn json_files_and_tari_config_file_env_work() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        std::fs::write(&file, r#"{"retry": {"attempts": 9}}"#).unwrap();
        let s = ConfigState::load(None, &env(&[("TARI_CONFIG_FILE", file.to_str().unwrap())]), None).unwrap();
        assert_eq!(s.config.retry.attempts, 9);
    }

    #[test]
    fn whole_doubles_from_js_are_integers_and_fractions_are_refused() {
        let s =
            ConfigState::load(None, &[], Some(json!({"health": {"memoryLimitBytes": 8589934592.0, "errorRateCritical": 1.0}}))).unwrap();
        assert_eq!(s.config.health.memory_limit_bytes, 8 << 30);
        assert_eq!(s.config.health.error_rate_critical, 1.0);
        let m = config_error(ConfigState::load(None, &[], Some(json!({"limits": {"maxWalletInstances": 2.5}}))));
        assert!(m.contains("limits.maxWalletInstances"), "{m}");
    }

    fn config_error(r: SdkResult<ConfigState>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        e.message
    }

    #[test]
    fn bad_values_name_the_field_value_and_layer() {
        let m = config_error(ConfigState::load(None, &[], Some(json!({"limits": {"maxWalletInstances": 0}}))));
        assert!(m.contains("limits.maxWalletInstances") && m.contains('0') && m.contains("init()"), "{m}");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"limits": {"maxWalletInstances": "many"}}))));
        assert!(m.contains("limits.maxWalletInstances") && m.contains("many"), "{m}");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"limits": {"bogus": 1}}))));
        assert!(m.contains("bogus"), "{m}");
        let m = config_error(ConfigState::load(None, &env(&[("TARI_MAX_WALLET_INSTANCES", "-3")]), None));
        assert!(m.contains("TARI_MAX_WALLET_INSTANCES") && m.contains("-3"), "{m}");
        let m = config_error(ConfigState::load(None, &env(&[("TARI_LOG_LEVEL", "loud")]), None));
        assert!(m.contains("logging.level") && m.contains("loud") && m.contains("TARI_LOG_LEVEL"), "{m}");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"network": {"name": "moonnet"}}))));
        assert!(m.contains("network.name"), "{m}");
        let m = config_error(ConfigState::load(None, &[], Some(json!({"health": {"errorRateWarning": 0.5}}))));
        assert!(m.contains("health.errorRate"), "{m}");
    }

    #[test]
    fn unparseable_and_missing_files_are_config_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[limits\nx=").unwrap();
        assert!(config_error(ConfigState::load(Some(&file), &[], None)).contains("not valid TOML"));
        let missing = dir.path().join("missing.json");
        assert!(config_error(ConfigState::load(Some(&missing), &[], None)).contains("cannot read"));
    }

    #[test]
    fn runtime_fields_are_refused_after_start_others_apply() {
        let s = ConfigState::load(None, &[], None).unwrap();
        let e = s.update(json!({"runtime": {"walletThreads": 3}}), true).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        assert!(e.message.contains("runtime.walletThreads"));
        assert!(s.update(json!({"runtime": {"walletThreads": 3}}), false).is_ok());
        let next = s.update(json!({"logging": {"level": "debug"}}), true).unwrap();
        assert_eq!(next.config.logging.level, LogLevel::Debug);
        assert_eq!(next.sources["logging.level"], Source::Update);
        // an update is validated against all layers: an invalid patch leaves nothing applied
        assert!(s.update(json!({"retry": {"attempts": 0}}), true).is_err());
    }

    #[test]
    fn redaction_hides_url_credentials() {
        let s =
            ConfigState::load(None, &[], Some(json!({"network": {"baseNodeUrls": ["https://user:secret@node.example:9000"]}}))).unwrap();
        let text = serde_json::to_string(&s.redacted()).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("node.example"));
    }

    #[test]
    fn updates_fold_into_one_layer() {
        let mut s = ConfigState::load(None, &[], None).unwrap();
        for i in 0..10_000u64 {
            s = s.update(json!({"retry": {"attempts": 1 + i % 5}, "limits": {"rateLimitPerMinute": i}}), false).unwrap();
        }
        s = s.update(json!({"logging": {"level": "debug"}}), false).unwrap();
        assert_eq!(s.layers.len(), 1, "one update layer, not 10,001");
        assert_eq!(s.config.retry.attempts, 1 + 9_999 % 5);
        assert_eq!(s.config.limits.rate_limit_per_minute, 9_999);
        assert_eq!(s.config.logging.level, LogLevel::Debug);
        assert_eq!(s.sources.get("retry.attempts"), Some(&Source::Update));
    }

    #[test]
    fn errors_never_echo_unknown_values_or_long_input() {
        let secret = ConfigState::load(None, &[], Some(json!({"passphrase": "hunter2"}))).err().unwrap();
        assert!(secret.message.contains("passphrase") && !secret.message.contains("hunter2"), "{}", secret.message);
        let nested = ConfigState::load(None, &[], Some(json!({"wallet": {"seedWords": "abandon abandon"}}))).err().unwrap();
        assert!(!nested.message.contains("abandon"), "{}", nested.message);
        let huge = "x".repeat(8 << 20);
        for patch in [json!({"network": {"name": huge}}), json!({"retry": {"attempts": huge}}), json!({"logging": {"level": huge}})] {
            let e = ConfigState::load(None, &[], Some(patch)).err().unwrap();
            assert!(e.message.matches('x').count() <= crate::error::MAX_ECHO_CHARS + 2, "{} chars", e.message.len());
        }
    }
}
