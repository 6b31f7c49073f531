//! Prometheus exposition through the `prometheus-client` crate (the Prometheus project's own Rust client):
//! one collector reads the live state on each scrape, so nothing is recorded twice.
//!
//! Names follow the conventions: `tari_sdk_` prefix, base units in the name (`_seconds`, `_bytes`),
//! `_total` on counters, and histograms rather than summaries so several processes aggregate. Labels
//! stay bounded: `op`, `outcome` (ok or an error code), `runtime`, and `wallet` only with
//! `metrics.walletLabels`.

use std::fmt;
use std::sync::LazyLock;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use crate::{alloc, config, health, logging, metrics, system, wallet};

#[derive(Debug)]
struct SdkCollector;

type Labels<const N: usize> = [(&'static str, String); N];

/// Writes one metric family: its descriptor, then one sample per label set.
fn family<S: EncodeLabelSet, V>(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<Unit>,
    kind: MetricType,
    series: &[(S, V)],
    mut sample: impl FnMut(&mut MetricEncoder, &V) -> fmt::Result,
) -> fmt::Result {
    if series.is_empty() {
        return Ok(());
    }
    let mut m = enc.encode_descriptor(name, help, unit.as_ref(), kind)?;
    for (labels, value) in series {
        sample(&mut m.encode_family(labels)?, value)?;
    }
    Ok(())
}

fn gauge<V: prometheus_client::encoding::EncodeGaugeValue>(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<Unit>,
    value: V,
) -> fmt::Result {
    let mut m = enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Gauge)?;
    m.encode_gauge(&value)
}

fn counter(enc: &mut DescriptorEncoder, name: &str, help: &str, unit: Option<Unit>, value: u64) -> fmt::Result {
    let mut m = enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Counter)?;
    m.encode_counter::<NoLabelSet, _, u64>(&value, None)
}

impl Collector for SdkCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> fmt::Result {
        let ops = metrics::snapshot();
        let outcomes: Vec<(Labels<2>, u64)> = ops
            .iter()
            .flat_map(|o| std::iter::once((o.op, "ok", o.ok)).chain(o.errors.iter().map(|(code, n)| (o.op, *code, *n))))
            .filter(|(_, _, n)| *n > 0)
            .map(|(op, outcome, n)| ([("op", op.to_string()), ("outcome", outcome.to_string())], n))
            .collect();
        family(
            &mut enc,
            "operations",
            "SDK operations finished, by outcome (ok or the error code).",
            None,
            MetricType::Counter,
            &outcomes,
            |m, n| m.encode_counter::<NoLabelSet, _, u64>(n, None),
        )?;
        let per_op: Vec<(Labels<1>, &metrics::OpSnapshot)> = ops.iter().map(|o| ([("op", o.op.to_string())], o)).collect();
        family(
            &mut enc,
            "operation_duration",
            "Latency of SDK operations, from call to settled promise.",
            Some(Unit::Seconds),
            MetricType::Histogram,
            &per_op,
            |m, o| m.encode_histogram::<NoLabelSet>(o.sum_seconds, o.count, &o.buckets, None),
        )?;
        let per_stage: Vec<(Labels<2>, &metrics::StageSnapshot)> =
            ops.iter().flat_map(|o| o.stages.iter().map(|s| ([("op", o.op.to_string()), ("stage", s.stage.to_string())], s))).collect();
        family(
            &mut enc,
            "operation_stage_duration",
            "Latency of one stage of an SDK operation (spends: prepare, wallet, record).",
            Some(Unit::Seconds),
            MetricType::Histogram,
            &per_stage,
            |m, s| m.encode_histogram::<NoLabelSet>(s.sum_seconds, s.count, &s.buckets, None),
        )?;
        family(
            &mut enc,
            "operations_in_flight",
            "SDK operations started and not yet finished.",
            None,
            MetricType::Gauge,
            &per_op,
            |m, o| m.encode_gauge(&o.in_flight),
        )?;

