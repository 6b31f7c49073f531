//! Typed configuration, built from layers: compiled defaults → a TOML/JSON file → `TARI_*` environment
//! variables → `init`/`updateConfig` overrides. Every effective value remembers which layer set it.
//!
//! Layers are merged as JSON trees and deserialised once with `deny_unknown_fields`, so an unknown key, a
//! wrong type and an out-of-range number all fail the same way: `ERR_CONFIG` naming the path, the value and
//! the layer it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{SdkError, SdkResult};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Config {
    pub network: NetworkConfig,
    pub runtime: RuntimeConfig,
    pub limits: LimitsConfig,
    pub timeouts: TimeoutsConfig,
    pub retry: RetryConfig,
    pub breaker: BreakerConfig,
    pub health: HealthConfig,
    pub logging: LoggingConfig,
    pub metrics: MetricsConfig,
    pub wallet: WalletDefaults,
}

/// Defaults for wallets that do not set these themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct WalletDefaults {
    /// SQLite connections per wallet. The library's default of 16 costs ~3 MB of RSS per wallet.
    pub db_pool_size: u32,
    /// Seconds between UTXO scans of the base node: how late a payment can show up. 5 s costs ~0.2% of a
    /// core per idle wallet with `tlsRoots: auto` (the library's own default is 60 s); wallets that must
    /// see a payment within ~1 s open with 1.
    pub scanning_interval_secs: u64,
    /// `auto`: skip loading OpenSSL's CA bundle on every scan while every base node is plain http (see
    /// README, "Idle cost"); `system`: leave TLS roots alone.
    pub tls_roots: TlsRoots,
}

