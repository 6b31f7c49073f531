//! The SDK's own calls to base nodes, each behind the resilience policy: a circuit breaker per URL,
//! retries with exponential backoff and jitter (`backon`) for transient failures only, a timeout per
//! attempt, and failover across the configured URLs in order.
//!
//! The wallet library makes its own base-node calls (scanning, monitoring, broadcasting) through a client
//! the SDK cannot replace; for those the SDK chooses the URLs a wallet opens with (healthy first), and the
//! library falls back from its primary to its fallback URL by itself.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use dashmap::DashMap;
use tari_transaction_components::rpc::models::TipInfoResponse;
use tari_utilities::hex::Hex;

use crate::breaker::{Breaker, BreakerStatus, Change, State};
use crate::error::{Detail, ErrorCode, SdkError, SdkResult};
use crate::system_events::{self, SystemEventKind};

struct Link {
    client: reqwest::Client,
    breaker: Mutex<Breaker>,
    /// Milliseconds since `EPOCH` of the last call, for eviction.
    last_used: AtomicU64,
}

/// At most this many base node URLs keep a client and a breaker (and so a metrics label series); the one
/// used longest ago goes first. Callers that pass a new URL each time cannot grow memory or label sets.
pub const MAX_LINKS: usize = 64;
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

fn now_ms() -> u64 {
    EPOCH.elapsed().as_millis() as u64
}

static LINKS: LazyLock<DashMap<String, Arc<Link>>> = LazyLock::new(DashMap::new);
/// A probe's lease beyond the per-attempt timeout: time for the breaker to hear how it ended.
const PROBE_SLACK: Duration = Duration::from_secs(1);

fn link(url: &str) -> SdkResult<Arc<Link>> {
    if let Some(l) = LINKS.get(url) {
        l.last_used.store(now_ms(), Relaxed);
        return Ok(l.clone());
    }
    while LINKS.len() >= MAX_LINKS {
        let oldest = LINKS.iter().min_by_key(|l| l.last_used.load(Relaxed)).map(|l| l.key().clone());
        match oldest {
            Some(key) => LINKS.remove(&key),
            None => break,
        };
    }
    crate::tls_roots::prepare_for(&[url]);
    let connect = Duration::from_millis(crate::config::current().config.timeouts.connection_ms);
    let client = reqwest::Client::builder()
        .connect_timeout(connect)
        .build()
        .map_err(|e| SdkError::internal(format!("cannot set up an HTTP client: {e}")))?;
    Ok(LINKS
        .entry(url.to_string())
        .or_insert_with(|| Arc::new(Link { client, breaker: Mutex::new(Breaker::default()), last_used: AtomicU64::new(now_ms()) }))
        .clone())
}

/// A failure, whether trying again may help, and whether it counts against the node's breaker.
struct Failure {
    error: SdkError,
    transient: bool,
    /// The node failed us: no answer, an error status, or an answer that is not what the API promises.
    /// False when the call never reached the node (an invalid URL, an open breaker).
    node_fault: bool,
}

fn unreachable(url: &str, what: impl std::fmt::Display) -> Failure {
    Failure {
        error: SdkError::new(ErrorCode::BaseNode, format!("base node {} failed: {what}", redact(url))),
        transient: true,
        node_fault: true,
    }
}

/// An error with its causes, outermost first: reqwest's own text ("error sending request") hides whether
/// the connection was refused or a certificate did not verify. URLs are already stripped; capped at 400
/// characters, as the causes are the TLS and socket layers' words, not the caller's input.
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        next = cause.source();
    }
    text.chars().take(400).collect()
}

/// An answer, but a wrong one (4xx, unreadable): not worth retrying, yet the node is no use to us.
fn bad_answer(url: &str, what: impl std::fmt::Display) -> Failure {
    Failure { error: SdkError::new(ErrorCode::BaseNode, format!("base node {} {what}", redact(url))), transient: false, node_fault: true }
}

/// Credentials in a URL never reach errors, logs or metrics.
pub fn redact(url: &str) -> String {
    crate::config::redact_url(url)
}

