// Worker threads: each JS environment loads the addon on its own; state that belongs to an environment
// must stay with it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { sdkPath, runChild } from './helpers.mjs'

// A worker that starts a long operation with an AbortSignal when told, and aborts it when told.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const sdk = require(workerData.sdkPath)
const ac = new AbortController()
let pending
parentPort.on('message', (m) => {
  if (m === 'start') {
    const started = Date.now()
    pending = sdk.__testSleep(2000, 'general', undefined, { signal: ac.signal })
      .then(() => 'ok', (e) => e.code)
      .then((outcome) => parentPort.postMessage({ outcome, ms: Date.now() - started }))
    parentPort.postMessage('started')
  } else if (m === 'abort') {
    ac.abort()
  } else if (m === 'exit') {
    parentPort.close()
  }
})
`

function worker() {
  const w = new Worker(WORKER, { eval: true, workerData: { sdkPath } })
  const messages = []
  const waiters = []
  w.on('message', (m) => (waiters.length ? waiters.shift()(m) : messages.push(m)))
  return { w, next: () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r))) }
}

test('an abort in one worker cancels its own operation, never another worker\'s', async () => {
  const [a, b] = [worker(), worker()]
  try {
    // Both environments number their abort ids from 1, so both operations carry abort id 1.
    a.w.postMessage('start')
    assert.equal(await a.next(), 'started')
    b.w.postMessage('start')
    assert.equal(await b.next(), 'started')
    a.w.postMessage('abort')
    const [ra, rb] = await Promise.all([a.next(), b.next()])
    assert.equal(ra.outcome, 'ERR_ABORTED', `worker A: ${JSON.stringify(ra)}`)
    assert.ok(ra.ms < 1500, `worker A's operation ended on its abort (${ra.ms} ms)`)
    assert.equal(rb.outcome, 'ok', `worker B's operation ran to its end: ${JSON.stringify(rb)}`)
  } finally {
    for (const { w } of [a, b]) {
      w.postMessage('exit')
      await Promise.race([once(w, 'exit'), new Promise((r) => setTimeout(r, 5000))])
      await w.terminate()
    }
  }
})

