// Receiving as an exchange does it, on a real LocalNet: payment-id addresses, the payment id in history
// and in `received` events, filters, PayRefs (the same on both sides, and looked up from either), kernels,
// and a confirmations policy per wallet.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, throwsCode, sdkPath, root, sleep, waitFor, mineUntil as mineUntilOn, settle as settleOn } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

const CONFIRMATIONS = 5
let net, tmp, a, b
const events = new Map()
const opts = (name, extra = {}) => ({
  dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1, ...extra,
})
const mineUntil = (what, fn, timeoutMs) => mineUntilOn(net, what, fn, timeoutMs)
const hex = (bytes) => Buffer.from(bytes).toString('hex')
const binaryId = Buffer.alloc(62, 0xab)
let customer, binary, sends

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-receive-test-'))
  net = await Localnet.start()
  a = await sdk.createWallet(opts('a'))
  b = await sdk.createWallet(opts('b', { confirmations: CONFIRMATIONS }))
  for (const h of [a, b]) {
    events.set(h, [])
    sdk.onEvent(h, (e) => events.get(h).push(e))
  }
  await net.mine(6, sdk.getAddress(a).base58)
  await waitFor('A funded', async () => (await sdk.getBalance(a)).available > 0n)
  await settleOn(net, sdk, a)
  customer = sdk.getAddress(b, { paymentId: 'customer-1' })
  binary = sdk.getAddress(b, { paymentId: binaryId })
  const b0 = await sdk.getBalance(b)
  sends = {
    toCustomer: await sdk.send(a, { to: customer.base58, amount: 10_000n, message: 'replaced by the id' }),
    stealthToCustomer: await sdk.send(a, { to: customer.emoji, amount: 20_000n, stealth: true }),
    toBinary: await sdk.send(a, { to: binary.base58, amount: 30_000n }),
    plain: await sdk.send(a, { to: sdk.getAddress(b).base58, amount: 40_000n, message: 'plain' }),
  }
  await sleep(2500)
  await mineUntil('B to receive all four', async () => (await sdk.getBalance(b)).pendingIncoming + (await sdk.getBalance(b)).available - b0.available === 100_000n)
  await mineUntil('B to confirm all four', async () => {
    const confirmed = new Set(events.get(b).filter((e) => e.type === 'confirmed').map((e) => e.txId))
    const inbound = await sdk.getTransactions(b, { direction: 'inbound', minHeight: 1 })
    return inbound.filter((t) => t.amount <= 40_000n).length === 4 && inbound.every((t) => t.amount > 40_000n || confirmed.has(t.id))
  })
  await mineUntil('A to see its sends confirmed', async () => {
    const all = await Promise.all(Object.values(sends).map((id) => sdk.getTransaction(a, id)))
    return all.every((t) => t.status === 'minedConfirmed')
  })
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('payment-id addresses', () => {
  test('an address carries a payment id, as text or bytes, and parses back to it', () => {
    const plain = sdk.getAddress(b)
    assert.equal(plain.paymentId, undefined)
    assert.equal(customer.paymentId, hex(Buffer.from('customer-1')))
    assert.equal(customer.paymentIdText, 'customer-1')
    assert.notEqual(customer.base58, plain.base58)
    for (const encoding of ['base58', 'emoji', 'hex']) {
      const parsed = sdk.parseAddress(customer[encoding], 'localnet')
      assert.equal(parsed.paymentIdText, 'customer-1', encoding)
      assert.equal(parsed.base58, customer.base58)
    }
    assert.equal(binary.paymentId, binaryId.toString('hex'))
    assert.equal(binary.paymentIdText, undefined, 'bytes that are not printable text have no text form')
    assert.equal(sdk.validateAddress(binary.base58).address.paymentId, binary.paymentId)
  })

  test('an empty or oversized payment id is refused with a code', () => {
    throwsCode(() => sdk.getAddress(b, { paymentId: '' }), 'ERR_INVALID_ARGUMENT', /1 to 62 bytes/)
    throwsCode(() => sdk.getAddress(b, { paymentId: Buffer.alloc(63) }), 'ERR_INVALID_ARGUMENT', /63 bytes/)
    throwsCode(() => sdk.getAddress(b, { paymentId: 'é'.repeat(32) }), 'ERR_INVALID_ARGUMENT', /64 bytes/)
    throwsCode(() => sdk.getAddress(b, { paymentId: 42 }), 'ERR_INVALID_ARGUMENT')
  })

  test('payments to them carry the id: history, filters and received events show it', async () => {
    const forCustomer = await sdk.getTransactions(b, { paymentId: 'customer-1' })
    assert.deepEqual(forCustomer.map((t) => t.amount).sort(), [10_000n, 20_000n])
    for (const t of forCustomer) {
      assert.equal(t.direction, 'inbound')
      assert.equal(t.paymentIdText, 'customer-1', 'the address id replaces the sender message')
      assert.equal(t.paymentId, customer.paymentId)
      assert.equal(t.claimedSenderAddress, sdk.getAddress(a).base58)
    }
    const forBinary = await sdk.getTransactions(b, { paymentId: binaryId })
    assert.deepEqual(forBinary.map((t) => [t.amount, t.paymentId, t.paymentIdText]), [[30_000n, binaryId.toString('hex'), undefined]])
    assert.deepEqual(await sdk.getTransactions(b, { paymentId: 'customer-2' }), [])
    const [plain] = (await sdk.getTransactions(b, { paymentId: 'plain' }))
    assert.equal(plain.amount, 40_000n, 'a message is the payment id of a payment to a plain address')

    // every inbound payment was announced once, with its amount and payment id
    const received = events.get(b).filter((e) => e.type === 'received' && e.amount <= 40_000n)
    assert.equal(received.length, 4, JSON.stringify(received, (k, v) => (typeof v === 'bigint' ? String(v) : v)))
    assert.deepEqual(received.filter((e) => e.paymentIdText === 'customer-1').map((e) => e.amount).sort(), [10_000n, 20_000n])
    assert.deepEqual(received.filter((e) => e.paymentId === binaryId.toString('hex')).map((e) => e.amount), [30_000n])

    // the sender's own record carries the id it paid to
    assert.equal((await sdk.getTransaction(a, sends.toCustomer)).paymentIdText, 'customer-1')
  })

  test('direction and height filters narrow the listing', async () => {
    const outbound = await sdk.getTransactions(a, { direction: 'outbound' })
    assert.ok(outbound.length >= 4 && outbound.every((t) => t.direction === 'outbound'))
    assert.deepEqual(await sdk.getTransactions(b, { direction: 'outbound' }), [])
    const t = await sdk.getTransaction(b, (await sdk.getTransactions(b, { paymentId: 'plain' }))[0].id)
    const at = await sdk.getTransactions(b, { minHeight: t.minedHeight, maxHeight: t.minedHeight })
    assert.ok(at.some((x) => x.id === t.id) && at.every((x) => x.minedHeight === t.minedHeight))
    assert.ok(!(await sdk.getTransactions(b, { minHeight: t.minedHeight + 1 })).some((x) => x.id === t.id))
    assert.ok(!(await sdk.getTransactions(b, { maxHeight: t.minedHeight - 1 })).some((x) => x.id === t.id))
    await rejectsCode(sdk.getTransactions(b, { direction: 'sideways' }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.getTransactions(b, { minHeight: -1 }), 'ERR_INVALID_ARGUMENT')
  })
})

describe('PayRefs, kernels and blocks', () => {
  test('the sender and the recipient hold the same PayRef, and each finds its transaction by it', async () => {
    const [theirs] = await sdk.getTransactions(b, { paymentId: 'plain' })
    const mine = await sdk.getTransaction(a, sends.plain)
    assert.equal(theirs.paymentReferences.received.length, 1)
    const [payref] = theirs.paymentReferences.received
    assert.match(payref, /^[0-9a-f]{64}$/)
    assert.deepEqual(mine.paymentReferences.sent, [payref], 'the output A paid is the output B received')
    assert.equal(mine.paymentReferences.change.length, 1)
    assert.notEqual(mine.paymentReferences.change[0], payref)

    assert.equal((await sdk.getPaymentByReference(b, payref)).id, theirs.id)
    assert.equal((await sdk.getPaymentByReference(a, payref)).id, sends.plain)
    assert.equal((await sdk.getPaymentByReference(a, mine.paymentReferences.change[0])).id, sends.plain)
    assert.equal((await sdk.getPaymentByReference(a, payref.toUpperCase())).id, sends.plain, 'hex in either case')
    await rejectsCode(sdk.getPaymentByReference(b, '0'.repeat(64)), 'ERR_TRANSACTION_NOT_FOUND')
    await rejectsCode(sdk.getPaymentByReference(b, 'not a payref'), 'ERR_INVALID_ARGUMENT')

    // both wallets saw it mined in the same block
    assert.equal(mine.minedHeight, theirs.minedHeight)
    assert.match(mine.minedBlockHash, /^[0-9a-f]{64}$/)
    assert.equal(mine.minedBlockHash, theirs.minedBlockHash)
    // the sender built the transaction, so it holds the kernel
    assert.match(mine.kernelExcess, /^[0-9a-f]{64}$/)
    assert.match(mine.kernelSignature, /^[0-9a-f]{128}$/)
  })

  test('an unconfirmed transaction has no PayRefs yet', async () => {
    const id = await sdk.send(a, { to: sdk.getAddress(b).base58, amount: 1_000n })
    const t = await sdk.getTransaction(a, id)
    assert.equal(t.paymentReferences, undefined)
    assert.equal(t.minedBlockHash, undefined)
  })
})

describe('a confirmations policy per wallet', () => {
  test('each wallet reports its own, from the open or the config default', () => {
    const byHandle = new Map(sdk.listWallets().map((w) => [w.handle, w.confirmations]))
    assert.equal(byHandle.get(a), 3, "the library's default")
    assert.equal(byHandle.get(b), CONFIRMATIONS)
    const wallet = new sdk.Wallet(b)
    assert.equal(wallet.confirmations, CONFIRMATIONS)
  })

  test('confirmed fires at the wallet\'s count; minedUnconfirmed counts up to it', async () => {
    const [t] = await sdk.getTransactions(b, { paymentId: 'plain' })
    const mined = events.get(b).filter((e) => e.txId === t.id && e.type === 'minedUnconfirmed').map((e) => e.confirmations)
    assert.ok(mined.length >= 1, 'seen mined before confirmed')
    assert.ok(mined.every((c) => c < CONFIRMATIONS), `minedUnconfirmed counts ${mined} stay below ${CONFIRMATIONS}`)
    const ev = events.get(b).filter((e) => e.txId === t.id)
    assert.equal(ev.filter((e) => e.type === 'confirmed').length, 1)
    assert.ok(ev.findIndex((e) => e.type === 'confirmed') > ev.findIndex((e) => e.type === 'minedUnconfirmed'))
    assert.ok((await sdk.getTransaction(b, t.id)).confirmations >= CONFIRMATIONS)
  })

  test('confirmations outside 1..=1000 are refused before anything opens', async () => {
    for (const confirmations of [0, 1001, 2.5]) {
      await rejectsCode(sdk.openWallet({ ...opts('b'), confirmations }), 'ERR_INVALID_ARGUMENT')
    }
    throwsCode(() => sdk.updateConfig({ wallet: { confirmations: 0 } }), 'ERR_CONFIG')
  })
})
