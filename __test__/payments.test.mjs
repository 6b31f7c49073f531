// Payments on a real LocalNet: a funded wallet pays another; events, balances and histories agree
// exactly. Also stealth and multi-recipient sends, cancellation and the error codes of bad sends.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, sdkPath, root, sleep, waitFor, mineUntil as mineUntilOn, settle as settleOn } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

let net, tmp, a, b, c
const events = new Map()
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
const mineUntil = (what, fn, timeoutMs) => mineUntilOn(net, what, fn, timeoutMs)
const settle = (...handles) => settleOn(net, sdk, ...handles)

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-pay-test-'))
  net = await Localnet.start()
  a = await sdk.createWallet(opts('a'))
  b = await sdk.createWallet(opts('b'))
  c = await sdk.createWallet(opts('c'))
  for (const h of [a, b, c]) {
    events.set(h, [])
    sdk.onEvent(h, (e) => events.get(h).push(e))
  }
  await net.mine(6, sdk.getAddress(a).base58)
  await waitFor('A funded', async () => (await sdk.getBalance(a)).available > 0n)
  await settle(a)
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('a payment from A to B', () => {
  test('balances move by exactly the amount (and the fee), events arrive once, in order', async () => {
    const a0 = await sdk.getBalance(a)
    const b0 = await sdk.getBalance(b)
    const amount = 1_234_567n
    const estimate = await sdk.estimateFee(a, { amount })
    assert.ok(estimate.fee > 0n)
    const id = await sdk.send(a, { to: sdk.getAddress(b).base58, amount, message: 'invoice 42' })
    assert.match(id, /^\d+$/)
    const sent = await sdk.getTransaction(a, id)
    assert.equal(sent.direction, 'outbound')
    assert.equal(sent.amount, amount)
    assert.equal(sent.message, 'invoice 42')
    // The send's latency, split into the SDK's stages and the library's.
    const sends = sdk.getMetrics().operations.find((o) => o.op === 'send')
    assert.deepEqual(sends.stages.map((st) => st.stage), ['prepare', 'wallet', 'record'])
    for (const st of sends.stages) {
      assert.ok(st.count >= 1 && st.latency.meanMs <= sends.latency.maxMs, `${st.stage}: ${JSON.stringify(st)}`)
    }
    await sleep(2500) // let the broadcast reach the mempool
    await mineUntil('B to see the payment', async () => (await sdk.getBalance(b)).pendingIncoming === amount)
    await settle(a, b)

    const a1 = await sdk.getBalance(a)
    const b1 = await sdk.getBalance(b)
    const fee = (await sdk.getTransaction(a, id)).fee
    assert.equal(b1.available - b0.available, amount, 'B grows by exactly the amount')
    assert.equal(a0.available - a1.available, amount + fee, 'A shrinks by exactly amount + fee')

    // the sender learns the mined height at its next transaction validation
    const mine = await waitFor('A to see its payment mined', async () => {
      const t = await sdk.getTransaction(a, id)
      return t.minedHeight && t.status === 'minedConfirmed' && t
    })
    assert.ok(mine.confirmations >= 1 && mine.minedHeight > 0)
    const theirs = await waitFor('B to see its payment confirmed', async () => {
      const [t] = (await sdk.getTransactions(b)).filter((t) => t.direction === 'inbound' && t.amount === amount)
      return t && t.minedHeight && events.get(b).some((e) => e.type === 'confirmed' && e.txId === t.id) && t
    })
    assert.equal(theirs.message, 'invoice 42')
    assert.equal(theirs.minedHeight, mine.minedHeight)
    assert.equal(theirs.counterparty, sdk.getAddress(a).base58)

    // B's events for this payment: received, then mined-unconfirmed, then confirmed; each once.
    const forTx = events.get(b).filter((e) => e.txId === theirs.id)
    const order = forTx.map((e) => e.type).filter((t, i, all) => all.indexOf(t) === i)
    assert.deepEqual(order.filter((t) => ['received', 'minedUnconfirmed', 'confirmed'].includes(t)), ['received', 'minedUnconfirmed', 'confirmed'])
    assert.equal(forTx.filter((e) => e.type === 'received').length, 1, 'received exactly once')
    assert.equal(forTx.filter((e) => e.type === 'confirmed').length, 1, 'confirmed exactly once')
    for (const e of forTx) {
      assert.equal(e.walletHandle, b)
      assert.equal(typeof e.timestamp, 'number')
    }
    await waitFor('A confirmed event', () => events.get(a).some((e) => e.type === 'confirmed' && e.txId === id))
    const lastBalance = events.get(b).filter((e) => e.type === 'balanceChanged').pop()
    assert.deepEqual(lastBalance.balance, b1)
    // A saw its own send go out
    const aTypes = events.get(a).filter((e) => e.txId === id).map((e) => e.type)
    for (const t of ['sent', 'broadcast', 'confirmed']) assert.equal(aTypes.filter((x) => x === t).length, 1, `${t} once on A`)
  })

  test('stealth and multi-recipient sends both arrive', async () => {
    const b0 = await sdk.getBalance(b)
    const c0 = await sdk.getBalance(c)
    await sdk.send(a, { to: sdk.getAddress(b).base58, amount: 5_000n, stealth: true })
    const ids = await sdk.sendMany(a, {
      recipients: [
        { to: sdk.getAddress(b).emoji, amount: 7_000n, message: 'split 1' },
        { to: sdk.getAddress(c).base58, amount: 11_000n },
      ],
    })
    assert.equal(ids.length, 2)
    await sleep(2500)
    // B and C only learn of one-sided payments when they scan, so wait for the amounts themselves
    await mineUntil('B and C to receive', async () => {
      const [bb, cc] = await Promise.all([sdk.getBalance(b), sdk.getBalance(c)])
      return bb.available - b0.available === 12_000n && cc.available - c0.available === 11_000n
    })
    await settle(a, b, c)
    assert.equal((await sdk.getBalance(b)).available - b0.available, 12_000n)
    assert.equal((await sdk.getBalance(c)).available - c0.available, 11_000n)
  })

  test('a broadcast payment cannot be cancelled: a node would still mine it', async () => {
    await settle(a, c)
    const c0 = await sdk.getBalance(c)
    const id = await sdk.send(a, { to: sdk.getAddress(c).base58, amount: 3_000_000n })
    const pending = await sdk.getBalance(a)
    const refused = await rejectsCode(sdk.cancelTransaction(a, id), 'ERR_NOT_CANCELLABLE')
    assert.equal(refused.reason, 'broadcast')
    assert.notEqual((await sdk.getTransaction(a, id)).status, 'cancelled')
    assert.deepEqual(await sdk.getBalance(a), pending, 'its inputs stay spent')
    // What a cancel would have hidden: the payment is mined all the same.
    await settle(a, c)
    assert.equal((await sdk.getBalance(c)).available - c0.available, 3_000_000n)
    // a mined transaction cannot be cancelled
    const [mined] = (await sdk.getTransactions(a)).filter((t) => t.minedHeight)
    assert.equal((await rejectsCode(sdk.cancelTransaction(a, mined.id), 'ERR_NOT_CANCELLABLE')).reason, 'mined')
    await rejectsCode(sdk.getTransaction(a, '123'), 'ERR_TRANSACTION_NOT_FOUND')
  })
})

