// Defects from the hardening review, each with the test that would have caught it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { sdkPath, root, runChild, throwsCode, rejectsCode, fakeNode } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)

const HUGE = 'Z'.repeat(8 * 1024 * 1024)
/** At most 64 characters of the input come back, whatever the error. */
const echoed = (message) => (message.match(/Z/g) ?? []).length

test('errors never echo a value put under an unknown config key', () => {
  const e = throwsCode(() => sdk.updateConfig({ passphrase: 'hunter2' }), 'ERR_CONFIG')
  assert.match(e.message, /passphrase/)
  assert.ok(!e.message.includes('hunter2'), e.message)
  const nested = throwsCode(() => sdk.updateConfig({ wallet: { seedWords: 'abandon ability able' } }), 'ERR_CONFIG')
  assert.ok(!nested.message.includes('abandon'), nested.message)
})

test('errors echo at most 64 characters of any input', async () => {
  const cases = [
    () => sdk.parseAddress('not an address', HUGE),
    () => sdk.getPrometheusMetrics(HUGE),
    () => sdk.updateConfig({ network: { name: HUGE } }),
    () => sdk.updateConfig({ retry: { attempts: HUGE } }),
    () => sdk.updateConfig({ network: { baseNodeUrls: ['ftp://' + HUGE] } }),
    () => sdk.init({ configFile: 1, config: HUGE }),
  ]
  for (const call of cases) {
    let err
    try {
      call()
    } catch (e) {
      err = e
    }
    assert.ok(err && sdk.isSdkError(err), String(err))
    assert.ok(echoed(err.message) <= 64, `${err.code}: ${err.message.length} characters`)
  }
  const rejected = await sdk.ping(HUGE).catch((e) => e)
  assert.equal(rejected.code, 'ERR_INVALID_ARGUMENT')
  assert.ok(echoed(rejected.message) <= 64, `${rejected.message.length} characters`)
})

test('base node URLs lose credentials, paths, queries and fragments in errors and metrics', async () => {
  const secrets = ['topsecret', 'tok3n', 'p4ss', 'ss@w0rd', 'fr4g']
  const urls = [
    'http://127.0.0.1:9/?apikey=topsecret',
    'http://127.0.0.1:9/tok3n/rpc',
    'http://user:p4ss@127.0.0.1:9',
    'http://user:p@ss@w0rd@127.0.0.1:9',
    'http://127.0.0.1:9/#fr4g',
  ]
  for (const url of urls) {
    const e = await rejectsCode(sdk.getTipInfo({ url }, { timeoutMs: 10_000 }), 'ERR_BASE_NODE')
    for (const s of secrets) assert.ok(!JSON.stringify({ m: e.message, u: e.url }).includes(s), `${s} leaked: ${e.message}`)
  }
  const text = sdk.getPrometheusMetrics() + JSON.stringify(sdk.getMetrics()) + JSON.stringify(sdk.getHealthStatus())
  for (const s of secrets) assert.ok(!text.includes(s), `${s} leaked into metrics or health`)
})

