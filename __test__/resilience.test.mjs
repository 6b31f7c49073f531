// Resilience against real faults: a real minotari_node on LocalNet behind loopback fault proxies. The
// circuit breaker opens, fails fast, half-opens and closes; timeouts fire at the configured value and
// retries back off with jitter; reads fail over to the next base node; a wallet opened while its node is
// down serves local data and comes online when the node returns.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import { rejectsCode, sdkPath, root, waitFor, mineUntil, settle, fakeNode } from './helpers.mjs'
import { FaultProxy } from './fault-proxy.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

let net, a, b, tmp
const systemEvents = []
const records = []

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-resilience-test-'))
  net = await Localnet.start()
  a = await FaultProxy.start(net.httpUrl)
  b = await FaultProxy.start(net.httpUrl)
  sdk.systemEvents.on('breakerChanged', (e) => systemEvents.push(e))
  sdk.setLogger((r) => records.push(r), { level: 'debug' })
})

after(async () => {
  sdk.setLogger(null, { level: 'warn' })
  sdk.systemEvents.removeAllListeners('breakerChanged')
  await a?.stop()
  await b?.stop()
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('SDK calls to the base node', () => {
  test('a healthy node answers through the proxy', async () => {
    const tip = await sdk.getTipInfo({ url: a.url })
    assert.equal(tip.url, a.url)
    assert.ok(tip.height >= 0)
    assert.equal(tip.attempts, 1)
    assert.match(tip.bestBlockHash, /^[0-9a-f]{64}$/)
  })

  test('flapping node: the breaker opens after the threshold, fails fast, half-opens, then closes', async () => {
    sdk.updateConfig({ retry: { attempts: 1 }, breaker: { failureThreshold: 3, successThreshold: 2, resetTimeoutMs: 600 } })
    a.set('reset')
    for (let i = 0; i < 3; i++) await rejectsCode(sdk.getTipInfo({ url: a.url }), 'ERR_BASE_NODE', /failed/)
    const opened = await waitFor('breaker open event', () => systemEvents.find((e) => e.url === a.url && e.to === 'open'), 5000)
    assert.equal(opened.from, 'closed')

    const before = a.accepted.reset
    // The fastest of five: one call can wait 5 ms for a CPU on a loaded machine; the breaker never does.
    let micros = Infinity
    let fast
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint()
      fast = await rejectsCode(sdk.getTipInfo({ url: a.url }), 'ERR_CIRCUIT_OPEN')
      micros = Math.min(micros, Number(process.hrtime.bigint() - started) / 1e3)
    }
    assert.ok(fast.retryAfterMs > 0 && fast.retryAfterMs <= 600, `retryAfterMs ${fast.retryAfterMs}`)
    assert.ok(micros < 5000, `failed fast in ${micros.toFixed(0)} µs`)
    assert.equal(a.accepted.reset, before, 'no connection was attempted while open')

    const m = sdk.getMetrics().breakers.find((x) => x.url === a.url)
    assert.equal(m.state, 'open')
    const check = sdk.getHealthStatus().checks['baseNode:circuitBreaker'].find((c) => c.componentId === a.url)
    assert.equal(check.level, 'degraded')
    assert.match(sdk.getPrometheusMetrics(), new RegExp(`tari_sdk_base_node_breaker_state\\{base_node="${a.url}"\\} 2`))

    a.set('pass')
    await new Promise((r) => setTimeout(r, 650))
    await sdk.getTipInfo({ url: a.url })
    // Events arrive on the JS thread a little after the call that caused them settles.
    await waitFor('half-open event', () => systemEvents.some((e) => e.url === a.url && e.from === 'open' && e.to === 'halfOpen'), 5000)
    assert.equal(sdk.getMetrics().breakers.find((x) => x.url === a.url).state, 'halfOpen')
    await sdk.getTipInfo({ url: a.url })
    await waitFor('closed event', () => systemEvents.some((e) => e.url === a.url && e.from === 'halfOpen' && e.to === 'closed'), 5000)
    assert.equal(sdk.getHealthStatus().checks['baseNode:circuitBreaker'].find((c) => c.componentId === a.url).level, 'healthy')
  })

  test('slow node: each attempt times out at the configured value; retries back off with jitter', async () => {
    sdk.updateConfig({ retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, timeouts: { attemptMs: 200 }, breaker: { failureThreshold: 50 } })
    a.set('delay', { delayMs: 2000 })
    const from = records.length
    const started = Date.now()
    const e = await rejectsCode(sdk.getTipInfo({ url: a.url }, { correlationId: 'slow-1' }), 'ERR_TIMEOUT', /200 ms/)
    assert.equal(e.attempts, 3)
    assert.equal(e.timeoutMs, 200)
    assert.equal(e.correlationId, 'slow-1')
    const mine = records.slice(from).filter((r) => r.correlationId === 'slow-1')
    const attempts = mine.filter((r) => r.message === 'base node attempt').map((r) => r.timestamp)
    const delays = mine.filter((r) => r.message === 'retrying base node call').map((r) => r.fields.delay_ms)
    assert.equal(attempts.length, 3)
    assert.equal(delays.length, 2)
    // Exponential from 100 ms, each delay jittered by up to +100%.
    assert.ok(delays[0] >= 100 && delays[0] < 200, `first delay ${delays[0]}`)
    assert.ok(delays[1] >= 200 && delays[1] < 400, `second delay ${delays[1]}`)
    // The attempts start a timeout plus that delay apart.
    const gaps = [attempts[1] - attempts[0], attempts[2] - attempts[1]]
    assert.ok(gaps[0] >= 200 + delays[0] - 5 && gaps[0] < 200 + delays[0] + 150, `gap ${gaps[0]}`)
    assert.ok(gaps[1] >= 200 + delays[1] - 5 && gaps[1] < 200 + delays[1] + 150, `gap ${gaps[1]}`)
    assert.ok(Date.now() - started < 2000)
    a.set('pass')
  })

  test('answers the node refused are not retried; its failures to answer are', async () => {
    const [refusing, failing] = [await fakeNode(404), await fakeNode(503)]
    sdk.updateConfig({ retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 } })
    try {
      await rejectsCode(sdk.getTipInfo({ url: refusing.url }), 'ERR_BASE_NODE', /HTTP 404/)
      assert.equal(refusing.server.requests, 1, 'a 404 is an answer: asked once')
      await rejectsCode(sdk.getTipInfo({ url: failing.url }), 'ERR_BASE_NODE')
      assert.equal(failing.server.requests, 3, 'a 503 is retried up to retry.attempts')
      await rejectsCode(sdk.getTipInfo({ url: 'ftp://nope' }), 'ERR_INVALID_ARGUMENT')
      sdk.updateConfig({ network: { baseNodeUrls: [] } })
      await rejectsCode(sdk.getTipInfo(), 'ERR_CONFIG', /baseNodeUrls/)
    } finally {
      refusing.server.close()
      failing.server.close()
    }
  })

  test('two base nodes: with the primary blackholed, reads fail over to the next', async () => {
    sdk.updateConfig({
      network: { baseNodeUrls: [a.url, b.url] },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
      timeouts: { attemptMs: 300 },
      breaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
    })
    assert.equal((await sdk.getTipInfo()).url, a.url)
    a.set('blackhole')
    const tip = await sdk.getTipInfo()
    assert.equal(tip.url, b.url)
    assert.ok(tip.height >= 0)
    // The primary's breaker is now open: the next read goes straight to the second node.
    const started = Date.now()
    assert.equal((await sdk.getTipInfo()).url, b.url)
    assert.ok(Date.now() - started < 250, 'no time spent on the open primary')
    a.set('pass')
  })
})

