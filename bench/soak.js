'use strict'
// Soak (#18): mixed load for a fixed time on a real LocalNet, sampled every 10 s, with a CSV, plots and a
// memory breakdown.
//  - BENCH_SOAK_MINUTES (10; 60 for the record), BENCH_SOAK_WALLETS (10), BENCH_SOAK_SENDS_PER_SEC (1),
//    BENCH_SOAK_BLOCK_SECS (3), BENCH_SOAK_RESTART_SECS (60), BENCH_SOAK_TIDY_SECS (6),
//    BENCH_SOAK_TIDY (1; 0 only counts the outputs), BENCH_SOAK_OUT (bench/results/soak).
//  - Load: sends round a ring of wallets, reads (balance, history, UTXOs, fee estimates) in a paced loop,
//    one wallet closed and reopened in turn, one wallet's coins tidied in turn (tidyCoins), a block mined
//    every few seconds, and an exchange-style consumer of every wallet's durable events (getEvents, then
//    ackEvents).
//  - Why tidy: each payment a wallet receives is a new output, and the library checks every unspent output
//    with the base node after each block, so without it the work per block (and the heap it takes) grows
//    with the run. A service that receives all day keeps its outputs in a band, as `tidyCoins` documents.
//  - Pass: RSS and tracked Rust heap flat (a least-squares slope under 1 MiB/h, fitted after the warm-up),
//    0 errors, and no event lost: every payment a wallet's history shows as received was announced as a
//    durable `received` event exactly once, and their number is the number of sends that succeeded.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const timers = require('node:timers/promises')
const { report, section, sleep, waitFor, percentile, mineInBackground } = require('./harness')
const { renderPng, panels } = require('./plot')
const { Localnet } = require('../lib/localnet.js')

const env = (name, dflt) => Number(process.env[name] ?? dflt)
const MINUTES = env('BENCH_SOAK_MINUTES', 10)
const WALLETS = env('BENCH_SOAK_WALLETS', 10)
const SENDS_PER_SEC = env('BENCH_SOAK_SENDS_PER_SEC', 1)
const BLOCK_SECS = env('BENCH_SOAK_BLOCK_SECS', 3)
const RESTART_SECS = env('BENCH_SOAK_RESTART_SECS', 60)
const TIDY_SECS = env('BENCH_SOAK_TIDY_SECS', 6)
const TIDY = env('BENCH_SOAK_TIDY', 1) !== 0
const BAND = { minOutputs: 4, maxOutputs: 24 }
const READS_PER_SEC = env('BENCH_SOAK_READS_PER_SEC', 50)
const SAMPLE_SECS = 10
const OUT = process.env.BENCH_SOAK_OUT || path.join(__dirname, 'results', 'soak')
const MiB = 2 ** 20

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length
  if (n < 2) return NaN
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my)
    den += (xs[i] - mx) ** 2
  }
  return num / den
}

/** A wallet of the ring: its handle changes when it is reopened; `lock` serialises sends and restarts. */
class Member {
  constructor(opts) {
    this.opts = opts
    this.handle = 0
    this.lock = Promise.resolve()
    this.open = false
    this.outputs = 0 // spendable outputs when its coins were last tidied
    this.received = new Map() // txId → how many `received` events announced it
  }

  exclusive(fn) {
    const run = this.lock.then(fn, fn)
    this.lock = run.catch(() => {})
    return run
  }
}