impl Default for WalletDefaults {
    fn default() -> Self {
        Self { db_pool_size: 4, scanning_interval_secs: 5, tls_roots: TlsRoots::Auto }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Tari network for wallets that do not name one.
    pub name: NetworkName,
    /// Base node HTTP URLs, in order of preference. Empty means the wallet library's default for the network.
    pub base_node_urls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RuntimeConfig {
    pub wallet_threads: u32,
    pub crypto_threads: u32,
    pub network_threads: u32,
    pub general_threads: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LimitsConfig {
    pub max_wallet_instances: u32,
    pub max_concurrent_operations: u32,
    /// Calls that wait for a concurrency slot before `ERR_OVERLOADED`.
    pub max_queued_operations: u32,
    /// Operations per minute across the SDK (a token bucket that holds a minute's worth); 0 disables it.
    pub rate_limit_per_minute: u32,
    /// Per operation class, on top of the global limit; 0 disables a class's limiter.
    pub class_rate_limits_per_minute: ClassRateLimits,
    /// Largest string or buffer argument accepted, in bytes.
    pub max_request_bytes: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ClassRateLimits {
    pub wallet: u32,
    pub crypto: u32,
    pub network: u32,
    pub general: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TimeoutsConfig {
    /// Wallet operations: create, open, send, history.
    pub wallet_ms: u64,
    /// CPU-bound key work: seeds, signatures.
    pub crypto_ms: u64,
    /// Calls that reach the base node.
    pub network_ms: u64,
    /// Everything else.
    pub general_ms: u64,
    /// Establishing a connection to a base node.
    pub connection_ms: u64,
    /// One attempt of an SDK call to a base node (retries get their own).
    pub attempt_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RetryConfig {
    pub attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub success_threshold: u32,
    pub reset_timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct HealthConfig {
    pub memory_limit_bytes: u64,
    pub error_rate_warning: f64,
    pub error_rate_degraded: f64,
    pub error_rate_critical: f64,
    pub latency_target_ms: u64,
    /// Tasks waiting in a runtime's global queue before the runtime check warns.
    pub queue_depth_warning: u64,
    /// A wallet whose chain tip has not advanced for this long is a warning (10 blocks of ~2 min).
    pub tip_age_warning_secs: u64,
    /// ... and degraded after this long.
    pub tip_age_degraded_secs: u64,
    /// How often the background monitor evaluates health (and emits `healthChanged`).
    pub check_interval_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LoggingConfig {
    /// The SDK's own records.
    pub level: LogLevel,
    /// Records of the embedded Tari crates; off by default because they are noisy.
    pub library_level: LogLevel,
    /// Lines on stderr when no JS logger is set: JSON, or human-readable.
    pub format: LogFormat,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Adds per-wallet series (label `wallet` = handle) to the Prometheus output. Off by default: one
    /// series per wallet is unbounded for processes with many wallets.
    pub wallet_labels: bool,
}

/// A Tari network. Which ones a build can use is fixed when the Tari crates are built (`build_target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NetworkName {
    Mainnet,
    Stagenet,
    Nextnet,
    Localnet,
    Igor,
    Esmeralda,
}

impl NetworkName {
    pub fn network(self) -> tari_common::configuration::Network {
        use tari_common::configuration::Network;
        match self {
            NetworkName::Mainnet => Network::MainNet,
            NetworkName::Stagenet => Network::StageNet,
            NetworkName::Nextnet => Network::NextNet,
            NetworkName::Localnet => Network::LocalNet,
            NetworkName::Igor => Network::Igor,
            NetworkName::Esmeralda => Network::Esmeralda,
        }
    }
}

impl From<tari_common::configuration::Network> for NetworkName {
    fn from(n: tari_common::configuration::Network) -> Self {
        use tari_common::configuration::Network;
        match n {
            Network::MainNet => NetworkName::Mainnet,
            Network::StageNet => NetworkName::Stagenet,
            Network::NextNet => NetworkName::Nextnet,
            Network::LocalNet => NetworkName::Localnet,
            Network::Igor => NetworkName::Igor,
            Network::Esmeralda => NetworkName::Esmeralda,
        }
    }
}

/// How much a logger records, from nothing (`off`) to everything (`trace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

/// `auto`: skip OpenSSL's CA bundle while every base node is plain http; `system`: leave TLS roots alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TlsRoots {
    Auto,
    System,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self { name: tari_common::configuration::Network::default().into(), base_node_urls: vec![] }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self { wallet_threads: 2, crypto_threads: 1, network_threads: 4, general_threads: 2 }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_wallet_instances: 64,
            max_concurrent_operations: 1024,
            max_queued_operations: 4096,
            rate_limit_per_minute: 0,
            class_rate_limits_per_minute: ClassRateLimits::default(),
            max_request_bytes: 64 * 1024,
        }
    }
}

impl Default for TimeoutsConfig {
    fn default() -> Self {
        Self { wallet_ms: 60_000, crypto_ms: 30_000, network_ms: 30_000, general_ms: 30_000, connection_ms: 10_000, attempt_ms: 5_000 }
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self { attempts: 3, base_delay_ms: 100, max_delay_ms: 5_000 }
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self { failure_threshold: 5, success_threshold: 2, reset_timeout_ms: 30_000 }
    }
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            memory_limit_bytes: 2 * 1024 * 1024 * 1024,
            error_rate_warning: 0.05,
            error_rate_degraded: 0.10,
            error_rate_critical: 0.25,
            latency_target_ms: 1_000,
            queue_depth_warning: 1_000,
            tip_age_warning_secs: 1_200,
            tip_age_degraded_secs: 3_600,
            check_interval_ms: 5_000,
        }
    }
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self { level: LogLevel::Warn, library_level: LogLevel::Off, format: LogFormat::Json }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { enabled: true, wallet_labels: false }
    }
}

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
    ("TARI_WALLET_DB_POOL_SIZE", "wallet.dbPoolSize"),
    ("TARI_SCANNING_INTERVAL_SECS", "wallet.scanningIntervalSecs"),
    ("TARI_TLS_ROOTS", "wallet.tlsRoots"),
];

/// Fields fixed once the runtimes have started.
const RESTART_ONLY: &[&str] = &["runtime."];

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

/// The effective config plus the layers it was built from, so an update can be re-validated as a whole.
#[derive(Debug, Clone)]
pub struct ConfigState {
    pub config: Config,
    pub sources: BTreeMap<String, Source>,
    layers: Vec<(Source, Value)>,
}

