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