describe('bad sends get typed errors and change nothing', () => {
  test('insufficient funds, bad addresses, bad amounts', async () => {
    const before = await sdk.getBalance(a)
    const to = sdk.getAddress(b).base58
    const e = await rejectsCode(sdk.send(c, { to, amount: 10n ** 15n }), 'ERR_INSUFFICIENT_FUNDS')
    assert.equal(typeof e.available, 'bigint')
    const badChecksum = to.slice(0, -1) + (to.endsWith('2') ? '3' : '2')
    assert.equal((await rejectsCode(sdk.send(a, { to: badChecksum, amount: 1n }), 'ERR_INVALID_ADDRESS')).reason, 'checksum')
    assert.equal((await rejectsCode(sdk.send(a, { to: 'not an address!', amount: 1n }), 'ERR_INVALID_ADDRESS')).reason, 'encoding')
    assert.equal((await rejectsCode(sdk.send(a, { to: 'garbage', amount: 1n }), 'ERR_INVALID_ADDRESS')).reason, 'size')
    // an address of another network
    const esme = sdk.getAddress(b).hex.replace(/^10/, '26')
    await rejectsCode(sdk.send(a, { to: esme, amount: 1n }), 'ERR_INVALID_ADDRESS')
    await rejectsCode(sdk.send(a, { to, amount: 0n }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.send(a, { to, amount: -5n }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.send(a, { to, amount: 2n ** 64n }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.send(a, { to, amount: 5 }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.send(a, { to, amount: 5n, feePerGram: 0n }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.send(a, { to, amount: 5n, message: 'x'.repeat(300) }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.sendMany(a, { recipients: [] }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.getTransaction(a, 'abc'), 'ERR_INVALID_ARGUMENT')
    assert.deepEqual(await sdk.getBalance(a), before, 'nothing moved')
    // and the wallet still works
    const id = await sdk.send(a, { to, amount: 1_000n })
    assert.equal((await sdk.getTransaction(a, id)).amount, 1_000n)
  })
})

describe('UTXOs', () => {
  test('coin split then coin join: the output count changes, the balance only by the fees', async () => {
    await settle(a)
    const start = await sdk.getBalance(a)
    const before = await sdk.getUtxos(a)
    assert.ok(before.length >= 1)
    assert.ok(before.every((u) => u.status === 'unspent' && typeof u.value === 'bigint'))
    const preview = await sdk.coinSplit(a, { count: 4, preview: true })
    assert.equal(preview.outputs.length, 4)
    assert.equal(preview.txId, undefined)
    assert.deepEqual(await sdk.getUtxos(a), before, 'a preview changes nothing')
    const split = await sdk.coinSplit(a, { count: 4 })
    assert.match(split.txId, /^\d+$/)
    await sleep(2500)
    await net.mine(1)
    await settle(a)
    const afterSplit = await sdk.getUtxos(a)
    assert.equal(afterSplit.length, before.length - 1 + 4)
    const mid = await sdk.getBalance(a)
    assert.equal(start.available - mid.available, split.fee)

    const joinPreview = await sdk.coinJoin(a, { preview: true })
    assert.equal(joinPreview.outputs.length, 1)
    const join = await sdk.coinJoin(a)
    await sleep(2500)
    await net.mine(1)
    await settle(a)
    assert.equal((await sdk.getUtxos(a)).length, 1)
    assert.equal(mid.available - (await sdk.getBalance(a)).available, join.fee)
    assert.ok((await sdk.getUtxos(a, { spent: true })).length >= before.length)
    await sdk.validateWallet(a)
    await rejectsCode(sdk.coinSplit(a, { count: 1 }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.coinSplit(a, { count: 2, commitments: ['zz'] }), 'ERR_INVALID_ARGUMENT')
  })
})

describe('messages', () => {
  test('sign/verify round trip with the address or the public key; tampering fails', async () => {
    const signed = await sdk.signMessage(a, 'I owe B 5 T')
    assert.match(signed.signature, /^[0-9a-f]{128}$/)
    for (const signer of [sdk.getAddress(a).base58, sdk.getAddress(a).emoji, signed.publicKey]) {
      assert.equal(sdk.verifyMessageSignature(signer, 'I owe B 5 T', signed.signature), true)
    }
    assert.equal(sdk.verifyMessageSignature(sdk.getAddress(a).base58, 'I owe B 6 T', signed.signature), false)
    assert.equal(sdk.verifyMessageSignature(sdk.getAddress(b).base58, 'I owe B 5 T', signed.signature), false)
    const flipped = signed.signature.slice(0, -1) + (signed.signature.endsWith('0') ? '1' : '0')
    assert.equal(sdk.verifyMessageSignature(signed.publicKey, 'I owe B 5 T', flipped), false)
    assert.equal(sdk.verifyMessageSignature(signed.publicKey, 'I owe B 5 T', 'nonsense'), false)
    assert.throws(() => sdk.verifyMessageSignature('nonsense!', 'x', signed.signature), { code: 'ERR_INVALID_ADDRESS' })
  })
})

describe('the Wallet class', () => {
  test('events, async iteration, waits with AbortSignal, and asyncDispose', async () => {
    const w = await sdk.Wallet.create(opts('class'))
    assert.equal(typeof w.handle, 'number')
    const ac = new AbortController()
    const seen = []
    const iterating = (async () => {
      for await (const e of w.events({ signal: ac.signal })) {
        seen.push(e.type)
        if (e.type === 'balanceChanged' && e.balance.available > 0n) break
      }
    })()
    const received = new Promise((resolve) => w.once('received', resolve))
    await net.mine(4, w.address.base58)
    const funded = await w.waitForBalance(1n, { timeoutMs: 60_000 })
    assert.ok(funded.available >= 1n)
    assert.equal((await received).walletHandle, w.handle)
    await iterating
    assert.ok(seen.includes('received'))

    const never = new AbortController()
    const waiting = w.waitForBalance(10n ** 18n, { signal: never.signal })
    never.abort()
    await rejectsCode(waiting, 'ERR_ABORTED')
    await rejectsCode(w.waitForBalance(10n ** 18n, { timeoutMs: 50 }), 'ERR_TIMEOUT')

    const id = await w.send({ to: sdk.getAddress(b).base58, amount: 2_000n })
    await sleep(2500)
    const confirmed = await mineUntil('the class send to confirm', () => w.waitForConfirmation(id, { timeoutMs: 1_500 }).catch(() => undefined))
    assert.ok(confirmed.confirmations >= 1)

    await w[Symbol.asyncDispose]()
    await rejectsCode(sdk.getBalance(w.handle), 'ERR_INVALID_HANDLE')
    assert.equal(w.listenerCount('event'), 0)
  })
})

describe('rescan', () => {
  test('a rescan from the birthday reaches the tip with progress events and doubles nothing', async () => {
    await settle(b)
    const tip = await net.tipHeight()
    // The wallet's own scanner must have reached the tip first, or the rescan finds what it had not seen yet.
    await waitFor('the scanner to reach the tip', () => events.get(b).some((e) => e.type === 'scanProgress' && e.currentHeight >= tip), 60_000)
    await settle(b)
    const balance = await sdk.getBalance(b)
    const history = (await sdk.getTransactions(b)).map((t) => t.id).sort()
    const from = events.get(b).length
    const started = Date.now()
    const result = await sdk.rescanWallet(b, { timeoutMs: 120_000 })
    const wall = Date.now() - started
    assert.ok(result.finalHeight >= tip, `reached ${result.finalHeight} of ${tip}`)
    assert.equal(result.recoveredOutputs, 0, 'everything was already held')
    assert.equal(result.recoveredValue, 0n)
    assert.ok(result.durationMs > 0 && result.durationMs <= wall + 5, `the scan took ${result.durationMs} ms of the call's ${wall} ms`)
    await waitFor('progress events', () => events.get(b).slice(from).some((e) => e.type === 'scanProgress' && e.currentHeight === result.finalHeight), 10_000)
    assert.deepEqual(await sdk.getBalance(b), balance, 'the balance is unchanged')
    assert.deepEqual((await sdk.getTransactions(b)).map((t) => t.id).sort(), history, 'no transaction appeared twice')
    await rejectsCode(sdk.rescanWallet(424242), 'ERR_INVALID_HANDLE')
  })
})