impl ConfigState {
    /// Builds the effective config from defaults, an optional file (or `TARI_CONFIG_FILE`), the given
    /// environment, and `init` overrides.
    pub fn load(file: Option<&Path>, env: &[(String, String)], overrides: Option<Value>) -> SdkResult<Self> {
        let mut layers = Vec::new();
        let env_file = env.iter().find(|(k, _)| k == "TARI_CONFIG_FILE").map(|(_, v)| PathBuf::from(v));
        if let Some(path) = file.map(Path::to_path_buf).or(env_file) {
            layers.push((Source::File { path: path.display().to_string() }, read_file(&path)?));
        }
        for (var, path) in ENV_VARS {
            if let Some((_, raw)) = env.iter().find(|(k, _)| k == var) {
                let value = parse_env_value(var, path, raw)?;
                let mut tree = Value::Object(Map::new());
                set_path(&mut tree, path, value);
                layers.push((Source::Env { var: var.to_string() }, tree));
            }
        }
        if let Some(o) = overrides {
            layers.push((Source::Init, o));
        }
        Self::from_layers(layers)
    }

    fn from_layers(layers: Vec<(Source, Value)>) -> SdkResult<Self> {
        let mut merged = defaults_tree();
        let mut sources: BTreeMap<String, Source> = leaf_paths(&merged).into_iter().map(|p| (p, Source::Default)).collect();
        for (source, tree) in &layers {
            if !tree.is_object() {
                return Err(SdkError::config(format!(
                    "config from {source} must be an object, got {}",
                    crate::error::shown(&tree.to_string())
                )));
            }
            merge(&mut merged, tree, "", source, &mut sources);
        }
        let config = deserialize(merged, &sources)?;
        validate(&config, &sources)?;
        Ok(Self { config, sources, layers })
    }

    /// The compiled defaults alone, without validation (a unit test checks they are valid): the fallback
    /// that cannot fail.
    fn defaults() -> Self {
        let sources = leaf_paths(&defaults_tree()).into_iter().map(|p| (p, Source::Default)).collect();
        Self { config: Config::default(), sources, layers: Vec::new() }
    }

    /// Applies a runtime update. `runtimes_started` refuses changes to fields that need a restart.
    /// Consecutive updates fold into one `update` layer (later values win, as they would as separate
    /// layers), so a process that calls `updateConfig` all day keeps a bounded list of layers.
    pub fn update(&self, patch: Value, runtimes_started: bool) -> SdkResult<Self> {
        let mut layers = self.layers.clone();
        match layers.last_mut() {
            Some((Source::Update, folded)) if folded.is_object() && patch.is_object() => fold(folded, &patch),
            _ => layers.push((Source::Update, patch)),
        }
        let next = Self::from_layers(layers)?;
        if runtimes_started {
            let (before, after) = (to_tree(&self.config), to_tree(&next.config));
            for path in leaf_paths(&after) {
                if RESTART_ONLY.iter().any(|p| path.starts_with(p)) && get_path(&before, &path) != get_path(&after, &path) {
                    return Err(SdkError::config(format!(
                        "{path} cannot change at runtime: the runtimes are already running (set it before the first \
                         operation, in init() or the environment)"
                    ))
                    .with("field", crate::error::Detail::Text(path)));
                }
            }
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

/// The one rule for a base node URL, wherever one is given: http(s), a host after the scheme, ≤ 2 KiB.
pub fn is_base_node_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty()) && url.len() <= 2048
}

/// A URL as errors, logs and metric labels show it: scheme, host and port only. Credentials become `***@`,
/// and any path, query or fragment `/***`; text that is not a URL with a host shows only its length.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) if u.has_host() => {
            let credentials = if u.username().is_empty() && u.password().is_none() { "" } else { "***@" };
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            // Paths, queries and fragments can carry API keys; none of them is needed to tell nodes apart.
            let rest = if u.path() == "/" && u.query().is_none() && u.fragment().is_none() { "" } else { "/***" };
            format!("{}://{credentials}{}{port}{rest}", u.scheme(), u.host_str().unwrap_or_default())
        }
        _ => format!("<{} characters that are not a URL with a host>", url.chars().count()),
    }
}

fn to_tree(config: &Config) -> Value {
    serde_json::to_value(config).unwrap_or(Value::Null)
}

fn defaults_tree() -> Value {
    to_tree(&Config::default())
}

fn read_file(path: &Path) -> SdkResult<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| SdkError::config(format!("cannot read config file {}: {e}", path.display())))?;
    let is_json = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        serde_json::from_str(&text).map_err(|e| SdkError::config(format!("config file {} is not valid JSON: {e}", path.display())))
    } else {
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| SdkError::config(format!("config file {} is not valid TOML: {e}", path.display())))?;
        serde_json::to_value(table).map_err(|e| SdkError::config(format!("config file {}: {e}", path.display())))
    }
}