fn note_change(url: &str, change: Option<Change>) {
    if let Some(c) = change {
        let url = redact(url);
        tracing::warn!(base_node = %url, from = c.from.name(), to = c.to.name(), "circuit breaker changed state");
        system_events::publish(SystemEventKind::BreakerChanged { url, from: c.from, to: c.to });
    }
}

/// Runs `attempt` against `url` under the breaker, the per-attempt timeout and the retry policy (at most
/// `max_attempts` tries when given, else `retry.attempts`).
async fn call<T, F, Fut>(url: &str, max_attempts: Option<u32>, attempt: F) -> SdkResult<(T, u32)>
where
    F: Fn(Arc<Link>) -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let config = crate::config::current();
    let (retry, breaker_config) = (&config.config.retry, &config.config.breaker);
    let per_attempt = Duration::from_millis(config.config.timeouts.attempt_ms);
    let link = link(url)?;
    let attempts = AtomicU32::new(0);
    let once = || async {
        let allowed = link
            .breaker
            .lock()
            .map_err(|_| SdkError::internal("breaker lock poisoned"))
            .and_then(|mut b| b.allow(Instant::now(), per_attempt + PROBE_SLACK).map_err(|wait| circuit_open(url, wait)));
        match allowed {
            Ok(change) => note_change(url, change),
            Err(error) => return Err(Failure { error, transient: false, node_fault: false }),
        }
        let n = attempts.fetch_add(1, Relaxed) + 1;
        tracing::debug!(base_node = %redact(url), attempt = n, "base node attempt");
        let outcome = match tokio::time::timeout(per_attempt, attempt(link.clone())).await {
            Ok(r) => r,
            Err(_) => Err(Failure {
                error: SdkError::new(
                    ErrorCode::Timeout,
                    format!("base node {} did not answer within {} ms", redact(url), per_attempt.as_millis()),
                )
                .with("timeoutMs", Detail::Number(per_attempt.as_millis() as f64)),
                transient: true,
                node_fault: true,
            }),
        };
        let change = link.breaker.lock().ok().and_then(|mut b| match &outcome {
            Ok(_) => b.on_success(breaker_config),
            Err(f) if f.node_fault => b.on_failure(breaker_config, Instant::now()),
            Err(_) => {
                b.release();
                None
            }
        });
        note_change(url, change);
        outcome
    };
    let policy = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(retry.base_delay_ms))
        .with_max_delay(Duration::from_millis(retry.max_delay_ms))
        .with_max_times(max_attempts.unwrap_or(retry.attempts).saturating_sub(1) as usize)
        .with_jitter();
    let result = once
        .retry(policy)
        .sleep(tokio::time::sleep)
        .when(|f: &Failure| f.transient)
        .notify(|f: &Failure, delay: Duration| {
            tracing::debug!(base_node = %redact(url), delay_ms = delay.as_millis() as u64, code = %f.error.code, "retrying base node call");
        })
        .await;
    let n = attempts.load(Relaxed);
    result.map(|v| (v, n)).map_err(|f| f.error.with("attempts", Detail::Number(n as f64)))
}

fn circuit_open(url: &str, wait: Duration) -> SdkError {
    let ms = wait.as_millis().max(1) as f64;
    SdkError::new(ErrorCode::CircuitOpen, format!("the circuit breaker for base node {} is open; retry in {ms} ms", redact(url)))
        .with("retryAfterMs", Detail::Number(ms))
        .with("url", Detail::Text(redact(url)))
}

/// `ERR_CIRCUIT_OPEN` at once when every URL's breaker is open: the fail-fast path, checked before any
/// task is spawned.
pub fn fail_fast(urls: &[String]) -> Option<SdkError> {
    let now = Instant::now();
    let waits: Vec<(Duration, &String)> =
        urls.iter().filter_map(|u| LINKS.get(u).and_then(|l| l.breaker.lock().ok().map(|b| (b.retry_after(now), u)))).collect();
    if waits.len() < urls.len() || urls.is_empty() || waits.iter().any(|(w, _)| w.is_zero()) {
        return None;
    }
    waits.iter().min().map(|(wait, url)| circuit_open(url, *wait))
}