test('everything the library and the SDK create under dataDir is private: files 0600, directories 0700', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-perm-test-'))
  const dataDir = path.join(tmp, 'w')
  try {
    const h = await sdk.createWallet({ dataDir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
    await sdk.send(h, { to: sdk.getAddress(h).base58, amount: 1n, idempotencyKey: 'k' }).catch(() => {}) // writes the journal
    const wrong = []
    const walk = (dir) => {
      for (const name of fs.readdirSync(dir)) {
        const p = path.join(dir, name)
        const st = fs.statSync(p)
        const want = st.isDirectory() ? 0o700 : 0o600
        if ((st.mode & 0o777) !== want) wrong.push(`${path.relative(dataDir, p)} ${(st.mode & 0o777).toString(8)}`)
        if (st.isDirectory()) walk(p)
      }
    }
    walk(dataDir)
    await sdk.closeWallet(h)
    walk(dataDir)
    assert.deepEqual(wrong, [])
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})

test('destroy deletes only the wallet\'s own files; the home directory is refused as a dataDir', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-destroy-test-'))
  const dataDir = path.join(tmp, 'w')
  try {
    const h = await sdk.createWallet({ dataDir, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
    const mine = [path.join(dataDir, 'notes.txt'), path.join(dataDir, 'data', 'wallet', 'my-export.csv')]
    for (const f of mine) fs.writeFileSync(f, 'mine')
    await sdk.destroyWallet(h)
    for (const f of mine) assert.equal(fs.readFileSync(f, 'utf8'), 'mine', `${f} survived`)
    const left = fs.readdirSync(dataDir, { recursive: true }).sort()
    assert.deepEqual(left, ['data', 'data/wallet', 'data/wallet/my-export.csv', 'notes.txt'])

    const home = path.join(tmp, 'home')
    fs.mkdirSync(home)
    const r = runChild(
      `sdk.createWallet({ dataDir: process.env.HOME, passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
         .then(() => console.log(JSON.stringify({ code: 'created' })), (e) => console.log(JSON.stringify({ code: e.code })))`,
      { env: { HOME: home } },
    )
    assert.equal(r.json?.code, 'ERR_INVALID_ARGUMENT', r.stdout + r.stderr)
    assert.deepEqual(fs.readdirSync(home), [], 'nothing was written into the home directory')
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})

test('every export is built with catch_unwind, so no export can unwind into Node', async () => {
  const dir = path.join(root, 'src', 'api')
  const missing = []
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n')
    lines.forEach((line, i) => {
      if (!/^pub (async )?fn /.test(line)) return
      let j = i - 1
      while (j >= 0 && /^(\s*\/\/\/|#\[(?!napi))/.test(lines[j])) j--
      const attr = lines[j] ?? ''
      // module_exports runs once at load and only calls infallible setup.
      if (attr.startsWith('#[napi') && !attr.includes('catch_unwind') && !attr.includes('module_exports')) missing.push(`${file}:${i + 1}`)
    })
  }
  assert.deepEqual(missing, [])
})

test('caller mistakes do not count towards the error rate that drives readiness, but stay in the metrics', async () => {
  const r = runChild(`
    (async () => {
      for (let i = 0; i < 40; i++) {
        try { sdk.parseAddress('not an address') } catch {}
        await sdk.validateSeedWords('not seed words').catch(() => {})
        await sdk.getBalance(424242).catch(() => {})
        await sdk.ping('general', { signal: AbortSignal.abort() }).catch(() => {})
      }
      const h = sdk.getHealthStatus()
      const m = sdk.getMetrics().operations.find((o) => o.op === 'parseAddress')
      console.log(JSON.stringify({ level: h.level, rate: h.checks['operations:errorRate'][0].level, errors: m.errors }))
    })()`)
  assert.ok(r.json, r.stdout + r.stderr)
  assert.equal(r.json.rate, 'healthy', JSON.stringify(r.json))
  assert.notEqual(r.json.level, 'critical')
  assert.equal(r.json.errors.ERR_INVALID_ADDRESS, 40, 'still counted by code')
})

test('test and benchmark exports exist only in builds with the testing feature, which published builds leave out', async () => {
  const api = path.join(root, 'src', 'api')
  const outside = []
  for (const file of fs.readdirSync(api).filter((f) => f.endsWith('.rs') && f !== 'testing.rs')) {
    const text = fs.readFileSync(path.join(api, file), 'utf8')
    for (const m of text.matchAll(/js_name = "(__(?:test|bench)\w*)"/g)) outside.push(`${file}: ${m[1]}`)
  }
  assert.deepEqual(outside, [], 'every __test*/__bench* export lives in src/api/testing.rs')
  assert.match(fs.readFileSync(path.join(api, 'mod.rs'), 'utf8'), /#\[cfg\(feature = "testing"\)\]\npub mod testing;/)
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  assert.ok(!/testing/.test(pkg.scripts['build:dist']) && !/testing/.test(pkg.scripts.build), 'published builds carry no test hooks')
})

test('the breaker counts 4xx and malformed answers against the node, and half-open lets one probe through', async () => {
  sdk.updateConfig({ breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 300 }, retry: { attempts: 1 } })
  const nodes = [await fakeNode(404, 'no'), await fakeNode(200, 'this is not a tip')]
  try {
    for (const { server, url } of nodes) {
      for (let i = 0; i < 2; i++) await rejectsCode(sdk.getTipInfo({ url }), 'ERR_BASE_NODE')
      await rejectsCode(sdk.getTipInfo({ url }), 'ERR_CIRCUIT_OPEN')
      assert.equal(server.requests, 2, 'the open breaker kept the third call away from the node')
      await new Promise((r) => setTimeout(r, 350))
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => sdk.getTipInfo({ url }).then(() => 'ok', (e) => e.code)))
      assert.equal(server.requests, 3, `half-open sent ${server.requests - 2} probes: ${outcomes}`)
      assert.equal(outcomes.filter((o) => o === 'ERR_BASE_NODE').length, 1)
      assert.equal(outcomes.filter((o) => o === 'ERR_CIRCUIT_OPEN').length, 7)
    }
  } finally {
    for (const { server } of nodes) server.close()
    sdk.updateConfig({ breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30000 }, retry: { attempts: 3 } })
  }
})

test('base node URLs keep bounded state: a new URL per call does not grow breakers or label series', async () => {
  sdk.updateConfig({ retry: { attempts: 1 } })
  try {
    for (let i = 0; i < 100; i++) await sdk.getTipInfo({ url: `http://127.0.0.1:9/node-${i}` }).catch(() => {})
    assert.ok(sdk.getMetrics().breakers.length <= 64, `${sdk.getMetrics().breakers.length} breakers`)
    const series = sdk.getPrometheusMetrics().split('\n').filter((l) => l.startsWith('tari_sdk_base_node_breaker_state{'))
    assert.ok(series.length <= 64, `${series.length} label series`)
  } finally {
    sdk.updateConfig({ retry: { attempts: 3 } })
  }
})

test('a listener whose JS thread is blocked costs bounded memory, and hears how many events it missed', async () => {
  const native = require(path.join(root, 'index.js'))
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-lag-test-'))
  const h = await sdk.createWallet({ dataDir: path.join(tmp, 'w'), passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
  try {
    const N = 500_000
    let mined = 0
    let dropped = 0
    const sub = sdk.onEvent(h, (e) => {
      if (e.type === 'minedUnconfirmed') mined++
      else if (e.type === 'lagged') dropped += e.dropped
    })
    const before = sdk.getMemoryStats().currentBytes
    sdk.resetPeakMemory()
    const flooding = native.__benchEmitEvents(h, N, true)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000) // the JS thread is blocked for 3 s
    const grown = sdk.getMemoryStats().peakBytes - before
    await flooding
    const deadline = Date.now() + 10_000
    while (mined + dropped < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    sdk.offEvent(sub)
    assert.ok(grown < 32 * 1024 * 1024, `native memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB while the JS thread was blocked`)
    assert.ok(dropped > 0, 'the listener was told it lagged')
    assert.ok(mined + dropped >= N && mined + dropped <= N + 10, `every event was delivered or counted: ${mined} + ${dropped} of ${N}`)
  } finally {
    await sdk.closeWallet(h)
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})
