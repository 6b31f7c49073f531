'use strict'
// A pool-sized payout on a real LocalNet (#17). A funder pays the pool's wallet 4,000 small outputs (a
// payout of its own); then the pool pays 700 miners in one `payout`, beside a loop of `send`s (the design
// before `payout`) in the same run. Then a payout killed with SIGKILL half-way in a child process and rerun
// with its key. Each miner is a payment id on one payee wallet, so the payee's history shows what each got.
//   BENCH_POOL_UTXOS (4000), BENCH_POOL_MINERS (700), BENCH_POOL_SENDS (40) scale it down.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')
const { spawn } = require('node:child_process')
const { p50Ms, report, section, waitFor, mineInBackground } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

const UTXOS = Number(process.env.BENCH_POOL_UTXOS || 4000)
const MINERS = Number(process.env.BENCH_POOL_MINERS || 700)
const SENDS = Number(process.env.BENCH_POOL_SENDS || 40)
const UTXO_VALUE = 2_000_000n
const SHARE = 100_000n
const LONG = { timeoutMs: 1_800_000 }

module.exports = async function payout({ sdk }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-payout-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  // A block every 2 s while the bench runs, as a busy chain would give.
  const stopMining = mineInBackground(net)
  try {
    const funder = await sdk.createWallet(opts('funder'))
    let pool = await sdk.createWallet(opts('pool'))
    const payee = await sdk.createWallet(opts('payee'))
    await net.mine(Math.ceil(UTXOS / 50) + 6, sdk.getAddress(funder).base58)
    await waitFor(async () => {
      const b = await sdk.getBalance(funder)
      return b.timeLocked === 0n && b.pendingIncoming === 0n && b.available > 0n
    }, 300_000, 500)

    // The pool's 4,000 small outputs: one payout from the funder, in its default batches.
    const poolAddress = sdk.getAddress(pool).base58
    const funding = await sdk.payout(funder, { recipients: Array.from({ length: UTXOS }, () => ({ to: poolAddress, amount: UTXO_VALUE })), idempotencyKey: 'fund' }, LONG)
    if (funding.unpaid) throw new Error(`funding left ${funding.unpaid} unpaid: ${JSON.stringify(funding.lines.find((l) => l.status !== 'paid'))}`)
    await waitFor(async () => (await sdk.getCoinStats(pool)).count >= UTXOS && (await sdk.getBalance(pool)).pendingIncoming === 0n, 600_000, 1000)
    // Closed, it takes no CPU from what is measured.
    await sdk.closeWallet(funder)

    const miners = Array.from({ length: MINERS }, (_, i) => ({ to: sdk.getAddress(payee, { paymentId: `miner-${i}` }).base58, amount: SHARE + BigInt(i) }))
    const total = miners.reduce((a, m) => a + m.amount, 0n)

    // Before `payout`: one `send` per miner, each waiting for the last.
    const loop = miners.slice(0, SENDS)
    let t = performance.now()
    for (const m of loop) await sdk.send(pool, { to: m.to, amount: m.amount, idempotencyKey: `loop-${m.to}` })
    const loopRate = SENDS / ((performance.now() - t) / 1000)

    const progress = []
    sdk.resetMetrics()
    t = performance.now()
    const result = await sdk.payout(pool, { recipients: miners, idempotencyKey: 'round-1', onProgress: (p) => progress.push(p) }, LONG)
    const seconds = (performance.now() - t) / 1000
    if (result.unpaid) throw new Error(`the payout left ${result.unpaid} unpaid: ${JSON.stringify(result.lines.find((l) => l.status !== 'paid'))}`)
    const timeouts = result.lines.filter((l) => /not found within timeout/i.test(l.error?.message ?? '')).length

    section(`Pool payout: ${MINERS} miners over ${UTXOS} outputs of ${UTXO_VALUE} µT, a block every 2 s`)
    report({ name: `payout of ${MINERS}: start → every batch submitted`, value: seconds, unit: 's', target: 60 })
    report({ name: 'payout: recipients paid per second', value: MINERS / seconds, unit: '/s', baseline: loopRate, baselineName: `${SENDS} sends in a loop`, lowerIsBetter: false })
    report({ name: 'payout: transactions', value: result.transactions, unit: 'tx' })
    report({ name: 'payout: fees as a share of the amount paid', value: (Number(result.fee) / Number(total)) * 100, unit: '%', target: 5 })
    report({ name: "payout: lines failing with 'not found within timeout'", value: timeouts, unit: 'lines', target: 0 })
    // Where a batch's time went (getMetrics' stages): the SDK's own against the library's `wallet`.
    for (const st of sdk.getMetrics().operations.find((o) => o.op === 'payout')?.stages ?? []) {
      report({ name: `payout: stage ${st.stage}, mean per batch`, value: st.latency.meanMs, unit: 'ms', baseline: (seconds * 1000) / result.transactions, baselineName: 'a batch, start to end' })
    }

    // Every miner's payment id shows exactly its amount at the payee, once mined.
    await waitFor(async () => {
      const b = await sdk.getBalance(payee)
      return b.available + b.pendingIncoming >= total && b.pendingIncoming === 0n
    }, 600_000, 1000)
    const received = await sdk.getTransactions(payee, { limit: 10_000 })
    const byId = new Map()
    for (const r of received) byId.set(r.paymentIdText, (byId.get(r.paymentIdText) ?? 0n) + r.amount)
    const wrong = miners.filter((m, i) => byId.get(`miner-${i}`) !== m.amount + (i < SENDS ? m.amount : 0n)).length
    report({ name: 'miners paid other than exactly their amount', value: wrong, unit: 'miners', target: 0 })

    // Reading a long history and many outputs: a page past the kept head (so every call reads the library)
    // against the whole listing, which is what every cache miss read before listings were paged.
    const whole = { limit: 10_000 }
    const deep = { offset: 300, limit: 50 }
    section(`Listings of a pool-sized wallet: ${(await sdk.getTransactions(pool, whole)).length} history entries, ${(await sdk.getUtxos(payee, whole)).length} outputs at the payee (p50 of 15)`)
    report({ name: 'history page past the kept head (offset 300, 50)', value: await p50Ms(() => sdk.getTransactions(pool, deep), 15), unit: 'ms', baseline: await p50Ms(() => sdk.getTransactions(pool, whole), 15), baselineName: 'whole history' })
    report({ name: 'output page past the kept head (offset 300, 50)', value: await p50Ms(() => sdk.getUtxos(payee, deep), 15), unit: 'ms', baseline: await p50Ms(() => sdk.getUtxos(payee, whole), 15), baselineName: 'all outputs' })

    // Killed half-way: a child runs round 2 in batches of 25 and is killed after half; the rerun finishes it.
    await sdk.closeWallet(pool)
    const file = path.join(tmp, 'round-2.json')
    fs.writeFileSync(file, JSON.stringify(miners.map((m) => ({ ...m, amount: String(m.amount) }))))
    const batches = Math.ceil(MINERS / 25)
    const killed = await killAfter(opts('pool').dataDir, net.httpUrl, file, Math.floor(batches / 2))
    pool = await sdk.openWallet(opts('pool'))
    t = performance.now()
    const rerun = await sdk.payout(pool, { recipients: miners, idempotencyKey: 'round-2', maxRecipientsPerTx: 25 }, LONG)
    const rerunSeconds = (performance.now() - t) / 1000
    await waitFor(async () => {
      const b = await sdk.getBalance(payee)
      return b.available >= 2n * total && b.pendingIncoming === 0n
    }, 600_000, 1000)
    const after = await sdk.getTransactions(payee, { limit: 10_000 })
    const count = new Map()
    for (const r of after) count.set(r.paymentIdText, (count.get(r.paymentIdText) ?? 0) + 1)
    const twice = miners.filter((_, i) => count.get(`miner-${i}`) !== (i < SENDS ? 3 : 2)).length
    section(`Pool payout killed with SIGKILL after ${killed} of ${batches} batches, rerun with its key`)
    report({ name: 'rerun: start → done', value: rerunSeconds, unit: 's' })
    report({ name: 'rerun: recipients unpaid', value: rerun.unpaid, unit: 'miners', target: 0 })
    report({ name: 'miners paid other than once per round', value: twice, unit: 'miners', target: 0 })
  } finally {
    await stopMining()
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

/** Runs round 2 in bench/payout-child.js and SIGKILLs it after `batches` batches; resolves to how many it saw. */
async function killAfter(dataDir, url, file, batches) {
  const child = spawn(process.execPath, [path.join(__dirname, 'payout-child.js'), dataDir, url, file, 'round-2', '25'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TARI_CRASH_PASSPHRASE: 'pw' },
  })
  let seen = 0
  const exited = new Promise((resolve) => child.on('exit', resolve))
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('progress paying ')) return
    seen = Number(line.split(' ')[2])
    if (seen >= batches) child.kill('SIGKILL')
  })
  await exited
  return seen
}
