// The addon's foundation: exports, configuration layers, errors and panics, runtimes, timeouts, memory,
// health, and clean exit.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { runChild, throwsCode, rejectsCode, sdkPath, nativePath } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const native = require(nativePath)

describe('exports', () => {
  test('version names the embedded wallet and the build target', () => {
    const v = sdk.getVersion()
    assert.equal(v.minotariWallet, '6.2.0')
    assert.equal(v.sdk, require('../package.json').version)
    assert.equal(v.buildTarget, 'testnet')
  })

  test('error codes are documented and stable', () => {
    for (const code of ['ERR_INVALID_ARGUMENT', 'ERR_INVALID_HANDLE', 'ERR_CONFIG', 'ERR_TIMEOUT', 'ERR_INTERNAL']) {
      assert.equal(typeof sdk.ERROR_CODES[code], 'string', code)
    }
    assert.ok(Object.isFrozen(sdk.ERROR_CODES))
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const code of Object.keys(sdk.ERROR_CODES)) assert.ok(readme.includes(code), `README documents ${code}`)
  })

  test('every public export is documented in the typings', () => {
    const dts = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
    const walletDts = fs.readFileSync(new URL('../lib/wallet.d.ts', import.meta.url), 'utf8')
    assert.match(walletDts, /\*\/\s*export declare class Wallet/, 'the Wallet class is declared with a doc comment')
    const sdkDts = fs.readFileSync(new URL('../lib/sdk.d.ts', import.meta.url), 'utf8')
    for (const name of Object.keys(sdk)) {
      if (name === 'Wallet') continue
      // Native exports are documented in the generated typings; JS-only ones in lib/sdk.d.ts.
      const declared = [`export declare function ${name}(`, `export declare const ${name}:`]
      const source = [dts, sdkDts].find((text) => declared.some((d) => text.includes(d)))
      assert.ok(source, `${name} is declared`)
      const at = Math.max(...declared.map((d) => source.indexOf(d)))
      assert.match(source.slice(Math.max(0, at - 400), at), /\*\/\s*$/, `${name} has a doc comment`)
    }
  })
})

