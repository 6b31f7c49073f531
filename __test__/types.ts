// Compiled with `tsc --noEmit --strict` by the test command: the published typings must describe how a
// TypeScript user calls the SDK. Never executed.
import * as sdk from 'tari-wallet-sdk'
import { Wallet, createWallet, type WalletEvent } from 'tari-wallet-sdk'
import type {
  AddressInfo, Balance, ConfigSnapshot, HealthStatus, LogRecord, MemoryBreakdown, MemoryStats, MetricsReport, RuntimeReport, SdkError,
  PayoutResult, PayoutProgress, ErrorCodeName, CoinTidy, OperationStage,
} from 'tari-wallet-sdk'
import { Localnet } from 'tari-wallet-sdk/localnet'

async function usage(): Promise<void> {
  const snap: ConfigSnapshot = sdk.init({ configFile: './tari.toml', config: { limits: { maxWalletInstances: 10 } } })
  const level: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = snap.config.logging.level
  const source = snap.sources['limits.maxWalletInstances']
  if (source?.layer === 'env') console.log(source.var)
  sdk.updateConfig({ logging: { level: 'debug' } })

  const runtimes: RuntimeReport = sdk.getRuntimeStats()
  const busy: number[] = runtimes.runtimes.map((r) => r.busyRatio)
  const mem: MemoryStats = sdk.getMemoryStats()
  const rss: number | null | undefined = mem.rssBytes
  const owners: MemoryBreakdown = sdk.getMemoryBreakdown()
  const sqlite: number = owners.sqliteBytes
  const retained: number | null | undefined = owners.mallocFreeBytes
  const health: HealthStatus = sdk.getHealthStatus()
  const check = health.checks['memory:utilization']?.[0]?.observedValue
  const probe: 'pass' | 'warn' | 'fail' = sdk.getHealthCheck().status
  await sdk.ping('wallet')
  console.log(level, busy, rss, check, probe, sdk.getVersion().minotariWallet)

  await using net = await Localnet.start()
  await using peer = await net.startPeer({ startTimeoutMs: 60_000 })
  await net.split()
  const branch: number = await peer.mine(3)
  await net.join(10_000)
  const { height, hash } = await net.tip()
  const same: boolean = (await peer.blockHash(height)) === hash && branch > 0 && (await net.connectedPeers()) > 0
  const handle: number = await sdk.createWallet({ dataDir: '/tmp/w', passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl })
  const address: AddressInfo = sdk.getAddress(handle)
  await net.mine(3, address.base58)
  const balance: Balance = await sdk.getBalance(handle)
  const spendable: bigint = balance.available + balance.timeLocked
  const words: string[] = await sdk.getSeedWords(handle)
  const restored = await sdk.createWallet({ dataDir: '/tmp/r', passphrase: 'pw', seedWords: words, birthday: 0 })
  // Cold storage: keys out, a view wallet in, prepare → sign → broadcast as opaque text.
  const keys = await sdk.exportViewKeys(handle, { passphrase: 'pw' })
  const viewOnly: number = await sdk.createViewWallet({ dataDir: '/tmp/v', passphrase: 'pw', ...keys })
  const prepared = await sdk.prepareTransaction(viewOnly, { to: address.base58, amount: 5n })
  const offline = await sdk.signTransaction(handle, prepared.unsigned)
  const cost: bigint = offline.fee + prepared.inputTotal
  const sentId: string = await sdk.broadcastSignedTransaction(viewOnly, offline.signed)
  await sdk.cancelPrepared(viewOnly, prepared.id)
  const coldWallet = await sdk.Wallet.createView({ dataDir: '/tmp/v2', passphrase: 'pw', viewKey: keys.viewKey, spendPublicKey: keys.spendPublicKey, birthday: keys.birthday })
  console.log(cost, sentId, (await coldWallet.prepareTransaction({ to: address.base58, amount: 1n })).id)
  const fromKeys: AddressInfo = sdk.addressFromKeys({ viewKey: 'ab'.repeat(32), spendKey: 'cd'.repeat(32), network: 'localnet', features: 1 })
  console.log(fromKeys.base58)
  const validation = sdk.validateAddress(address.emoji, 'localnet')
  if (!validation.valid) console.log(validation.reason)
  console.log(spendable, sdk.listWallets().map((w) => w.handle), (await sdk.validateSeedWords(words)).birthday)
  await sdk.closeWallet(restored)

  await using wallet = await sdk.Wallet.create({ dataDir: '/tmp/c', passphrase: 'pw', network: 'localnet' })
  wallet.on('received', (e) => console.log(e.txId, e.walletHandle))
  const txId: string = await wallet.send({ to: address.base58, amount: 1_000n, message: 'hi', stealth: false })
  const confirmed = await wallet.waitForConfirmation(txId, { confirmations: 2, signal: AbortSignal.timeout(60_000) })
  const fee: bigint = confirmed.fee
  await wallet.waitForBalance((b) => b.available > fee)
  for await (const event of wallet.events({ signal: AbortSignal.timeout(1_000) })) {
    if (event.type === 'balanceChanged') console.log(event.balance.available)
  }
  const history = await sdk.getTransactions(handle, { kind: 'pendingOutbound', limit: 10 })
  // Receiving: payment-id addresses, filters, PayRefs, the confirmations policy.
  const deposit: AddressInfo = wallet.getAddress({ paymentId: 'customer-7' })
  const bytesId: string | undefined = sdk.getAddress(handle, { paymentId: new Uint8Array([1, 2]) }).paymentId
  const forCustomer = await sdk.getTransactions(handle, { paymentId: 'customer-7', direction: 'inbound', minHeight: 10, maxHeight: 20 })
  const payref: string | undefined = forCustomer[0]?.paymentReferences?.received[0]
  if (payref) console.log((await sdk.getPaymentByReference(handle, payref)).minedBlockHash, await wallet.transactionByPayref(payref))
  wallet.on('received', (e) => console.log(e.amount, e.paymentId, e.paymentIdText))
  const policy: number | undefined = wallet.confirmations
  console.log(deposit.paymentIdText, bytesId, policy, forCustomer[0]?.kernelExcess, forCustomer[0]?.claimedSenderAddress)
  // @ts-expect-error: direction is inbound or outbound
  await sdk.getTransactions(handle, { direction: 'sideways' })
  const signed = await sdk.signMessage(handle, 'hello')
  const ok: boolean = sdk.verifyMessageSignature(address.base58, 'hello', signed.signature)
  const sub: number = sdk.onEvent(handle, (e) => console.log(e.type))
  sdk.offEvent(sub)
  console.log(history.length, ok)
  await sdk.destroyWallet(handle)

  // Observability: call options, metrics, logs and process events.
  const bal2: Balance = await sdk.getBalance(handle, { correlationId: 'req-1', timeoutMs: 500, signal: AbortSignal.timeout(1_000) })
  const page = await sdk.getTransactions(handle, undefined, { correlationId: 'req-2' })
  await sdk.ping(undefined, { timeoutMs: 10 })
  const metrics: MetricsReport = sdk.getMetrics()
  const p95: number | undefined = metrics.operations.find((o) => o.op === 'send')?.latency.p95Ms
  const stages: OperationStage[] = metrics.operations.find((o) => o.op === 'send')?.stages ?? []
  console.log(stages.map((s) => `${s.stage} ${s.count} ${s.latency.meanMs}`))
  const text: string = sdk.getPrometheusMetrics()
  const om: string = sdk.getPrometheusMetrics('openmetrics')
  console.log(bal2, page, p95, text.length + om.length, sdk.PROMETHEUS_CONTENT_TYPE, metrics.wallets.open)
  sdk.enableMetrics(false)
  sdk.resetMetrics()
  sdk.setLogger((r: LogRecord) => {
    const op: string | number | boolean | undefined = r.fields['op']
    // @ts-expect-error a record's level is never 'off'
    if (r.level === 'off') return
    console.log(r.level, r.message, r.correlationId, op, r.timestamp.toFixed())
  }, { level: 'debug', libraryLevel: 'off' })
  // @ts-expect-error levels are the config's LogLevel
  sdk.setLogger(null, { level: 'loud' })
  sdk.setLogger(null)
  sdk.systemEvents.on('healthChanged', (e) => console.log(e.from, e.to, e.failingChecks))
  const send2: string = await wallet.send({ to: address.base58, amount: 1n, idempotencyKey: 'invoice-7' }, { correlationId: 'pay-1' })
  const ids: string[] = await sdk.sendMany(handle, { recipients: [{ to: address.base58, amount: 1n }], idempotencyKey: 'batch-1' })
  const payout: PayoutResult = await sdk.payout(handle, {
    recipients: [{ to: address.base58, amount: 1n, paymentId: new Uint8Array([1]) }, { to: address.base58, amount: 2n, message: 'm' }],
    idempotencyKey: 'payout-1',
    feePerGram: 'auto',
    maxRecipientsPerTx: 100,
    onProgress: (p: PayoutProgress) => void (p.stage === 'paying' ? p.paid : p.batches),
  })
  const child: string = await sdk.payFeeFor(handle, ids[0], { fee: 20_000n, idempotencyKey: 'cpfp' })
  void child
  const tidy: CoinTidy = await sdk.tidyCoins(handle, { minOutputs: 4, maxOutputs: 40, preview: true })
  if (tidy.action !== 'none') void tidy.outputs.map((v: bigint) => v + tidy.fee)
  const line = payout.lines[0]
  if (line.status === 'paid' && line.fee !== undefined) void (line.fee + payout.fee)
  if (line.error) void (line.error.code satisfies ErrorCodeName)
  const split = await sdk.coinSplit(handle, { count: 2, idempotencyKey: 'split-1' })
  const codes: sdk.ErrorCodeName[] = ['ERR_OUTCOME_UNKNOWN', 'ERR_IDEMPOTENCY_CONFLICT']
  console.log(ids.length, split.txId, codes)
  console.log(send2, (await wallet.utxos({ limit: 5 })).length)

  try {
    sdk.updateConfig({ retry: { attempts: 0 } })
  } catch (e) {
    if (sdk.isSdkError(e)) {
      const err: SdkError = e
      const code: 'ERR_CONFIG' | string = err.code
      console.log(code, err.field, err.correlationId, sdk.ERROR_CODES[err.code])
    }
  }
}

