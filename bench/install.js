'use strict'
// From `npm install` to a mainnet address, as a user meets it: the packed tarballs installed offline into a
// fresh project, then a first process that creates a mainnet wallet and reads its address; and LocalNet
// started from the installed packages. Baselines: the same processes against this repository's build,
// which has nothing to install. package.test checks that the installed packages work; the figures are
// measured here, as medians, not asserted in a timed test.
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { median, report, section } = require('./harness')

const INSTALLS = 3
const root = path.join(__dirname, '..')

/** Runs bench/`child` in `cwd` with a clean environment; its output, with the wall time around the process. */
function runChild(child, cwd, { args = [], env = {} } = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TARI_') && !k.startsWith('NODE_')))
  const started = performance.now()
  const r = spawnSync(process.execPath, [path.join(__dirname, child), ...args], { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`${child}: ${r.stderr}`)
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), ms: performance.now() - started }
}
const firstAddress = (cwd, env) => runChild('first-address-child.js', cwd, { args: ['mainnet'], env })
// The harness's gRPC client is an optional peer dependency; offline, it comes from this repository.
const localnetReady = (cwd, env) => runChild('localnet-ready-child.js', cwd, { env: { NODE_PATH: path.join(root, 'node_modules'), ...env } })

module.exports = async function install() {
  if (!fs.readdirSync(root).some((f) => /\.mainnet\.node$/.test(f))) {
    console.log('\n(install: no mainnet build next to index.js; skipped)')
    return
  }
  section(`npm install to a first mainnet address (offline install of the packed tarballs; medians of ${INSTALLS})`)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-install-'))
  try {
    const tarballs = execFileSync('bash', [path.join(root, 'scripts', 'pack.sh'), path.join(work, 'tarballs')], { encoding: 'utf8' }).trim().split('\n')
    const runs = []
    for (let i = 0; i < INSTALLS; i++) {
      const project = path.join(work, `project-${i}`)
      fs.mkdirSync(project)
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
      const started = performance.now()
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, stdio: 'ignore' })
      const installMs = performance.now() - started
      const installed = firstAddress(project)
      if (!installed.from.startsWith(fs.realpathSync(project))) throw new Error(`measured ${installed.from}, not the installed SDK`)
      const inTree = firstAddress(root, { SDK_MODULE: root })
      // The LocalNet node packages are packed only when the pinned minotari_node is in the install cache.
      const withNode = tarballs.length > 2
      const ready = withNode ? localnetReady(project) : undefined
      const readyInTree = withNode ? localnetReady(root, { SDK_MODULE: root }) : undefined
      runs.push({ installMs, installed, inTree, ready, readyInTree })
      console.log(`  run ${i + 1}: install ${installMs.toFixed(0)} ms; first address ${installed.ms.toFixed(0)} ms ${JSON.stringify(installed.phases)}` +
        (ready ? `; LocalNet ready ${ready.readyMs} ms (${ready.binary})` : ''))
    }
    const m = (f) => median(runs.map(f))
    report({ name: 'npm install (offline, from the tarballs)', value: +m((r) => r.installMs).toFixed(0), unit: 'ms' })
    report({ name: 'first mainnet address, installed', value: +m((r) => r.installed.ms).toFixed(0), unit: 'ms', baseline: +m((r) => r.inTree.ms).toFixed(0), baselineName: 'in-tree build' })
    report({ name: 'npm install → first mainnet address', value: +m((r) => r.installMs + r.installed.ms).toFixed(0), unit: 'ms', target: 30_000 })
    if (runs[0].ready) {
      report({ name: 'Localnet.start() ready, installed packages', value: m((r) => r.ready.readyMs), unit: 'ms', baseline: m((r) => r.readyInTree.readyMs), baselineName: 'in-tree', target: 15_000 })
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}
