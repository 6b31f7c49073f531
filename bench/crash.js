'use strict'
// Money safety under crashes (`npm run bench crash`): 100 processes killed during a keyed send, each
// retried from the parent with the same key; then the chain decides whether anything was lost or doubled.
// Also the cost of that retry beside a plain send, in the same run. CRASH_TRIALS overrides the count.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { performance } = require('node:perf_hooks')
const { median, percentile, report, section } = require('./harness')
const { runTrials, settle } = require('./crash-trials')
const { Localnet } = require('../lib/localnet.js')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function timed(fn) {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

module.exports = async function crash({ sdk }) {
  const trials = Number(process.env.CRASH_TRIALS || 100)
  const PLAIN = 20
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-crash-'))
  try {
    const opts = (n) => ({ dataDir: path.join(tmp, n), passphrase: 'bench', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
    let a = await sdk.createWallet(opts('a'))
    const b = await sdk.createWallet(opts('b'))
    await net.mine(trials + 2 * PLAIN + 5, sdk.getAddress(a).base58)
    while ((await sdk.getBalance(a)).available === 0n) await sleep(200)
    if (!(await settle(sdk, net, [a, b]))) throw new Error('the funding did not settle')
    const to = sdk.getAddress(b).base58

    // Baselines in the same run: a plain send, and a first send with a key (journal written ahead).
    const plainMs = []
    const keyedMs = []
    for (let i = 0; i < PLAIN; i++) {
      plainMs.push(await timed(() => sdk.send(a, { to, amount: 3_000n + BigInt(i) })))
      keyedMs.push(await timed(() => sdk.send(a, { to, amount: 3_000n + BigInt(i), idempotencyKey: `fresh-${i}` })))
    }

    // The trials measure the payee's balance: the baseline payments must be settled first.
    if (!(await settle(sdk, net, [a, b]))) throw new Error('the baseline payments did not settle')
    const r = await runTrials({
      sdk,
      net,
      opts: opts('a'),
      payer: a,
      payee: b,
      amount: 4_441n,
      trials,
      log: (line) => process.stderr.write(`  ${line}\n`),
    })
    a = r.payer
    const replayed = r.results.filter((x) => x.sent !== null).map((x) => x.retryMs)
    const reconciled = r.results.filter((x) => x.sent === null).map((x) => x.retryMs)

    section(`Money safety: ${trials} processes killed 0-300 ms into a keyed send (SIGKILL, SIGTERM, process.exit)`)
    console.log(`${r.trials} trials, ${r.lost} lost, ${r.duplicated} duplicated, ${r.stuck} outputs stuck` +
      `${r.mismatched ? `, ${r.mismatched} retries named another tx` : ''}${r.settled ? '' : ' (did not settle)'}${r.exact ? '' : ' (the payee got an amount that is no multiple of the payment)'}`)
    const modes = {}
    for (const x of r.results) modes[`${x.mode}${x.sent ? ' after the tx id' : ''}`] = (modes[`${x.mode}${x.sent ? ' after the tx id' : ''}`] ?? 0) + 1
    console.log(`  how they died: ${JSON.stringify(modes)}`)
    report({ name: 'trials with a payment lost or doubled or an output stuck', value: r.lost + r.duplicated + r.stuck + r.mismatched, unit: '', target: 0 })
    report({ name: `idempotent retry after a crash, p50 of ${trials}`, value: median(r.retryMs), unit: 'ms', baseline: median(plainMs), baselineName: 'plain send' })
    report({ name: 'extra cost of that retry over a plain send (p50 difference)', value: median(r.retryMs) - median(plainMs), unit: 'ms', target: 50 })
    report({ name: 'retry p99', value: percentile(r.retryMs, 99), unit: 'ms', baseline: percentile(plainMs, 99), baselineName: 'plain send p99' })
    if (replayed.length) report({ name: `  retry that replays a recorded key, p50 of ${replayed.length}`, value: median(replayed), unit: 'ms' })
    if (reconciled.length) report({ name: `  retry that checks the wallet, then pays or finds, p50 of ${reconciled.length}`, value: median(reconciled), unit: 'ms' })
    report({ name: `first send with a key (journal written ahead), p50 of ${PLAIN}`, value: median(keyedMs), unit: 'ms', baseline: median(plainMs), baselineName: 'plain send' })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