        let runtimes: Vec<(Labels<1>, crate::runtime::RuntimeStats)> =
            system::runtime_report().runtimes.into_iter().map(|r| ([("runtime", r.name.name().to_string())], r)).collect();
        family(&mut enc, "runtime_workers", "Worker threads of each tokio runtime.", None, MetricType::Gauge, &runtimes, |m, r| {
            m.encode_gauge(&(r.workers as u64))
        })?;
        family(&mut enc, "runtime_alive_tasks", "Tasks alive on each runtime.", None, MetricType::Gauge, &runtimes, |m, r| {
            m.encode_gauge(&(r.alive_tasks as u64))
        })?;
        family(
            &mut enc,
            "runtime_queue_depth",
            "Tasks waiting in each runtime's global queue.",
            None,
            MetricType::Gauge,
            &runtimes,
            |m, r| m.encode_gauge(&(r.global_queue_depth as u64)),
        )?;
        family(
            &mut enc,
            "runtime_busy",
            "Time the runtime's workers spent busy.",
            Some(Unit::Seconds),
            MetricType::Counter,
            &runtimes,
            |m, r| m.encode_counter::<NoLabelSet, _, f64>(&(r.busy_ms / 1e3), None),
        )?;

        let a = alloc::stats();
        gauge(&mut enc, "allocated", "Bytes currently allocated by the native side.", Some(Unit::Bytes), a.current_bytes)?;
        gauge(&mut enc, "allocated_peak", "Highest allocated bytes since start or resetPeakMemory().", Some(Unit::Bytes), a.peak_bytes)?;
        counter(&mut enc, "allocations", "Allocations made by the native side.", None, a.allocations)?;
        if let Some(rss) = alloc::resident_set_bytes() {
            gauge(&mut enc, "resident_memory", "Resident set size of the process.", Some(Unit::Bytes), rss)?;
        }

        let state = config::current();
        gauge(&mut enc, "open_wallets", "Wallets open in this process.", None, wallet::registry::count() as u64)?;
        gauge(&mut enc, "max_wallets", "limits.maxWalletInstances.", None, state.config.limits.max_wallet_instances as u64)?;
        gauge(
            &mut enc,
            "health_level",
            "Latest health level: 0 healthy, 1 warning, 2 degraded, 3 critical.",
            None,
            health::last_level() as u64,
        )?;
        gauge(
            &mut enc,
            "start_time",
            "When the SDK started, in seconds since the Unix epoch.",
            Some(Unit::Seconds),
            metrics::start_time_unix(),
        )?;
        gauge(&mut enc, "uptime", "Seconds since the SDK started.", Some(Unit::Seconds), metrics::uptime().as_secs_f64())?;
        gauge(&mut enc, "metrics_enabled", "1 while operations are being recorded.", None, u64::from(metrics::enabled()))?;
        let l = crate::limits::stats();
        gauge(&mut enc, "operation_slots_in_use", "Bulkhead slots held by running operations.", None, l.in_flight)?;
        gauge(&mut enc, "operation_slots", "limits.maxConcurrentOperations.", None, l.max_concurrent)?;
        gauge(&mut enc, "operations_queued", "Operations waiting for a bulkhead slot.", None, l.queued)?;
        counter(&mut enc, "rate_limited", "Operations refused with ERR_RATE_LIMITED.", None, l.rate_limited_total)?;
        counter(&mut enc, "overloaded", "Operations refused with ERR_OVERLOADED.", None, l.overloaded_total)?;
        let breakers: Vec<(Labels<1>, crate::breaker::State)> =
            crate::base_node::breakers().into_iter().map(|b| ([("base_node", b.url)], b.state)).collect();
        family(
            &mut enc,
            "base_node_breaker_state",
            "Circuit breaker per base node: 0 closed, 1 half-open, 2 open.",
            None,
            MetricType::Gauge,
            &breakers,
            |m, s| {
                m.encode_gauge(&match s {
                    crate::breaker::State::Closed => 0u64,
                    crate::breaker::State::HalfOpen => 1,
                    crate::breaker::State::Open => 2,
                })
            },
        )?;
        counter(
            &mut enc,
            "log_records_dropped",
            "Log records dropped because the JS logger fell behind.",
            None,
            logging::dropped_records(),
        )?;
        let build =
            [([("version", env!("CARGO_PKG_VERSION").to_string()), ("minotari_wallet", crate::MINOTARI_WALLET_VERSION.to_string())], 1u64)];
        family(&mut enc, "build_info", "Versions of the SDK and the embedded wallet library.", None, MetricType::Gauge, &build, |m, v| {
            m.encode_gauge(v)
        })?;

