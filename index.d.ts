/* Types the generated declarations below refer to. Hand-written: these values cross the boundary as JSON. */

/** Every stable `error.code` the SDK produces. `errorCodes()` returns each with its meaning. */
export type ErrorCodeName =
  | 'ERR_INVALID_ARGUMENT' | 'ERR_INVALID_HANDLE' | 'ERR_CONFIG' | 'ERR_TIMEOUT' | 'ERR_ABORTED' | 'ERR_INTERNAL'
  | 'ERR_SHUTTING_DOWN' | 'ERR_LIMIT' | 'ERR_NETWORK_MISMATCH' | 'ERR_UNSUPPORTED_NETWORK' | 'ERR_WALLET_LOCKED'
  | 'ERR_WRONG_PASSPHRASE' | 'ERR_WALLET_NOT_FOUND' | 'ERR_WALLET_CORRUPT' | 'ERR_WALLET_EXISTS'
  | 'ERR_INVALID_SEED_WORDS' | 'ERR_INVALID_ADDRESS' | 'ERR_INSUFFICIENT_FUNDS' | 'ERR_TRANSACTION_NOT_FOUND' | 'ERR_NOT_CANCELLABLE'
  | 'ERR_WALLET' | 'ERR_BASE_NODE' | 'ERR_CIRCUIT_OPEN' | 'ERR_RATE_LIMITED' | 'ERR_OVERLOADED'
  | 'ERR_OUTCOME_UNKNOWN' | 'ERR_IDEMPOTENCY_CONFLICT'

export type NetworkName = 'mainnet' | 'stagenet' | 'nextnet' | 'localnet' | 'igor' | 'esmeralda'
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** The effective configuration. Each field's environment variable is listed in the README. */
export interface Config {
  network: { name: NetworkName; baseNodeUrls: string[] }
  runtime: { walletThreads: number; cryptoThreads: number; networkThreads: number; generalThreads: number }
  limits: {
    maxWalletInstances: number
    maxConcurrentOperations: number
    maxQueuedOperations: number
    /** 0 disables the rate limiter. */
    rateLimitPerMinute: number
    maxRequestBytes: number
  }
  timeouts: { walletMs: number; cryptoMs: number; networkMs: number; generalMs: number; connectionMs: number }
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number }
  breaker: { failureThreshold: number; successThreshold: number; resetTimeoutMs: number }
  health: {
    memoryLimitBytes: number
    errorRateWarning: number
    errorRateDegraded: number
    errorRateCritical: number
    latencyTargetMs: number
    queueDepthWarning: number
  }
  /** `level`: the SDK's own records; `libraryLevel`: the embedded Tari crates' records. */
  logging: { level: LogLevel; libraryLevel: LogLevel; format: 'json' | 'pretty' }
  metrics: { enabled: boolean }
  /** Defaults for wallets that do not set these themselves. */
  wallet: { dbPoolSize: number; scanningIntervalSecs: number }
}

/** A partial `Config`: only the fields to change. */
export type ConfigPatch = { [S in keyof Config]?: Partial<Config[S]> }

/** Where a value came from. */
export type ConfigSource =
  | { layer: 'default' }
  | { layer: 'file'; path: string }
  | { layer: 'env'; var: string }
  | { layer: 'init' }
  | { layer: 'update' }

export interface ConfigSnapshot {
  config: Config
  /** Keyed by dotted path, e.g. `limits.maxWalletInstances`. */
  sources: Record<string, ConfigSource>
}

export type HealthLevel = 'healthy' | 'warning' | 'degraded' | 'critical'

export interface HealthCheckResult {
  /** For checks with one entry per instance (per wallet): the wallet handle. */
  componentId?: string
  level: HealthLevel
  status: 'pass' | 'warn' | 'fail'
  observedValue: number
  observedUnit: string
  output: string
}

