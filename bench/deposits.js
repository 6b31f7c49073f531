'use strict'
// #15's "must reach": 1,000 deposits to 100 payment-id addresses of one wallet on LocalNet, 100 of them
// made while the shop is stopped, each credited exactly once to the right customer by
// examples/deposit-monitor.js, and the durable event log losing and duplicating nothing. The deposits go
// out as 100 ten-recipient transactions from a payer funded by 110 coinbases.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { report, section, sleep } = require('./harness')
const { Localnet } = require('../lib/localnet.js')
const { DepositMonitor } = require('../examples/deposit-monitor.js')

module.exports = async function deposits({ sdk }) {
  section('1,000 deposits to 100 payment-id addresses (LocalNet)')
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-deposits-'))
  const net = await Localnet.start()
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  const ledgerPath = path.join(tmp, 'ledger.json')
  try {
    const payer = await sdk.createWallet(opts('payer'))
    let shop = await sdk.createWallet(opts('shop'))
    await net.mine(110, sdk.getAddress(payer).base58)
    await net.mine(6)
    const spendable = async () => (await sdk.getUtxos(payer, { limit: 1000 })).filter((u) => u.status === 'unspent').length
    for (let i = 0; i < 600 && (await spendable()) < 100; i++) await sleep(500)
    // Counts every `confirmed` the log hands out per transaction: more than one is a duplicate.
    const confirmedSeen = new Map()
    const counting = Object.create(sdk, {
      getEvents: {
        value: async (...args) => {
          const events = await sdk.getEvents(...args)
          for (const e of events) if (e.type === 'confirmed') confirmedSeen.set(e.txId, (confirmedSeen.get(e.txId) ?? 0) + 1)
          return events
        },
      },
    })
    let monitor = new DepositMonitor({ sdk: counting, handle: shop, ledgerPath })
    const customers = Array.from({ length: 100 }, (_, i) => `customer-${String(i).padStart(3, '0')}`)
    const addresses = customers.map((c) => monitor.addressFor(c))
    const expected = {}
    const started = Date.now()
    /** One ten-recipient transaction: deposits d*10 .. d*10+9, to customers by their index. */
    const batch = async (d) => {
      const recipients = []
      for (let k = 0; k < 10; k++) {
        const n = d * 10 + k
        const customer = (n * 37) % 100 // every customer gets 10, spread over the batches
        const amount = 1_000n + BigInt(n)
        expected[customers[customer]] = (expected[customers[customer]] ?? 0n) + amount
        recipients.push({ to: addresses[customer], amount })
      }
      await sdk.sendMany(payer, { recipients })
    }
    const poll = () => monitor.poll()
    for (let d = 0; d < 90; d++) {
      await batch(d)
      if (d % 10 === 9) {
        await sleep(2000)
        await net.mine(1)
        await poll()
      }
    }
    // 100 deposits while the shop is stopped.
    await sdk.closeWallet(shop)
    for (let d = 90; d < 100; d++) await batch(d)
    await sleep(2500)
    await net.mine(4)
    shop = await sdk.openWallet(opts('shop'))
    monitor = new DepositMonitor({ sdk: counting, handle: shop, ledgerPath })
    for (let i = 0; i < 300 && Object.keys(monitor.ledger.credits).length < 1000; i++) {
      await poll()
      await net.mine(1)
      await sleep(1000)
    }
    await sleep(3000)
    await poll()
    const credits = Object.values(monitor.ledger.credits)
    const balances = monitor.balances()
    const wrong = customers.filter((c) => balances[c] !== expected[c]).length
    const duplicated = [...confirmedSeen.values()].filter((n) => n > 1).length
    report({ name: 'deposits credited exactly once (of 1,000)', value: credits.length, unit: 'deposits', target: 1000, lowerIsBetter: false })
    report({ name: 'customers whose credits differ from their deposits', value: wrong, unit: 'customers', target: 0 })
    report({ name: 'transactions whose confirmed event the log handed out twice', value: duplicated, unit: 'transactions', target: 0 })
    report({ name: 'time from the first deposit to the last credit', value: (Date.now() - started) / 1000, unit: 's' })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