void usage

// Every field of the generated shapes, spelled out: a field that goes missing (or changes type) is an
// excess-property or type error here, so the typings cannot drift from the Rust types unnoticed.
export const everyConfigField: sdk.Config = {
  network: { name: 'localnet', baseNodeUrls: ['http://127.0.0.1:18142'] },
  runtime: { walletThreads: 2, cryptoThreads: 1, networkThreads: 4, generalThreads: 2 },
  limits: {
    maxWalletInstances: 64,
    maxConcurrentOperations: 1024,
    maxQueuedOperations: 4096,
    rateLimitPerMinute: 0,
    classRateLimitsPerMinute: { wallet: 0, crypto: 0, network: 0, general: 0 },
    maxRequestBytes: 65536,
  },
  timeouts: { walletMs: 1, cryptoMs: 1, networkMs: 1, generalMs: 1, connectionMs: 1, attemptMs: 2000 },
  retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 },
  breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30000 },
  health: {
    memoryLimitBytes: 8 * 2 ** 30,
    errorRateWarning: 0.05,
    errorRateDegraded: 0.1,
    errorRateCritical: 0.25,
    latencyTargetMs: 1000,
    queueDepthWarning: 1000,
    tipAgeWarningSecs: 1200,
    tipAgeDegradedSecs: 3600,
    checkIntervalMs: 5000,
  },
  logging: { level: 'warn', libraryLevel: 'off', format: 'pretty' },
  metrics: { enabled: true, walletLabels: false },
  memory: { sqliteHeapLimitBytes: 16 * 2 ** 20, trimIntervalSecs: 30, mmapThresholdBytes: 128 * 1024 },
  wallet: { dbPoolSize: 4, scanningIntervalSecs: 5, tlsRoots: 'system', confirmations: 3 },
}

