'use strict'
// The published (`dist`) build against the release build, in the same run: file size (stripped) and the
// wallet operations that spend CPU in the code the dist profile optimises for size. Set DIST_NODE to a
// mainnet dist build:
//   TARI_TARGET_NETWORK=mainnet npx napi build --platform --profile dist --target-dir <dir> --output-dir <out> --no-js
//   DIST_NODE=<out>/tari-wallet-sdk.linux-x64-gnu.node npm run bench dist
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { median, report, section } = require('./harness')

const RUNS = 3

module.exports = async function dist() {
  const distNode = process.env.DIST_NODE
  const release = fs.readdirSync(path.join(__dirname, '..')).find((f) => /^tari-wallet-sdk\..+\.mainnet\.node$/.test(f))
  if (!distNode || !release) {
    console.log('\n(dist: set DIST_NODE to a mainnet dist build, next to a mainnet release build; skipped)')
    return
  }
  const stripped = path.join(os.tmpdir(), `release-stripped-${process.pid}.node`)
  execFileSync('strip', ['-o', stripped, path.join(__dirname, '..', release)])
  section('The dist build against the release build (mainnet; stripped sizes; medians of 3 alternating runs)')
  const mb = (f) => fs.statSync(f).size / 1e6
  report({ name: 'stripped .node MB', value: +mb(distNode).toFixed(2), unit: 'MB', baseline: +mb(stripped).toFixed(2), baselineName: 'release', target: 20 })
  fs.rmSync(stripped)
  const child = path.join(__dirname, 'dist-child.js')
  const runs = { dist: [], release: [] }
  for (let i = 0; i < RUNS; i++) {
    for (const [side, file] of [['release', path.join(__dirname, '..', release)], ['dist', distNode]]) {
      // A mainnet build warns about (and ignores) a testnet TARI_NETWORK; the suites' default is not for it.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'TARI_NETWORK'))
      runs[side].push(JSON.parse(execFileSync(process.execPath, [child, file], { encoding: 'utf8', env }).trim().split('\n').pop()))
    }
  }
  for (const name of Object.keys(runs.dist[0])) {
    const now = median(runs.dist.map((r) => r[name]))
    const before = median(runs.release.map((r) => r[name]))
    report({ name, value: +now.toFixed(3), unit: name.split(' ').pop(), baseline: +before.toFixed(3), baselineName: 'release', target: +(before * 1.1).toFixed(3) })
  }
}