#[derive(Debug, Clone, PartialEq)]
pub struct TipInfo {
    pub url: String,
    pub height: u64,
    pub best_block_hash: String,
    pub synced: bool,
    pub latency: Duration,
    pub attempts: u32,
}

/// The JSON answer of `path` (with its query) on `url`; `None` when the node says 404 (nothing there).
async fn fetch_json<T: serde::de::DeserializeOwned>(link: Arc<Link>, url: &str, path: &str) -> Result<Option<T>, Failure> {
    let endpoint = reqwest::Url::parse(url).and_then(|u| u.join(path)).map_err(|e| Failure {
        error: SdkError::invalid_argument(format!("base node URL {} is not valid: {e}", redact(url))),
        transient: false,
        node_fault: false,
    })?;
    let response = link.client.get(endpoint).send().await.map_err(|e| unreachable(url, causes(&e.without_url())))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if status.is_server_error() {
        return Err(unreachable(url, format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(bad_answer(url, format_args!("answered HTTP {status}")));
    }
    let what = path.split('?').next().unwrap_or(path);
    let answer = response.json::<T>().await.map_err(|e| bad_answer(url, format_args!("sent an unreadable {what}: {}", e.without_url())))?;
    Ok(Some(answer))
}

async fn fetch_tip(link: Arc<Link>, url: &str) -> Result<TipInfoResponse, Failure> {
    fetch_json(link, url, "/get_tip_info").await?.ok_or_else(|| bad_answer(url, "answered HTTP 404 Not Found"))
}

/// The part of `/get_header_by_height`'s answer the SDK reads.
#[derive(serde::Deserialize)]
struct Header {
    hash: tari_common_types::types::BlockHash,
}

/// The hash (hex) of the block at `height` in the chain of the first base node in `urls` that answers
/// (the wallet's own node first); `None` above its tip. What the reorg check asks before it believes the
/// wallet's history, which changes its mind while the library works through a reorg.
pub async fn block_hash_at(urls: &[String], height: u64) -> SdkResult<Option<String>> {
    let path = format!("/get_header_by_height?height={height}");
    let answer = first_answer(urls, Some(1), |link, url| {
        let path = path.clone();
        async move { fetch_json::<Header>(link, &url, &path).await }
    })
    .await?;
    Ok(answer.value.map(|h| h.hash.to_hex()))
}

#[derive(serde::Deserialize)]
struct MempoolFeeStats {
    stats: Vec<BlockFeeStat>,
}

#[derive(serde::Deserialize)]
struct BlockFeeStat {
    min_fee_per_gram: u64,
    avg_fee_per_gram: u64,
    max_fee_per_gram: u64,
}

/// `/get_mempool_fee_per_gram_stats` of the first of `urls` that answers: the URL (redacted) and, per
/// block the node would mine next, min, average and max fee per gram.
pub async fn mempool_fee_stats(urls: &[String], blocks: u64) -> SdkResult<(String, Vec<(u64, u64, u64)>)> {
    let path = format!("/get_mempool_fee_per_gram_stats?count={blocks}");
    let answer = first_answer(urls, None, |link, url| {
        let path = path.clone();
        async move { fetch_json::<MempoolFeeStats>(link, &url, &path).await?.ok_or_else(|| bad_answer(&url, "answered HTTP 404 Not Found")) }
    })
    .await?;
    let stats = answer.value.stats.into_iter().map(|s| (s.min_fee_per_gram, s.avg_fee_per_gram, s.max_fee_per_gram)).collect();
    Ok((redact(&answer.url), stats))
}

/// What the first base node that answered said.
struct Answer<T> {
    value: T,
    url: String,
    attempts: u32,
    latency: Duration,
}

/// `attempt` against each of `urls` in order (under `call`'s policy) until one answers; else the last error.
async fn first_answer<T, F, Fut>(urls: &[String], max_attempts: Option<u32>, attempt: F) -> SdkResult<Answer<T>>
where
    F: Fn(Arc<Link>, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut last = SdkError::config("no base node URL is configured (network.baseNodeUrls) or given");
    for url in urls {
        let started = Instant::now();
        match call(url, max_attempts, |link| attempt(link, url.clone())).await {
            Ok((value, attempts)) => return Ok(Answer { value, url: url.clone(), attempts, latency: started.elapsed() }),
            Err(e) => {
                tracing::debug!(base_node = %redact(url), code = %e.code, "base node failed; trying the next");
                last = e;
            }
        }
    }
    Err(last)
}

/// The chain tip from the first base node in `urls` that answers, failing over in order.
pub async fn tip_info(urls: &[String]) -> SdkResult<TipInfo> {
    tip_info_within(urls, None).await
}

/// Whether any of `urls` answers one tip request (no retries): the wallet link watchdog's probe.
pub async fn reachable(urls: &[String]) -> bool {
    tip_info_within(urls, Some(1)).await.is_ok()
}

async fn tip_info_within(urls: &[String], max_attempts: Option<u32>) -> SdkResult<TipInfo> {
    let answer = first_answer(urls, max_attempts, |link, url| async move { fetch_tip(link, &url).await }).await?;
    let meta = answer.value.metadata.as_ref();
    Ok(TipInfo {
        url: redact(&answer.url),
        height: meta.map_or(0, |m| m.best_block_height()),
        best_block_hash: meta.map(|m| m.best_block_hash().to_string()).unwrap_or_default(),
        synced: answer.value.is_synced,
        latency: answer.latency,
        attempts: answer.attempts,
    })
}

/// `urls` reordered for a wallet about to open, so the library's primary and fallback are the pair that
/// answers: with several URLs, each is asked for its tip once, concurrently (bounded by
/// `timeouts.attemptMs`, skipping open breakers); those that answered come first, in the given order.
pub async fn healthy_first(urls: &[String]) -> Vec<String> {
    if urls.len() < 2 {
        return urls.to_vec();
    }
    let probes = urls.iter().map(|url| async move {
        if fail_fast(std::slice::from_ref(url)).is_some() {
            return false;
        }
        call(url, Some(1), |link| async move { fetch_tip(link, url).await }).await.is_ok()
    });
    let answered = futures::future::join_all(probes).await;
    type Probed = Vec<(String, bool)>;
    let (mut good, bad): (Probed, Probed) = urls.iter().cloned().zip(answered).partition(|(_, ok)| *ok);
    if !bad.is_empty() {
        tracing::info!(unreachable = bad.len(), "opening the wallet with its reachable base nodes first");
    }
    good.extend(bad);
    good.into_iter().map(|(u, _)| u).collect()
}

/// Every base node the SDK has called recently (at most `MAX_LINKS`), with its breaker. URLs that look the
/// same once redacted (one host, several paths) are one entry, the worst of them, so labels stay unique.
pub fn breakers() -> Vec<BreakerStatus> {
    let now = Instant::now();
    let severity = |s: State| match s {
        State::Closed => 0,
        State::HalfOpen => 1,
        State::Open => 2,
    };
    let mut by_url: std::collections::BTreeMap<String, BreakerStatus> = std::collections::BTreeMap::new();
    for e in LINKS.iter() {
        let Ok(b) = e.value().breaker.lock() else { continue };
        let status = BreakerStatus {
            url: redact(e.key()),
            state: b.state(),
            consecutive_failures: b.consecutive_failures(),
            retry_after_ms: b.retry_after(now).as_millis() as f64,
        };
        match by_url.get(&status.url) {
            Some(kept) if (severity(kept.state), kept.consecutive_failures) >= (severity(status.state), status.consecutive_failures) => {}
            _ => {
                by_url.insert(status.url.clone(), status);
            }
        }
    }
    by_url.into_values().collect()
}