test('the wallets a worker opened close when the worker is terminated', async () => {
  const sdk = createRequire(import.meta.url)(sdkPath)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-worker-wallet-'))
  const opts = { dataDir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' }
  const w = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads')
    const sdk = require(workerData.sdkPath)
    sdk.createWallet(workerData.opts).then((h) => parentPort.postMessage(h), (e) => parentPort.postMessage(e.code))
    setInterval(() => {}, 1000)`, { eval: true, workerData: { sdkPath, opts } })
  try {
    const [handle] = await once(w, 'message')
    assert.equal(typeof handle, 'number', `the worker could not open a wallet: ${handle}`)
    assert.ok(sdk.listWallets().some((x) => x.handle === handle))
    await w.terminate()
    const deadline = Date.now() + 15_000
    while (sdk.listWallets().some((x) => x.handle === handle) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.ok(!sdk.listWallets().some((x) => x.handle === handle), 'the wallet closed with its worker')
    // Its database was released: the main thread opens it.
    let h
    for (let i = 0; i < 100 && h === undefined; i++) {
      h = await sdk.openWallet(opts).catch((e) => (e.code === 'ERR_WALLET_LOCKED' ? new Promise((r) => setTimeout(r, 100)) : Promise.reject(e)))
    }
    assert.equal(typeof h, 'number')
    await sdk.closeWallet(h)
  } finally {
    await w.terminate()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
})

test('a logger set in a worker stops with the worker: records go back to stderr, not into the void', async () => {
  const r = runChild(`
    const { Worker } = require('node:worker_threads')
    const w = new Worker("const sdk = require(" + JSON.stringify(${JSON.stringify(sdkPath)}) + "); sdk.setLogger(() => {}, { level: 'debug' }); require('node:worker_threads').parentPort.postMessage('set')", { eval: true })
    w.once('message', async () => {
      await w.terminate()
      sdk.updateConfig({ logging: { level: 'debug' } })
      await sdk.getTipInfo({ url: 'http://127.0.0.1:9' }, { timeoutMs: 5000 }).catch(() => {})
      setTimeout(() => console.log(JSON.stringify('done')), 300)
    })`)
  assert.equal(r.json, 'done', r.stdout + r.stderr)
  assert.match(r.stderr, /"level":"debug"/, 'debug records reach stderr once the worker that held the logger is gone')
})

test('each worker\'s logger gets the records of its own operations, not another worker\'s', async () => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const sdk = require(workerData.sdkPath)
    const seen = new Set()
    sdk.setLogger((r) => r.correlationId && seen.add(r.correlationId), { level: 'debug' })
    parentPort.once('message', async () => {
      for (let i = 0; i < 5; i++) await sdk.getBalance(424242, { correlationId: workerData.name + '-' + i }).catch(() => {})
      await new Promise((r) => setTimeout(r, 300))
      parentPort.postMessage([...seen])
    })
    parentPort.postMessage('ready')`
  const workers = ['alpha', 'beta'].map((name) => new Worker(code, { eval: true, workerData: { sdkPath, name } }))
  try {
    await Promise.all(workers.map((w) => once(w, 'message')))
    workers.forEach((w) => w.postMessage('go'))
    const [alpha, beta] = (await Promise.all(workers.map((w) => once(w, 'message')))).map(([ids]) => ids)
    assert.ok(alpha.some((id) => id.startsWith('alpha-')), `alpha's logger saw its records: ${alpha}`)
    assert.ok(beta.some((id) => id.startsWith('beta-')), `beta's logger saw its records: ${beta}`)
    assert.deepEqual(alpha.filter((id) => id.startsWith('beta-')), [], "alpha's logger saw none of beta's")
    assert.deepEqual(beta.filter((id) => id.startsWith('alpha-')), [], "beta's logger saw none of alpha's")
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
})

test('two workers at once, each with its own wallet, logger and abort signal', async () => {
  const sdk = createRequire(import.meta.url)(sdkPath)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-workers-'))
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const sdk = require(workerData.sdkPath)
    const seen = new Set()
    sdk.setLogger((r) => r.correlationId && seen.add(r.correlationId), { level: 'debug' })
    sdk.createWallet({ dataDir: workerData.dir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' }).then((h) => {
      parentPort.once('message', async () => {
        const ac = new AbortController()
        const sleeping = sdk.__testSleep(2000, 'general', undefined, { signal: ac.signal }).then(() => 'ok', (e) => e.code)
        if (workerData.abort) setTimeout(() => ac.abort(), 50)
        const balance = await sdk.getBalance(h, { correlationId: workerData.name + '-balance' })
        await sdk.getBalance(424242, { correlationId: workerData.name + '-bad' }).catch(() => {})
        const outcome = await sleeping
        await new Promise((r) => setTimeout(r, 200))
        parentPort.postMessage({ handle: h, outcome, available: String(balance.available), seen: [...seen] })
      })
      parentPort.postMessage('ready')
    }, (e) => parentPort.postMessage('failed ' + e.code))`
  const workers = [
    new Worker(code, { eval: true, workerData: { sdkPath, name: 'alpha', abort: true, dir: path.join(tmp, 'alpha') } }),
    new Worker(code, { eval: true, workerData: { sdkPath, name: 'beta', abort: false, dir: path.join(tmp, 'beta') } }),
  ]
  try {
    // Both listeners at once: a message that arrives while nobody listens is lost.
    const ready = await Promise.all(workers.map((w) => once(w, 'message')))
    assert.deepEqual(ready.map(([m]) => m), ['ready', 'ready'])
    workers.forEach((w) => w.postMessage('go'))
    const [alpha, beta] = (await Promise.all(workers.map((w) => once(w, 'message')))).map(([m]) => m)
    assert.equal(alpha.outcome, 'ERR_ABORTED')
    assert.equal(beta.outcome, 'ok', 'alpha\'s abort did not reach beta')
    assert.deepEqual([alpha.available, beta.available], ['0', '0'])
    assert.ok(alpha.seen.includes('alpha-bad') && !alpha.seen.some((id) => id.startsWith('beta')), `alpha saw ${alpha.seen}`)
    assert.ok(beta.seen.includes('beta-bad') && !beta.seen.some((id) => id.startsWith('alpha')), `beta saw ${beta.seen}`)
    await Promise.all(workers.map((w) => w.terminate()))
    const deadline = Date.now() + 15_000
    const open = () => sdk.listWallets().filter((x) => x.handle === alpha.handle || x.handle === beta.handle)
    while (open().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(open(), [], 'both workers\' wallets closed with them')
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})