/// Environment values are strings; the type comes from the default at the same path.
fn parse_env_value(var: &str, path: &str, raw: &str) -> SdkResult<Value> {
    let bad = |expected: &str| SdkError::config(format!("{path}: environment {var}={} is not {expected}", crate::error::shown(raw)));
    let trimmed = raw.trim();
    match get_path(&defaults_tree(), path) {
        Some(Value::Bool(_)) => match trimmed.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Value::Bool(true)),
            "0" | "false" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(bad("a boolean (true/false/1/0)")),
        },
        Some(Value::Number(n)) if n.is_f64() => {
            trimmed.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(|| bad("a number"))
        }
        Some(Value::Number(_)) => trimmed.parse::<u64>().map(|n| Value::Number(n.into())).map_err(|_| bad("a whole number ≥ 0")),
        Some(Value::Array(_)) => {
            Ok(Value::Array(trimmed.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect()))
        }
        _ => Ok(Value::String(trimmed.to_string())),
    }
}

fn leaf_paths(tree: &Value) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(child, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(tree, "", &mut out);
    out
}

fn get_path<'a>(tree: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(tree, |v, k| v.get(k))
}

fn set_path(tree: &mut Value, path: &str, value: Value) {
    if !tree.is_object() {
        *tree = Value::Object(Map::new());
    }
    let Value::Object(map) = tree else { return };
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((key, rest)) => set_path(map.entry(key).or_insert(Value::Null), rest, value),
    }
}

/// Deep-merges `layer` into `base`, recording the source of every leaf it sets. Arrays replace.
/// Deep-merges `patch` into `into`: objects key by key, anything else replaced.
fn fold(into: &mut Value, patch: &Value) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => fold(existing, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (into, patch) => *into = patch.clone(),
    }
}

fn merge(base: &mut Value, layer: &Value, prefix: &str, source: &Source, sources: &mut BTreeMap<String, Source>) {
    match (base, layer) {
        (Value::Object(b), Value::Object(l)) => {
            for (k, v) in l {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v, &path, source, sources),
                    _ => {
                        b.insert(k.clone(), v.clone());
                        for leaf in leaf_paths(v) {
                            let full = if leaf.is_empty() { path.clone() } else { format!("{path}.{leaf}") };
                            sources.insert(full, source.clone());
                        }
                    }
                }
            }
        }
        (b, l) => *b = l.clone(),
    }
}

/// JS numbers arrive as doubles once they pass 2^31; a whole double is the integer it spells.
fn whole_floats_to_integers(v: &mut Value) {
    match v {
        Value::Object(m) => m.values_mut().for_each(whole_floats_to_integers),
        Value::Array(a) => a.iter_mut().for_each(whole_floats_to_integers),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64) {
                *v = Value::Number((f as u64).into());
            }
        }
        _ => {}
    }
}

fn deserialize(mut merged: Value, sources: &BTreeMap<String, Source>) -> SdkResult<Config> {
    whole_floats_to_integers(&mut merged);
    serde_path_to_error::deserialize::<_, Config>(merged.clone()).map_err(|e| {
        let path = e.path().to_string();
        let from = sources.get(&path).map(|s| format!(" (from {s})")).unwrap_or_default();
        // serde's own message quotes the offending value whole; say what was expected instead, and show at
        // most 64 characters of what came. An unknown key's value is never shown: it may be a secret put in
        // the wrong place (`{ passphrase: ... }`).
        let inner = e.inner().to_string();
        let value = || get_path(&merged, &path).map(|v| crate::error::shown(&v.to_string())).unwrap_or_else(|| "(missing)".into());
        let message = match inner.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            Some(key) => format!("{path}: {} is not a config field{from}", crate::error::shown(key)),
            // An enum: serde lists the allowed values, which are short and safe to show.
            None if inner.starts_with("unknown variant") => {
                let allowed = inner.split_once(", expected ").map(|(_, a)| a.replace('`', "")).unwrap_or_default();
                format!("{path}: expected {allowed}; got {}{from}", value())
            }
            None => {
                let expected = match get_path(&defaults_tree(), &path) {
                    Some(Value::Bool(_)) => "a boolean",
                    Some(Value::Number(_)) => "a whole number",
                    Some(Value::String(_)) => "a string",
                    Some(Value::Array(_)) => "a list",
                    Some(Value::Object(_)) => "an object",
                    _ => "a valid value",
                };
                format!("{path}: expected {expected}; got {}{from}", value())
            }
        };
        SdkError::config(message).with("field", crate::error::Detail::Text(path))
    })
}

