'use strict'
// Wallet figures against a real LocalNet, each beside the raw minotari_wallet library doing the same in a
// Rust program (bench/raw_wallet.rs) with identical settings, in the same run.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { percentile, median, report, section } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

const ITERATIONS = 10
const BALANCE_CALLS = 2000
const CYCLES = Number(process.env.BENCH_CYCLES || 200)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const MiB = 2 ** 20

module.exports = async function wallet({ sdk }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-'))
  try {
    const opts = (name) => ({ dataDir: path.join(tmp, 'sdk', name), passphrase: 'bench passphrase', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 60, dbPoolSize: 4 })
    await sdk.ping('wallet')
    await sleep(500)
    const base = sdk.getMemoryStats()

    const create = []
    const reopen = []
    for (let i = 0; i < ITERATIONS; i++) {
      let t = process.hrtime.bigint()
      const h = await sdk.createWallet(opts(`w${i}`))
      create.push(Number(process.hrtime.bigint() - t) / 1e6)
      await sdk.closeWallet(h)
      t = process.hrtime.bigint()
      const h2 = await sdk.openWallet(opts(`w${i}`))
      reopen.push(Number(process.hrtime.bigint() - t) / 1e6)
      await sdk.closeWallet(h2)
    }
    const one = await sdk.openWallet(opts('w0'))
    const balance = []
    for (let i = 0; i < BALANCE_CALLS; i++) {
      const t = process.hrtime.bigint()
      await sdk.getBalance(one)
      balance.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    await sleep(2000)
    const withOne = sdk.getMemoryStats()
    const open = [one]
    for (let i = 1; i < 10; i++) open.push(await sdk.openWallet(opts(`w${i}`)))
    await sleep(2000)
    const withTen = sdk.getMemoryStats()
    for (const h of open) await sdk.closeWallet(h)

    const rawBin = process.env.RAW_WALLET_BIN
    let raw
    if (rawBin && fs.existsSync(rawBin)) {
      const rawDir = path.join(tmp, 'raw')
      fs.mkdirSync(rawDir)
      raw = JSON.parse(execFileSync(rawBin, [net.httpUrl, rawDir, String(ITERATIONS), String(BALANCE_CALLS)], { encoding: 'utf8' }).trim().split('\n').pop())
    } else {
      console.log('  (raw baseline unavailable: build it with `cargo build --release --example raw_wallet`, set RAW_WALLET_BIN)')
      raw = {}
    }

    section(`Wallet lifecycle (p50 of ${ITERATIONS}; SDK vs raw minotari_wallet, same settings, same node)`)
    report({ name: 'createWallet (new seed)', value: median(create), unit: 'ms', baseline: raw.createP50Ms, baselineName: 'raw', target: 250 })
    report({ name: 'openWallet (reopen)', value: median(reopen), unit: 'ms', baseline: raw.reopenP50Ms, baselineName: 'raw', target: 200 })
    section(`getBalance, ${BALANCE_CALLS} sequential calls`)
    report({ name: 'getBalance p50', value: percentile(balance, 50), unit: 'ms', baseline: raw.balanceP50Ms, baselineName: 'raw', target: 1 })
    report({ name: 'getBalance p99', value: percentile(balance, 99), unit: 'ms', baseline: raw.balanceP99Ms, baselineName: 'raw' })
    section('Memory above the process baseline')
    report({ name: 'RSS, 1 wallet open', value: (withOne.rssBytes - base.rssBytes) / MiB, unit: 'MiB', baseline: raw.rssOneWalletBytes / MiB, baselineName: 'raw' })
    report({ name: 'RSS, 10 wallets open', value: (withTen.rssBytes - base.rssBytes) / MiB, unit: 'MiB', baseline: raw.rssTenWalletsBytes / MiB, baselineName: 'raw', target: 60 })
    report({ name: 'tracked bytes, 1 wallet open', value: (withOne.currentBytes - base.currentBytes) / MiB, unit: 'MiB' })
    report({ name: 'tracked bytes, 10 wallets open', value: (withTen.currentBytes - base.currentBytes) / MiB, unit: 'MiB' })

    section(`Tracked bytes across ${CYCLES} create/close cycles (after 100 warm-up cycles fill lazily sized caches)`)
    for (let i = 0; i < 100; i++) await sdk.closeWallet(await sdk.createWallet(opts(`warm${i}`)))
    await sleep(1000)
    const before = sdk.getMemoryStats().currentBytes
    const samples = []
    for (let i = 0; i < CYCLES; i++) {
      const h = await sdk.createWallet(opts(`cycle${i}`))
      await sdk.closeWallet(h)
      if ((i + 1) % 50 === 0) {
        await sleep(500)
        samples.push(sdk.getMemoryStats().currentBytes)
      }
    }
    const growth = (samples[samples.length - 1] - before) / 1024
    console.log(`  tracked bytes after every 50 cycles (KiB above the start): ${samples.map((s) => ((s - before) / 1024).toFixed(0)).join(', ')}`)
    report({ name: `tracked bytes above the start after ${CYCLES} cycles`, value: growth, unit: 'KiB' })
    const trend = (samples[samples.length - 1] - samples[0]) / 1024
    report({ name: 'tracked bytes trend, cycle 50 → 200', value: trend, unit: 'KiB', target: 256 })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
