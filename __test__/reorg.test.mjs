// Reorgs on a real two-node LocalNet (`Localnet#startPeer`, `split`, `join`): a payment confirmed in a block
// that a longer branch replaces is announced `reorged` with its old height and hash, leaves the balance, is
// mined again in the winning branch and announced again with its new block and PayRef. The deposit monitor
// reverses the credit and credits it again, once.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { sdkPath, root, sleep, waitFor, mineUntil, settle } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))
const { DepositMonitor } = require(path.join(root, 'examples', 'deposit-monitor.js'))

let net, peer, tmp, payer, shop
const events = new Map()
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
const of = (h, type, txId) => events.get(h).filter((e) => e.type === type && e.txId === txId)

/** Mines until the shop confirms a deposit carrying `paymentIdText`; returns the shop's tx id (a one-sided
 * payment has an id on each side: the shop's comes from the output it found). */
async function confirmedDeposit(paymentIdText) {
  let txId
  await mineUntil(net, `the shop to confirm ${paymentIdText}'s deposit`, () => {
    txId ??= events.get(shop).find((e) => e.type === 'received' && e.paymentIdText === paymentIdText)?.txId
    return txId && of(shop, 'confirmed', txId).length > 0
  })
  return txId
}

/** The peer mines a branch longer than ours since `forkHeight`; joined, our node takes it. */
async function reorgOnto(forkHeight) {
  await peer.mine((await net.tipHeight()) - forkHeight + 2)
  const winning = await peer.tip()
  await net.join()
  await waitFor('our node to take the longer branch', async () => (await net.blockHash(winning.height)) === winning.hash)
}

async function split() {
  await waitFor('the peer to have our chain', async () => (await peer.tip()).hash === (await net.tip()).hash)
  await net.split()
  return net.tipHeight()
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-reorg-test-'))
  net = await Localnet.start()
  peer = await net.startPeer()
  payer = await sdk.createWallet(opts('payer'))
  shop = await sdk.createWallet(opts('shop'))
  for (const h of [payer, shop]) {
    events.set(h, [])
    sdk.onEvent(h, (e) => events.get(h).push(e))
  }
  await net.mine(4, sdk.getAddress(payer).base58)
  await waitFor('the payer to be funded', async () => (await sdk.getBalance(payer)).available > 0n)
  await settle(net, sdk, payer)
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await peer?.stop()
  await net?.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

test('a confirmed deposit whose block is reorged out is announced, reversed, mined again and credited again', async () => {
  const monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: path.join(tmp, 'ledger.json') })
  const amount = 50_000n
  const shopBefore = await sdk.getBalance(shop)

  // Split: the payment is mined and confirmed on our node's branch only.
  const forkHeight = await split()
  const sentId = await sdk.send(payer, { to: monitor.addressFor('alice'), amount })
  await sleep(2500)
  const txId = await confirmedDeposit('alice')
  const [confirmed] = of(shop, 'confirmed', txId)
  assert.equal(confirmed.minedBlockHash, await net.blockHash(confirmed.minedHeight), 'the event names the block it was mined in')
  const before = await sdk.getTransaction(shop, txId)
  const oldPayref = before.paymentReferences.received[0]
  assert.ok(oldPayref)
  const [credit] = await monitor.poll()
  assert.deepEqual([credit.customer, credit.amount, credit.payref], ['alice', String(amount), oldPayref])
  await waitFor('the deposit to be available', async () => (await sdk.getBalance(shop)).available === shopBefore.available + amount)

  // The peer mines a longer branch without the payment; joined, ours reorgs onto it.
  await reorgOnto(forkHeight)
  assert.notEqual(await net.blockHash(confirmed.minedHeight), confirmed.minedBlockHash)

  // The wallet says so, once, with the block the payment left; the money is no longer available.
  await waitFor('the reorged event', () => of(shop, 'reorged', txId).length > 0, 60_000)
  const [reorged] = of(shop, 'reorged', txId)
  assert.equal(reorged.oldHeight, confirmed.minedHeight)
  assert.equal(reorged.oldBlockHash, confirmed.minedBlockHash)
  assert.ok(reorged.seq > confirmed.seq, 'numbered after the confirmation it undoes')
  await waitFor('the deposit to leave the available balance', async () => (await sdk.getBalance(shop)).available === shopBefore.available)
  await waitFor('history to leave the old block', async () => (await sdk.getTransaction(shop, txId)).minedBlockHash !== confirmed.minedBlockHash)
  const reversal = (await monitor.poll()).find((c) => c.reversed)
  assert.equal(reversal?.txId, txId)
  assert.equal(monitor.balances().alice ?? 0n, 0n, 'the credit is reversed')

  // The payment went back to our node's mempool; mined in the winning branch, it is confirmed again.
  await mineUntil(net, 'the deposit to be confirmed again', () => of(shop, 'confirmed', txId).length > 1)
  const again = of(shop, 'confirmed', txId)[1]
  assert.notEqual(again.minedBlockHash, confirmed.minedBlockHash)
  assert.equal(again.minedBlockHash, await net.blockHash(again.minedHeight))
  await waitFor('the deposit to be available again', async () => (await sdk.getBalance(shop)).available === shopBefore.available + amount)
  const after = await sdk.getTransaction(shop, txId)
  assert.equal(after.minedBlockHash, again.minedBlockHash)
  const newPayref = after.paymentReferences.received[0]
  assert.notEqual(newPayref, oldPayref, 'a PayRef names its block')
  assert.equal((await sdk.getPaymentByReference(shop, newPayref)).id, txId)
  await monitor.poll()
  assert.equal(monitor.ledger.credits[txId].blockHash, again.minedBlockHash)
  assert.equal(monitor.ledger.reversals.length, 1)
  assert.deepEqual(monitor.balances(), { alice: amount }, 'credited once, net')
  assert.equal(of(shop, 'reorged', txId).length, 1, 'one reorg, announced once')

  // The payer's side of the same transaction was reorged and confirmed again too.
  await mineUntil(net, "the payer's send to be confirmed again", () => of(payer, 'confirmed', sentId).length > 1)
  assert.equal(of(payer, 'reorged', sentId)[0]?.oldBlockHash, confirmed.minedBlockHash)
})