fn validate(c: &Config, sources: &BTreeMap<String, Source>) -> SdkResult<()> {
    let fail = |path: &str, value: &dyn std::fmt::Display, rule: &str| -> SdkResult<()> {
        let from = sources.get(path).map(|s| format!(" (from {s})")).unwrap_or_default();
        Err(SdkError::config(format!("{path}: {value} {rule}{from}")).with("field", crate::error::Detail::Text(path.into())))
    };
    let range = |path: &str, v: u64, lo: u64, hi: u64| -> SdkResult<()> {
        if v < lo || v > hi {
            return fail(path, &v, &format!("is out of range {lo}..={hi}"));
        }
        Ok(())
    };
    const DAY_MS: u64 = 86_400_000;

    for url in &c.network.base_node_urls {
        if !is_base_node_url(url) {
            fail("network.baseNodeUrls", &crate::error::shown(&redact_url(url)), "is not an http:// or https:// URL")?;
        }
    }
    range("runtime.walletThreads", c.runtime.wallet_threads.into(), 1, 64)?;
    range("runtime.cryptoThreads", c.runtime.crypto_threads.into(), 1, 64)?;
    range("runtime.networkThreads", c.runtime.network_threads.into(), 1, 64)?;
    range("runtime.generalThreads", c.runtime.general_threads.into(), 1, 64)?;
    range("limits.maxWalletInstances", c.limits.max_wallet_instances.into(), 1, 10_000)?;
    range("limits.maxConcurrentOperations", c.limits.max_concurrent_operations.into(), 1, 1_000_000)?;
    range("limits.maxQueuedOperations", c.limits.max_queued_operations.into(), 0, 10_000_000)?;
    range("limits.rateLimitPerMinute", c.limits.rate_limit_per_minute.into(), 0, 1_000_000_000)?;
    let classes = &c.limits.class_rate_limits_per_minute;
    for (path, v) in [
        ("limits.classRateLimitsPerMinute.wallet", classes.wallet),
        ("limits.classRateLimitsPerMinute.crypto", classes.crypto),
        ("limits.classRateLimitsPerMinute.network", classes.network),
        ("limits.classRateLimitsPerMinute.general", classes.general),
    ] {
        range(path, v.into(), 0, 1_000_000_000)?;
    }
    range("limits.maxRequestBytes", c.limits.max_request_bytes.into(), 64, 64 * 1024 * 1024)?;
    range("timeouts.walletMs", c.timeouts.wallet_ms, 1, DAY_MS)?;
    range("timeouts.cryptoMs", c.timeouts.crypto_ms, 1, DAY_MS)?;
    range("timeouts.networkMs", c.timeouts.network_ms, 1, DAY_MS)?;
    range("timeouts.generalMs", c.timeouts.general_ms, 1, DAY_MS)?;
    range("timeouts.connectionMs", c.timeouts.connection_ms, 1, DAY_MS)?;
    range("timeouts.attemptMs", c.timeouts.attempt_ms, 1, DAY_MS)?;
    range("retry.attempts", c.retry.attempts.into(), 1, 100)?;
    range("retry.baseDelayMs", c.retry.base_delay_ms, 0, DAY_MS)?;
    range("retry.maxDelayMs", c.retry.max_delay_ms, 0, DAY_MS)?;
    if c.retry.max_delay_ms < c.retry.base_delay_ms {
        fail("retry.maxDelayMs", &c.retry.max_delay_ms, "must be ≥ retry.baseDelayMs")?;
    }
    range("breaker.failureThreshold", c.breaker.failure_threshold.into(), 1, 10_000)?;
    range("breaker.successThreshold", c.breaker.success_threshold.into(), 1, 10_000)?;
    range("breaker.resetTimeoutMs", c.breaker.reset_timeout_ms, 1, DAY_MS)?;
    range("health.memoryLimitBytes", c.health.memory_limit_bytes, 1024 * 1024, u64::MAX)?;
    range("health.latencyTargetMs", c.health.latency_target_ms, 1, DAY_MS)?;
    range("health.queueDepthWarning", c.health.queue_depth_warning, 1, u64::MAX)?;
    range("health.tipAgeWarningSecs", c.health.tip_age_warning_secs, 1, u64::MAX)?;
    range("health.tipAgeDegradedSecs", c.health.tip_age_degraded_secs, c.health.tip_age_warning_secs, u64::MAX)?;
    range("health.checkIntervalMs", c.health.check_interval_ms, 100, DAY_MS)?;
    let h = &c.health;
    for (path, v) in [
        ("health.errorRateWarning", h.error_rate_warning),
        ("health.errorRateDegraded", h.error_rate_degraded),
        ("health.errorRateCritical", h.error_rate_critical),
    ] {
        if !(0.0..=1.0).contains(&v) {
            fail(path, &v, "is not a rate between 0 and 1")?;
        }
    }
    if !(h.error_rate_warning <= h.error_rate_degraded && h.error_rate_degraded <= h.error_rate_critical) {
        fail("health.errorRateDegraded", &h.error_rate_degraded, "must lie between errorRateWarning and errorRateCritical")?;
    }
    range("wallet.dbPoolSize", c.wallet.db_pool_size.into(), 1, 64)?;
    range("wallet.scanningIntervalSecs", c.wallet.scanning_interval_secs, 1, 86_400)?;
    Ok(())
}

