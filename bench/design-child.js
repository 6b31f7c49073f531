'use strict'
// One measurement run of `bench/design.js` against the SDK at argv[2] (a checkout's lib/sdk.js, built with
// the `testing` feature). Prints one JSON line of figures.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { syncNs, asyncSequentialNs, asyncConcurrentNs, median } = require('./harness')

async function main() {
  const root = path.dirname(path.dirname(process.argv[2]))
  const sdk = require(process.argv[2])
  const native = require(path.join(root, 'index.js'))
  const out = {}
  for (const [name, fn] of [
    ['getHealthCheck', () => sdk.getHealthCheck()],
    ['getMemoryStats', () => sdk.getMemoryStats()],
    ['getRuntimeStats', () => sdk.getRuntimeStats()],
    ['getVersion', () => sdk.getVersion()],
    ['getMetrics', () => sdk.getMetrics()],
  ]) {
    out[`${name}() ns`] = syncNs(fn, { iterations: 20_000 })
  }
  out['ping sequential µs'] = (await asyncSequentialNs(() => sdk.ping('general'))) / 1000
  out['ping 100 in flight µs'] = (await asyncConcurrentNs(() => sdk.ping('general'))) / 1000
  out['ping with call options, 100 in flight µs'] = (await asyncConcurrentNs(() => sdk.ping('general', { correlationId: 'bench', timeoutMs: 5000 }))) / 1000
  const controller = new AbortController()
  out['ping with a signal, 100 in flight µs'] = (await asyncConcurrentNs(() => sdk.ping('general', { signal: controller.signal }))) / 1000
  out['metrics record ns (2 threads)'] = median(Array.from({ length: 7 }, () => native.__benchMetricsRecord(true, 2, 200_000)))

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-design-bench-'))
  // Event subscriptions never keep the process alive; this does while the events are on their way.
  const keepAlive = setInterval(() => {}, 1000)
  try {
    const h = await sdk.createWallet({ dataDir: dir, passphrase: 'bench', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
    const N = 100_000
    const rates = []
    for (let trial = 0; trial < 3; trial++) {
      let got = 0
      let done
      const finished = new Promise((r) => (done = r))
      const sub = sdk.onEvent(h, (e) => {
        if (e.type === 'minedUnconfirmed' && ++got === N) done()
      })
      const t = process.hrtime.bigint()
      await native.__benchEmitEvents(h, N)
      await finished
      rates.push(N / (Number(process.hrtime.bigint() - t) / 1e9))
      sdk.offEvent(sub)
    }
    out['events delivered per s'] = median(rates)
    await sdk.closeWallet(h)
  } finally {
    clearInterval(keepAlive)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log(JSON.stringify(out))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