        if state.config.metrics.wallet_labels {
            let wallets: Vec<(Labels<1>, wallet::entry::Connectivity)> =
                wallet::registry::list().iter().map(|w| ([("wallet", w.handle.to_string())], w.connectivity())).collect();
            family(
                &mut enc,
                "wallet_online",
                "1 while the wallet's base node is reachable.",
                None,
                MetricType::Gauge,
                &wallets,
                |m, c| m.encode_gauge(&u64::from(c.status != "offline")),
            )?;
            let tips: Vec<_> = wallets.iter().filter_map(|(l, c)| c.tip_height.map(|t| (l.clone(), t))).collect();
            family(
                &mut enc,
                "wallet_tip_height",
                "Best block height the wallet's base node reported.",
                None,
                MetricType::Gauge,
                &tips,
                |m, t| m.encode_gauge(t),
            )?;
        }
        Ok(())
    }
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut r = Registry::with_prefix("tari_sdk");
    r.register_collector(Box::new(SdkCollector));
    r
});

/// Content types of the two formats [`render`] writes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
pub const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The classic Prometheus text format 0.0.4: what `promtool check metrics` and every scraper read.
    Text,
    /// OpenMetrics 1.0 text, as `prometheus-client` writes it.
    OpenMetrics,
}

/// The whole exposition in `format`.
pub fn render(format: Format) -> String {
    let mut out = String::with_capacity(16 * 1024);
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &REGISTRY);
    match format {
        Format::OpenMetrics => out,
        Format::Text => openmetrics_to_text(&out),
    }
}

/// For the metric types used here (counter, gauge, histogram), OpenMetrics differs from the 0.0.4 format
/// only in naming a counter family without its `_total` suffix and in the `# UNIT` and `# EOF` lines;
/// 0.0.4 parsers then see `x_total` samples with no HELP/TYPE. Rename those families and drop the lines.
fn openmetrics_to_text(open: &str) -> String {
    let counters: std::collections::HashSet<&str> =
        open.lines().filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut out = String::with_capacity(open.len() + counters.len() * 16);
    for line in open.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let header = ["# HELP ", "# TYPE "].into_iter().find_map(|p| line.strip_prefix(p).map(|rest| (p, rest)));
        match header {
            Some((prefix, rest)) if rest.split(' ').next().is_some_and(|name| counters.contains(name)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                out.push_str(&format!("{prefix}{name}_total {tail}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn exposition_has_counters_histograms_and_process_figures() {
        metrics::record("prom.test", None, Duration::from_millis(3));
        metrics::record("prom.test", Some(ErrorCode::Timeout), Duration::from_millis(30));
        let text = render(Format::OpenMetrics);
        assert!(text.contains("# TYPE tari_sdk_operations counter"), "{text}");
        assert!(text.contains(r#"tari_sdk_operations_total{op="prom.test",outcome="ok"} 1"#), "{text}");
        assert!(text.contains(r#"tari_sdk_operations_total{op="prom.test",outcome="ERR_TIMEOUT"} 1"#));
        assert!(text.contains("# TYPE tari_sdk_operation_duration_seconds histogram"));
        assert!(text.contains(r#"tari_sdk_operation_duration_seconds_bucket{le="0.005",op="prom.test"} 1"#), "{text}");
        assert!(text.contains(r#"tari_sdk_operation_duration_seconds_bucket{le="+Inf",op="prom.test"} 2"#), "{text}");
        assert!(text.contains(r#"tari_sdk_operation_duration_seconds_count{op="prom.test"} 2"#));
        metrics::stage("prom.test", "wallet", Duration::from_millis(3));
        let text = render(Format::OpenMetrics);
        assert!(text.contains(r#"tari_sdk_operation_stage_duration_seconds_count{op="prom.test",stage="wallet"} 1"#), "{text}");
        assert!(text.contains("tari_sdk_allocated_bytes "));
        assert!(text.contains("tari_sdk_uptime_seconds "));
        assert!(text.trim_end().ends_with("# EOF"));

        let classic = render(Format::Text);
        assert!(classic.contains("# TYPE tari_sdk_operations_total counter\n"), "{classic}");
        assert!(classic.contains("# HELP tari_sdk_operations_total SDK operations"));
        assert!(classic.contains("# TYPE tari_sdk_operation_duration_seconds histogram\n"));
        assert!(!classic.contains("# UNIT") && !classic.contains("# EOF"));
    }
}
