'use strict'
// Observability figures: the cost of recording an operation's metrics (on against off), rendering the
// Prometheus text for a realistic population, and the load-balancer health probe.
const { syncNs, asyncConcurrentNs, median, report, section } = require('./harness')

module.exports = async function observability({ sdk, native }) {
  section('Metrics recording per operation (ns, median of 11 interleaved trials)')
  for (const threads of [1, 2]) {
    const on = []
    const off = []
    for (let t = 0; t < 11; t++) {
      off.push(native.__benchMetricsRecord(false, threads, 200_000))
      on.push(native.__benchMetricsRecord(true, threads, 200_000))
    }
    const offNs = median(off)
    const onNs = median(on)
    report({ name: `record one op, ${threads} thread(s) on one op name, metrics on`, value: onNs, unit: 'ns', baseline: offNs, baselineName: 'metrics off', target: 200 })
    console.log(`  recording costs ${(onNs - offNs).toFixed(1)} ns per operation`)
  }
  const pingOn = []
  const pingOff = []
  for (let t = 0; t < 5; t++) {
    sdk.enableMetrics(false)
    pingOff.push(await asyncConcurrentNs(() => native.ping('general'), { waves: 100, trials: 3 }))
    sdk.enableMetrics(true)
    pingOn.push(await asyncConcurrentNs(() => native.ping('general'), { waves: 100, trials: 3 }))
  }
  report({ name: 'ping() 100 in flight, metrics on (µs per op)', value: median(pingOn) / 1000, unit: 'µs', baseline: median(pingOff) / 1000, baselineName: 'metrics off' })

  section('Prometheus rendering (µs per call, median)')
  sdk.resetMetrics()
  const empty = syncNs(() => sdk.getPrometheusMetrics(), { iterations: 200, trials: 9 }) / 1000
  native.__benchPopulateMetrics(50, 20)
  const outcomes = Object.keys(sdk.ERROR_CODES).length + 1
  const full = syncNs(() => sdk.getPrometheusMetrics(), { iterations: 200, trials: 9 }) / 1000
  const bytes = sdk.getPrometheusMetrics().length
  report({ name: `getPrometheusMetrics(), 50 ops × ${outcomes} outcomes (${(bytes / 1024).toFixed(0)} KiB)`, value: full, unit: 'µs', baseline: empty, baselineName: 'no ops recorded', target: 1000 })
  const json = syncNs(() => sdk.getMetrics(), { iterations: 200, trials: 9 }) / 1000
  report({ name: 'getMetrics() (JSON), same population', value: json, unit: 'µs', baseline: empty, baselineName: 'Prometheus, no ops' })
  sdk.resetMetrics()

  section('Health probe (ns per call, median)')
  const emptyFn = syncNs(() => native.__benchEmpty())
  report({ name: 'getHealthCheck()', value: syncNs(() => sdk.getHealthCheck(), { iterations: 100_000 }), unit: 'ns', baseline: emptyFn, baselineName: 'empty #[napi] fn', target: 1000 })
  report({ name: 'getHealthStatus() (full evaluation, not a probe)', value: syncNs(() => sdk.getHealthStatus(), { iterations: 5_000 }) / 1000, unit: 'µs', baseline: emptyFn / 1000, baselineName: 'empty #[napi] fn' })
}
