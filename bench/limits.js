'use strict'
// Policy layer figures: what admission (global and per-class token buckets, bulkhead) costs per
// operation with every policy on, against the same loop with no admission at all.
const { median, report, section, asyncSequentialNs } = require('./harness')

module.exports = async function limits({ sdk, native }) {
  section('Policy layer per operation (ns, median of 11 interleaved trials)')
  const off = []
  const on = []
  sdk.updateConfig({ limits: { rateLimitPerMinute: 1_000_000_000, classRateLimitsPerMinute: { general: 1_000_000_000 } } })
  try {
    for (let t = 0; t < 11; t++) {
      off.push(native.__benchAdmission(false, 500_000))
      on.push(native.__benchAdmission(true, 500_000))
    }
  } finally {
    sdk.updateConfig({ limits: { rateLimitPerMinute: 0, classRateLimitsPerMinute: { general: 0 } } })
  }
  const offNs = median(off)
  const onNs = median(on)
  report({ name: 'admission: global + class rate limit + bulkhead', value: onNs, unit: 'ns', baseline: offNs, baselineName: 'no policies', target: 1000 })
  const rejected = []
  sdk.updateConfig({ limits: { rateLimitPerMinute: 1 } })
  try {
    native.__benchAdmission(true, 1)
    for (let t = 0; t < 11; t++) rejected.push(native.__benchAdmission(true, 100_000))
  } finally {
    sdk.updateConfig({ limits: { rateLimitPerMinute: 0 } })
  }
  report({ name: 'admission refused (ERR_RATE_LIMITED built)', value: median(rejected), unit: 'ns', baseline: offNs, baselineName: 'no policies' })

  section('Circuit breaker open: fail fast (µs per call, median)')
  // Nothing listens on port 9: one refused call opens the breaker for a minute.
  const dead = 'http://127.0.0.1:9'
  sdk.updateConfig({ retry: { attempts: 1 }, breaker: { failureThreshold: 1, resetTimeoutMs: 600_000 } })
  try {
    await sdk.getTipInfo({ url: dead }).catch((e) => e)
    const code = (await sdk.getTipInfo({ url: dead }).catch((e) => e)).code
    if (code !== 'ERR_CIRCUIT_OPEN') throw new Error(`expected ERR_CIRCUIT_OPEN, got ${code}`)
    const failFast = (await asyncSequentialNs(() => sdk.getTipInfo({ url: dead }).catch(() => {}), { iterations: 2000 })) / 1000
    const pingSeq = (await asyncSequentialNs(() => sdk.ping('network'), { iterations: 2000 })) / 1000
    report({ name: 'getTipInfo() with the breaker open → ERR_CIRCUIT_OPEN', value: failFast, unit: 'µs', baseline: pingSeq, baselineName: "ping('network')", target: 50 })
  } finally {
    sdk.updateConfig({ retry: { attempts: 3 }, breaker: { failureThreshold: 5, resetTimeoutMs: 30_000 } })
  }
}
