// Limits under load: the bulkhead (concurrency plus a bounded queue) and the token-bucket rate limiters
// refuse the excess of 2,000 concurrent calls on a real wallet with the right codes, every accepted call
// completes, memory stays bounded and health reports the overload. With room, 1,000 concurrent calls all
// succeed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import { sdkPath, nativePath } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const native = require(nativePath)

let tmp, wallet
const hostCertFile = process.env.SSL_CERT_FILE

/** Settles every promise; counts outcomes by code ('ok' for success). */
async function outcomes(promises) {
  const counts = {}
  for (const r of await Promise.allSettled(promises)) {
    const key = r.status === 'fulfilled' ? 'ok' : r.reason.code
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-limits-test-'))
  // No base node needed: balances come from the wallet's own database.
  wallet = await sdk.createWallet({ dataDir: path.join(tmp, 'w'), passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
})

after(async () => {
  sdk.updateConfig({ limits: { maxConcurrentOperations: 1024, maxQueuedOperations: 4096, rateLimitPerMinute: 0, classRateLimitsPerMinute: { network: 0 } } })
  await sdk.closeWallet(wallet)
  fs.rmSync(tmp, { recursive: true, force: true })
})

test('1,000 concurrent operations all complete when the limits allow them', async () => {
  const counts = await outcomes(Array.from({ length: 1000 }, () => sdk.getBalance(wallet)))
  assert.deepEqual(counts, { ok: 1000 })
})

test('the bulkhead refuses the excess of 2,000 concurrent calls with ERR_OVERLOADED; the rest complete', async () => {
  sdk.updateConfig({ limits: { maxConcurrentOperations: 50, maxQueuedOperations: 100 } })
  try {
    sdk.resetMetrics()
    const rssBefore = sdk.getMemoryStats().rssBytes
    const started = Date.now()
    // Operations that hold their slot 1 s: exactly 50 run, 100 queue, the rest are refused. (At 300 ms, a
    // CPU-starved machine took longer than that to make the 2,000 calls, so slots freed up in between.)
    const held = Array.from({ length: 2000 }, () => sdk.__testSleep(1000, 'wallet'))
    const health = sdk.getHealthStatus()
    assert.deepEqual(await outcomes(held), { ok: 150, ERR_OVERLOADED: 1850 })
    const saturation = health.checks['operations:saturation'][0]
    assert.equal(saturation.level, 'critical', saturation.output)
    assert.equal(health.level, 'critical')
    const err = await held[1999].catch((e) => e)
    assert.match(err.message, /maxConcurrentOperations/)
    assert.match(err.correlationId, /^[0-9a-f]{16}$/)

    // Real wallet reads that reach the library (spent outputs: never served from a kept listing), so each
    // holds its slot for a library round trip: slots free up while the calls are still being made, so
    // more get in.
    const reads = Array.from({ length: 2000 }, () => sdk.getUtxos(wallet, { spent: true }))
    const counts = await outcomes(reads)
    assert.equal(counts.ok + counts.ERR_OVERLOADED, 2000, JSON.stringify(counts))
    assert.ok(counts.ok >= 150 && counts.ERR_OVERLOADED >= 1000, JSON.stringify(counts))
    assert.ok(Array.isArray(await reads[0]), 'accepted calls complete with real results')

    assert.ok(Date.now() - started < 30_000, 'nothing hung')
    const m = sdk.getMetrics()
    assert.ok(m.limits.overloadedTotal >= 2850)
    assert.equal(m.limits.inFlight, 0)
    assert.equal(m.limits.queued, 0)
    assert.ok(sdk.getMemoryStats().rssBytes - rssBefore < 64 * 1024 * 1024, 'RSS stays bounded')
  } finally {
    sdk.updateConfig({ limits: { maxConcurrentOperations: 1024, maxQueuedOperations: 4096 } })
  }
})

test('queued calls that time out or are aborted give their queue place back', async () => {
  sdk.updateConfig({ limits: { maxConcurrentOperations: 1, maxQueuedOperations: 2 } })
  try {
    const holder = sdk.__testSleep(1500, 'general')
    const ac = new AbortController()
    const timedOut = sdk.ping('general', { timeoutMs: 50 }).catch((e) => e)
    const aborted = sdk.ping('general', { signal: ac.signal }).catch((e) => e)
    assert.equal(sdk.getMetrics().limits.queued, 2)
    ac.abort()
    assert.equal((await timedOut).code, 'ERR_TIMEOUT')
    assert.equal((await aborted).code, 'ERR_ABORTED')
    assert.equal(sdk.getMetrics().limits.queued, 0, 'no queue place leaked')
    // The queue takes two again while the slot is still held: nothing is refused.
    const next = [sdk.ping('general'), sdk.ping('general')]
    await holder
    assert.deepEqual(await outcomes(next), { ok: 2 })
  } finally {
    sdk.updateConfig({ limits: { maxConcurrentOperations: 1024, maxQueuedOperations: 4096 } })
  }
})

test('the global rate limit refuses the excess with ERR_RATE_LIMITED and retryAfterMs', async () => {
  sdk.updateConfig({ limits: { rateLimitPerMinute: 600 } })
  try {
    const calls = Array.from({ length: 2000 }, () => sdk.getBalance(wallet))
    const counts = await outcomes(calls)
    // The bucket holds a minute's worth (600); a few more tokens may drip in while the calls are made.
    assert.ok(counts.ok >= 600 && counts.ok <= 610, JSON.stringify(counts))
    assert.equal(counts.ok + counts.ERR_RATE_LIMITED, 2000)
    const err = await calls[1999].catch((e) => e)
    assert.equal(err.code, 'ERR_RATE_LIMITED')
    assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= 100, `retryAfterMs ${err.retryAfterMs}`)
    assert.ok(sdk.getMetrics().limits.rateLimitedTotal >= 1390)
  } finally {
    sdk.updateConfig({ limits: { rateLimitPerMinute: 0 } })
  }
  await sdk.getBalance(wallet)
})

test('a per-class rate limit applies to its class only', async () => {
  sdk.updateConfig({ limits: { classRateLimitsPerMinute: { network: 5 } } })
  try {
    for (let i = 0; i < 5; i++) await sdk.ping('network')
    const err = await sdk.ping('network').catch((e) => e)
    assert.equal(err.code, 'ERR_RATE_LIMITED')
    assert.match(err.message, /network rate limit/)
    assert.ok(err.retryAfterMs > 1000)
    await sdk.ping('general')
    await sdk.getBalance(wallet)
  } finally {
    sdk.updateConfig({ limits: { classRateLimitsPerMinute: { network: 0 } } })
  }
})

test('oversized string inputs are refused before any work, and errors never echo them', async () => {
  const huge = 'x'.repeat(8 * 1024 * 1024)
  const cases = [
    [() => sdk.send(wallet, { to: huge, amount: 1n }), 'ERR_INVALID_ADDRESS'],
    [() => sdk.getTransaction(wallet, huge), 'ERR_INVALID_ARGUMENT'],
    [() => sdk.cancelTransaction(wallet, huge), 'ERR_INVALID_ARGUMENT'],
    [() => sdk.signMessage(wallet, huge), 'ERR_INVALID_ARGUMENT'],
    [() => sdk.validateSeedWords(huge), 'ERR_INVALID_ARGUMENT'],
    [() => sdk.createWallet({ dataDir: huge, passphrase: 'pw' }), 'ERR_INVALID_ARGUMENT'],
  ]
  for (const [call, code] of cases) {
    const started = process.hrtime.bigint()
    const err = await call().catch((e) => e)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.equal(err.code, code, err.message)
    assert.ok(err.message.length < 300, `message of ${err.message.length} chars`)
    assert.ok(ms < 500, `refused in ${ms.toFixed(0)} ms`)
  }
  assert.equal(sdk.validateAddress(huge).reason, 'size')
  assert.throws(() => sdk.verifyMessageSignature(huge, 'm', 'sig'), (e) => e.code === 'ERR_INVALID_ADDRESS' || e.code === 'ERR_INVALID_ARGUMENT')
})

test('aborting or timing out a wallet open leaves no wallet open and the directory usable', async () => {
  const before = sdk.listWallets().length
  const dir = path.join(tmp, 'abandoned')
  const controller = new AbortController()
  const pending = sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' }, { signal: controller.signal })
  setTimeout(() => controller.abort(), 20)
  assert.equal((await pending.catch((e) => e)).code, 'ERR_ABORTED')
  const dir2 = path.join(tmp, 'timed-out')
  const timedOut = await sdk.createWallet({ dataDir: dir2, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' }, { timeoutMs: 5 }).catch((e) => e)
  assert.equal(timedOut.code, 'ERR_TIMEOUT')
  // The abandoned creates finish on their own and close again; both wallets are whole. Each directory
  // is locked while its abandoned create runs, so open it as soon as the lock is free.
  const deadline = Date.now() + 30_000
  const openWhenFree = async (dataDir) => {
    for (;;) {
      try {
        return await sdk.openWallet({ dataDir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
      } catch (e) {
        if (e.code !== 'ERR_WALLET_LOCKED' || Date.now() > deadline) throw e
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }
  for (const d of [dir, dir2]) {
    const reopened = await openWhenFree(d)
    assert.equal((await sdk.getBalance(reopened)).available, 0n)
    assert.equal((await sdk.getSeedWords(reopened)).length, 24)
    await sdk.closeWallet(reopened)
  }
  assert.equal(sdk.listWallets().length, before, 'no abandoned wallet stayed open')
})

test('idle cost: plain-http wallets skip the CA bundle; the first https use brings the host roots back', async () => {
  // The wallet in `before` uses http:// only, so the addon's OpenSSL is shown an empty CA file...
  assert.equal(native.__testAddonCertFile(), '/dev/null')
  // ...while the process environment, and what a child process inherits, stay as the host set them.
  assert.equal(process.env.SSL_CERT_FILE, hostCertFile)
  const childSees = () => execFileSync('sh', ['-c', 'echo "${SSL_CERT_FILE-unset}"'], { encoding: 'utf8' }).trim()
  assert.equal(childSees(), hostCertFile ?? 'unset')
  assert.equal((await sdk.getTipInfo({ url: 'https://127.0.0.1:9' }).catch((e) => e)).code, 'ERR_BASE_NODE')
  // Roots back: the host's value, or with none the system's bundle (native-tls keeps what it probed).
  const restored = native.__testAddonCertFile()
  assert.notEqual(restored, '/dev/null')
  if (hostCertFile) assert.equal(restored, hostCertFile)
  else if (fs.existsSync('/etc/ssl/certs/ca-certificates.crt')) assert.ok(restored, 'the system bundle is shown')
  const another = await sdk.createWallet({ dataDir: path.join(tmp, 'after-https'), passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
  assert.equal(native.__testAddonCertFile(), restored, 'never narrowed again once https was needed')
  assert.equal(process.env.SSL_CERT_FILE, hostCertFile)
  assert.equal(childSees(), hostCertFile ?? 'unset')
  await sdk.closeWallet(another)
})
