// The durable event log on a real LocalNet: money events are numbered and kept until acknowledged; a
// payment received and confirmed while the wallet was closed is announced once after it reopens; and a
// process killed before it acknowledged finds the same events, with the same numbers, again.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, runChild, sdkPath, root, sleep, waitFor, mineUntil as mineUntilOn, settle as settleOn } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

const MONEY = new Set(['received', 'sent', 'broadcast', 'minedUnconfirmed', 'confirmed', 'cancelled'])
let net, tmp, a, b, deposit
const live = []
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
const mineUntil = (what, fn, timeoutMs) => mineUntilOn(net, what, fn, timeoutMs)
const brief = (e) => `${e.seq}:${e.type}:${e.txId}`

/** Pays `amount` from A to `to` and mines until A holds it as confirmed; returns A's tx id. */
async function pay(to, amount) {
  const id = await sdk.send(a, { to, amount })
  await sleep(2000)
  await mineUntil(`A's payment of ${amount} to confirm`, async () => (await sdk.getTransaction(a, id)).status === 'minedConfirmed')
  return id
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-durable-test-'))
  net = await Localnet.start()
  a = await sdk.createWallet(opts('a'))
  b = await sdk.createWallet(opts('b'))
  sdk.onEvent(b, (e) => live.push(e))
  deposit = sdk.getAddress(b, { paymentId: 'dep-1' }).base58
  await net.mine(6, sdk.getAddress(a).base58)
  await waitFor('A funded', async () => (await sdk.getBalance(a)).available > 0n)
  await settleOn(net, sdk, a)
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('the durable event log', () => {
  test('money events are numbered, kept in order, and forgotten once acknowledged', async () => {
    await pay(deposit, 11_000n)
    await mineUntil('B to confirm the deposit', () => live.some((e) => e.type === 'confirmed'))
    const money = live.filter((e) => MONEY.has(e.type))
    assert.ok(money.every((e) => Number.isSafeInteger(e.seq)), money.map(brief).join(' '))
    assert.ok(live.filter((e) => !MONEY.has(e.type)).every((e) => e.seq === undefined), 'live-only events carry no number')
    assert.ok(money.every((e, i) => i === 0 || e.seq > money[i - 1].seq), 'numbers increase')
    const stored = await sdk.getEvents(b)
    assert.deepEqual(stored.map(brief), money.map(brief), 'the log holds exactly what was delivered live')
    const received = stored.find((e) => e.type === 'received')
    assert.equal(received.amount, 11_000n)
    assert.equal(received.paymentIdText, 'dep-1')
    assert.deepEqual((await sdk.getEvents(b, { after: stored[0].seq, limit: 1 })).map(brief), [brief(stored[1])])

    await sdk.ackEvents(b, stored.at(-1).seq)
    assert.deepEqual(await sdk.getEvents(b), [])
    assert.deepEqual(await sdk.getEvents(b, { after: 0 }), [], 'acknowledged events are deleted')
    await sdk.ackEvents(b, 1) // an older number changes nothing
    await rejectsCode(sdk.ackEvents(b, -1), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.getEvents(b, { limit: 0 }), 'ERR_INVALID_ARGUMENT')
  })

  test('a payment received and confirmed while the wallet was closed is announced once after it reopens', async () => {
    const lastSeq = Math.max(...live.filter((e) => e.seq).map((e) => e.seq))
    await sdk.closeWallet(b)
    await pay(sdk.parseAddress(deposit).base58, 22_000n)
    await net.mine(3)

    b = await sdk.openWallet(opts('b'))
    const again = []
    sdk.onEvent(b, (e) => again.push(e))
    const isNew = (e) => e.type === 'received' && e.amount === 22_000n
    const stored = await waitFor('the deposit made while closed to be announced', async () => {
      const all = await sdk.getEvents(b)
      const tx = all.find(isNew)?.txId
      return tx && all.some((e) => e.type === 'confirmed' && e.txId === tx) && all
    }, 90_000)
    await net.mine(2)
    await sleep(4000) // the library's own reports of the same payment come in now, and must be dropped
    const after = await sdk.getEvents(b)
    const tx = after.find(isNew).txId
    assert.deepEqual(after.filter((e) => e.txId === tx).map((e) => e.type).filter((t) => t !== 'minedUnconfirmed'), ['received', 'confirmed'])
    assert.ok(after.every((e) => e.seq > lastSeq), 'numbering continues after the reopen')
    assert.ok(stored.every((e) => e.txId === tx), `nothing old is announced again: ${after.map(brief)}`)
    assert.equal(again.filter((e) => e.txId === tx && e.type === 'received').length, 1, 'delivered live once too')
    assert.equal((await sdk.getTransaction(b, tx)).paymentIdText, 'dep-1')
  })

  test('a process killed before it acknowledged finds the same events again', async () => {
    const before = (await sdk.getEvents(b)).map(brief)
    assert.ok(before.length >= 2)
    await sdk.closeWallet(b)
    const child = runChild(`(async () => {
      const h = await sdk.openWallet(${JSON.stringify(opts('b'))})
      const seen = await sdk.getEvents(h)
      console.log(JSON.stringify(seen.map((e) => e.seq + ':' + e.type + ':' + e.txId)))
      process.kill(process.pid, 'SIGKILL')
    })()`, { timeoutMs: 60_000 })
    assert.equal(child.signal, 'SIGKILL', child.stderr)
    assert.deepEqual(child.json, before, 'the child saw the un-acknowledged events')

    b = await sdk.openWallet(opts('b'))
    assert.deepEqual((await sdk.getEvents(b)).map(brief), before, 'the same events, with the same numbers')
    await sdk.ackEvents(b, Number(before.at(-1).split(':')[0]))
    assert.deepEqual(await sdk.getEvents(b), [])
  })
})
