// Money safety on a real LocalNet: a payment happens exactly once, whatever times out, aborts, closes or
// crashes around it. Every claim is checked on the chain: the payee's balance grows by exactly what was
// paid, the payer's balance equals its own history, and no output stays locked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, sdkPath, root, waitFor, mineUntil, settle as settleOn, balanceFromHistory } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))
const { runTrials } = require(path.join(root, 'bench', 'crash-trials.js'))

let net, tmp, a, b
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
const settle = (...handles) => settleOn(net, sdk, ...handles)
const INTERRUPTED = new Set(['ERR_TIMEOUT', 'ERR_ABORTED', 'ERR_OUTCOME_UNKNOWN'])

/** Outbound transactions of `h` to `to` of exactly `amount`, not cancelled. */
async function paymentsTo(h, to, amount) {
  const all = await sdk.getTransactions(h, { limit: 10_000 })
  return all.filter((t) => t.direction === 'outbound' && t.counterparty === to && t.amount === amount)
}

/** What the payee gained while `fn` ran and everything settled. */
async function gained(fn) {
  const before = (await sdk.getBalance(b)).available
  const value = await fn()
  await settle(a, b)
  return { value, gained: (await sdk.getBalance(b)).available - before }
}

/** The payer's available balance must equal its own history: received minus paid and fees. */
async function assertBalanceMatchesHistory(h) {
  const balance = await sdk.getBalance(h)
  assert.equal(balance.pendingOutgoing, 0n, 'no output stays locked')
  assert.equal(balance.available, await balanceFromHistory(sdk, h), 'balance = inbound - (amount + fee) of every outbound entry')
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-money-test-'))
  net = await Localnet.start()
  a = await sdk.createWallet(opts('a'))
  b = await sdk.createWallet(opts('b'))
  // One coinbase per payment the tests make before they settle, and then some.
  await net.mine(80, sdk.getAddress(a).base58)
  await waitFor('A funded', async () => (await sdk.getBalance(a)).available > 0n)
  await settle(a, b)
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

test('an idempotency key pays once: repeats, concurrent repeats and a reopen return the first id; other parameters conflict', async () => {
  const to = sdk.getAddress(b).base58
  const amount = 100_003n
  const { value: id, gained: got } = await gained(async () => {
    const id = await sdk.send(a, { to, amount, message: 'once', idempotencyKey: 'invoice-1' })
    assert.equal(await sdk.send(a, { to, amount, message: 'once', idempotencyKey: 'invoice-1' }), id)
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => sdk.send(a, { to, amount: amount + 1n, idempotencyKey: 'invoice-2' })))
    assert.equal(new Set(concurrent).size, 1, `five concurrent calls with one key gave ${new Set(concurrent).size} ids`)
    const conflict = await rejectsCode(sdk.send(a, { to, amount: amount + 5n, message: 'once', idempotencyKey: 'invoice-1' }), 'ERR_IDEMPOTENCY_CONFLICT')
    assert.ok(!conflict.message.includes('invoice-1'), 'the key is not echoed')
    await rejectsCode(sdk.send(a, { to, amount, message: 'twice', idempotencyKey: 'invoice-1' }), 'ERR_IDEMPOTENCY_CONFLICT')
    await sdk.closeWallet(a)
    a = await sdk.openWallet(opts('a'))
    assert.equal(await sdk.send(a, { to, amount, message: 'once', idempotencyKey: 'invoice-1' }), id, 'the key outlives a reopen')
    return id
  })
  assert.equal(got, amount + amount + 1n, 'the payee got each keyed payment exactly once')
  assert.deepEqual((await paymentsTo(a, to, amount)).map((t) => t.id), [id])
  assert.equal((await paymentsTo(a, to, amount + 1n)).length, 1)
  await rejectsCode(sdk.send(a, { to, amount, idempotencyKey: '' }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.send(a, { to, amount, idempotencyKey: 'k'.repeat(256) }), 'ERR_INVALID_ARGUMENT')
})

test('timeouts and aborts, 50 times, retried with the same key: each payment lands exactly once', async () => {
  const to = sdk.getAddress(b).base58
  const amount = 7_771n
  const codes = {}
  const { value: ids, gained: got } = await gained(async () => {
    const ids = []
    for (let i = 0; i < 50; i++) {
      const idempotencyKey = `interrupted-${i}`
      const payment = { to, amount, idempotencyKey }
      let first
      if (i % 2 === 0) {
        first = sdk.send(a, payment, { timeoutMs: 1 })
      } else {
        const ac = new AbortController()
        first = sdk.send(a, payment, { signal: ac.signal })
        ac.abort()
      }
      const outcome = await first.then((id) => ({ id }), (e) => ({ code: e.code, txId: e.txId }))
      codes[outcome.code ?? 'resolved'] = (codes[outcome.code ?? 'resolved'] ?? 0) + 1
      if (outcome.code) assert.ok(INTERRUPTED.has(outcome.code), `unexpected ${outcome.code}`)
      const id = await sdk.send(a, payment)
      if (outcome.id) assert.equal(id, outcome.id, 'the retry names the payment the first call made')
      ids.push(id)
    }
    return ids
  })
  assert.equal(new Set(ids).size, 50, JSON.stringify(codes))
  assert.equal(got, 50n * amount, `the payee got exactly 50 payments (${JSON.stringify(codes)})`)
  assert.equal((await paymentsTo(a, to, amount)).length, 50)
})

