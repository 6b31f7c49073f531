// Compiled with `tsc --noEmit --strict` by the test command: the published typings must describe how a
// TypeScript user calls the SDK. Never executed.
import sdk = require('tari-wallet-sdk')
import type {
  AddressInfo, Balance, ConfigSnapshot, HealthStatus, LogRecordObject, MemoryStats, MetricsReport, RuntimeReport, SdkError,
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
  const health: HealthStatus = sdk.getHealthStatus()
  const check = health.checks['memory:utilization']?.[0]?.observedValue
  const probe: 'pass' | 'warn' | 'fail' = sdk.getHealthCheck().status
  await sdk.ping('wallet')
  console.log(level, busy, rss, check, probe, sdk.getVersion().minotariWallet)

  await using net = await Localnet.start()
  const handle: number = await sdk.createWallet({ dataDir: '/tmp/w', passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl })
  const address: AddressInfo = sdk.getAddress(handle)
  await net.mine(3, address.base58)
  const balance: Balance = await sdk.getBalance(handle)
  const spendable: bigint = balance.available + balance.timeLocked
  const words: string[] = await sdk.getSeedWords(handle)
  const restored = await sdk.createWallet({ dataDir: '/tmp/r', passphrase: 'pw', seedWords: words, birthday: 0 })
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
  for await (const event of wallet.events({ signal: AbortSignal.timeout(1_000) })) console.log(event.type, event.balance?.available)
  const history = await sdk.getTransactions(handle, { kind: 'pendingOutbound', limit: 10 })
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
  const text: string = sdk.getPrometheusMetrics()
  const om: string = sdk.getPrometheusMetrics('openmetrics')
  console.log(bal2, page, p95, text.length + om.length, sdk.PROMETHEUS_CONTENT_TYPE, metrics.wallets.open)
  sdk.enableMetrics(false)
  sdk.resetMetrics()
  sdk.setLogger((r: LogRecordObject) => console.log(r.level, r.message, r.correlationId, r.fields['op']), { level: 'debug' })
  sdk.setLogger(null)
  sdk.systemEvents.on('healthChanged', (e) => console.log(e.from, e.to, e.failingChecks))
  const send2: string = await wallet.send({ to: address.base58, amount: 1n, idempotencyKey: 'invoice-7' }, { correlationId: 'pay-1' })
  const ids: string[] = await sdk.sendMany(handle, { recipients: [{ to: address.base58, amount: 1n }], idempotencyKey: 'batch-1' })
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
