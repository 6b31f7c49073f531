'use strict'
// Cold storage on a real LocalNet: what offline signing adds to a payment (prepare → sign → broadcast
// against a plain send, the same wallet, interleaved in one run), and a view-only wallet's idle cost
// beside the same wallet's restored from its words (each alone in a fresh process, bench/idle-child.js).
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { median, report, section, sleep, waitFor } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS || 15)
const IDLE_SECS = Number(process.env.BENCH_IDLE_SECS || 30)

module.exports = async function cold({ sdk }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-cold-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  try {
    const w = await sdk.createWallet(opts('w'))
    const to = sdk.getAddress(await sdk.createWallet(opts('r'))).base58
    await net.mine(8, sdk.getAddress(w).base58)
    await waitFor(async () => (await sdk.getBalance(w)).available > 0n, 120_000)
    await net.mine(3)
    await waitFor(async () => (await sdk.getBalance(w)).pendingIncoming === 0n, 120_000)
    // One input per payment, so no round waits for change.
    await sdk.coinSplit(w, { count: 2 * ROUNDS + 4 })
    await sleep(2500)
    await net.mine(4)
    await waitFor(async () => (await sdk.getUtxos(w)).length >= 2 * ROUNDS, 120_000)

    const plain = []
    const offline = []
    for (let i = 0; i < ROUNDS; i++) {
      let t = process.hrtime.bigint()
      await sdk.send(w, { to, amount: 1_000n })
      plain.push(Number(process.hrtime.bigint() - t) / 1e6)
      t = process.hrtime.bigint()
      const prepared = await sdk.prepareTransaction(w, { to, amount: 1_000n })
      const signed = await sdk.signTransaction(w, prepared.unsigned)
      await sdk.broadcastSignedTransaction(w, signed.signed)
      offline.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    section(`Offline signing (${ROUNDS} payments each, interleaved, one wallet)`)
    report({ name: 'prepare → sign → broadcast, p50', value: median(offline), unit: 'ms', baseline: median(plain), baselineName: 'send' })
    report({ name: 'offline signing overhead over send, p50', value: median(offline) - median(plain), unit: 'ms', target: 100 })

    // Idle: a seed wallet and its view-only twin, each alone in a fresh process.
    const keys = await sdk.exportViewKeys(w, { passphrase: 'pw' })
    const idle = (env) => {
      const out = execFileSync(process.execPath, [path.join(__dirname, 'idle-child.js'), net.httpUrl, fs.mkdtempSync(path.join(tmp, 'idle-')), '1', String(IDLE_SECS)], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: (IDLE_SECS + 120) * 1000,
      })
      return JSON.parse(out.trim().split('\n').pop())
    }
    const json = JSON.stringify(keys, (k, v) => (typeof v === 'bigint' ? Number(v) : v))
    // The same wallet both ways, so both scan the same history: restored from its words, and view-only.
    const words = (await sdk.getSeedWords(w)).join(' ')
    const seeds = [idle({ BENCH_SEED_WORDS: words }), idle({ BENCH_SEED_WORDS: words })]
    const views = [idle({ BENCH_VIEW_KEYS: json }), idle({ BENCH_VIEW_KEYS: json })]
    section(`View-only wallet beside the same wallet restored from its words (1 wallet, ${IDLE_SECS} s idle, 2 runs each, medians)`)
    const m = (runs, k) => median(runs.map((r) => r[k]))
    report({ name: 'view wallet: CPU', value: m(views, 'cpuPerWalletPct'), unit: '%', baseline: m(seeds, 'cpuPerWalletPct'), baselineName: 'seed wallet', target: m(seeds, 'cpuPerWalletPct') * 1.1 })
    report({ name: 'view wallet: RSS', value: m(views, 'rssPerWalletBytes') / 2 ** 20, unit: 'MiB', baseline: m(seeds, 'rssPerWalletBytes') / 2 ** 20, baselineName: 'seed wallet', target: (m(seeds, 'rssPerWalletBytes') / 2 ** 20) * 1.1 })
    for (const h of sdk.listWallets()) await sdk.closeWallet(h.handle)
  } finally {
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