static CURRENT: std::sync::LazyLock<ArcSwap<ConfigState>> = std::sync::LazyLock::new(|| {
    // First use without init(): defaults and environment. A bad environment leaves the compiled defaults in
    // place (the addon must still load, so `init` can report and `ERROR_CODES` can be read) and is kept as
    // the startup error that every call reports until a successful `init` replaces the config.
    let state = ConfigState::load(None, &process_env(), None).unwrap_or_else(|e| {
        if let Ok(mut slot) = STARTUP_ERROR.lock() {
            *slot = Some(e);
        }
        STARTUP_FAILED.store(true, std::sync::atomic::Ordering::Release);
        ConfigState::defaults()
    });
    ArcSwap::from_pointee(state)
});

static STARTUP_ERROR: std::sync::Mutex<Option<SdkError>> = std::sync::Mutex::new(None);
/// Fast path for `startup_error`: one atomic load per call while everything is fine.
static STARTUP_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The error of loading the configuration from the environment (or a config file it named), if that
/// failed and no `init` has succeeded since. Every operation fails with it: running on defaults that the
/// environment meant to change would be worse.
pub fn startup_error() -> Option<SdkError> {
    std::sync::LazyLock::force(&CURRENT);
    if !STARTUP_FAILED.load(std::sync::atomic::Ordering::Acquire) {
        return None;
    }
    STARTUP_ERROR.lock().ok().and_then(|e| e.clone())
}

pub fn process_env() -> Vec<(String, String)> {
    std::env::vars().filter(|(k, _)| k.starts_with("TARI_")).collect()
}

/// The effective config. Cheap: an atomic load.
pub fn current() -> Arc<ConfigState> {
    CURRENT.load_full()
}

/// Makes `state` the effective config; it was loaded from every layer, so any startup error is over.
pub fn install(state: ConfigState) {
    CURRENT.store(Arc::new(state));
    STARTUP_FAILED.store(false, std::sync::atomic::Ordering::Release);
    if let Ok(mut slot) = STARTUP_ERROR.lock() {
        *slot = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let leaves = leaf_paths(&defaults_tree());
        for leaf in &leaves {
            assert_eq!(ENV_VARS.iter().filter(|(_, p)| p == leaf).count(), 1, "{leaf}");
        }
        assert_eq!(ENV_VARS.len(), leaves.len());
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

    #[test]
    fn redaction_hides_every_secret_a_url_can_carry() {
        let cases = [
            ("https://user:secret@node.example:9000", "https://***@node.example:9000"),
            ("https://user:p@ss@word@node.example/", "https://***@node.example"),
            ("http://node.example:9003/?apikey=secret", "http://node.example:9003/***"),
            ("https://node.example/secret-token/rpc", "https://node.example/***"),
            ("https://node.example#secret", "https://node.example/***"),
            ("http://127.0.0.1:9003", "http://127.0.0.1:9003"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        assert_eq!(redact_url("secret no url"), "<13 characters that are not a URL with a host>");
    }
}
