'use strict'
// Side by side with minotari_console_wallet 6.2.0 (#17, #18): the same LocalNet node, the same machine,
// one run. The console wallet is a gRPC daemon driven from this process with @grpc/grpc-js, as a Node
// team runs it today. Each figure is printed as SDK p50 (and p99) beside the console wallet's, with the
// ratio. Skipped, saying so, when the console wallet is not built (scripts/install-console-wallet.sh; set
// BENCH_CONSOLE_BUILD=1 to build it here, ~20 min cold).
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { median, percentile, report, section, sleep, waitFor } = require('./harness')
const { Localnet } = require('../lib/localnet.js')
const { ConsoleWallet } = require('./console-wallet.js')

const IDLE_SECS = Number(process.env.BENCH_IDLE_SECS || 30)
const SENDS = Number(process.env.BENCH_CONSOLE_SENDS || 20)
const PAYOUT = Number(process.env.BENCH_CONSOLE_PAYOUT || 200)

function cachedConsoleWallet() {
  if (process.env.TARI_CONSOLE_WALLET) return process.env.TARI_CONSOLE_WALLET
  const bin = path.join(os.homedir(), '.cache', 'tari-wallet-sdk', 'minotari_console_wallet-6.2.0', 'bin', 'minotari_console_wallet')
  if (fs.existsSync(bin)) return bin
  if (process.env.BENCH_CONSOLE_BUILD !== '1') return null
  return execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'install-console-wallet.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
}

async function timed(fn, n) {
  const out = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    out.push(performance.now() - t)
  }
  return out
}

/** Each of `waves` waves runs `inFlight` calls at once; the latency of every call. */
async function concurrent(fn, inFlight, waves) {
  const out = []
  for (let w = 0; w < waves; w++) {
    await Promise.all(Array.from({ length: inFlight }, async () => {
      const t = performance.now()
      await fn()
      out.push(performance.now() - t)
    }))
  }
  return out
}

/** Prints p50 and p99 of both, SDK first; `target` is the ratio console/SDK the issue asks for. */
function pair(name, sdkMs, consoleMs, target) {
  report({ name: `${name}, p50`, value: median(sdkMs), unit: 'ms', baseline: median(consoleMs), baselineName: 'console wallet' })
  report({ name: `${name}, p99`, value: percentile(sdkMs, 99), unit: 'ms', baseline: percentile(consoleMs, 99), baselineName: 'console wallet' })
  if (target) report({ name: `${name}: console p50 / SDK p50`, value: median(consoleMs) / median(sdkMs), unit: '×', target, lowerIsBetter: false })
}

function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

