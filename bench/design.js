'use strict'
// This design against a previous one, in the same run: the async round trip, sync getters, metrics
// recording and event delivery. Set PREVIOUS_SDK to another checkout's lib/sdk.js (built with
// `--features testing`), e.g. the commit before a refactor:
//   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npx napi build --platform --release --features testing)
//   PREVIOUS_SDK=/tmp/base/lib/sdk.js npm run bench design
// Each side runs in its own process, alternating, 5 times (async figures swing ±20% between runs on a
// shared machine); the medians are compared.
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { median, report, section } = require('./harness')

const RUNS = 5

module.exports = async function design() {
  const previous = process.env.PREVIOUS_SDK
  if (!previous) {
    console.log('\n(design: set PREVIOUS_SDK to compare with a previous build; skipped)')
    return
  }
  const current = path.join(__dirname, '..', 'lib', 'sdk.js')
  const child = path.join(__dirname, 'design-child.js')
  const runs = { current: [], previous: [] }
  for (let i = 0; i < RUNS; i++) {
    for (const [side, sdk] of [['previous', previous], ['current', current]]) {
      runs[side].push(JSON.parse(execFileSync(process.execPath, [child, sdk], { encoding: 'utf8' }).trim().split('\n').pop()))
    }
  }
  section(`This build against ${previous} (medians of ${RUNS} alternating runs; target: no more than 5% worse)`)
  for (const name of Object.keys(runs.current[0])) {
    const now = median(runs.current.map((r) => r[name]))
    const before = median(runs.previous.map((r) => r[name]).filter((v) => v !== undefined))
    const higherIsBetter = name.includes('per s')
    const worse = higherIsBetter ? before / now : now / before
    report({ name, value: now, unit: ['ns', 'µs', 's'].find((u) => name.split(' ').includes(u)), baseline: before, baselineName: 'previous', target: +(higherIsBetter ? before / 1.05 : before * 1.05).toFixed(3), lowerIsBetter: !higherIsBetter })
    console.log(`  ${((worse - 1) * 100).toFixed(1)}% ${worse > 1 ? 'worse' : 'better'}`)
  }
}
