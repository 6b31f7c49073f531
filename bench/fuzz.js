'use strict'
// `npm run bench fuzz`: the property-based bad-input run of __test__/fuzz.test.mjs at 1,000,000 cases
// (FUZZ_RUNS overrides), with its rate beside the 10,000-case run the test suite makes.
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { report, section } = require('./harness')

function run(runs) {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['--test', path.join(__dirname, '..', '__test__', 'fuzz.test.mjs')], {
    env: { ...process.env, FUZZ_RUNS: String(runs) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const secs = Number(process.hrtime.bigint() - started) / 1e9
  const passed = r.status === 0
  if (!passed) process.stderr.write(r.stdout.split('\n').filter((l) => /Counterexample|Got |not ok/.test(l)).join('\n') + '\n')
  return { passed, secs }
}

module.exports = async function fuzz() {
  const runs = Number(process.env.FUZZ_RUNS || 1_000_000)
  const small = run(10_000)
  const big = run(runs)
  section(`Bad input at the JS boundary (fast-check, ${runs} cases over every export that takes input)`)
  console.log(`${runs} cases: ${big.passed ? 'every call succeeded or failed with a documented code, within 10 s, echoing at most 64 characters' : 'FAILED (counterexample above)'}`)
  report({ name: `cases per second, ${runs} cases`, value: runs / big.secs, unit: 'case/s', baseline: 10_000 / small.secs, baselineName: '10,000-case run', lowerIsBetter: false })
  report({ name: 'failing properties', value: big.passed && small.passed ? 0 : 1, unit: '', target: 0 })
}