describe('configuration', () => {
  test('defaults: runtime sizes 2/1/4/2, every field sourced from defaults but the network', () => {
    const r = runChild('console.log(JSON.stringify(sdk.getConfig()))')
    assert.equal(r.status, 0, r.stderr)
    const { config, sources } = r.json
    assert.deepEqual(config.runtime, { walletThreads: 2, cryptoThreads: 1, networkThreads: 4, generalThreads: 2 })
    // TARI_NETWORK picks the testnet build for the suite (helpers.mjs), and sets the config's network too.
    for (const [field, source] of Object.entries(sources)) {
      assert.deepEqual(source, field === 'network.name' ? { layer: 'env', var: 'TARI_NETWORK' } : { layer: 'default' }, field)
    }
    assert.ok(Object.keys(sources).includes('limits.maxWalletInstances'))
  })

  test('the seed examples work as environment variables', () => {
    const r = runChild('console.log(JSON.stringify(sdk.getConfig()))', {
      env: { TARI_MAX_WALLET_INSTANCES: '7', TARI_LOG_LEVEL: 'debug', TARI_CONNECTION_TIMEOUT_MS: '1234', TARI_ENABLE_METRICS: 'false' },
    })
    assert.equal(r.status, 0, r.stderr)
    const { config, sources } = r.json
    assert.equal(config.limits.maxWalletInstances, 7)
    assert.equal(config.logging.level, 'debug')
    assert.equal(config.timeouts.connectionMs, 1234)
    assert.equal(config.metrics.enabled, false)
    assert.deepEqual(sources['limits.maxWalletInstances'], { layer: 'env', var: 'TARI_MAX_WALLET_INSTANCES' })
  })

  test('file, then environment, then init overrides, with provenance', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-cfg-'))
    const file = path.join(dir, 'tari.toml')
    fs.writeFileSync(file, '[limits]\nmaxWalletInstances = 5\nmaxRequestBytes = 4096\n[retry]\nattempts = 4\n')
    const r = runChild(
      `console.log(JSON.stringify(sdk.init({ configFile: ${JSON.stringify(file)}, config: { retry: { attempts: 6 } } })))`,
      { env: { TARI_MAX_WALLET_INSTANCES: '9' } },
    )
    assert.equal(r.status, 0, r.stderr)
    const { config, sources } = r.json
    assert.equal(config.limits.maxRequestBytes, 4096)
    assert.deepEqual(sources['limits.maxRequestBytes'], { layer: 'file', path: file })
    assert.equal(config.limits.maxWalletInstances, 9)
    assert.equal(config.retry.attempts, 6)
    assert.deepEqual(sources['retry.attempts'], { layer: 'init' })
  })

  test('TARI_CONFIG_FILE names a JSON file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-cfg-'))
    const file = path.join(dir, 'tari.json')
    fs.writeFileSync(file, JSON.stringify({ breaker: { failureThreshold: 11 } }))
    const r = runChild('console.log(JSON.stringify(sdk.init()))', { env: { TARI_CONFIG_FILE: file } })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.json.config.breaker.failureThreshold, 11)
  })

  test('bad values are rejected with ERR_CONFIG naming field, value and layer', () => {
    let e = throwsCode(() => sdk.init({ config: { limits: { maxWalletInstances: 0 } } }), 'ERR_CONFIG', /limits\.maxWalletInstances/)
    assert.match(e.message, /\b0\b/)
    assert.equal(e.field, 'limits.maxWalletInstances')
    throwsCode(() => sdk.init({ config: { limits: { maxWalletInstances: 'lots' } } }), 'ERR_CONFIG', /lots/)
    throwsCode(() => sdk.init({ config: { limits: { nope: 1 } } }), 'ERR_CONFIG', /nope/)
    throwsCode(() => sdk.init({ config: { logging: { level: 'loud' } } }), 'ERR_CONFIG', /logging\.level/)
    throwsCode(() => sdk.init({ config: { timeouts: { walletMs: -5 } } }), 'ERR_CONFIG', /timeouts\.walletMs/)
    throwsCode(() => sdk.init({ config: { health: { errorRateCritical: 2 } } }), 'ERR_CONFIG', /errorRateCritical/)
    throwsCode(() => sdk.init({ config: { network: { baseNodeUrls: ['ftp://x'] } } }), 'ERR_CONFIG', /baseNodeUrls/)
    const missing = path.join(os.tmpdir(), 'definitely-missing-tari.toml')
    throwsCode(() => sdk.init({ configFile: missing }), 'ERR_CONFIG', /cannot read/)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-cfg-'))
    fs.writeFileSync(path.join(dir, 'bad.toml'), '[limits\n')
    throwsCode(() => sdk.init({ configFile: path.join(dir, 'bad.toml') }), 'ERR_CONFIG', /not valid TOML/)
    // a rejected init changed nothing
    assert.equal(sdk.getConfig().config.limits.maxWalletInstances, 64)
  })

  test('a bad environment variable is reported by init with its name', () => {
    const r = runChild(
      `try { sdk.init() } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`,
      { env: { TARI_MAX_WALLET_INSTANCES: 'NaN' } },
    )
    assert.equal(r.json.code, 'ERR_CONFIG')
    assert.match(r.json.message, /TARI_MAX_WALLET_INSTANCES/)
  })

  test('one bad environment variable beside valid ones is reported by every call, never silently dropped', () => {
    const r = runChild(
      `const out = {}
       for (const [name, fn] of [['getConfig', () => sdk.getConfig()], ['updateConfig', () => sdk.updateConfig({ retry: { attempts: 2 } })], ['init', () => sdk.init()]]) {
         try { fn(); out[name] = 'ok' } catch (e) { out[name] = { code: e.code, message: e.message } }
       }
       sdk.ping().then(() => { out.ping = 'ok' }, (e) => { out.ping = e.code }).then(() => console.log(JSON.stringify(out)))`,
      { env: { TARI_MAX_WALLET_INSTANCES: '7', TARI_LOG_LEVEL: 'loud' } },
    )
    assert.ok(r.json, r.stderr)
    for (const name of ['getConfig', 'updateConfig', 'init']) {
      assert.equal(r.json[name].code, 'ERR_CONFIG', `${name}: ${JSON.stringify(r.json[name])}`)
      assert.match(r.json[name].message, /TARI_LOG_LEVEL/)
    }
    assert.equal(r.json.ping, 'ERR_CONFIG')
  })

  test('updateConfig applies runtime fields and refuses thread counts after start', async () => {
    await sdk.ping()
    const snap = sdk.updateConfig({ logging: { level: 'info' }, retry: { attempts: 5 } })
    assert.equal(snap.config.logging.level, 'info')
    assert.deepEqual(snap.sources['retry.attempts'], { layer: 'update' })
    throwsCode(() => sdk.updateConfig({ runtime: { walletThreads: 3 } }), 'ERR_CONFIG', /runtime\.walletThreads/)
    throwsCode(() => sdk.updateConfig({ retry: { attempts: 0 } }), 'ERR_CONFIG', /retry\.attempts/)
    assert.equal(sdk.getConfig().config.retry.attempts, 5, 'a refused update changes nothing')
    throwsCode(() => sdk.updateConfig('level=debug'), 'ERR_INVALID_ARGUMENT')
    sdk.updateConfig({ logging: { level: 'warn' }, retry: { attempts: 3 } })
  })

  test('getConfig redacts credentials in base node URLs', () => {
    const snap = sdk.updateConfig({ network: { baseNodeUrls: ['https://alice:hunter2@node.example:9000'] } })
    assert.ok(!JSON.stringify(snap).includes('hunter2'))
    assert.ok(!JSON.stringify(sdk.getConfig()).includes('hunter2'))
    sdk.updateConfig({ network: { baseNodeUrls: [] } })
  })
})