export function documentedUpdates(): void {
  sdk.updateConfig({ timeouts: { attemptMs: 2000 } })
  sdk.updateConfig({ wallet: { tlsRoots: 'system' } })
  sdk.updateConfig({ limits: { classRateLimitsPerMinute: { wallet: 100 } } })
  const interval: number = sdk.getConfig().config.health.checkIntervalMs
  const labels: boolean = sdk.getConfig().config.metrics.walletLabels
  console.log(interval, labels)
}

export const everyMetricsField: sdk.MetricsReport = {
  enabled: true,
  uptimeSeconds: 1,
  operations: [
    {
      op: 'send',
      count: 1,
      ok: 1,
      errors: { ERR_TIMEOUT: 1 },
      inFlight: 0,
      latency: { p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1, meanMs: 1 },
      lastMinute: { operations: 1, failures: 0, perSecond: 0.1 },
      stages: [{ stage: 'wallet', count: 1, latency: { p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1, meanMs: 1 } }],
    },
  ],
  runtimes: {
    started: true,
    backgroundTasks: 1,
    runtimes: [{ name: 'wallet', workers: 2, aliveTasks: 1, globalQueueDepth: 0, busyMs: 1, busyRatio: 0.1, opsCompleted: 1 }],
  },
  memory: { currentBytes: 1, peakBytes: 1, totalAllocatedBytes: 1, allocations: 1, deallocations: 1, reallocations: 1, rssBytes: null },
  wallets: { open: 1, max: 64 },
  limits: { inFlight: 0, queued: 0, maxConcurrent: 1024, maxQueued: 4096, rateLimitedTotal: 0, overloadedTotal: 0 },
  breakers: [{ url: 'http://127.0.0.1:1', state: 'halfOpen', consecutiveFailures: 1, retryAfterMs: 0 }],
  health: 'degraded',
  logRecordsDropped: 0,
}