test('a reorg while the wallet is closed is announced after it opens, then the new confirmation', async () => {
  const forkHeight = await split()
  await sdk.send(payer, { to: sdk.getAddress(shop, { paymentId: 'bob' }).base58, amount: 7_000n })
  await sleep(2500)
  const txId = await confirmedDeposit('bob')
  const [confirmed] = of(shop, 'confirmed', txId)
  const acked = (await sdk.getEvents(shop, { limit: 10_000 })).at(-1).seq
  await sdk.ackEvents(shop, acked)
  await sdk.closeWallet(shop)

  await reorgOnto(forkHeight)
  // The payment goes back into our node's mempool and is mined again in the winning branch.
  await mineUntil(net, 'the payment to be mined again', async () => (await sdk.getTransactions(payer, { minHeight: forkHeight + 1 })).length > 0)
  await net.mine(3)

  shop = await sdk.openWallet(opts('shop'))
  events.set(shop, [])
  sdk.onEvent(shop, (e) => events.get(shop).push(e))
  const stored = () => sdk.getEvents(shop, { limit: 10_000 }).then((es) => es.filter((e) => e.txId === txId))
  await mineUntil(net, 'the reorg and the new confirmation to be announced', async () => {
    const types = (await stored()).map((e) => e.type)
    return types.includes('reorged') && types.includes('confirmed')
  })
  const after = await stored()
  assert.deepEqual(after.filter((e) => e.type === 'reorged' || e.type === 'confirmed').map((e) => e.type), ['reorged', 'confirmed'], 'the reorg first, once')
  const reorged = after.find((e) => e.type === 'reorged')
  assert.equal(reorged.oldBlockHash, confirmed.minedBlockHash)
  assert.equal(reorged.oldHeight, confirmed.minedHeight)
  const again = after.find((e) => e.type === 'confirmed')
  assert.notEqual(again.minedBlockHash, confirmed.minedBlockHash)
  assert.equal(again.minedBlockHash, await net.blockHash(again.minedHeight))
  assert.ok(after.every((e) => e.seq > acked), 'new events, after the acknowledged ones')
})
