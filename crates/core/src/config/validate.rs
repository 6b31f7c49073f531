//! The rules a config must keep beyond its types: ranges, and orderings between fields.

use super::schema::Config;
use super::url::{is_base_node_url, redact_url};

/// Most confirmations a wallet may wait for: about 33 hours of Tari blocks.
pub const MAX_CONFIRMATIONS: u64 = 1000;

/// The first rule a config breaks: the field's path and what is wrong with its value.
#[derive(Debug)]
pub struct Violation {
    pub path: &'static str,
    pub message: String,
}

/// Checks `c` against every rule, in field order.
pub fn validate(c: &Config) -> Result<(), Violation> {
    let fail = |path: &'static str, value: &dyn std::fmt::Display, rule: &str| -> Result<(), Violation> {
        Err(Violation { path, message: format!("{value} {rule}") })
    };
    let range = |path: &'static str, v: u64, lo: u64, hi: u64| -> Result<(), Violation> {
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
    range("memory.sqliteHeapLimitBytes", c.memory.sqlite_heap_limit_bytes, 0, i64::MAX as u64)?;
    range("memory.trimIntervalSecs", c.memory.trim_interval_secs, 0, 86_400)?;
    // glibc's own ceiling for the threshold (HEAP_MAX_SIZE / 2 on 64-bit).
    range("memory.mmapThresholdBytes", c.memory.mmap_threshold_bytes, 0, 32 * 1024 * 1024)?;
    range("wallet.dbPoolSize", c.wallet.db_pool_size.into(), 1, 64)?;
    range("wallet.scanningIntervalSecs", c.wallet.scanning_interval_secs, 1, 86_400)?;
    range("wallet.confirmations", c.wallet.confirmations, 1, MAX_CONFIRMATIONS)?;
    Ok(())
}
