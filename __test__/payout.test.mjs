// Batch payouts and accounting on a real LocalNet (#17): recipients packed into batches, each paid once,
// bad recipients refused alone, a rerun with the key (also after kill -9) pays nobody twice, and the
// history adds up to the balance: fee shares of multi-recipient transactions, coin splits and joins as
// `self`, cancellations counting nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { createRequire } from 'node:module'
import { rejectsCode, sdkPath, root, waitFor, settle as settleOn, balanceFromHistory } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

let net, tmp, w, r1, r2, r3
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
const settle = (...handles) => settleOn(net, sdk, ...handles)
const addr = (h) => sdk.getAddress(h).base58
const available = async (h) => (await sdk.getBalance(h)).available

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-payout-test-'))
  net = await Localnet.start()
  w = await sdk.createWallet(opts('w'))
  r1 = await sdk.createWallet(opts('r1'))
  r2 = await sdk.createWallet(opts('r2'))
  r3 = await sdk.createWallet(opts('r3'))
  // A batch spends mined outputs only: one coinbase per batch the tests make, and then some.
  await net.mine(30, addr(w))
  await waitFor('the payer to be funded', async () => (await available(w)) > 0n)
  await settle(w, r1, r2, r3)
})

after(async () => {
  for (const h of sdk.listWallets()) await sdk.closeWallet(h.handle).catch(() => {})
  await net?.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

test('a payout pays each valid recipient once, in batches; bad ones fail alone; a rerun pays nobody again', async () => {
  const recipients = [
    { to: addr(r1), amount: 1001n, paymentId: 'order-1' },
    { to: 'not-an-address', amount: 5n },
    { to: addr(r2), amount: 1002n, message: 'hi' },
    { to: addr(r1), amount: 0n },
    { to: addr(r3), amount: 1003n },
    { to: addr(r2), amount: 1004n, paymentId: new Uint8Array([0, 1, 2, 255]) },
    { to: addr(r1), amount: 1005n, paymentId: 'x', message: 'y' },
    { to: addr(r3), amount: 1006n },
  ]
  const before = await Promise.all([r1, r2, r3].map(available))
  const progress = []
  const first = await sdk.payout(w, { recipients, idempotencyKey: 'payout-1', maxRecipientsPerTx: 2, onProgress: (p) => progress.push(p) })

  assert.deepEqual(first.lines.map((l) => l.status), ['paid', 'invalid', 'paid', 'invalid', 'paid', 'paid', 'invalid', 'paid'])
  assert.deepEqual(first.lines.map((l) => l.index), [0, 1, 2, 3, 4, 5, 6, 7])
  assert.deepEqual([first.lines[1].error.code, first.lines[3].error.code, first.lines[6].error.code], ['ERR_INVALID_ADDRESS', 'ERR_INVALID_ARGUMENT', 'ERR_INVALID_ARGUMENT'])
  assert.deepEqual([first.paid, first.unpaid, first.transactions, first.joins], [5, 3, 3, 0])
  const paid = first.lines.filter((l) => l.status === 'paid')
  assert.equal(new Set(paid.map((l) => l.txId)).size, 5, 'one transaction id per recipient')
  assert.equal(paid.reduce((a, l) => a + l.fee, 0n), first.fee, 'the fee shares add up to the fees paid')
  // Batches [0, 2], [4, 5], [7]: each share is what history reports, and shares of a batch add up to its fee.
  for (const [i, j] of [[0, 2], [4, 5]]) {
    const [a, b] = await Promise.all([first.lines[i], first.lines[j]].map((l) => sdk.getTransaction(w, l.txId)))
    assert.equal(a.kernelExcess, b.kernelExcess, 'one transaction per batch')
    assert.deepEqual([a.fee, b.fee], [first.lines[i].fee, first.lines[j].fee])
    assert.equal(a.fee + b.fee, a.transactionFee)
  }
  assert.deepEqual(progress.map((p) => [p.stage, p.batchesDone, p.batches, p.paid, p.recipients]), [
    ['paying', 1, 3, 2, 5],
    ['paying', 2, 3, 4, 5],
    ['paying', 3, 3, 5, 5],
  ])

  await settle(w, r1, r2, r3)
  const after = await Promise.all([r1, r2, r3].map(available))
  assert.deepEqual(after.map((a, i) => a - before[i]), [1001n, 1002n + 1004n, 1003n + 1006n], 'each recipient got exactly its amounts')
  const [deposit] = await sdk.getTransactions(r1, { paymentId: 'order-1' })
  assert.equal(deposit.amount, 1001n, 'the payment id arrives with the payment')

  const balance = await available(w)
  const again = await sdk.payout(w, { recipients, idempotencyKey: 'payout-1', maxRecipientsPerTx: 2 })
  assert.deepEqual(again.lines.map((l) => l.txId), first.lines.map((l) => l.txId), 'the rerun replays the same transactions')
  await settle(w)
  assert.equal(await available(w), balance, 'and pays nothing more')

  await rejectsCode(sdk.payout(w, { recipients: recipients.slice(0, 3), idempotencyKey: 'payout-1', maxRecipientsPerTx: 2 }), 'ERR_IDEMPOTENCY_CONFLICT')
  await rejectsCode(sdk.payout(w, { recipients, idempotencyKey: 'payout-1' }), 'ERR_IDEMPOTENCY_CONFLICT', /payout/)
  await rejectsCode(sdk.send(w, { to: addr(r1), amount: 1001n, idempotencyKey: 'payout-1' }), 'ERR_IDEMPOTENCY_CONFLICT')
  await rejectsCode(sdk.payout(w, { recipients: [], idempotencyKey: 'payout-empty' }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.payout(w, { recipients, idempotencyKey: 'payout-2', maxRecipientsPerTx: 1001 }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.payout(w, { recipients, idempotencyKey: '' }), 'ERR_INVALID_ARGUMENT')
  const none = await sdk.payout(w, { recipients: [recipients[1], recipients[3]], idempotencyKey: 'payout-invalid' })
  assert.deepEqual([none.paid, none.unpaid, none.transactions, none.fee], [0, 2, 0, 0n], 'only invalid recipients: nothing is sent')
  assert.equal(await available(w), balance)
})

test('history adds up to the balance: fee shares, coin splits and joins as self, refused and prepared cancellations', async () => {
  await settle(w)
  const to = addr(r1)
  await sdk.send(w, { to, amount: 10_000n })
  const ids = await sdk.sendMany(w, { recipients: [{ to, amount: 1_000n }, { to, amount: 2_000n }, { to: addr(r2), amount: 3_000n }] })
  const entries = await Promise.all(ids.map((id) => sdk.getTransaction(w, id)))
  assert.equal(new Set(entries.map((t) => t.kernelExcess)).size, 1)
  assert.equal(entries.reduce((a, t) => a + t.fee, 0n), entries[0].transactionFee, 'three entries, one fee')
  assert.ok(entries.every((t) => t.fee < t.transactionFee))
  const split = await sdk.coinSplit(w, { count: 3 })
  await settle(w)
  // A broadcast payment is mined whatever a cancel says: the cancel is refused, and the payment counts.
  const broadcast = await sdk.send(w, { to, amount: 7_000n })
  await rejectsCode(sdk.cancelTransaction(w, broadcast), 'ERR_NOT_CANCELLABLE')
  const prepared = await sdk.prepareTransaction(w, { to, amount: 8_000n })
  const locked = await available(w)
  // The broadcast payment's own writes race this release (CI caught one that stayed locked).
  await sdk.cancelPrepared(w, prepared.id)
  assert.equal(await available(w) - locked, prepared.inputTotal, 'the cancel released the prepared inputs')
  // Two of the split's outputs, mined by now: the payer keeps the rest spendable for the next test.
  const splitOutputs = (await sdk.getUtxos(w, { limit: 10_000 })).filter((u) => u.value === split.outputs[0] && u.status === 'unspent')
  assert.ok(splitOutputs.length >= 2, 'the split made spendable outputs')
  const join = await sdk.coinJoin(w, { commitments: splitOutputs.slice(0, 2).map((u) => u.commitment) })
  await settle(w, r1, r2)

  const self = await sdk.getTransactions(w, { direction: 'self' })
  assert.deepEqual(self.map((t) => t.id).sort(), [split.txId, join.txId].sort(), 'coin splits and joins are the wallet paying itself')
  assert.ok(self.every((t) => t.fee === t.transactionFee && t.fee > 0n))
  assert.equal((await sdk.getTransactions(w, { direction: 'inbound' })).filter((t) => t.status !== 'coinbaseConfirmed').length, 0, 'nothing was received but coinbases')
  const balance = await sdk.getBalance(w)
  assert.deepEqual([balance.pendingIncoming, balance.pendingOutgoing, balance.timeLocked], [0n, 0n, 0n])
  assert.equal(await balanceFromHistory(sdk, w), balance.available, 'received - (amount + fee) of outbound - fee of self = balance')
  await rejectsCode(sdk.getTransactions(w, { direction: 'sideways' }), 'ERR_INVALID_ARGUMENT')
})

test('the cached balance is never stale across a payment: reads raced against sends see each one', async () => {
  await settle(w, r2)
  const to = addr(r2)
  let reading = true
  const seen = []
  // A reader hammering getBalance (mostly answered from the SDK's cache) while payments are made.
  const reader = (async () => {
    while (reading) seen.push(await sdk.getBalance(w))
  })()
  for (let i = 0; i < 5; i++) {
    const before = await sdk.getBalance(w)
    const id = await sdk.send(w, { to, amount: 1_111n })
    const { fee } = await sdk.getTransaction(w, id)
    const after = await sdk.getBalance(w)
    // The first read after send resolves sees the payment: spent inputs left available, change is pending.
    assert.equal(before.available + before.pendingIncoming - after.available - after.pendingIncoming, 1_111n + fee, `payment ${i}`)
    assert.ok(after.pendingOutgoing > before.pendingOutgoing, 'its inputs are pending out')
  }
  reading = false
  await reader
  assert.ok(seen.length > 50, `the reader ran (${seen.length} reads)`)
  await settle(w, r2)
  const settled = await sdk.getBalance(w)
  assert.equal(await balanceFromHistory(sdk, w), settled.available, 'and the balance still adds up')
})

/** Runs a payout in a child process and SIGKILLs it once `killAfter` batches are paid. */
async function killedDuringPayout(dataDir, recipients, key, killAfter) {
  const file = path.join(tmp, `${key}.json`)
  fs.writeFileSync(file, JSON.stringify(recipients.map((r) => ({ ...r, amount: String(r.amount) }))))
  const child = spawn(process.execPath, [path.join(root, 'bench', 'payout-child.js'), dataDir, net.httpUrl, file, key, '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TARI_CRASH_PASSPHRASE: 'pw' },
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const lines = []
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line)
    if (line.startsWith(`progress paying ${killAfter} `)) child.kill('SIGKILL')
  })
  return { ...(await exited), lines }
}

test('a payout killed with SIGKILL half-way and rerun with its key pays every recipient exactly once', async () => {
  await settle(w, r3)
  const recipients = Array.from({ length: 6 }, (_, i) => ({ to: addr(r3), amount: 2_000n + BigInt(i) }))
  const before = await available(r3)
  await sdk.closeWallet(w)
  const ended = await killedDuringPayout(opts('w').dataDir, recipients, 'payout-crash', 3)
  assert.equal(ended.signal, 'SIGKILL', `the child was killed mid-way: ${ended.lines.join(' | ')}`)

  w = await sdk.openWallet(opts('w'))
  const rerun = await sdk.payout(w, { recipients, idempotencyKey: 'payout-crash', maxRecipientsPerTx: 1 }, { timeoutMs: 300_000 })
  assert.deepEqual([rerun.paid, rerun.unpaid], [6, 0])
  await settle(w, r3)
  assert.equal(await available(r3) - before, recipients.reduce((a, r) => a + r.amount, 0n), 'the payee got every amount once')
  const outbound = (await sdk.getTransactions(w, { direction: 'outbound', limit: 10_000 })).filter((t) => t.counterparty === addr(r3))
  for (const r of recipients) assert.equal(outbound.filter((t) => t.amount === r.amount).length, 1, `${r.amount} paid once`)
  const balance = await sdk.getBalance(w)
  assert.equal(balance.pendingOutgoing, 0n, 'no output stays locked')
  assert.equal(await balanceFromHistory(sdk, w), balance.available)
})

test('a long history and many outputs read the same whole and in pages, narrowed or not: nothing skipped, nothing twice', async () => {
  // A payout of 300 makes 300 history entries in a few transactions, many of them sharing a timestamp:
  // the history is read from the library in chunks of 256 newest first, and ties fall across chunks.
  await net.mine(4, addr(w))
  await settle(w, r1)
  const to = addr(r1)
  const recipients = Array.from({ length: 300 }, (_, i) => ({ to, amount: 1_000n + BigInt(i) }))
  const result = await sdk.payout(w, { recipients, idempotencyKey: 'long-history' }, { timeoutMs: 300_000 })
  assert.equal(result.paid, 300)

  const ids = (list) => list.map((t) => t.id)
  const inPages = async (query, size) => {
    const all = []
    for (let page; (page = await sdk.getTransactions(w, { ...query, offset: all.length, limit: size })).length; ) all.push(...page)
    return all
  }
  const whole = await sdk.getTransactions(w, { limit: 10_000 })
  assert.ok(whole.length > 256, `${whole.length} entries: more than one chunk`)
  assert.equal(new Set(ids(whole)).size, whole.length, 'no entry twice')
  assert.ok(result.lines.every((l) => ids(whole).includes(l.txId)), 'every payment is in the history')
  const sorted = [...whole].sort((a, b) => b.timestamp - a.timestamp || (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
  assert.deepEqual(ids(whole), ids(sorted), 'newest first, then highest id')
  assert.deepEqual(ids(await inPages({}, 97)), ids(whole), 'pages of 97 are the whole history')
  const outbound = whole.filter((t) => t.direction === 'outbound')
  assert.deepEqual(ids(await sdk.getTransactions(w, { direction: 'outbound', limit: 10_000 })), ids(outbound))
  assert.deepEqual(ids(await inPages({ direction: 'outbound' }, 71)), ids(outbound), 'narrowed pages too')
  assert.deepEqual(await sdk.getTransactions(w, { offset: whole.length, limit: 10 }), [])
  await settle(w, r1)
  assert.equal(await balanceFromHistory(sdk, w), await available(w), 'the long history still adds up to the balance')

  // The payee now holds 300 more outputs, read from the library in chunks of 256, largest first.
  const outputs = await sdk.getUtxos(r1, { limit: 10_000 })
  assert.ok(outputs.length >= 300, `${outputs.length} outputs`)
  assert.equal(new Set(outputs.map((u) => u.commitment)).size, outputs.length, 'no output twice')
  const bySize = [...outputs].sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : a.commitment < b.commitment ? -1 : 1))
  assert.deepEqual(outputs.map((u) => u.commitment), bySize.map((u) => u.commitment), 'largest first, then by commitment')
  assert.equal(outputs.reduce((a, u) => a + u.value, 0n), await available(r1), 'the outputs add up to the balance')
  const pages = []
  for (let page; (page = await sdk.getUtxos(r1, { offset: pages.length, limit: 97 })).length; ) pages.push(...page)
  assert.deepEqual(pages.map((u) => u.commitment), outputs.map((u) => u.commitment), 'pages of 97 are all the outputs')
})