describe('wallets behind faulty links', () => {
  let sender
  const opts = (name, baseNodeUrl) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl, scanningIntervalSecs: 1 })
  const events = new Map()
  const watch = (h) => {
    events.set(h, [])
    sdk.onEvent(h, (e) => events.get(h).push(e))
  }
  const inbound = async (h) => (await sdk.getTransactions(h)).filter((t) => t.direction === 'inbound')

  before(async () => {
    sdk.updateConfig({ retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 200 }, timeouts: { attemptMs: 1000 }, breaker: { failureThreshold: 5, resetTimeoutMs: 2000 } })
    sender = await sdk.createWallet(opts('sender', net.httpUrl))
    await net.mine(6, sdk.getAddress(sender).base58)
    await waitFor('sender funded', async () => (await sdk.getBalance(sender)).available > 0n)
    await settle(net, sdk, sender)
  })

  test('node down at open: the wallet opens offline, serves local reads, then comes online and the payment completes', async () => {
    const link = await FaultProxy.start(net.httpUrl)
    try {
      link.set('reset')
      const r = await sdk.createWallet(opts('down-at-open', link.url))
      watch(r)
      assert.equal((await sdk.getBalance(r)).available, 0n)
      assert.deepEqual(await sdk.getTransactions(r), [])
      assert.match(sdk.getAddress(r).base58, /^[1-9A-HJ-NP-Za-km-z]+$/)
      await waitFor('offline report', () => events.get(r).some((e) => e.type === 'connectivity' && e.status === 'offline'), 60_000)
      assert.ok(link.accepted.reset > 0, 'the wallet did try its node')

      const s0 = await sdk.getBalance(sender)
      const amount = 777_000n
      const id = await sdk.send(sender, { to: sdk.getAddress(r).base58, amount })
      await mineUntil(net, 'the payment to be mined', async () => (await sdk.getTransaction(sender, id)).minedHeight)
      assert.equal((await sdk.getBalance(r)).pendingIncoming, 0n, 'nothing arrives while the node is down')

      link.set('pass')
      await waitFor('online report', () => events.get(r).some((e) => e.type === 'connectivity' && e.status === 'online'), 60_000)
      await mineUntil(net, 'the payment to arrive', async () => (await sdk.getBalance(r)).available === amount)
      await settle(net, sdk, sender, r)

      // Nothing lost, nothing doubled.
      assert.equal((await sdk.getBalance(r)).available, amount)
      const received = await inbound(r)
      assert.equal(received.length, 1)
      assert.equal(received[0].amount, amount)
      const fee = (await sdk.getTransaction(sender, id)).fee
      assert.equal(s0.available - (await sdk.getBalance(sender)).available, amount + fee)
    } finally {
      await link.stop()
    }
  })

  test('two base nodes, the primary blackholed: the wallet opens on the one that answers; sends and receives complete', async () => {
    const primary = await FaultProxy.start(net.httpUrl)
    const secondary = await FaultProxy.start(net.httpUrl)
    try {
      primary.set('blackhole')
      const started = Date.now()
      const w = await sdk.createWallet(opts('failover', [primary.url, secondary.url]))
      assert.ok(Date.now() - started < 10_000, 'opening waited one probe at most')
      watch(w)
      const s0 = await sdk.getBalance(sender)
      const amount = 2_000_000n
      const id = await sdk.send(sender, { to: sdk.getAddress(w).base58, amount })
      await mineUntil(net, 'the payment to arrive', async () => (await sdk.getBalance(w)).available === amount)
      assert.ok(secondary.accepted.pass > 0, 'the wallet used the secondary')

      // And back: the wallet spends through the secondary too.
      const back = 500_000n
      const w0 = await sdk.getBalance(w)
      const returned = await sdk.send(w, { to: sdk.getAddress(sender).base58, amount: back })
      await mineUntil(net, 'the return payment to be mined', async () => (await sdk.getTransaction(w, returned)).minedHeight)
      await settle(net, sdk, sender, w)

      const fee = (await sdk.getTransaction(sender, id)).fee
      const backFee = (await sdk.getTransaction(w, returned)).fee
      assert.equal((await sdk.getBalance(w)).available, w0.available - back - backFee)
      assert.equal((await sdk.getBalance(sender)).available, s0.available - amount - fee + back)
      assert.equal((await inbound(w)).length, 1)
      assert.equal((await inbound(sender)).filter((t) => t.amount === back).length, 1)
    } finally {
      await primary.stop()
      await secondary.stop()
    }
  })
})
