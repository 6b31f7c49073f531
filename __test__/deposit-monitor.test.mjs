// examples/deposit-monitor.js on a real LocalNet: deposits to per-customer payment-id addresses are each
// credited once, to the right customer, with their PayRef, including those made while the shop was
// closed and those whose acknowledgement was lost in a crash; a payment with a stray message is not.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { sdkPath, root, sleep, waitFor, settle } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))
const { DepositMonitor } = require(path.join(root, 'examples', 'deposit-monitor.js'))

let net, tmp, payer, shop
const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1, confirmations: 3 })
const ledgerPath = () => path.join(tmp, 'ledger.json')

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-deposits-test-'))
  net = await Localnet.start()
  payer = await sdk.createWallet(opts('payer'))
  shop = await sdk.createWallet(opts('shop'))
  await net.mine(10, sdk.getAddress(payer).base58)
  await waitFor('the payer funded', async () => (await sdk.getBalance(payer)).available > 0n)
  await settle(net, sdk, payer)
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** Mines and polls until the monitor has `count` credits. */
async function pollUntil(monitor, count) {
  return waitFor(`${count} credits`, async () => {
    await monitor.poll()
    await net.mine(1)
    return Object.keys(monitor.ledger.credits).length >= count
  }, 120_000)
}

test('each deposit is credited once, to its customer, across a closed shop and a lost acknowledgement', async () => {
  let monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: ledgerPath() })
  const customers = ['alice', 'bob', 'carol', 'dave', 'erin']
  const addresses = Object.fromEntries(customers.map((c) => [c, monitor.addressFor(c)]))
  const expected = {}
  const deposit = async (customer, amount) => {
    await sdk.send(payer, { to: addresses[customer], amount })
    expected[customer] = (expected[customer] ?? 0n) + amount
  }
  for (const [i, c] of customers.entries()) await deposit(c, 100_000n + BigInt(i))
  await sdk.send(payer, { to: sdk.getAddress(shop).base58, amount: 55_555n, message: 'tip' })
  await sleep(2500)
  await pollUntil(monitor, 5)

  // A crash between the ledger write and the acknowledgement: the next run replays, credits nothing twice.
  await deposit('alice', 7_000n)
  await sleep(2500)
  const realAck = sdk.ackEvents
  sdk.ackEvents = async () => { throw new Error('crashed before the ack') }
  try {
    await waitFor('the alice deposit written but not acknowledged', async () => {
      await monitor.poll().catch((e) => assert.match(e.message, /crashed before the ack/))
      await net.mine(1)
      return Object.keys(monitor.ledger.credits).length === 6
    }, 120_000)
  } finally {
    sdk.ackEvents = realAck
  }
  const unacked = await sdk.getEvents(shop)
  assert.ok(unacked.some((e) => e.type === 'confirmed' && monitor.ledger.credits[e.txId]?.customer === 'alice'), 'its event is still there')
  monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: ledgerPath() }) // a restart: the ledger from disk
  await monitor.poll()
  assert.equal(Object.keys(monitor.ledger.credits).length, 6, 'the replay credits nothing twice')

  // Closed while customers pay.
  await sdk.closeWallet(shop)
  await deposit('bob', 20_000n)
  await deposit('carol', 30_000n)
  await deposit('erin', 50_000n)
  await sleep(2500)
  await net.mine(5)
  shop = await sdk.openWallet(opts('shop'))
  monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: ledgerPath() })
  await pollUntil(monitor, 9)
  await net.mine(2)
  await sleep(3000)
  await monitor.poll()

  const credits = Object.values(monitor.ledger.credits)
  assert.equal(credits.length, 9, JSON.stringify(credits))
  assert.deepEqual(monitor.balances(), expected, 'every customer got exactly their deposits')
  assert.equal(new Set(credits.map((c) => c.txId)).size, 9)
  for (const c of credits) {
    assert.match(c.payref, /^[0-9a-f]{64}$/)
    assert.equal((await sdk.getPaymentByReference(shop, c.payref)).id, c.txId)
  }
})