module.exports = async function consoleBench({ sdk }) {
  const binary = cachedConsoleWallet()
  if (!binary) {
    section('Side by side with minotari_console_wallet: skipped')
    console.log('the console wallet is not built: run scripts/install-console-wallet.sh (or BENCH_CONSOLE_BUILD=1)')
    return
  }
  process.env.TARI_CONSOLE_WALLET = binary
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-console-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  const consoles = []
  try {
    let t = performance.now()
    const s = await sdk.createWallet(opts('sdk'))
    await sdk.getBalance(s)
    const sdkStart = performance.now() - t
    const c = await ConsoleWallet.start({ httpUrl: net.httpUrl, dataDir: path.join(tmp, 'console') })
    consoles.push(c)
    const cAddress = await c.oneSidedAddress()
    const sAddress = sdk.getAddress(s).base58
    const payee = sdk.getAddress(await sdk.createWallet(opts('payee'))).base58

    section('Side by side with minotari_console_wallet 6.2.0 (gRPC daemon), one LocalNet node, one run')
    report({ name: 'wallet start → first balance', value: sdkStart, unit: 'ms', baseline: c.startMs, baselineName: 'console wallet daemon' })

    // History of 10: ten coinbases each.
    await net.mine(10, sAddress)
    await net.mine(10, cAddress)
    await waitFor(async () => (await sdk.getTransactions(s)).length >= 10 && (await c.completed()).length >= 10, 120_000, 200)

    pair('getBalance, sequential', await timed(() => sdk.getBalance(s), 2000), await timed(() => c.balance(), 2000), 20)
    pair('getBalance, 50 in flight', await concurrent(() => sdk.getBalance(s), 50, 40), await concurrent(() => c.balance(), 50, 40), 50)
    pair('address', await timed(() => sdk.getAddress(s), 2000), await timed(() => c.oneSidedAddress(), 2000))
    pair('history of 10', await timed(() => sdk.getTransactions(s), 500), await timed(() => c.completed(), 500))

    // Mined → visible: a block paying each, then time until its balance moves. Both wallets find blocks by
    // scanning every second (the library's interval scan), so one sample is mostly where in that second the
    // block landed: 15 samples each, at random offsets, interleaved.
    const visible = async (balance, address) => {
      await sleep(200 + Math.random() * 1000)
      const before = await balance()
      await net.mine(1, address)
      const t0 = performance.now()
      await waitFor(async () => (await balance()) !== before, 60_000, 5)
      return performance.now() - t0
    }
    const sdkSeen = []
    const cSeen = []
    for (let i = 0; i < 15; i++) {
      sdkSeen.push(await visible(async () => { const b = await sdk.getBalance(s); return b.available + b.pendingIncoming + b.timeLocked }, sAddress))
      cSeen.push(await visible(async () => { const b = await c.balance(); return b.available + b.pendingIncoming + b.timeLocked }, cAddress))
    }
    pair('block mined → visible in the balance', sdkSeen, cSeen)

    // History of 100, and spendable coinbases for the sends.
    await net.mine(85, sAddress)
    await net.mine(85, cAddress)
    await net.mine(10)
    await waitFor(async () => {
      const [sb, cb] = [await sdk.getBalance(s), await c.balance()]
      return (await sdk.getTransactions(s, { limit: 1000 })).length >= 100 && (await c.completed()).length >= 100 && sb.timeLocked === 0n && cb.timeLocked === 0n
    }, 300_000, 500)
    pair('history of 100', await timed(() => sdk.getTransactions(s, { limit: 100 }), 300), await timed(() => c.completed(), 300))

    pair('send → tx id', await timed(() => sdk.send(s, { to: payee, amount: 10_000n }), SENDS), await timed(() => c.transfer({ to: payee, amount: 10_000n }), SENDS), 2)
    const burst = async (one) => {
      const t0 = performance.now()
      await Promise.all(Array.from({ length: 20 }, one))
      return 20 / ((performance.now() - t0) / 1000)
    }
    sdk.resetMetrics()
    const sdkRate = await burst(() => sdk.send(s, { to: payee, amount: 10_000n }))
    // Where the SDK's send time went in that burst: its own stages against the library's.
    const sends = sdk.getMetrics().operations.find((o) => o.op === 'send')
    for (const st of sends?.stages ?? []) {
      report({ name: `20 concurrent sends: stage ${st.stage}, mean`, value: +st.latency.meanMs.toFixed(2), unit: 'ms', baseline: +sends.latency.meanMs.toFixed(2), baselineName: 'whole send' })
    }
    const cRate = await burst(() => c.transfer({ to: payee, amount: 10_000n }))
    report({ name: '20 concurrent sends: payments per second', value: sdkRate, unit: 'tx/s', baseline: cRate, baselineName: 'console wallet', lowerIsBetter: false })
    report({ name: '20 concurrent sends: SDK rate / console rate', value: sdkRate / cRate, unit: '×', target: 3, lowerIsBetter: false })

    // A payout job: PAYOUT recipients at once. The SDK's `payout` (batches of 50 in one transaction each)
    // against one `Transfer` request listing them all (the daemon makes one transaction per recipient).
    // Fresh coinbases for the console wallet first: each of its transactions spends one.
    await net.mine(PAYOUT + 10, cAddress)
    await net.mine(10)
    await waitFor(async () => (await c.balance()).timeLocked === 0n && (await sdk.getBalance(s)).timeLocked === 0n, 300_000, 500)
    const payees = Array.from({ length: PAYOUT }, (_, i) => ({ to: payee, amount: 10_000n + BigInt(i) }))
    let t0 = performance.now()
    const paid = await sdk.payout(s, { recipients: payees, idempotencyKey: `bench-payout-${Date.now()}` })
    const sdkPayout = paid.paid / ((performance.now() - t0) / 1000)
    t0 = performance.now()
    const cPaid = (await c.transferMany(payees)).length
    const cPayout = cPaid / ((performance.now() - t0) / 1000)
    report({ name: `payout of ${PAYOUT}: recipients paid per second`, value: sdkPayout, unit: '/s', baseline: cPayout, baselineName: 'console wallet (one Transfer)', target: 48, lowerIsBetter: false })
    report({ name: `payout of ${PAYOUT}: SDK rate / console rate`, value: sdkPayout / cPayout, unit: '×', target: 3, lowerIsBetter: false })

    // Memory and idle CPU per wallet at a 1 s scan: 10 SDK wallets in one fresh process against a
    // console daemon each (its only way to run several).
    const idle = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'idle-child.js'), net.httpUrl, fs.mkdtempSync(path.join(tmp, 'idle-')), '10', String(IDLE_SECS), '1'], { encoding: 'utf8', timeout: (IDLE_SECS + 120) * 1000 }).trim().split('\n').pop())
    const idleConsole = await ConsoleWallet.start({ httpUrl: net.httpUrl, dataDir: path.join(tmp, 'console-idle') })
    consoles.push(idleConsole)
    await sleep(5000)
    const cpu0 = cpuSeconds(idleConsole.child.pid)
    await sleep(IDLE_SECS * 1000)
    const consoleCpuPct = ((cpuSeconds(idleConsole.child.pid) - cpu0) / IDLE_SECS) * 100
    const consoleRss = idleConsole.rssBytes()
    report({ name: 'RSS per wallet (SDK: 10 in one process)', value: idle.rssPerWalletBytes / 2 ** 20, unit: 'MiB', baseline: consoleRss / 2 ** 20, baselineName: 'console wallet process' })
    report({ name: 'RSS per wallet: SDK / console', value: idle.rssPerWalletBytes / consoleRss, unit: '×', target: 0.2 })
    report({ name: 'idle CPU per wallet at a 1 s scan', value: idle.cpuPerWalletPct, unit: '%', baseline: consoleCpuPct, baselineName: 'console wallet' })
    report({ name: 'idle CPU per wallet: SDK / console', value: idle.cpuPerWalletPct / consoleCpuPct, unit: '×', target: 0.1 })
  } finally {
    for (const c of consoles) await c.stop().catch(() => {})
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