module.exports = async function soak({ sdk }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-soak-'))
  fs.mkdirSync(OUT, { recursive: true })
  const opts = (i) => ({ dataDir: path.join(tmp, `w${i}`), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  const ring = []
  let stopMining = null
  let running = true
  try {
    section(`Soak: ${MINUTES} min, ${WALLETS} wallets, ${SENDS_PER_SEC} send/s round the ring, ${READS_PER_SEC} reads/s, a block every ${BLOCK_SECS} s, a reopen every ${RESTART_SECS} s, ${TIDY ? `a wallet's coins tidied every ${TIDY_SECS} s` : 'no coin tidying'}`)
    for (let i = 0; i < WALLETS; i++) {
      const m = new Member(opts(i))
      m.handle = await sdk.createWallet(m.opts)
      m.open = true
      m.address = sdk.getAddress(m.handle).base58
      ring.push(m)
    }
    // Funding: several coinbases each, so a wallet has outputs to spend while its change waits for a block.
    for (const m of ring) await net.mine(6, m.address)
    await net.mine(6)
    await waitFor(async () => {
      const bs = await Promise.all(ring.map((m) => sdk.getBalance(m.handle)))
      return bs.every((b) => b.available > 0n && b.timeLocked === 0n && b.pendingIncoming === 0n)
    }, 300_000, 500)

    // Everything timed goes through `op`: its latency lands in this sample window, its failure in the tally.
    let window = new Map()
    const errors = {}
    let errorsInWindow = 0
    let opsInWindow = 0
    const op = async (name, fn) => {
      const t = performance.now()
      try {
        return await fn()
      } catch (e) {
        // The code and the start of the message: one soak's error should say what it was.
        const key = `${name}: ${e.code ?? ''} ${String(e.message).slice(0, 100)}`
        errors[key] = (errors[key] ?? 0) + 1
        errorsInWindow++
        return undefined
      } finally {
        opsInWindow++
        if (!window.has(name)) window.set(name, [])
        window.get(name).push(performance.now() - t)
      }
    }

    let sends = 0
    const loops = []
    const stopped = new AbortController()
    const pause = (ms) => timers.setTimeout(ms, undefined, { signal: stopped.signal }).catch(() => {})
    const every = (ms, fn, { wait = false } = {}) => loops.push((async () => {
      if (wait) await pause(ms)
      while (running) {
        const t = Date.now()
        await fn()
        await pause(Math.max(0, ms - (Date.now() - t)))
      }
    })())

    stopMining = mineInBackground(net, BLOCK_SECS * 1000)
    // Sends: one at a time round the ring, each exactly once through its idempotency key.
    let k = 0
    every(1000 / SENDS_PER_SEC, async () => {
      const i = k++ % ring.length
      const from = ring[i]
      const to = ring[(i + 1) % ring.length]
      await from.exclusive(async () => {
        const txId = await op('send', () => sdk.send(from.handle, { to: to.address, amount: 10_000n + BigInt(k % 1000), idempotencyKey: `soak-${k}` }))
        if (txId) sends++
      })
    })
    // Reads: balance, history, UTXOs and fee estimates, across the open wallets.
    let r = 0
    const reads = [
      ['getBalance', (h) => sdk.getBalance(h)],
      ['getTransactions', (h) => sdk.getTransactions(h, { limit: 20 })],
      ['getUtxos', (h) => sdk.getUtxos(h, { limit: 20 })],
      ['estimateFee', (h) => sdk.estimateFee(h, { amount: 10_000n })],
    ]
    every(1000 / READS_PER_SEC, async () => {
      const m = ring[r % ring.length]
      const [name, read] = reads[Math.floor(r++ / ring.length) % reads.length]
      if (m.open) await op(name, () => read(m.handle))
    })
    // Restarts: one wallet closed and reopened in turn, between its own sends.
    let next = 0
    every(RESTART_SECS * 1000, async () => {
      if (!running) return
      const m = ring[next++ % ring.length]
      await m.exclusive(() => op('reopen', async () => {
        m.open = false
        await sdk.closeWallet(m.handle)
        m.handle = await sdk.openWallet(m.opts)
        m.open = true
      }))
    }, { wait: true })
    // Coins: one wallet's outputs kept in the band in turn, between its own sends (only counted without TIDY).
    let tidied = 0
    every(TIDY_SECS * 1000, async () => {
      const m = ring[tidied++ % ring.length]
      const r = await m.exclusive(() => m.open && op('tidyCoins', () => sdk.tidyCoins(m.handle, { ...BAND, preview: !TIDY })))
      if (r) m.outputs = r.count
    }, { wait: true })
    // The durable-event consumer: read, count, acknowledge.
    const consume = async (m) => {
      if (!m.open) return 0
      const page = await op('getEvents', () => sdk.getEvents(m.handle, { limit: 1000 }))
      if (!page?.length) return 0
      for (const e of page) if (e.type === 'received') m.received.set(e.txId, (m.received.get(e.txId) ?? 0) + 1)
      await op('ackEvents', () => sdk.ackEvents(m.handle, page.at(-1).seq))
      return page.length
    }
    let queueDepth = 0
    every(2000, async () => {
      let n = 0
      for (const m of ring) n += await m.exclusive(() => consume(m))
      queueDepth = n
    })

    // Sampling.
    const rows = []
    const start = Date.now()
    const cpu0 = process.cpuUsage()
    const sample = () => {
      const b = sdk.getMemoryBreakdown()
      const v8 = process.memoryUsage()
      const row = {
        minute: (Date.now() - start) / 60_000,
        rssMiB: b.rssBytes / MiB,
        rssAnonMiB: b.rssAnonBytes / MiB,
        rssFileMiB: b.rssFileBytes / MiB,
        trackedMiB: b.rustHeapBytes / MiB,
        sqliteMiB: b.sqliteBytes / MiB,
        mallocInUseMiB: b.mallocInUseBytes / MiB,
        mallocFreeMiB: b.mallocFreeBytes / MiB,
        mallocArenas: b.mallocArenas,
        v8HeapUsedMiB: v8.heapUsed / MiB,
        v8HeapTotalMiB: v8.heapTotal / MiB,
        v8ExternalMiB: v8.external / MiB,
        threads: b.threads,
        handles: process.getActiveResourcesInfo().length,
        openWallets: sdk.listWallets().length,
        eventQueueDepth: queueDepth,
        outputsPerWallet: ring.reduce((n, m) => n + m.outputs, 0) / ring.length,
        sends,
        ops: opsInWindow,
        errors: errorsInWindow,
        errorRate: opsInWindow ? errorsInWindow / opsInWindow : 0,
      }
      for (const name of ['send', 'getBalance', 'getTransactions', 'getUtxos', 'estimateFee', 'getEvents', 'reopen', 'tidyCoins']) {
        const xs = window.get(name)
        row[`p95_${name}_ms`] = xs?.length ? percentile(xs, 95) : null
      }
      window = new Map()
      errorsInWindow = 0
      opsInWindow = 0
      rows.push(row)
      return row
    }
    const deadline = start + MINUTES * 60_000
    while (Date.now() < deadline) {
      await sleep(Math.min(SAMPLE_SECS * 1000, deadline - Date.now()))
      const s = sample()
      process.stderr.write(`soak ${s.minute.toFixed(1)} min: RSS ${s.rssMiB.toFixed(1)} MiB, Rust heap ${s.trackedMiB.toFixed(1)} MiB, ${s.sends} sends, ${s.errors} errors\n`)
    }
    const cpu = process.cpuUsage(cpu0)
    running = false
    stopped.abort()
    await Promise.all(loops)

    // Settle: mine until every payment is confirmed, then drain the events and count them against history.
    await waitFor(async () => {
      const bs = await Promise.all(ring.map((m) => sdk.getBalance(m.handle)))
      return bs.every((b) => b.pendingIncoming === 0n && b.pendingOutgoing === 0n)
    }, 300_000, 1000)
    await stopMining()
    stopMining = null
    await sleep(3000)
    for (const m of ring) while (await consume(m)) ;
    let inbound = 0
    let missing = 0
    let repeated = 0
    for (const m of ring) {
      const history = await sdk.getTransactions(m.handle, { direction: 'inbound', limit: 10_000 })
      const payments = history.filter((t) => !t.status.startsWith('coinbase'))
      inbound += payments.length
      missing += payments.filter((t) => !m.received.has(t.id)).length
      repeated += [...m.received.values()].filter((n) => n > 1).length
    }

    // Figures.
    const csv = path.join(OUT, 'soak.csv')
    const cols = Object.keys(rows[0])
    fs.writeFileSync(csv, [cols.join(','), ...rows.map((row) => cols.map((c) => (row[c] == null ? '' : +Number(row[c]).toFixed(4))).join(','))].join('\n') + '\n')
    const warm = Math.min(10, MINUTES * 0.2)
    const steady = rows.filter((row) => row.minute >= warm)
    const perHour = (field, from = steady) => slope(from.map((row) => row.minute / 60), from.map((row) => row[field]))
    const totalErrors = Object.values(errors).reduce((a, n) => a + n, 0)
    report({ name: `soak ${MINUTES} min: RSS slope after ${warm.toFixed(0)} min warm-up`, value: perHour('rssMiB'), unit: 'MiB/h', target: 1 })
    report({ name: 'soak: tracked Rust heap slope', value: perHour('trackedMiB'), unit: 'MiB/h', target: 1 })
    report({ name: 'soak: RSS slope over the whole run', value: perHour('rssMiB', rows), unit: 'MiB/h' })
    report({ name: 'soak: errors', value: totalErrors, unit: 'errors', target: 0 })
    report({ name: `soak: received payments not announced (of ${inbound}; ${sends} sends)`, value: missing + Math.abs(inbound - sends), unit: 'lost', target: 0 })
    report({ name: 'soak: payments announced more than once', value: repeated, unit: 'events', target: 0 })
    report({ name: 'soak: CPU, whole process', value: ((cpu.user + cpu.system) / 1e6 / (MINUTES * 60)) * 100, unit: '%' })
    if (totalErrors) console.log('errors:', errors)
    const first = steady[0] ?? rows[0]
    const last = rows.at(-1)
    console.log(`\nMemory breakdown (MiB) at ${first.minute.toFixed(1)} min → ${last.minute.toFixed(1)} min, slope after the warm-up:`)
    const parts = [['RSS', 'rssMiB'], ['  anonymous', 'rssAnonMiB'], ['  file-backed', 'rssFileMiB'], ['V8 heap (total)', 'v8HeapTotalMiB'], ['V8 heap (used)', 'v8HeapUsedMiB'], ['V8 external', 'v8ExternalMiB'], ['malloc in use', 'mallocInUseMiB'], ['  of it, Rust heap', 'trackedMiB'], ['  of it, SQLite', 'sqliteMiB'], ['malloc free, retained', 'mallocFreeMiB'], ['malloc arenas', 'mallocArenas'], ['threads', 'threads'], ['active handles', 'handles']]
    for (const [label, field] of parts) {
      console.log(`  ${label.padEnd(24)} ${first[field].toFixed(1).padStart(8)} → ${last[field].toFixed(1).padStart(8)}   ${perHour(field).toFixed(2).padStart(8)}/h`)
    }
    const unexplained = (row) => row.rssAnonMiB - row.v8HeapTotalMiB - row.mallocInUseMiB - row.mallocFreeMiB
    console.log(`  ${'anonymous, other'.padEnd(24)} ${unexplained(first).toFixed(1).padStart(8)} → ${unexplained(last).toFixed(1).padStart(8)}   (thread stacks, V8 code space, Node's own)`)

    const png = path.join(OUT, 'soak.png')
    const ops = Object.fromEntries(Object.keys(rows[0]).filter((c) => c.startsWith('p95_')).map((c) => [c.slice(4, -3), c]))
    await renderPng(panels({
      title: `Soak: ${MINUTES} min, ${WALLETS} wallets, ${sends} payments, ${totalErrors} errors`,
      rows,
      x: 'minute',
      xTitle: 'minutes',
      panels: [
        {
          title: 'Memory (MiB)',
          yTitle: 'MiB',
          series: { RSS: 'rssMiB', 'RSS anonymous': 'rssAnonMiB', 'V8 heap': 'v8HeapTotalMiB', 'malloc in use': 'mallocInUseMiB', 'malloc retained free': 'mallocFreeMiB', 'Rust heap (tracked)': 'trackedMiB', SQLite: 'sqliteMiB' },
        },
        { title: 'p95 latency per operation over each 10 s', yTitle: 'ms', series: ops },
        { title: 'Handles, threads, unacknowledged events, outputs per wallet, errors', yTitle: 'count', series: { 'active handles': 'handles', threads: 'threads', 'unacknowledged events': 'eventQueueDepth', 'unspent outputs per wallet': 'outputsPerWallet', errors: 'errors' } },
      ],
    }), png)
    console.log(`\nwrote ${csv} and ${png}`)
  } finally {
    running = false
    if (stopMining) await stopMining()
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
