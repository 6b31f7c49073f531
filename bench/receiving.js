'use strict'
// Receiving figures on a real LocalNet (#15): the third block on top of a payment's own → `confirmed` at
// N = 3 with 1 s scans, beside its own block → `minedUnconfirmed` for the same payments; and a payment-id
// listing over 10,000 transactions beside the unfiltered listing of the same wallet.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { median, p50Ms, report, section, sleep, waitFor: poll } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

/** Every 5 ms, for up to 2 minutes unless told: event latencies are measured through it. */
const waitFor = (fn, timeoutMs = 120_000) => poll(fn, timeoutMs, 5)

module.exports = async function receiving({ sdk }) {
  section('receiving (LocalNet)')
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-receive-'))
  const net = await Localnet.start()
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  try {
    const a = await sdk.createWallet(opts('a'))
    const b = await sdk.createWallet({ ...opts('b'), confirmations: 3 })
    const c = await sdk.createWallet(opts('c'))
    const seen = new Map()
    sdk.onEvent(b, (e) => seen.set(`${e.type}:${e.txId}`, Date.now()))
    const broadcast = new Set()
    sdk.onEvent(a, (e) => e.type === 'broadcast' && broadcast.add(e.txId))
    await net.mine(32, sdk.getAddress(a).base58)
    await net.mine(4)
    await waitFor(async () => (await sdk.getUtxos(a, { limit: 100 })).filter((u) => u.status === 'unspent').length >= 28)

    // Mined → confirmed at N = 3: the third block's submission to B's `confirmed` event.
    const toB = sdk.getAddress(b).base58
    const first = []
    const third = []
    const blockAt = new Map()
    const mineOne = async () => blockAt.set(await net.mine(1), Date.now())
    for (let i = 0; i < 5; i++) {
      const amount = 10_000n + BigInt(i)
      const id = await sdk.send(a, { to: toB, amount })
      await waitFor(() => broadcast.has(id))
      await sleep(500)
      // Mine until B has it mined (a broadcast can reach the mempool after the next template was made).
      let theirs
      for (let tries = 0; !theirs && tries < 60; tries++) {
        await mineOne()
        theirs = await waitFor(async () => (await sdk.getTransactions(b)).find((t) => t.amount === amount) ?? (await sleep(1500), null), 2000).catch(() => undefined)
      }
      await waitFor(() => seen.get(`minedUnconfirmed:${theirs.id}`))
      const height = await waitFor(async () => (await sdk.getTransaction(b, theirs.id)).minedHeight)
      first.push(seen.get(`minedUnconfirmed:${theirs.id}`) - blockAt.get(height))
      // N = 3 blocks on top of its own: the third is height + 3.
      while ((await net.tipHeight()) < height + 3) {
        await sleep(300)
        await mineOne()
      }
      await waitFor(() => seen.get(`confirmed:${theirs.id}`))
      third.push(seen.get(`confirmed:${theirs.id}`) - blockAt.get(height + 3))
    }
    report({ name: 'third block on top → confirmed event (N = 3, 1 s scans; p50 of 5)', value: median(third), unit: 'ms', baseline: median(first), baselineName: 'its own block → minedUnconfirmed', target: 1500 })

    // The haystack: a payer whose history holds 10,000 entries (1,000 ten-recipient sendMany calls, one
    // history entry per recipient, in rounds that wait for the change), 20 of them to an address with
    // payment id 'needle'. Mining 10,000 blocks of coinbases instead is not possible quickly: block
    // timestamps would pass the chain's future-time limit.
    await sdk.closeWallet(a)
    await sdk.closeWallet(b)
    const d = await sdk.createWallet(opts('d'))
    await net.mine(110, sdk.getAddress(d).base58)
    await net.mine(6)
    const plain = sdk.getAddress(c).base58
    const needle = sdk.getAddress(c, { paymentId: 'needle' }).base58
    await sdk.closeWallet(c) // only its addresses are needed; scanning 10,000 outputs would skew the figure
    const spendable = async () => (await sdk.getUtxos(d, { limit: 1000 })).filter((u) => u.status === 'unspent').length
    const haystack = 10_000
    for (let round = 0; round < haystack / 1000; round++) {
      for (let i = 0; i < 600 && (await spendable()) < 100; i++) {
        if (i % 5 === 4) await net.mine(1)
        await sleep(1000)
      }
      for (let t = 0; t < 100; t++) {
        const first = round === 0 && t < 20
        const recipients = Array.from({ length: 10 }, (_, k) => ({ to: first && k === 0 ? needle : plain, amount: 500n + BigInt(k) }))
        await sdk.sendMany(d, { recipients })
      }
      await sleep(2500)
      await net.mine(5)
    }
    const found = await sdk.getTransactions(d, { paymentId: 'needle' })
    if (found.length !== 20) throw new Error(`the needle listing found ${found.length} of 20`)
    const filtered = await p50Ms(() => sdk.getTransactions(d, { paymentId: 'needle' }), 50)
    const unfiltered = await p50Ms(() => sdk.getTransactions(d, { limit: 100 }), 15)
    report({ name: `getTransactions({ paymentId }) over ${haystack}+ transactions (p50)`, value: filtered, unit: 'ms', baseline: unfiltered, baselineName: 'unfiltered, limit 100', target: 5 })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
