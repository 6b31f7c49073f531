'use strict'
// Benchmark helpers. Every figure is the median of several trials, printed beside its baseline from the
// same run (the machines are shared and noisy).

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/** ns per call of a sync function: median over `trials` runs of `iterations` calls. */
function syncNs(fn, { iterations = 200_000, trials = 11 } = {}) {
  for (let i = 0; i < iterations / 10; i++) fn()
  const results = []
  for (let t = 0; t < trials; t++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) fn()
    results.push(Number(process.hrtime.bigint() - start) / iterations)
  }
  return median(results)
}

/** ns per op of an async function, awaited one at a time. */
async function asyncSequentialNs(fn, { iterations = 5_000, trials = 9 } = {}) {
  for (let i = 0; i < 500; i++) await fn()
  const results = []
  for (let t = 0; t < trials; t++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) await fn()
    results.push(Number(process.hrtime.bigint() - start) / iterations)
  }
  return median(results)
}

/** ns per op of an async function with `inFlight` concurrent calls, in waves. */
async function asyncConcurrentNs(fn, { inFlight = 100, waves = 200, trials = 9 } = {}) {
  const wave = () => {
    const ps = new Array(inFlight)
    for (let i = 0; i < inFlight; i++) ps[i] = fn()
    return Promise.all(ps)
  }
  for (let i = 0; i < 20; i++) await wave()
  const results = []
  for (let t = 0; t < trials; t++) {
    const start = process.hrtime.bigint()
    for (let w = 0; w < waves; w++) await wave()
    results.push(Number(process.hrtime.bigint() - start) / (waves * inFlight))
  }
  return median(results)
}

/** ms per call of `fn`, median of `n` sequential calls after 3 warm-ups. */
async function p50Ms(fn, n) {
  for (let i = 0; i < 3; i++) await fn()
  const ms = []
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn()
    ms.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(ms)
}

const rows = []

/** Records and prints one figure with its baseline and target. */
function report({ name, value, unit, baseline, baselineName, target, lowerIsBetter = true }) {
  if (!Number.isFinite(baseline)) baseline = undefined
  const ratio = baseline ? value / baseline : undefined
  const pass = target === undefined ? undefined : lowerIsBetter ? value <= target : value >= target
  rows.push({ name, value, unit, baseline, baselineName, ratio, target, pass })
  const fmt = (v) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3))
  const parts = [`${name.padEnd(58)} ${fmt(value).padStart(9)} ${unit}`]
  if (baseline !== undefined) parts.push(`  vs ${baselineName} ${fmt(baseline)} ${unit} (×${ratio.toFixed(2)})`)
  if (target !== undefined) parts.push(`  target ${lowerIsBetter ? '≤' : '≥'} ${target} ${unit}: ${pass ? 'PASS' : 'MISS'}`)
  console.log(parts.join(''))
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Polls `fn` every `everyMs` until it returns something truthy; returns that. */
async function waitFor(fn, timeoutMs = 60_000, everyMs = 10) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const v = await fn()
    if (v) return v
    await sleep(everyMs)
  }
  throw new Error('timed out')
}

/** Mines a block on `net` every `everyMs` until the returned `stop()` resolves. */
function mineInBackground(net, everyMs = 2000) {
  let mining = true
  const loop = (async () => {
    while (mining) {
      await net.mine(1).catch(() => {})
      await sleep(everyMs)
    }
  })()
  return async () => {
    mining = false
    await loop
  }
}

function section(title) {
  console.log(`\n## ${title}`)
}

module.exports = { median, percentile, p50Ms, syncNs, asyncSequentialNs, asyncConcurrentNs, report, section, rows, sleep, waitFor, mineInBackground }
