'use strict'
// Payment figures on a real LocalNet: send call latency, mined → visible at a 1 s scan interval, and
// event delivery throughput to JS (synthetic events through the real delivery path).
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const readline = require('node:readline')
const { percentile, median, report, section, sleep, waitFor } = require('./harness')
const { Localnet } = require('../lib/localnet.js')

/** The raw library's send latency: its own wallet, funded by coinbases, paying `to`. */
async function rawSend(net, dir, to, sends) {
  const bin = process.env.RAW_WALLET_BIN
  if (!bin || !fs.existsSync(bin)) return undefined
  fs.mkdirSync(dir, { recursive: true })
  const child = spawn(bin, ['send', net.httpUrl, dir, to, String(sends)], { stdio: ['pipe', 'pipe', 'ignore'] })
  const lines = readline.createInterface({ input: child.stdout })
  let result
  for await (const line of lines) {
    if (line.startsWith('ADDRESS ')) {
      await net.mine(sends + 2, line.slice(8))
      await net.mine(3)
      child.stdin.write('go\n')
    } else if (line.startsWith('{')) {
      result = JSON.parse(line)
    }
  }
  return result?.sendP50Ms
}

/** The raw library watching for a payment: starts `raw_wallet watch`, resolves its address and a reader
 * of its `SEEN`/`AVAILABLE` timestamps. */
async function rawWatcher(net, dir) {
  const bin = process.env.RAW_WALLET_BIN
  if (!bin || !fs.existsSync(bin)) return undefined
  fs.mkdirSync(dir, { recursive: true })
  const child = spawn(bin, ['watch', net.httpUrl, dir], { stdio: ['pipe', 'pipe', 'ignore'] })
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (prefix) => {
    for (;;) {
      const { value, done } = await lines.next()
      if (done) throw new Error('raw watcher ended')
      if (value.startsWith(prefix)) return value.slice(prefix.length)
    }
  }
  const address = await next('ADDRESS ')
  return { address, next: async (what) => Number(await next(`${what} `)), stop: () => child.stdin.end() }
}

/** Times mined → visible and mined → available for `sends` payments from `from` to `to`; `seen` and
 * `available` resolve to the Unix ms at which the recipient saw each. */
async function timePayments(sdk, net, from, to, sends, { seen, available }) {
  const visibleMs = []
  const availableMs = []
  for (let i = 0; i < sends; i++) {
    await sdk.send(from, { to, amount: 20_000n + BigInt(i) })
    await sleep(2500) // broadcast reaches the mempool
    const mined = Date.now()
    const sawIt = seen()
    await net.mine(1)
    visibleMs.push((await sawIt) - mined)
    const confirming = Date.now()
    const spendable = available()
    await net.mine(3)
    availableMs.push((await spendable) - confirming)
  }
  return { visibleMs, availableMs }
}

module.exports = async function payments({ sdk, native }) {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-bench-pay-'))
  try {
    const opts = (n) => ({ dataDir: path.join(tmp, n), passphrase: 'bench', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
    const a = await sdk.createWallet(opts('a'))
    const b = await sdk.createWallet(opts('b'))
    await net.mine(8, sdk.getAddress(a).base58)
    await waitFor(async () => (await sdk.getBalance(a)).available > 0n)
    await net.mine(3)
    await waitFor(async () => (await sdk.getBalance(a)).pendingIncoming === 0n)
    // many outputs, so consecutive sends do not wait for change
    await sdk.coinSplit(a, { count: 30 })
    await sleep(2500)
    await net.mine(4)
    await waitFor(async () => (await sdk.getUtxos(a)).length >= 30)

    const SENDS = 5
    const rawSendMs = await rawSend(net, path.join(tmp, 'raw'), sdk.getAddress(b).base58, SENDS)
    const sendMs = []
    const visibleMs = []
    const availableMs = []
    const to = sdk.getAddress(b).base58
    for (let i = 0; i < SENDS; i++) {
      const t = process.hrtime.bigint()
      await sdk.send(a, { to, amount: 10_000n + BigInt(i) })
      sendMs.push(Number(process.hrtime.bigint() - t) / 1e6)
      const before = await sdk.getBalance(b)
      await sleep(2500) // broadcast reaches the mempool
      const mined = Date.now()
      await net.mine(1)
      await waitFor(async () => {
        const x = await sdk.getBalance(b)
        return x.pendingIncoming + x.available > before.pendingIncoming + before.available
      })
      visibleMs.push(Date.now() - mined)
      const confirming = Date.now()
      await net.mine(3)
      await waitFor(async () => (await sdk.getBalance(b)).available > before.available)
      availableMs.push(Date.now() - confirming)
    }
    // The same payments to a raw-library wallet with the same 1 s scan, watched from its own process.
    const watcher = await rawWatcher(net, path.join(tmp, 'raw-watch'))
    let raw
    if (watcher) {
      await sleep(3000) // its first scan
      raw = await timePayments(sdk, net, a, watcher.address, SENDS, { seen: () => watcher.next('SEEN'), available: () => watcher.next('AVAILABLE') })
      watcher.stop()
    }
    section('Payments (SDK vs the raw library in bench/raw_wallet.rs, same node, same run)')
    report({ name: `send call → tx id, p50 of ${SENDS}`, value: percentile(sendMs, 50), unit: 'ms', baseline: rawSendMs, baselineName: 'raw', target: 150 })
    report({ name: 'mined → recipient balance visible (1 s scan), median of 5', value: median(visibleMs), unit: 'ms', baseline: raw && median(raw.visibleMs), baselineName: 'raw', target: 1500 })
    report({ name: 'mined confirmations (3 blocks) → available, median of 5', value: median(availableMs), unit: 'ms', baseline: raw && median(raw.availableMs), baselineName: 'raw' })

    section('Event delivery to JS (synthetic events, real path: channel → forwarder → threadsafe function)')
    const N = 200_000
    let got = 0
    let done
    const finished = new Promise((r) => (done = r))
    const sub = sdk.onEvent(b, () => {
      if (++got === N) done()
    })
    const t = process.hrtime.bigint()
    await native.__benchEmitEvents(b, N)
    await finished
    const secs = Number(process.hrtime.bigint() - t) / 1e9
    sdk.offEvent(sub)
    const bin = process.env.RAW_WALLET_BIN
    const rawEvents = bin && fs.existsSync(bin) ? JSON.parse(execFileSync(bin, ['events', String(N)], { encoding: 'utf8' }).trim()).eventsPerSecond : undefined
    report({ name: `events delivered per second (${N} events)`, value: N / secs, unit: 'ev/s', baseline: rawEvents, baselineName: 'raw library channel, Rust subscriber', target: 100_000, lowerIsBetter: false })
  } finally {
    for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