/** IETF `application/health+json` shape plus the SDK's four-step `level`. */
export interface HealthStatus {
  level: HealthLevel
  status: 'pass' | 'warn' | 'fail'
  /** Keyed `component:measurement`, e.g. `memory:utilization`. */
  checks: Record<string, HealthCheckResult[]>
  uptimeSeconds: number
}

/** Options of `openWallet`: those of `createWallet` without the restore fields. */
export type OpenWalletOptions = Omit<CreateWalletOptions, 'seedWords' | 'birthday'>

/** Figures of one operation name since start or `resetMetrics()`. */
export interface OperationMetrics {
  op: string
  count: number
  ok: number
  /** Counts by error code; only codes that occurred. */
  errors: Partial<Record<ErrorCodeName, number>>
  inFlight: number
  /** From an HdrHistogram with 2 significant digits (1% resolution). */
  latency: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; meanMs: number }
  /** Operations and failures (excluding invalid arguments and handles) in the last 60 s. */
  lastMinute: { operations: number; failures: number; perSecond: number }
}

/** What `getMetrics()` returns. */
export interface MetricsReport {
  /** False while recording is switched off (`enableMetrics(false)`, `metrics.enabled`). */
  enabled: boolean
  uptimeSeconds: number
  operations: OperationMetrics[]
  runtimes: RuntimeReport
  memory: { currentBytes: number; peakBytes: number; allocations: number; rssBytes: number | null }
  wallets: { open: number; max: number }
  /** The bulkhead and the rate limiters. */
  limits: { inFlight: number; queued: number; maxConcurrent: number; maxQueued: number; rateLimitedTotal: number; overloadedTotal: number }
  /** The latest evaluated health level. */
  health: HealthLevel
  /** Log records dropped because the JS logger fell behind. */
  logRecordsDropped: number
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** @internal Aborts the operation started with `abortId` (its AbortSignal fired). */
export declare function __abortOperation(abortId: number): void

/**
 * @internal The policy layer's admission (rate limiters and bulkhead) `iterations` times on one thread,
 * or, with `admit` false, the same loop without it; returns nanoseconds per operation.
 */
export declare function __benchAdmission(admit: boolean, iterations: number): number

/**
 * @internal Runs the allocation churn on `threads` threads with the tracking allocator or plain System,
 * with or without filling each block; returns nanoseconds per allocation.
 */
export declare function __benchAllocChurn(tracking: boolean, threads: number, iterations: number, fill: boolean): number

/**
 * @internal Benchmark: publishes `count` synthetic events into the wallet's event path, as fast as the
 * listeners take them, or (`flood`) as fast as it can, as the library would. Resolves when all were
 * published.
 */
export declare function __benchEmitEvents(handle: number, count: number, flood?: boolean | undefined | null): Promise<void>

/** @internal The cheapest possible export: the benchmark's baseline for sync calls. */
export declare function __benchEmpty(): void

/**
 * @internal What `ops::spawn` does for metrics, `iterations` times on each of `threads` threads, with
 * recording on or off; returns nanoseconds per operation. Threads share one operation name, as
 * concurrent calls of one export would.
 */
export declare function __benchMetricsRecord(enabled: boolean, threads: number, iterations: number): number

/** @internal napi-rs's built-in `async fn`: the benchmark's baseline for async calls. */
export declare function __benchNapiAsyncNoop(): Promise<void>

/**
 * @internal Records `samples` latencies for each of `ops` synthetic operation names under every outcome
 * (ok and each error code): the rendering benchmark's population.
 */
export declare function __benchPopulateMetrics(ops: number, samples: number): void

/**
 * @internal Per-call options for the next operation on this thread; the JS wrapper calls it right before
 * the operation. With no arguments, clears them.
 */
export declare function __setCallContext(correlationId?: string | undefined | null, timeoutMs?: number | undefined | null, abortId?: number | undefined | null): void

/** @internal Starts a background task on the general runtime that sleeps `ms`. */
export declare function __testBackgroundSleep(ms: number): void

/** @internal Panics inside an operation: synchronously, or on a runtime when `onRuntime` is true. */
export declare function __testPanic(onRuntime: boolean): Promise<undefined> | null

/** @internal Sleeps `ms` on a runtime, under an optional per-call timeout. */
export declare function __testSleep(ms: number, runtime: string, timeoutMs?: number | undefined | null): Promise<undefined>

export interface AddressInfo {
  base58: string
  emoji: string
  hex: string
  network: NetworkName
  /** `dual` (view + spend key) or `single` (spend key only). */
  kind: 'dual' | 'single'
  /** Can receive one-sided payments. */
  oneSided: boolean
  interactive: boolean
  /** Carries a payment id that senders must include. */
  paymentId: boolean
}

export interface AddressValidation {
  valid: boolean
  /** Why it is invalid: checksum, network, size, features or encoding. */
  reason?: string
  message?: string
  address?: AddressInfo
}

export interface Balance {
  /** Spendable now, µT. */
  available: bigint
  /** Incoming, not yet confirmed. */
  pendingIncoming: bigint
  /** Sent, not yet confirmed (including change). */
  pendingOutgoing: bigint
  /** Part of `available` still time-locked (e.g. immature coinbase). */
  timeLocked: bigint
}

/**
 * Cancels a transaction that is not mined yet; its funds become available again. A mined transaction
 * gets `ERR_NOT_CANCELLABLE`.
 */
export declare function cancelTransaction(handle: number, txId: string): Promise<void>

/** Shuts the wallet down cleanly and releases its database. The handle is invalid afterwards. */
export declare function closeWallet(handle: number): Promise<void>

/** Joins outputs (default: all unspent) into one. `preview: true` only computes the result. */
export declare function coinJoin(handle: number, options?: CoinOptions | undefined | null): Promise<CoinPlan>

export interface CoinOptions {
  /** Commitments (hex) of the outputs to use; default: the largest output (split) or all (join). */
  commitments?: Array<string>
  /** coinSplit: number of equal outputs to make (2..=500). */
  count?: number
  feePerGram?: bigint
  /** Only compute the outputs and fee; submit nothing. */
  preview?: boolean
  /**
   * As for `send`: the same key again returns the first call's plan and spends nothing more. Not with
   * `preview`.
   */
  idempotencyKey?: string
}

export interface CoinPlan {
  /** µT of each output the transaction creates. */
  outputs: Array<bigint>
  /** µT. */
  fee: bigint
  /** Set unless `preview`. */
  txId?: string
}

/**
 * Splits outputs into `count` equal ones (to pay many recipients in parallel). `preview: true` only
 * computes the result.
 */
export declare function coinSplit(handle: number, options: CoinOptions): Promise<CoinPlan>

/**
 * Creates a wallet in an empty data directory, with a new random seed or restored from `seedWords`, and
 * opens it. Resolves to its handle. Rejects with `ERR_WALLET_EXISTS` if the directory already holds a
 * wallet, `ERR_INVALID_SEED_WORDS`, `ERR_NETWORK_MISMATCH`, `ERR_UNSUPPORTED_NETWORK` or `ERR_LIMIT`.
 */
export declare function createWallet(options: CreateWalletOptions): Promise<number>

/** Options of `createWallet`; `openWallet` takes the same without `seedWords` and `birthday`. */
export interface CreateWalletOptions {
  /** Directory holding the wallet; the database lands in `<dataDir>/data/wallet/db/`. */
  dataDir: string
  /** Encrypts the wallet database. Never logged, never echoed in errors. */
  passphrase: string
  /** Defaults to `network.name` from the config. The first wallet fixes the network for the process. */
  network?: NetworkName
  /** Base node HTTP URL(s), preferred first; defaults to `network.baseNodeUrls`, then the library default. */
  baseNodeUrl?: string | string[]
  /** Seconds between UTXO scans; defaults to `wallet.scanningIntervalSecs`. */
  scanningIntervalSecs?: number
  /** SQLite connections for this wallet; defaults to `wallet.dbPoolSize`. */
  dbPoolSize?: number
  /** Restore from these 24 words (a string or an array) instead of creating a new random seed. */
  seedWords?: string | Array<string>
  /**
   * With `seedWords`: the seed's birthday (days since 2022-01-01) to scan from, overriding the one the
   * words carry.
   */
  birthday?: number
}

/**
 * Shuts the wallet down, then deletes its database and the directories the library created. Files of
 * your own in `dataDir` are left alone.
 */
export declare function destroyWallet(handle: number): Promise<void>

/**
 * Switches recording of operation metrics on or off (same as `updateConfig({ metrics: { enabled } })`).
 * Off costs one atomic load per operation.
 */
export declare function enableMetrics(enabled: boolean): void

/** Every error code the SDK can produce, with its meaning. */
export declare function errorCodes(): Record<ErrorCodeName, string>

/** Estimates the fee of a payment without sending anything. */
export declare function estimateFee(handle: number, options: FeeEstimateOptions): Promise<FeeEstimate>

export interface FeeEstimate {
  /** µT. */
  fee: bigint
  /** Inputs the wallet would spend. */
  inputs: number
  needsChange: boolean
}

export interface FeeEstimateOptions {
  amount: bigint
  feePerGram?: bigint
  /** Outputs the transaction will create (recipients); default 1. */
  outputs?: number
}

/** The wallet's one-sided (dual) address in base58, emoji and hex, with its network and features. */
export declare function getAddress(handle: number): AddressInfo

/** The wallet's balance in µT, as `bigint`s. */
export declare function getBalance(handle: number): Promise<Balance>

/**
 * The effective configuration (secrets redacted) and, for every field, the layer that set it. Throws
 * `ERR_CONFIG` naming the variable while a `TARI_*` variable (or the file it names) is invalid: the
 * config in force would not be the one the environment asked for.
 */
export declare function getConfig(): ConfigSnapshot

/** The cheap probe for load balancers: the level of the latest evaluation and the uptime, with no I/O. */
export declare function getHealthCheck(): HealthCheck

/**
 * Evaluates every health check against the `health.*` thresholds. `level` is healthy, warning, degraded
 * or critical; `status` and `checks` follow IETF `application/health+json`.
 */
export declare function getHealthStatus(): HealthStatus

/** Allocator figures of the native side plus the process RSS. */
export declare function getMemoryStats(): MemoryStats

/**
 * Per-operation counts by outcome, latency percentiles, in-flight and last-minute throughput, plus
 * runtime, memory, wallet and health figures.
 */
export declare function getMetrics(): MetricsReport

/** The network this process is fixed to (by its first wallet), or null before any wallet opened. */
export declare function getProcessNetwork(): NetworkName | null

/**
 * All metrics as Prometheus text: format `text` (default; exposition format 0.0.4, served as
 * `PROMETHEUS_CONTENT_TYPE`) or `openmetrics` (OpenMetrics 1.0, served as `OPENMETRICS_CONTENT_TYPE`).
 */
export declare function getPrometheusMetrics(format?: 'text' | 'openmetrics'): string

/** Per-runtime workers, alive tasks, global queue depth, busy time and completed operations. */
export declare function getRuntimeStats(): RuntimeReport

/** The wallet's 24 seed words (English). Treat them as the wallet itself: anyone with them owns the funds. */
export declare function getSeedWords(handle: number): Promise<string[]>

/**
 * The chain tip from the first base node that answers. Transient failures (refused, reset, timeout,
 * HTTP 5xx) are retried with exponential backoff and jitter (`retry.*`), then the next URL is tried.
 * Rejects with `ERR_CIRCUIT_OPEN` (with `retryAfterMs`) at once while every node's breaker is open,
 * `ERR_TIMEOUT` or `ERR_BASE_NODE` (with `attempts`) when none answers.
 */
export declare function getTipInfo(options?: TipInfoOptions): Promise<TipInfo>

/**
 * One transaction by id: status, direction, amount, fee, confirmations, mined height, timestamp, message.
 * `ERR_TRANSACTION_NOT_FOUND` if the wallet has none with that id.
 */
export declare function getTransaction(handle: number, txId: string): Promise<Transaction>

/** Transactions of one kind, newest first, paginated with `offset`/`limit`. */
export declare function getTransactions(handle: number, options?: HistoryOptions | undefined | null): Promise<Transaction[]>

/** The wallet's outputs, largest first, paginated. */
export declare function getUtxos(handle: number, options?: UtxoListOptions | undefined | null): Promise<Utxo[]>

/** Versions of the SDK and the embedded wallet library. */
export declare function getVersion(): VersionInfo

export interface HealthCheck {
  /** `pass`, `warn` or `fail`. */
  status: 'pass' | 'warn' | 'fail'
  level: 'healthy' | 'warning' | 'degraded' | 'critical'
  uptimeSeconds: number
}

export interface HistoryOptions {
  /** Default `completed`. */
  kind?: 'completed' | 'pendingInbound' | 'pendingOutbound' | 'cancelled'
  offset?: number
  /** Default 100, at most 10000. */
  limit?: number
}

/**
 * Builds the configuration from compiled defaults, the config file, `TARI_*` environment variables and
 * `options.config`, validates it and applies it. Optional: the SDK configures itself from defaults and
 * the environment on first use. Thread counts can only be set before the first async operation.
 * Throws `ERR_CONFIG` naming the bad field, its value and where it came from.
 */
export declare function init(options?: InitOptions): ConfigSnapshot

/**
 * Declared for the TypeScript typings; `init` parses its options itself so that a non-object is
 * `ERR_INVALID_ARGUMENT` rather than silently ignored.
 */
export interface InitOptions {
  /** A TOML or JSON config file. Defaults to `TARI_CONFIG_FILE` when set. */
  configFile?: string
  /** Overrides applied over the file and the environment, in the same shape as `getConfig().config`. */
  config?: ConfigPatch
}

/** The open wallets, by handle. */
export declare function listWallets(): Array<WalletInfo>

export interface LoggerOptions {
  /** Sets `logging.level` (the SDK's records) at the same time. */
  level?: 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'off'
  /** Sets `logging.libraryLevel` (the embedded Tari crates' records). */
  libraryLevel?: 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'off'
}

/** A log record as the logger passed to `setLogger` receives it. */
export interface LogRecordObject {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace'
  target: string
  message: string
  fields: Record<string, string | number | boolean>
  /** Milliseconds since the Unix epoch. */
  timestamp: number
  correlationId?: string
}

export interface MemoryStats {
  /** Bytes currently allocated through the Rust global allocator. */
  currentBytes: number
  /** Highest `currentBytes` since start or `resetPeakMemory()` (exact to within 256 KiB per thread). */
  peakBytes: number
  totalAllocatedBytes: number
  allocations: number
  deallocations: number
  reallocations: number
  /**
   * Resident set size of the whole process, from the OS (sampled at most every 100 ms); null where the
   * platform cannot tell.
   */
  rssBytes?: number
}

/** Stops a subscription made with `onEvent`. Unknown ids are ignored. */
export declare function offEvent(subscription: number): void

/** Stops a subscription made with `onSystemEvent`. Unknown ids are ignored. */
export declare function offSystemEvent(subscription: number): void

/**
 * Calls `listener` with every event of the wallet until `offEvent(id)` or the wallet closes. Delivery
 * never keeps the process alive on its own. Returns the subscription id.
 */
export declare function onEvent(handle: number, listener: (event: WalletEventObject) => void): number

/**
 * Calls `listener` with every process-level event (health transitions) until `offSystemEvent(id)`.
 * Never keeps the process alive on its own. Starts the runtimes (the health monitor runs there).
 */
export declare function onSystemEvent(listener: (event: SystemEventObject) => void): number

/** Content type of `getPrometheusMetrics('openmetrics')`. */
export declare const OPENMETRICS_CONTENT_TYPE: string

/**
 * Opens the wallet in an existing data directory. Resolves to its handle. Rejects with
 * `ERR_WALLET_NOT_FOUND`, `ERR_WRONG_PASSPHRASE` (the database is left untouched), `ERR_WALLET_LOCKED`
 * (already open here or in another process), `ERR_WALLET_CORRUPT`, `ERR_NETWORK_MISMATCH` or `ERR_LIMIT`.
 */
export declare function openWallet(options: OpenWalletOptions): Promise<number>

/**
 * Parses a Tari address (base58, emoji or hex) without a wallet. Throws `ERR_INVALID_ADDRESS` with
 * `reason`: checksum, network, size, features or encoding. With `network`, the address must be for it.
 */
export declare function parseAddress(address: string, network?: NetworkName): AddressInfo

/**
 * Round trip through one runtime (default `general`): resolves when a task scheduled there has run.
 * Starts the runtimes if needed. Rejects with `ERR_INVALID_ARGUMENT` for an unknown runtime name.
 */
export declare function ping(runtime?: 'wallet' | 'crypto' | 'network' | 'general'): Promise<undefined>

/** Content type of `getPrometheusMetrics()` (the Prometheus text format 0.0.4). */
export declare const PROMETHEUS_CONTENT_TYPE: string

export interface Recipient {
  to: string
  amount: bigint
  message?: string
}

export interface RescanResult {
  /** The chain height the scan reached. */
  finalHeight: number
  /** Outputs found that the wallet did not hold. */
  recoveredOutputs: number
  /** Their value, µT. */
  recoveredValue: bigint
  durationMs: number
}

/**
 * Rescans the chain from the wallet's birthday (the recovery scan), publishing `scanProgress` events, and
 * resolves when it reaches the tip. Outputs the wallet already holds are left as they are, so nothing is
 * doubled. Not bounded by the wallet timeout class: pass `timeoutMs` or a `signal` to bound it; aborting
 * stops the scan.
 */
export declare function rescanWallet(handle: number): Promise<RescanResult>

/** Forgets every recorded operation figure (counts, histograms, windows). */
export declare function resetMetrics(): void

/** Restarts peak tracking from the current allocation level. */
export declare function resetPeakMemory(): void

export interface RuntimeReport {
  /** Runtimes start on the first async operation. */
  started: boolean
  backgroundTasks: number
  runtimes: Array<RuntimeStats>
}

export interface RuntimeStats {
  /** `wallet`, `crypto`, `network` or `general`. */
  name: string
  workers: number
  aliveTasks: number
  globalQueueDepth: number
  /** Total time the workers spent busy since the runtime started. */
  busyMs: number
  /** Busy share of the workers' wall time since start, 0..1. */
  busyRatio: number
  /** SDK operations completed on this runtime. */
  opsCompleted: number
}

export interface SeedInfo {
  wordCount: number
  /** Days since 2022-01-01 when the seed was made; a restore scans from here. */
  birthday: number
}

/**
 * Sends a one-sided payment. Resolves to the transaction id (a decimal string) once the transaction is
 * built and queued for broadcast. Inputs are checked before anything is stored: `ERR_INVALID_ADDRESS`
 * (with `reason`), `ERR_INVALID_ARGUMENT`; `ERR_INSUFFICIENT_FUNDS` carries `available` (bigint µT).
 *
 * Exactly once: a timeout or abort stops the send only before the wallet has it (`ERR_TIMEOUT`,
 * `ERR_ABORTED`: nothing was stored). After that the call settles with the payment's real outcome;
 * `ERR_OUTCOME_UNKNOWN` means it may have been made: look it up, or retry with the same `idempotencyKey`.
 */
export declare function send(handle: number, options: SendOptions): Promise<string>

/**
 * Pays several recipients in one one-sided transaction. Resolves to one transaction id per recipient.
 * Exactly once, with the same rules as `send`.
 */
export declare function sendMany(handle: number, options: SendManyOptions): Promise<string[]>

export interface SendManyOptions {
  recipients: Array<Recipient>
  feePerGram?: bigint
  /** As for `send`: the same key again returns the first call's ids and pays nothing more. */
  idempotencyKey?: string
}

export interface SendOptions {
  /** Recipient address: base58, emoji or hex, on this wallet's network. */
  to: string
  /** µT, above 0. */
  amount: bigint
  /** µT per gram; default 5. */
  feePerGram?: bigint
  /** A note stored with the transaction (at most 254 bytes). */
  message?: string
  /** Pay to a one-time stealth address derived from `to`. */
  stealth?: boolean
  /**
   * Makes the send safe to retry: the same key again (also after a crash or a reopen) returns the first
   * call's transaction id and pays nothing more; with other parameters it is `ERR_IDEMPOTENCY_CONFLICT`.
   * 1 to 255 bytes; remembered for 30 days.
   */
  idempotencyKey?: string
}

/**
 * Sends every log record to `logger` instead of stderr; `null` goes back to JSON lines on stderr. The
 * logger never keeps the process alive, is called on the JS thread, and must not throw. If it falls more
 * than 4096 records behind, records are dropped and counted (`tari_sdk_log_records_dropped_total`).
 */
export declare function setLogger(logger: ((record: LogRecordObject) => void) | null, options?: LoggerOptions): void

export interface SignedMessage {
  /** 128 hex characters: the public nonce then the signature scalar. */
  signature: string
  /** The signing public key (hex); equal to the spend key of the wallet's address. */
  publicKey: string
}

/** Signs `message` with the wallet's key. Verify with `verifyMessageSignature(address or publicKey, ...)`. */
export declare function signMessage(handle: number, message: string): Promise<SignedMessage>

/** A process-level event. `type` says which fields are set. */
export interface SystemEventObject {
  /** `healthChanged`, `breakerChanged`, or `lagged` (events were dropped for this listener: `dropped`). */
  type: 'healthChanged' | 'breakerChanged' | 'lagged'
  /** Milliseconds since the Unix epoch. */
  timestamp: number
  /** The previous and the new level (healthChanged) or breaker state (breakerChanged). */
  from?: 'healthy' | 'warning' | 'degraded' | 'critical' | 'closed' | 'open' | 'halfOpen'
  to?: 'healthy' | 'warning' | 'degraded' | 'critical' | 'closed' | 'open' | 'halfOpen'
  /** breakerChanged: the base node (credentials redacted). */
  url?: string
  /** healthChanged: the IETF status of the new level. */
  status?: 'pass' | 'warn' | 'fail'
  /** healthChanged: keys of the checks that are not healthy. */
  failingChecks?: Array<string>
  /** lagged: how many events were dropped because this listener fell behind. */
  dropped?: number
}

export interface TipInfo {
  /** The base node that answered (credentials redacted). */
  url: string
  height: number
  /** Hex. */
  bestBlockHash: string
  /** Whether the node considers itself synced with the network. */
  synced: boolean
  latencyMs: number
  /** Attempts at the node that answered (1 when the first try worked). */
  attempts: number
}

export interface TipInfoOptions {
  /** Base node URL(s) to ask, in order; defaults to `network.baseNodeUrls`. */
  url?: string | string[]
}

export interface Transaction {
  /** Decimal string (a u64). */
  id: string
  /**
   * `pendingInbound`, `pendingOutbound`, `cancelled`, or the library's status: `completed`, `broadcast`,
   * `minedUnconfirmed`, `minedConfirmed`, `oneSidedUnconfirmed`, `oneSidedConfirmed`, `coinbase...`, ...
   */
  status: string
  direction: 'inbound' | 'outbound' | 'unknown'
  /** µT. */
  amount: bigint
  /** µT; 0 for incoming. */
  fee: bigint
  minedHeight?: number
  confirmations?: number
  /** Milliseconds since the epoch. */
  timestamp: number
  message: string
  counterparty?: string
  cancelReason?: string
}

/**
 * Applies a partial configuration at runtime and returns the new effective configuration. The whole
 * result is validated first; on `ERR_CONFIG` nothing changes. Thread counts cannot change once the
 * runtimes run.
 */
export declare function updateConfig(patch: ConfigPatch): ConfigSnapshot

export interface Utxo {
  /** Pedersen commitment, hex: pass these to `coinSplit`/`coinJoin`. */
  commitment: string
  /** µT. */
  value: bigint
  /** `unspent`, `spent`, `encumberedToBeReceived`, `encumberedToBeSpent`, ... */
  status: string
  minedHeight?: number
}

export interface UtxoListOptions {
  /** List spent outputs instead of unspent ones. */
  spent?: boolean
  offset?: number
  /** Default 100, at most 10000. */
  limit?: number
}

/** Like `parseAddress` but never throws for an invalid address: `{ valid, reason?, message?, address? }`. */
export declare function validateAddress(address: string, network?: NetworkName): AddressValidation

/**
 * Checks 24 seed words without a wallet. Rejects with `ERR_INVALID_SEED_WORDS` (and `reason`: count,
 * unknown-word, checksum or decryption) when they are not a valid Tari CipherSeed.
 */
export declare function validateSeedWords(words: string | string[]): Promise<SeedInfo>

/** Re-checks transactions and outputs against the base node now; results arrive as `validation` events. */
export declare function validateWallet(handle: number): Promise<void>

/**
 * Checks a signature made by `signMessage`, with no wallet. `signer` is the signer's Tari address (any
 * encoding) or public key (hex). False for a wrong or tampered message or signature; throws
 * `ERR_INVALID_ADDRESS` / `ERR_INVALID_ARGUMENT` only when `signer` itself is unreadable.
 */
export declare function verifyMessageSignature(signer: string, message: string, signature: string): boolean

export interface VersionInfo {
  sdk: string
  /** The embedded minotari_wallet crate. */
  minotariWallet: string
  /** `testnet` builds use localnet, igor and esmeralda; `mainnet` builds use mainnet and stagenet. */
  buildTarget: string
}

/** One event. `type` says which fields are set (see `WalletEventType` for the per-type shapes). */
export interface WalletEventObject {
  /**
   * received, sent, broadcast, minedUnconfirmed, confirmed, cancelled, balanceChanged, connectivity,
   * scanProgress, validation, or lagged (events were dropped for this listener: `dropped`).
   */
  type: string
  walletHandle: number
  /** Milliseconds since the epoch. */
  timestamp: number
  txId?: string
  confirmations?: number
  reason?: string
  balance?: Balance
  /** connectivity: `online`, `degraded` (reachable but not synced) or `offline`. */
  status?: string
  latencyMs?: number
  tipHeight?: number
  currentHeight?: number
  /** validation: `transactions` or `outputs`. */
  target?: string
  success?: boolean
  /**
   * lagged: how many events were dropped, oldest first, because this listener fell more than 1024
   * events behind (a slow listener or a blocked JS thread).
   */
  dropped?: number
}

export interface WalletInfo {
  handle: number
  dataDir: string
  network: NetworkName
  /** The wallet's one-sided address, base58. */
  address: string
  openSeconds: number
}
