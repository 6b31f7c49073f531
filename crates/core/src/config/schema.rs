//! The config schema: every setting, its type and its default. Loading is in `load`, the rules that span
//! fields in `validate`.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

/// Every SDK setting. Each section defaults on its own, so a layer names only what it changes.
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
    pub memory: MemoryConfig,
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
    /// Blocks mined on top of a transaction's block before it counts as confirmed: the
    /// `confirmed` event, confirmed balances and `waitForConfirmation`. The library's default is 3;
    /// exchanges often wait 10 or more.
    pub confirmations: u64,
}

impl Default for WalletDefaults {
    fn default() -> Self {
        Self { db_pool_size: 4, scanning_interval_secs: 5, tls_roots: TlsRoots::Auto, confirmations: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Tari network for wallets that do not name one.
    pub name: NetworkName,
    /// Base node HTTP URLs, in order of preference. Empty means the wallet library's default for the network.
    /// A comma-separated string is read as a list, which is how `TARI_BASE_NODE_URLS` spells one.
    #[serde(deserialize_with = "list_or_commas")]
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

/// Bounds on native memory that the Rust heap does not see (`native_memory`): a long-running process's RSS
/// would otherwise creep up while its tracked heap stays flat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MemoryConfig {
    /// SQLite's soft heap limit, across every wallet database in the process: above it, SQLite reuses
    /// page-cache pages instead of allocating more. Without it each connection's cache grows to 2 MiB as
    /// the database grows (6 connections per wallet). Schemas and prepared statements take ~1.5 MiB per
    /// open wallet whatever the limit; raise it for many wallets with long histories. 0: no limit.
    pub sqlite_heap_limit_bytes: u64,
    /// Seconds between returns of the C allocator's free pages to the OS (`malloc_trim`, glibc only).
    /// glibc keeps freed memory in up to 8 arenas per core, so without this RSS grows with fragmentation.
    /// 0: never.
    pub trim_interval_secs: u64,
    /// Allocations at least this big get their own mapping, returned to the OS when freed
    /// (`M_MMAP_THRESHOLD`, glibc only). glibc otherwise raises the threshold after each large free, up to
    /// 32 MiB, and keeps what is freed below it in its arenas. Process-wide. 0: leave glibc's dynamic
    /// threshold alone (it cannot be restored once set).
    pub mmap_threshold_bytes: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self { sqlite_heap_limit_bytes: 16 * 1024 * 1024, trim_interval_secs: 30, mmap_threshold_bytes: 128 * 1024 }
    }
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

fn list_or_commas<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "expected a list of URLs, or one string of comma-separated URLs")]
    enum Urls {
        List(Vec<String>),
        Commas(String),
    }
    Ok(match Urls::deserialize(d)? {
        Urls::List(list) => list,
        Urls::Commas(text) => text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
    })
}