describe('bad input gets ERR_INVALID_ARGUMENT', () => {
  test('wrong types, NaN, negatives, huge strings', async () => {
    throwsCode(() => sdk.init(42), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.init({ configFile: 12 }), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.updateConfig(null), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.updateConfig(), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.updateConfig({ limits: { maxWalletInstances: NaN } }), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.init({ config: 'x' }), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.init({ configFiles: 'x' }), 'ERR_INVALID_ARGUMENT', /configFiles/)
    throwsCode(() => sdk.init({ configFile: 'x'.repeat(1 << 20) }), 'ERR_CONFIG')
    await rejectsCode(sdk.ping('gpu'), 'ERR_INVALID_ARGUMENT', /unknown runtime/)
    await rejectsCode(sdk.ping(7), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(native.__testSleep(NaN, 'general'), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(native.__testSleep(-1, 'general'), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(native.__testSleep(1.5, 'general'), 'ERR_INVALID_ARGUMENT')
    assert.equal(typeof sdk.ping().then, 'function', 'async exports return promises')
  })
})

describe('panics never cross the FFI', () => {
  test('a synchronous panic becomes ERR_INTERNAL and the process stays up', async () => {
    const e = throwsCode(() => native.__testPanic(false), 'ERR_INTERNAL', /deliberate test panic/)
    assert.ok(e instanceof Error)
    await sdk.ping()
  })

  test('a panic on a runtime rejects with ERR_INTERNAL', async () => {
    await rejectsCode(native.__testPanic(true), 'ERR_INTERNAL', /deliberate test panic on a runtime/)
    await Promise.all(['wallet', 'crypto', 'network', 'general'].map((r) => sdk.ping(r)))
  })
})

describe('runtimes', () => {
  test('four runtimes with the configured workers and named threads', async () => {
    await Promise.all(['wallet', 'crypto', 'network', 'general'].map((r) => sdk.ping(r)))
    const stats = sdk.getRuntimeStats()
    assert.equal(stats.started, true)
    assert.deepEqual(stats.runtimes.map((r) => [r.name, r.workers]), [['wallet', 2], ['crypto', 1], ['network', 4], ['general', 2]])
    for (const r of stats.runtimes) {
      assert.ok(r.opsCompleted >= 1, `${r.name} completed an op`)
      for (const k of ['aliveTasks', 'globalQueueDepth', 'busyMs', 'busyRatio']) assert.equal(typeof r[k], 'number')
    }
    if (process.platform === 'linux') {
      const names = fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim())
      for (const expected of ['tari-wallet-0', 'tari-wallet-1', 'tari-crypto-0', 'tari-network-3', 'tari-general-1']) {
        assert.ok(names.includes(expected), `thread ${expected} in ${names.join(',')}`)
      }
    }
  })

  test('thread counts come from config', () => {
    const r = runChild(
      `sdk.init({ config: { runtime: { walletThreads: 3, networkThreads: 1 } } });
       sdk.ping('wallet').then(() => console.log(JSON.stringify(sdk.getRuntimeStats())))`,
      { env: { TARI_CRYPTO_THREADS: '2' } },
    )
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.json.runtimes.map((x) => x.workers), [3, 2, 1, 2])
  })

  test('the class timeout and a per-call timeout reject with ERR_TIMEOUT', async () => {
    const e = await rejectsCode(native.__testSleep(2000, 'network', 50), 'ERR_TIMEOUT', /50 ms/)
    assert.equal(e.timeoutMs, 50)
    sdk.updateConfig({ timeouts: { generalMs: 40 } })
    try {
      const t0 = Date.now()
      await rejectsCode(native.__testSleep(5000, 'general'), 'ERR_TIMEOUT')
      assert.ok(Date.now() - t0 < 2000)
    } finally {
      sdk.updateConfig({ timeouts: { generalMs: 30000 } })
    }
    await native.__testSleep(5, 'general')
  })

  test('many operations in flight all settle', async () => {
    const completed = () => Object.fromEntries(sdk.getRuntimeStats().runtimes.map((r) => [r.name, r.opsCompleted]))
    const before = completed()
    const outcomes = await Promise.allSettled(Array.from({ length: 2000 }, (_, i) => sdk.ping(['wallet', 'crypto', 'network', 'general'][i % 4])))
    assert.deepEqual(outcomes.filter((o) => o.status !== 'fulfilled'), [])
    const after = completed()
    for (const name of ['wallet', 'crypto', 'network', 'general']) {
      assert.equal(after[name] - before[name], 500, `${name} ran exactly its 500 operations`)
    }
  })
})

describe('clean exit', () => {
  test('Node exits promptly with background tasks still running', () => {
    const r = runChild(
      `native.__testBackgroundSleep(3600000); native.__testBackgroundSleep(3600000);
       sdk.ping().then(() => console.log(JSON.stringify(sdk.getRuntimeStats().backgroundTasks)))`,
    )
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.json, 4, 'the two sleeps, the health monitor and the allocator trim')
    assert.ok(r.ms < 5000, `exit took ${r.ms} ms`)
  })

  test('pending operations keep Node alive until they settle, then it exits', () => {
    const r = runChild(`native.__testSleep(300, 'general').then(() => console.log(JSON.stringify('settled')))`)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.json, 'settled')
  })

  test('a worker_thread can load the addon and be terminated', () => {
    const r = runChild(`
      const { Worker } = require('node:worker_threads')
      const src = 'const sdk = require(' + JSON.stringify(${JSON.stringify(sdkPath)}) + '); const n = require(' + JSON.stringify(${JSON.stringify(nativePath)}) + ');' +
        'n.__testBackgroundSleep(3600000); sdk.ping("wallet").then(() => { require("node:worker_threads").parentPort.postMessage("ready"); n.__testSleep(60000, "general") })'
      const runOne = () => new Promise((resolve, reject) => {
        const w = new Worker(src, { eval: true })
        w.on('error', reject)
        w.on('message', async () => { await w.terminate(); resolve() })
      })
      ;(async () => {
        for (let i = 0; i < 3; i++) await runOne()
        await sdk.ping('wallet')
        console.log(JSON.stringify(sdk.getRuntimeStats().started))
      })()
    `)
    assert.equal(r.status, 0, `status ${r.status} signal ${r.signal}\n${r.stderr}`)
    assert.equal(r.json, true)
  })
})