test('without a key, a timeout or abort rejects only when nothing was stored', async () => {
  const to = sdk.getAddress(b).base58
  const amount = 6_661n
  const { value: outcome, gained: got } = await gained(async () => {
    const resolved = []
    let unknown = 0
    for (let i = 0; i < 20; i++) {
      const ac = new AbortController()
      const p = i % 2 ? sdk.send(a, { to, amount }, { timeoutMs: 1 }) : sdk.send(a, { to, amount }, { signal: ac.signal })
      ac.abort()
      try {
        resolved.push(await p)
      } catch (e) {
        assert.ok(INTERRUPTED.has(e.code), `unexpected ${e.code}`)
        if (e.code === 'ERR_OUTCOME_UNKNOWN') unknown++
      }
    }
    return { resolved, unknown }
  })
  const stored = (await paymentsTo(a, to, amount)).map((t) => t.id).sort()
  assert.equal(outcome.unknown, 0, 'the wallet answers well within the grace period here')
  assert.deepEqual(stored, [...outcome.resolved].sort(), 'exactly the resolved calls were stored')
  assert.equal(got, BigInt(outcome.resolved.length) * amount)
})

test('closing while a send, getSeedWords or a rescan is in flight: typed errors, no half state', async () => {
  const to = sdk.getAddress(b).base58
  const amount = 5_551n
  const { gained: got } = await gained(async () => {
    const sending = sdk.send(a, { to, amount, idempotencyKey: 'close-1' }).then((id) => ({ id }), (e) => ({ code: e.code }))
    const seeds = sdk.getSeedWords(a).then((w) => ({ words: w.length }), (e) => ({ code: e.code }))
    await sdk.closeWallet(a)
    const sent = await sending
    assert.ok(sent.id || sent.code === 'ERR_INVALID_HANDLE', JSON.stringify(sent))
    const s = await seeds
    assert.ok(s.words === 24 || s.code === 'ERR_INVALID_HANDLE', JSON.stringify(s))
    a = await sdk.openWallet(opts('a'))
    const id = await sdk.send(a, { to, amount, idempotencyKey: 'close-1' })
    if (sent.id) assert.equal(id, sent.id)

    const rescan = sdk.rescanWallet(a).then((r) => ({ r }), (e) => ({ code: e.code }))
    await sdk.closeWallet(a)
    const r = await rescan
    // A rescan that finished first resolves with bigint figures, which JSON.stringify refuses.
    assert.ok(r.r || r.code === 'ERR_INVALID_HANDLE', JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
    a = await sdk.openWallet(opts('a')) // the database was released: no ERR_WALLET_LOCKED
  })
  assert.equal(got, amount)
  assert.equal((await paymentsTo(a, to, amount)).length, 1)

  // Destroy with work in flight removes everything, the SDK's journal included.
  const dir = path.join(tmp, 'doomed')
  const doomed = await sdk.createWallet({ ...opts('doomed') })
  const seeds = sdk.getSeedWords(doomed).then((w) => w.length, (e) => e.code)
  const rescan = sdk.rescanWallet(doomed).then(() => 'done', (e) => e.code)
  await sdk.destroyWallet(doomed)
  assert.ok([24, 'ERR_INVALID_HANDLE'].includes(await seeds))
  assert.ok(['done', 'ERR_INVALID_HANDLE'].includes(await rescan))
  assert.equal(fs.existsSync(dir), false, `left behind: ${fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) : ''}`)
})

test('the spend journal is private: a 0700 directory of 0600 files', () => {
  const dir = path.join(tmp, 'a', 'sdk')
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700)
  const files = fs.readdirSync(dir)
  assert.ok(files.includes('journal.sqlite3'), files.join())
  for (const f of files) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f)
})

test('coin split and join take a key too; a preview takes none', async () => {
  const c = await sdk.createWallet(opts('c'))
  await net.mine(3, sdk.getAddress(c).base58)
  // Until C has scanned its coinbases, it has nothing pending and `settle` would pass at once.
  await mineUntil(net, 'C funded', async () => (await sdk.getBalance(c)).available > 0n)
  await settle(c)
  const split = await sdk.coinSplit(c, { count: 3, idempotencyKey: 'split-1' })
  assert.deepEqual(await sdk.coinSplit(c, { count: 3, idempotencyKey: 'split-1' }), split)
  await rejectsCode(sdk.coinSplit(c, { count: 4, idempotencyKey: 'split-1' }), 'ERR_IDEMPOTENCY_CONFLICT')
  await rejectsCode(sdk.coinJoin(c, { preview: true, idempotencyKey: 'x' }), 'ERR_INVALID_ARGUMENT')
  await settle(c)
  const join = await sdk.coinJoin(c, { idempotencyKey: 'join-1' })
  assert.deepEqual(await sdk.coinJoin(c, { idempotencyKey: 'join-1' }), join)
  await settle(c)
  const cancelled = await sdk.getTransactions(c, { kind: 'cancelled' })
  assert.equal(cancelled.length, 0)
  const mine = (await sdk.getTransactions(c, { limit: 10_000 })).filter((t) => t.id === split.txId || t.id === join.txId)
  assert.equal(mine.length, 2, 'one split and one join, not more')
  await sdk.closeWallet(c)
})

test('crash trials: 10 processes killed during a keyed send; nothing lost, nothing doubled, nothing stuck', async () => {
  const r = await runTrials({ sdk, net, opts: opts('a'), payer: a, payee: b, amount: 4_441n, trials: 10 })
  a = r.payer
  const summary = `${r.trials} trials, ${r.lost} lost, ${r.duplicated} duplicated, ${r.stuck} outputs stuck`
  assert.ok(r.settled, `did not settle: ${summary}`)
  assert.ok(r.exact, summary)
  assert.equal(r.lost, 0, summary)
  assert.equal(r.duplicated, 0, summary)
  assert.equal(r.mismatched, 0, summary)
  assert.equal(r.stuck, 0, summary)
  assert.equal((await paymentsTo(a, sdk.getAddress(b).base58, 4_441n)).length, 10)
  await assertBalanceMatchesHistory(a)
})
