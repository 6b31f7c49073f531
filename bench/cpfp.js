'use strict'
// A payment stuck at a low fee in a full mempool, mined in the next block once `payFeeFor` adds a child
// paying for both, ahead of competing payments at a higher rate (#17). `bumpFee` (replace-by-fee) is what
// the issue named; minotari_node 6.2.0 keeps the first transaction of a pair, so this shows the library's
// other remedy, child-pays-for-parent, under the condition the issue asked for: a mempool holding more
// than a block.
//
// Two crowd wallets fill the mempool with one-output payments at 20 µT/g, enough for 1.3 blocks (a block
// holds 90,000 grams). The payer then sends two payments at 1 µT/g, the same shape: A, which it rescues
// with `payFeeFor`, and B, the control, which it leaves. One block is mined.
//   BENCH_CPFP_BLOCKS (1.3): how many blocks of competing payments.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { mineInBackground, report, section, sleep, waitFor } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

const BLOCK_GRAMS = 90_000
const BLOCKS = Number(process.env.BENCH_CPFP_BLOCKS || 1.3)
const CROWD_RATE = 20n
const STUCK_RATE = 1n
const CHILD_FEE = 200_000n
const AMOUNT = 5_000n

module.exports = async function cpfp({ sdk }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-cpfp-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  const status = async (w, id) => (await sdk.getTransaction(w, id)).status
  try {
    const crowd = [await sdk.createWallet(opts('crowd-1')), await sdk.createWallet(opts('crowd-2'))]
    const payer = await sdk.createWallet(opts('payer'))
    const payee = sdk.getAddress(await sdk.createWallet(opts('payee'))).base58
    for (const w of [...crowd, payer]) await net.mine(3, sdk.getAddress(w).base58)
    await net.mine(6)
    const spendable = async (w) => {
      const b = await sdk.getBalance(w)
      return b.timeLocked === 0n && b.pendingIncoming === 0n && b.pendingOutgoing === 0n && b.available > 0n
    }
    await waitFor(async () => (await Promise.all([...crowd, payer].map(spendable))).every(Boolean), 300_000, 500)

    // What one payment weighs: its fee at 1 µT/g. The crowd sends enough of them for BLOCKS blocks.
    const grams = (await sdk.estimateFee(payer, { amount: AMOUNT, feePerGram: 1n })).fee
    const perWallet = Math.ceil((BLOCKS * BLOCK_GRAMS) / Number(grams) / crowd.length)
    if (perWallet > 500) throw new Error(`${perWallet} payments per crowd wallet: more than one coin split makes`)
    const splits = []
    for (const w of crowd) splits.push([w, (await sdk.coinSplit(w, { count: Math.max(perWallet + 5, 2) })).txId])
    // The child's fee comes from an output besides the parent's change; minotari_wallet 6.2.0 does not
    // take a coinbase for it (a payer holding only coinbases gets ERR_INSUFFICIENT_FUNDS), so the payer
    // splits one first, as a wallet that has paid before would hold.
    splits.push([payer, (await sdk.coinSplit(payer, { count: 4 })).txId])
    // In the mempool, then mined and confirmed (the wallet's `confirmations`, 3 by default).
    await waitFor(async () => (await Promise.all(splits.map(([w, id]) => status(w, id)))).every((s) => s === 'broadcast'), 120_000, 200)
    // The wallet promotes outputs to spendable when it validates them, on a new block: keep mining a while
    // after the confirmations, then stop, so nothing is mined while the mempool fills.
    const stopMining = mineInBackground(net, 1000)
    try {
      await sleep(10_000)
      await waitFor(async () => (await Promise.all(crowd.map(async (w) => (await spendable(w)) && (await sdk.getCoinStats(w)).count > perWallet))).every(Boolean) && (await spendable(payer)), 300_000, 500)
    } finally {
      await stopMining()
    }

    const t0 = performance.now()
    let refused = 0
    await Promise.all(crowd.map(async (w) => {
      let left = perWallet
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (left-- > 0) {
          // Filler: a send refused for funds stored nothing (the split's outputs may still be confirming),
          // so it is tried again.
          for (let tries = 0; ; tries++) {
            try {
              await sdk.send(w, { to: payee, amount: AMOUNT, feePerGram: CROWD_RATE })
              break
            } catch (e) {
              if (e.code !== 'ERR_INSUFFICIENT_FUNDS' || tries >= 30) throw e
              refused++
              await sleep(1000)
            }
          }
        }
      }))
    }))
    const crowdSeconds = (performance.now() - t0) / 1000
    const a = await sdk.send(payer, { to: payee, amount: AMOUNT, feePerGram: STUCK_RATE })
    const b = await sdk.send(payer, { to: payee, amount: AMOUNT, feePerGram: STUCK_RATE })
    await waitFor(async () => (await status(payer, a)) === 'broadcast' && (await status(payer, b)) === 'broadcast', 120_000, 200)
    const full = await sdk.getFeeStats({ url: net.httpUrl, blocks: 3 })

    const child = await sdk.payFeeFor(payer, a, { fee: CHILD_FEE })
    await waitFor(async () => (await status(payer, child)) === 'broadcast', 120_000, 200)
    const height = await net.mine(1)
    const mined = await waitFor(async () => {
      const [ta, tc] = [await sdk.getTransaction(payer, a), await sdk.getTransaction(payer, child)]
      return ta.minedHeight && tc.minedHeight && [ta.minedHeight, tc.minedHeight]
    }, 120_000, 200)
    // B would have been validated in the same round as A had it been in the block.
    const control = await sdk.getTransaction(payer, b)
    const after = await sdk.getFeeStats({ url: net.httpUrl, blocks: 3 })

    section(`Child pays for parent in a full mempool: ${perWallet * crowd.length} competing payments at ${CROWD_RATE} µT/g (${grams} g each), two at ${STUCK_RATE} µT/g`)
    report({ name: 'competing payments submitted by the 2 crowd wallets', value: (perWallet * crowd.length) / crowdSeconds, unit: 'tx/s' })
    report({ name: 'competing sends refused for funds, then retried', value: refused, unit: 'sends' })
    report({ name: 'blocks the mempool held before the rescue', value: full.blocks.length, unit: 'blocks', target: 2, lowerIsBetter: false })
    report({ name: "next block's lowest fee before the rescue", value: Number(full.blocks[0]?.minFeePerGram ?? 0n), unit: 'µT/g', baseline: Number(STUCK_RATE), baselineName: 'the stuck payments' })
    report({ name: 'rescued payment A and its child: mined in the next block', value: mined[0] === height && mined[1] === height ? 1 : 0, unit: 'yes', target: 1, lowerIsBetter: false })
    report({ name: 'control payment B, no child: mined in that block', value: control.minedHeight ? 1 : 0, unit: 'yes', target: 0 })
    report({ name: 'blocks of competing payments still waiting after it', value: after.blocks.length, unit: 'blocks', target: 1, lowerIsBetter: false })
    report({ name: "next block's average fee after it (the crowd, and B)", value: Number(after.blocks[0]?.avgFeePerGram ?? 0n), unit: 'µT/g', baseline: Number(STUCK_RATE), baselineName: "A's own rate" })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