describe('memory', () => {
  test('stats report tracked bytes, counts and RSS', () => {
    const m = sdk.getMemoryStats()
    assert.ok(m.currentBytes > 0)
    assert.ok(m.peakBytes >= m.currentBytes)
    assert.ok(m.allocations >= m.deallocations)
    assert.ok(m.totalAllocatedBytes >= m.currentBytes)
    if (process.platform === 'linux') assert.ok(m.rssBytes > 10 * 1024 * 1024)
  })

  test('the breakdown names what holds the memory, and the parts fit inside the whole', () => {
    const b = sdk.getMemoryBreakdown()
    assert.ok(b.rustHeapBytes > 0)
    assert.ok(b.sqliteBytes >= 0 && b.sqlitePeakBytes >= b.sqliteBytes)
    if (process.platform === 'linux' && process.report.getReport().header.glibcVersionRuntime) {
      assert.ok(b.rssAnonBytes + b.rssFileBytes <= b.rssBytes + 4096, JSON.stringify(b))
      assert.ok(b.mallocInUseBytes >= b.rustHeapBytes + b.sqliteBytes, 'Rust and SQLite allocate through malloc')
      assert.ok(b.mallocArenas >= 1 && b.threads > 1)
    }
  })

  test('resetPeakMemory brings the peak down to the current level', () => {
    for (let i = 0; i < 200; i++) sdk.getConfig()
    sdk.resetPeakMemory()
    const m = sdk.getMemoryStats()
    assert.ok(m.peakBytes - m.currentBytes < 4 * 1024 * 1024, `peak ${m.peakBytes} current ${m.currentBytes}`)
  })

  test('tracked bytes return to the baseline after many operations (no leak)', async () => {
    const round = async () => {
      for (let i = 0; i < 2000; i++) sdk.getConfig()
      for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 100 }, () => sdk.ping()))
      sdk.getHealthStatus()
      try { sdk.init({ config: { limits: { maxWalletInstances: 0 } } }) } catch {}
    }
    await round() // warm up lazily created state
    const baseline = sdk.getMemoryStats().currentBytes
    for (let i = 0; i < 5; i++) await round()
    const after = sdk.getMemoryStats().currentBytes
    assert.ok(after - baseline < 256 * 1024, `grew by ${after - baseline} bytes over 5 rounds`)
  })
})