/** Every event variant, narrowed by `type`; a variant that goes missing breaks its `case`. */
export function describe(e: sdk.WalletEvent): string {
  switch (e.type) {
    case 'received':
    case 'sent':
    case 'broadcast':
    case 'confirmed':
      return e.txId
    case 'minedUnconfirmed':
      return `${e.txId} ${e.confirmations}`
    case 'cancelled':
      return `${e.txId} ${e.reason}`
    case 'reorged':
      return `${e.txId} left ${e.oldBlockHash} at ${e.oldHeight}, now ${e.status}`
    case 'balanceChanged': {
      const b: bigint = e.balance.available + e.balance.pendingIncoming + e.balance.pendingOutgoing + e.balance.timeLocked
      return String(b)
    }
    case 'connectivity':
      return `${e.status} ${e.latencyMs} ${e.tipHeight}`
    case 'scanProgress':
      return `${e.currentHeight}/${e.tipHeight}`
    case 'validation':
      return `${e.target} ${e.success}`
    case 'lagged':
      return String(e.dropped)
    default: {
      const none: never = e
      return none
    }
  }
}

export function describeSystem(e: sdk.SystemEvent): string {
  switch (e.type) {
    case 'healthChanged':
      return `${e.from}->${e.to} ${e.status} ${e.failingChecks.join()}`
    case 'breakerChanged':
      return `${e.url} ${e.from}->${e.to}`
    case 'lagged':
      return String(e.dropped)
    default: {
      const none: never = e
      return none
    }
  }
}

export function statuses(t: sdk.Transaction): boolean {
  const done: sdk.TransactionStatus[] = ['minedConfirmed', 'oneSidedConfirmed', 'coinbaseConfirmed']
  // @ts-expect-error: not a status
  const wrong: sdk.TransactionStatus = 'mined'
  const height: number | undefined = t.minedHeight
  console.log(wrong, height)
  return done.includes(t.status)
}

export function narrowed(wallet: sdk.Wallet): void {
  wallet.on('minedUnconfirmed', (e) => console.log(e.confirmations))
  wallet.on('confirmed', (e) => console.log(e.minedHeight, e.minedBlockHash))
  wallet.on('reorged', (e) => console.log(e.oldHeight.toFixed(), e.oldBlockHash.length, e.status === 'broadcast'))
  wallet.once('balanceChanged', (e) => console.log(e.balance.available))
  // @ts-expect-error: a misspelt event name does not compile
  wallet.on('recieved', () => {})
  // @ts-expect-error: a `received` event has no balance
  wallet.on('received', (e) => console.log(e.balance))
}

// Named imports, as ESM and bundler users write them.
export async function named(): Promise<WalletEvent['type']> {
  const w: Wallet = await Wallet.open({ dataDir: '/tmp/w', passphrase: 'pw' })
  const h: number = await createWallet({ dataDir: '/tmp/x', passphrase: 'pw' })
  console.log(w.handle, h)
  return 'received'
}
