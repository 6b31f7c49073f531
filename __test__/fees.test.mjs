// Fee intelligence and coin statistics on a real LocalNet (#17): the base node's mempool fees, block by
// block, with the SDK's suggestion, and how a wallet's outputs are spread.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, sdkPath, root, waitFor, settle } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

let net, tmp, w, r
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-fees-test-'))
  net = await Localnet.start()
  w = await sdk.createWallet(opts('w'))
  r = await sdk.createWallet(opts('r'))
  await net.mine(6, sdk.getAddress(w).base58)
  await waitFor('the wallet to be funded', async () => (await sdk.getBalance(w)).available > 0n)
  await settle(net, sdk, w)
})

after(async () => {
  for (const h of sdk.listWallets()) await sdk.closeWallet(h.handle).catch(() => {})
  await net?.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

test('coin stats count and add up the unspent outputs, by decade', async () => {
  await sdk.coinSplit(w, { count: 5 })
  await settle(net, sdk, w)
  const stats = await sdk.getCoinStats(w)
  const utxos = await sdk.getUtxos(w, { limit: 10_000 })
  assert.equal(stats.count, utxos.length)
  assert.equal(stats.total, utxos.reduce((a, u) => a + u.value, 0n))
  assert.equal(stats.total, (await sdk.getBalance(w)).available)
  assert.equal(stats.histogram.reduce((a, b) => a + b.count, 0), stats.count)
  for (const b of stats.histogram) {
    const inside = utxos.filter((u) => u.value < b.below && u.value * 10n >= b.below)
    assert.deepEqual([b.count, b.total], [inside.length, inside.reduce((a, u) => a + u.value, 0n)], `bucket below ${b.below}`)
  }
})

test('tidyCoins keeps the spendable outputs in a band: a split below it, a join above it, nothing inside', async () => {
  await settle(net, sdk, w)
  const count = async () => (await sdk.getCoinStats(w)).count
  const n = await count()
  const preview = await sdk.tidyCoins(w, { minOutputs: n + 3, maxOutputs: n + 10, preview: true })
  assert.deepEqual([preview.action, preview.count, preview.outputs.length, preview.txId], ['split', n, 4, undefined])
  assert.equal(await count(), n, 'a preview changes nothing')
  const split = await sdk.tidyCoins(w, { minOutputs: n + 3, maxOutputs: n + 10 })
  assert.deepEqual([split.action, split.outputs.length], ['split', 4])
  assert.match(split.txId, /^\d+$/)
  await settle(net, sdk, w)
  assert.equal(await count(), n + 3, 'the largest became four: the count is at the floor')
  assert.equal((await sdk.tidyCoins(w, { minOutputs: n + 3, maxOutputs: n + 4 })).action, 'none')
  const join = await sdk.tidyCoins(w, { minOutputs: 1, maxOutputs: n })
  assert.deepEqual([join.action, join.outputs.length, join.count], ['join', 1, n + 3])
  assert.equal((await sdk.getTransaction(w, join.txId)).direction, 'self')
  await settle(net, sdk, w)
  assert.equal(await count(), n, 'the four smallest became one: the count is at the ceiling')
  await rejectsCode(sdk.tidyCoins(w, { minOutputs: 5, maxOutputs: 5 }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.tidyCoins(w, { minOutputs: 0, maxOutputs: 5 }), 'ERR_INVALID_ARGUMENT')
})

test('payFeeFor: a child spends the change of an unmined payment, and the mempool mines the two together', async () => {
  await settle(net, sdk, w, r)
  const before = await sdk.getBalance(w)
  const parent = await sdk.send(w, { to: sdk.getAddress(r).base58, amount: 4_000n, feePerGram: 1n })
  const child = await sdk.payFeeFor(w, parent, { fee: 20_000n, idempotencyKey: 'cpfp-1' })
  assert.equal(await sdk.payFeeFor(w, parent, { fee: 20_000n, idempotencyKey: 'cpfp-1' }), child, 'exactly once per key')
  await rejectsCode(sdk.payFeeFor(w, parent, { fee: 30_000n, idempotencyKey: 'cpfp-1' }), 'ERR_IDEMPOTENCY_CONFLICT')
  const c = await sdk.getTransaction(w, child)
  // The library turns the fee into a rate over the weight it expected; the child's own weight decides the rest.
  assert.ok(c.fee >= 10_000n && c.fee <= 40_000n, `the child pays about the fee asked: ${c.fee}`)
  assert.equal(c.counterparty, sdk.getAddress(w).base58, 'the child pays the wallet itself')
  // Both in the node's mempool (the child's parent unmined), then one block.
  await waitFor('the node to accept both', async () => {
    const s = await Promise.all([parent, child].map(async (id) => (await sdk.getTransaction(w, id)).status))
    return s.every((x) => x === 'broadcast')
  })
  await net.mine(1)
  await settle(net, sdk, w, r)
  const [p, k] = await Promise.all([sdk.getTransaction(w, parent), sdk.getTransaction(w, child)])
  assert.ok(p.minedHeight && k.minedHeight, 'both are mined')
  assert.equal(k.minedHeight, p.minedHeight, 'in one block: the child could not come first')
  const after = await sdk.getBalance(w)
  assert.equal(before.available - after.available, 4_000n + p.fee + c.fee, 'the wallet paid the amount and both fees, nothing more')
  await rejectsCode(sdk.payFeeFor(w, parent, { fee: 20_000n }), 'ERR_INVALID_ARGUMENT', /not an unmined payment/)
  await rejectsCode(sdk.payFeeFor(w, '1', { fee: 20_000n }), 'ERR_TRANSACTION_NOT_FOUND')
})

test('an empty mempool suggests the default fee; a waiting payment shows in the next block\'s fees', async () => {
  const empty = await sdk.getFeeStats({ url: net.httpUrl })
  assert.deepEqual(empty.blocks, [])
  assert.equal(empty.suggestedFeePerGram, 5n)
  assert.match(empty.url, /^http:\/\/127\.0\.0\.1:/)

  await sdk.send(w, { to: sdk.getAddress(r).base58, amount: 10_000n, feePerGram: 25n })
  const waiting = await waitFor('the payment in the mempool', async () => {
    const s = await sdk.getFeeStats({ handle: w, blocks: 2 })
    return s.blocks.length > 0 && s
  })
  assert.equal(waiting.blocks.length, 1, 'one block holds everything')
  const [next] = waiting.blocks
  assert.ok(next.minFeePerGram >= 24n && next.maxFeePerGram <= 26n, JSON.stringify(next, (k, v) => (typeof v === 'bigint' ? String(v) : v)))
  assert.equal(waiting.suggestedFeePerGram, 5n, 'less than a block waits: the default gets in')
  assert.deepEqual(await new sdk.Wallet(w).feeStats({ blocks: 2 }), waiting)

  await rejectsCode(sdk.getFeeStats({ url: net.httpUrl, handle: w }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.getFeeStats({ url: net.httpUrl, blocks: 0 }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.getFeeStats({ url: net.httpUrl, blocks: 21 }), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.getFeeStats({ url: 'http://127.0.0.1:9' }), 'ERR_BASE_NODE')
})

test("feePerGram 'auto' pays what the mempool asks, and keeps its meaning across idempotent retries", async () => {
  await settle(net, sdk, w, r)
  const to = sdk.getAddress(r).base58
  const payment = { to, amount: 3_000n, feePerGram: 'auto', idempotencyKey: 'auto-1' }
  const id = await sdk.send(w, payment)
  assert.equal(await sdk.send(w, payment), id, 'a retry with the key is the same payment')
  await rejectsCode(sdk.send(w, { ...payment, feePerGram: 5n }), 'ERR_IDEMPOTENCY_CONFLICT')
  await rejectsCode(sdk.send(w, { to, amount: 1_000n, feePerGram: 'fast' }), 'ERR_INVALID_ARGUMENT')
  // Less than a block waits, so 'auto' is the default rate.
  const stats = await waitFor('the payment in the mempool', async () => {
    const s = await sdk.getFeeStats({ handle: w })
    return s.blocks.length > 0 && s
  })
  assert.ok(stats.blocks[0].minFeePerGram >= 4n && stats.blocks[0].maxFeePerGram <= 6n)
  const prepared = await sdk.prepareTransaction(w, { to, amount: 2_000n, feePerGram: 'auto' })
  assert.equal(prepared.feePerGram, 5n)
  await sdk.cancelPrepared(w, prepared.id)
})
