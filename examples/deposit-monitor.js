'use strict'
// A deposit monitor as an exchange or merchant runs one: a payment-id address per customer, and each
// deposit credited once, after the wallet's confirmations, to the customer whose id it carries, keyed by
// tx id and PayRef. It survives restarts: it reads the wallet's durable events (`getEvents`), writes its
// ledger, and only then acknowledges them (`ackEvents`), so a crash in between replays events that the
// ledger already holds and loses none.
//
// Reorgs: when the block of a credited deposit leaves the chain, the wallet says `reorged` and the credit
// is reversed (kept in `ledger.reversals`); if the deposit is mined again, its new `confirmed` credits it
// again, with its new block and PayRef. Each credit and reversal remembers the event number that made it,
// so replayed events change nothing. Open the wallet with enough `confirmations` for your risk (exchanges
// use 10 or more): a reorg deeper than that takes back money the customer may already have withdrawn.
//
//   const monitor = new DepositMonitor({ sdk, handle, ledgerPath })
//   const address = monitor.addressFor('customer-42')   // give this to the customer
//   setInterval(() => monitor.poll(), 1000)               // or after each `confirmed` event
//
// Run directly (`node examples/deposit-monitor.js`) it plays the whole story on a LocalNet it starts.
const fs = require('node:fs')

class DepositMonitor {
  /** @param {{ sdk: any, handle: number, ledgerPath: string }} options */
  constructor({ sdk, handle, ledgerPath }) {
    this.sdk = sdk
    this.handle = handle
    this.ledgerPath = ledgerPath
    this.ledger = fs.existsSync(ledgerPath)
      ? JSON.parse(fs.readFileSync(ledgerPath, 'utf8'))
      : { customers: {}, credits: {} }
    this.ledger.reversals ??= []
  }

  /** The deposit address of `customer` (a string of at most 62 bytes), remembered as a customer's. */
  addressFor(customer) {
    const address = this.sdk.getAddress(this.handle, { paymentId: customer }).base58
    if (!this.ledger.customers[customer]) {
      this.ledger.customers[customer] = address
      this.#save()
    }
    return address
  }

  /**
   * Credits every confirmed deposit, and reverses every reorged credit, the wallet announced since the
   * last poll; returns what changed (`reversed: true` on a reversal).
   */
  async poll() {
    const changes = []
    for (;;) {
      const events = await this.sdk.getEvents(this.handle, { limit: 500 })
      if (events.length === 0) return changes
      for (const e of events) {
        const credit = this.ledger.credits[e.txId]
        if (e.type === 'confirmed' && !credit) {
          const fresh = await this.#credit(e)
          if (fresh) changes.push(fresh)
        } else if (e.type === 'reorged' && credit && credit.seq < e.seq) {
          const reversal = { ...credit, reversed: true, seq: e.seq, oldBlockHash: e.oldBlockHash }
          delete this.ledger.credits[e.txId]
          this.ledger.reversals.push(reversal)
          changes.push(reversal)
        }
      }
      this.#save()
      await this.sdk.ackEvents(this.handle, events.at(-1).seq)
    }
  }

  async #credit(e) {
    const tx = await this.sdk.getTransaction(this.handle, e.txId)
    // In Tari a sender's message travels in the payment id field too: credit known customers only.
    if (tx.direction !== 'inbound' || !this.ledger.customers[tx.paymentIdText]) return null
    const credit = {
      customer: tx.paymentIdText,
      amount: String(tx.amount),
      txId: tx.id,
      payref: tx.paymentReferences?.received[0],
      height: e.minedHeight,
      blockHash: e.minedBlockHash,
      seq: e.seq,
    }
    this.ledger.credits[tx.id] = credit
    return credit
  }

  /** µT credited to each customer. */
  balances() {
    const totals = {}
    for (const c of Object.values(this.ledger.credits)) totals[c.customer] = (totals[c.customer] ?? 0n) + BigInt(c.amount)
    return totals
  }

  /** Write-then-rename, so a crash leaves the old ledger or the new one, never half of one. */
  #save() {
    const tmp = `${this.ledgerPath}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(this.ledger, null, 1))
    fs.renameSync(tmp, this.ledgerPath)
  }
}

async function demo() {
  const os = require('node:os')
  const path = require('node:path')
  const sdk = require('../lib/sdk.js')
  const { Localnet } = require('../lib/localnet.js')
  sdk.init({ config: { network: { name: 'localnet' } } })
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-deposits-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1, confirmations: 3 })
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  try {
    const payer = await sdk.createWallet(opts('payer'))
    let shop = await sdk.createWallet(opts('shop'))
    await net.mine(8, sdk.getAddress(payer).base58)
    let monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: path.join(tmp, 'ledger.json') })
    const alice = monitor.addressFor('alice')
    const bob = monitor.addressFor('bob')
    await net.mine(4)
    while ((await sdk.getBalance(payer)).available === 0n) await sleep(200)
    await sdk.send(payer, { to: alice, amount: 1_500_000n })
    console.log('alice paid 1.5 T; the shop closes before it is confirmed')
    await sdk.closeWallet(shop)
    await sdk.send(payer, { to: bob, amount: 700_000n })
    console.log('bob paid 0.7 T while the shop was closed')
    await sleep(2500)
    await net.mine(5)
    shop = await sdk.openWallet(opts('shop'))
    monitor = new DepositMonitor({ sdk, handle: shop, ledgerPath: path.join(tmp, 'ledger.json') })
    for (let i = 0; i < 60 && Object.keys(monitor.balances()).length < 2; i++) {
      for (const c of await monitor.poll()) console.log(`${c.reversed ? 'reversed' : 'credited'} ${c.customer}: ${c.amount} µT (tx ${c.txId}, PayRef ${c.payref})`)
      await net.mine(1)
      await sleep(1000)
    }
    console.log('balances:', monitor.balances())
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

module.exports = { DepositMonitor }

if (require.main === module) {
  demo().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