describe('health', () => {
  test('status has a level, IETF status and named checks', () => {
    const h = sdk.getHealthStatus()
    // The level is the worst level among the checks, and the IETF status follows from it.
    const order = ['healthy', 'warning', 'degraded', 'critical']
    const worst = Object.values(h.checks).flat().reduce((w, c) => Math.max(w, order.indexOf(c.level)), 0)
    assert.equal(h.level, order[worst], JSON.stringify(h.checks))
    assert.equal(h.status, { healthy: 'pass', warning: 'warn', degraded: 'warn', critical: 'fail' }[h.level])
    for (const key of ['memory:utilization', 'operations:errorRate', 'runtime:queueDepth']) {
      const [check] = h.checks[key]
      assert.ok(check, key)
      assert.equal(typeof check.observedValue, 'number')
      assert.equal(typeof check.observedUnit, 'string')
      assert.equal(typeof check.output, 'string')
    }
    const c = sdk.getHealthCheck()
    assert.equal(c.level, h.level)
    assert.ok(c.uptimeSeconds > 0)
  })

  test('a memory limit below RSS makes the status critical', () => {
    sdk.updateConfig({ health: { memoryLimitBytes: 2 * 1024 * 1024 } })
    try {
      const h = sdk.getHealthStatus()
      assert.equal(h.level, 'critical')
      assert.equal(h.status, 'fail')
      assert.equal(sdk.getHealthCheck().status, 'fail')
    } finally {
      sdk.updateConfig({ health: { memoryLimitBytes: 2 * 1024 * 1024 * 1024 } })
      sdk.getHealthStatus()
    }
  })
})

describe('shapes at run time', () => {
  // The generated typings promise `number` for every count, size and duration (and `bigint` only for µT
  // amounts): check the values JS actually gets, including sizes past 2^32 that napi would make bigints.
  const numbersOnly = (value, where) => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return
    if (Array.isArray(value)) return value.forEach((v, i) => numbersOnly(v, `${where}[${i}]`))
    if (typeof value === 'object') return Object.entries(value).forEach(([k, v]) => numbersOnly(v, `${where}.${k}`))
    assert.equal(typeof value, 'number', `${where} is a ${typeof value}`)
  }

  test('metrics, memory, runtime, health and config figures are plain numbers', async () => {
    await sdk.ping('general')
    numbersOnly(sdk.getMetrics(), 'getMetrics()')
    numbersOnly(sdk.getMemoryStats(), 'getMemoryStats()')
    numbersOnly(sdk.getMemoryBreakdown(), 'getMemoryBreakdown()')
    numbersOnly(sdk.getRuntimeStats(), 'getRuntimeStats()')
    numbersOnly(sdk.getHealthStatus(), 'getHealthStatus()')
    numbersOnly(sdk.getHealthCheck(), 'getHealthCheck()')
    const snapshot = sdk.updateConfig({ health: { memoryLimitBytes: 6 * 2 ** 32 } })
    try {
      numbersOnly(snapshot, 'updateConfig()')
      assert.equal(snapshot.config.health.memoryLimitBytes, 6 * 2 ** 32)
      assert.equal(sdk.getConfig().sources['health.memoryLimitBytes'].layer, 'update')
    } finally {
      sdk.updateConfig({ health: { memoryLimitBytes: 2 * 2 ** 30 } })
    }
  })
})
