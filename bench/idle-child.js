'use strict'
// One idle measurement in a fresh process (so nothing else the bench did is counted): opens <n> wallets
// on <url>, lets them settle, then samples process CPU, RSS and getBalance latency for <secs>.
// usage: node bench/idle-child.js <url> <work-dir> <n> <secs> [scanSecs]   (no scanSecs: the SDK default)
// With BENCH_VIEW_KEYS (exportViewKeys' JSON), the wallets are view-only wallets of those keys; with
// BENCH_SEED_WORDS, restores of those words (the same wallet with its spend key, for comparison).
const path = require('node:path')
const sdk = require('../lib/sdk.js')

async function main() {
  const [url, work, n, secs, scan] = process.argv.slice(2)
  const base = process.memoryUsage().rss
  const handles = []
  for (let i = 0; i < Number(n); i++) {
    const options = { dataDir: path.join(work, `idle${i}`), passphrase: 'bench passphrase', network: 'localnet', baseNodeUrl: url }
    if (scan) options.scanningIntervalSecs = Number(scan)
    const view = process.env.BENCH_VIEW_KEYS
    if (process.env.BENCH_SEED_WORDS) options.seedWords = process.env.BENCH_SEED_WORDS
    handles.push(await (view ? sdk.createViewWallet({ ...options, ...JSON.parse(view) }) : sdk.createWallet(options)))
  }
  await new Promise((r) => setTimeout(r, 5000))
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const reads = []
  const end = Date.now() + Number(secs) * 1000
  while (Date.now() < end) {
    const t = process.hrtime.bigint()
    await sdk.getBalance(handles[reads.length % handles.length])
    reads.push(Number(process.hrtime.bigint() - t) / 1e6)
    await new Promise((r) => setTimeout(r, 50))
  }
  const cpu = process.cpuUsage(cpu0)
  const wallUs = Number(process.hrtime.bigint() - t0) / 1e3
  reads.sort((a, b) => a - b)
  const result = {
    cpuPerWalletPct: ((cpu.user + cpu.system) / wallUs) * 100 / handles.length,
    rssPerWalletBytes: (process.memoryUsage().rss - base) / handles.length,
    balanceP99Ms: reads[Math.min(reads.length - 1, Math.floor(reads.length * 0.99))],
  }
  for (const h of handles) await sdk.closeWallet(h)
  console.log(JSON.stringify(result))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
