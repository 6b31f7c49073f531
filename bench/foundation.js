'use strict'
// Foundation figures: sync export cost, async dispatch through each dedicated runtime against napi's own
// `async fn`, and the tracking allocator against plain System on two threads.
const { syncNs, asyncSequentialNs, asyncConcurrentNs, median, report, section } = require('./harness')

module.exports = async function foundation({ sdk, native }) {
  section('Sync exports (ns per call, median)')
  const empty = syncNs(() => native.__benchEmpty())
  for (const [name, fn] of [
    ['getHealthCheck()', () => sdk.getHealthCheck()],
    ['getMemoryStats()', () => sdk.getMemoryStats()],
    ['getRuntimeStats()', () => sdk.getRuntimeStats()],
    ['getVersion()', () => sdk.getVersion()],
  ]) {
    report({ name, value: syncNs(fn, { iterations: 50_000 }), unit: 'ns', baseline: empty, baselineName: 'empty #[napi] fn', target: 1000 })
  }
  report({ name: 'getConfig() (whole config as JSON, not a hot getter)', value: syncNs(() => sdk.getConfig(), { iterations: 10_000 }), unit: 'ns', baseline: empty, baselineName: 'empty #[napi] fn' })

  section('Async no-op round trip (µs per op, median)')
  const napiSeq = (await asyncSequentialNs(() => native.__benchNapiAsyncNoop())) / 1000
  const napiPar = (await asyncConcurrentNs(() => native.__benchNapiAsyncNoop())) / 1000
  for (const rt of ['wallet', 'crypto', 'network', 'general']) {
    const seq = (await asyncSequentialNs(() => native.ping(rt))) / 1000
    report({ name: `ping('${rt}') sequential`, value: seq, unit: 'µs', baseline: napiSeq, baselineName: 'napi async fn', target: 35 })
  }
  for (const rt of ['wallet', 'crypto', 'network', 'general']) {
    const par = (await asyncConcurrentNs(() => native.ping(rt))) / 1000
    report({ name: `ping('${rt}') 100 in flight`, value: par, unit: 'µs', baseline: napiPar, baselineName: 'napi async fn', target: 5 })
  }
  const wrapped = (await asyncConcurrentNs(() => sdk.ping('general'))) / 1000
  report({ name: `sdk.ping() via the JS wrapper, 100 in flight`, value: wrapped, unit: 'µs', baseline: napiPar, baselineName: 'napi async fn', target: 5 })

  section('Tracking allocator on 2 threads (ns per alloc+free, median of 11 interleaved trials)')
  for (const [label, fill] of [['blocks filled as they would be in use', true], ['bare alloc/free, no work (worst case)', false]]) {
    const iterations = fill ? 500_000 : 2_000_000
    const sys = []
    const tracked = []
    for (let t = 0; t < 11; t++) {
      sys.push(native.__benchAllocChurn(false, 2, iterations, fill))
      tracked.push(native.__benchAllocChurn(true, 2, iterations, fill))
    }
    const s = median(sys)
    const k = median(tracked)
    report({ name: `tracking allocator, ${label}`, value: k, unit: 'ns', baseline: s, baselineName: 'System', target: +(s * 1.1).toFixed(3) })
    console.log(`  overhead: ${(((k - s) / s) * 100).toFixed(1)}% (${(k - s).toFixed(2)} ns per alloc+free; target ≤ 10%)`)
  }
}
