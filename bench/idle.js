'use strict'
// Idle efficiency: many open wallets waiting. CPU per wallet from process CPU time, RSS per wallet, and
// the p99 of getBalance while the wallets scan — each configuration in a fresh process, beside the raw
// minotari_wallet library with its default settings (bench/raw_wallet.rs idle mode) in the same run.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { report, section } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

const SECS = Number(process.env.BENCH_IDLE_SECS || 60)
const MiB = 2 ** 20

module.exports = async function idle() {
  const raw = process.env.RAW_WALLET_BIN
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-idle-'))
  const run = (cmd, args) => JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: (SECS + 300) * 1000 }).trim().split('\n').pop())
  const sdkRun = (n, scan) => run(process.execPath, [path.join(__dirname, 'idle-child.js'), net.httpUrl, fs.mkdtempSync(path.join(tmp, 'sdk-')), String(n), String(SECS), ...(scan ? [String(scan)] : [])])
  const rawRun = (n, scan) => (raw ? run(raw, ['idle', net.httpUrl, fs.mkdtempSync(path.join(tmp, 'raw-')), String(n), String(scan), String(SECS)]) : undefined)
  try {
    section(`Idle wallets over ${SECS} s (CPU % of one core per wallet; SDK default policy vs raw library defaults)`)
    for (const n of [1, 10, 50]) {
      const s = sdkRun(n)
      const r = rawRun(n, 60)
      report({ name: `${n} wallet(s), SDK default (5 s scans): CPU per wallet`, value: s.cpuPerWalletPct, unit: '%', baseline: r?.cpuPerWalletPct, baselineName: 'raw, 60 s scans', target: n >= 50 ? 0.5 : 2 })
      report({ name: `${n} wallet(s), SDK default: RSS per wallet`, value: s.rssPerWalletBytes / MiB, unit: 'MiB', baseline: r && r.rssPerWalletBytes / MiB, baselineName: 'raw' })
      report({ name: `${n} wallet(s), SDK default: getBalance p99 while scanning`, value: s.balanceP99Ms, unit: 'ms', baseline: r?.balanceP99Ms, baselineName: 'raw', target: 5 })
    }
    section(`Wallets expecting payments: 1 s scans (mined → visible ≲ 1 s)`)
    for (const n of [10, 50]) {
      const s = sdkRun(n, 1)
      const r = n === 10 ? rawRun(n, 1) : undefined
      report({ name: `${n} wallets, 1 s scans: CPU per wallet`, value: s.cpuPerWalletPct, unit: '%', baseline: r?.cpuPerWalletPct, baselineName: 'raw, 1 s scans', target: 2 })
      report({ name: `${n} wallets, 1 s scans: getBalance p99`, value: s.balanceP99Ms, unit: 'ms', baseline: r?.balanceP99Ms, baselineName: 'raw, 1 s scans', target: 5 })
    }
  } finally {
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
