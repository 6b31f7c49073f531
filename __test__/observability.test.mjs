// Observability: per-operation metrics (JSON and Prometheus, linted by promtool), call options
// (correlation ids, per-call timeouts, AbortSignal), the JS log bridge, health checks and transitions,
// the operator HTTP example, and — on a real LocalNet — that secrets never reach logs, errors or metrics.
import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { createRequire } from 'node:module'
import { rejectsCode, throwsCode, sdkPath, root, waitFor } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)

// Before the first operation, so the health monitor starts with a short interval.
sdk.init({ config: { health: { checkIntervalMs: 200 } } })

const promtool = process.env.TARI_PROMTOOL || spawnSync('bash', [path.join(root, 'scripts', 'install-promtool.sh')], { encoding: 'utf8' }).stdout.trim()

function lint(text) {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  assert.equal(r.status, 0, `promtool check metrics failed:\n${r.stdout}${r.stderr}`)
}

const opMetrics = (op) => sdk.getMetrics().operations.find((o) => o.op === op)

describe('metrics', () => {
  test('every operation counts by outcome, with latency percentiles and the last minute', async () => {
    sdk.resetMetrics()
    for (let i = 0; i < 20; i++) await sdk.ping('network')
    await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    await rejectsCode(sdk.__testSleep(1000, 'general', undefined, { timeoutMs: 20 }), 'ERR_TIMEOUT')
    throwsCode(() => sdk.parseAddress('not an address'), 'ERR_INVALID_ADDRESS')

    const ping = opMetrics('ping')
    assert.equal(ping.count, 20)
    assert.equal(ping.ok, 20)
    assert.deepEqual(ping.errors, {})
    assert.equal(ping.inFlight, 0)
    assert.ok(ping.latency.p50Ms > 0 && ping.latency.p50Ms <= ping.latency.p95Ms && ping.latency.p95Ms <= ping.latency.p99Ms)
    assert.ok(ping.latency.p99Ms <= ping.latency.maxMs * 1.01)
    assert.equal(ping.lastMinute.operations, 20)
    assert.ok(Math.abs(ping.lastMinute.perSecond - 20 / 60) < 1e-9)
    assert.deepEqual(opMetrics('getBalance').errors, { ERR_INVALID_HANDLE: 1 })
    assert.equal(opMetrics('getBalance').lastMinute.failures, 0, 'a bad handle is the caller\'s mistake, not a failure')
    const sleep = opMetrics('__testSleep')
    assert.deepEqual(sleep.errors, { ERR_TIMEOUT: 1 })
    assert.equal(sleep.lastMinute.failures, 1)
    assert.ok(sleep.latency.maxMs >= 19, `timeout latency ${sleep.latency.maxMs}`)
    assert.deepEqual(opMetrics('parseAddress').errors, { ERR_INVALID_ADDRESS: 1 }, 'sync exports are recorded too')

    const m = sdk.getMetrics()
    assert.equal(m.enabled, true)
    assert.ok(m.uptimeSeconds > 0)
    assert.deepEqual(m.runtimes.runtimes.map((r) => r.name), ['wallet', 'crypto', 'network', 'general'])
    assert.ok(m.memory.currentBytes > 0 && m.memory.rssBytes > 0)
    assert.deepEqual(m.wallets, { open: 0, max: 64 })
    const level = sdk.getHealthStatus().level
    assert.equal(sdk.getMetrics().health, level, 'the report carries the level of the latest evaluation')
  })

  test('in-flight operations are counted while they run', async () => {
    const pending = Promise.all([sdk.__testSleep(1000, 'general'), sdk.__testSleep(1000, 'general')])
    // Both start on the runtime within a few ms; `inFlight` must reach 2 while they sleep.
    const deadline = Date.now() + 900
    while (opMetrics('__testSleep')?.inFlight !== 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r))
    assert.equal(opMetrics('__testSleep').inFlight, 2)
    await pending
    assert.equal(opMetrics('__testSleep').inFlight, 0)
  })

  test('Prometheus text passes promtool, with histograms and bounded labels', async () => {
    sdk.resetMetrics()
    await sdk.ping('wallet')
    await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    // A breaker exists, so its label (the redacted URL) is part of what must stay bounded.
    sdk.updateConfig({ retry: { attempts: 1 } })
    await sdk.getTipInfo({ url: 'http://user:secret@127.0.0.1:9/path?apikey=secret' }).catch(() => {})
    sdk.updateConfig({ retry: { attempts: 3 } })
    const text = sdk.getPrometheusMetrics()
    lint(text)
    assert.match(text, /^# TYPE tari_sdk_operations_total counter$/m)
    assert.match(text, /^tari_sdk_operations_total\{op="ping",outcome="ok"\} 1$/m)
    assert.match(text, /^tari_sdk_operations_total\{op="getBalance",outcome="ERR_INVALID_HANDLE"\} 1$/m)
    assert.match(text, /^# TYPE tari_sdk_operation_duration_seconds histogram$/m)
    assert.match(text, /^tari_sdk_operation_duration_seconds_bucket\{le="\+Inf",op="ping"\} 1$/m)
    assert.match(text, /^tari_sdk_runtime_workers\{runtime="network"\} 4$/m)
    assert.match(text, /^tari_sdk_resident_memory_bytes \d+$/m)
    assert.match(text, /^tari_sdk_build_info\{version="[^"]+",minotari_wallet="6\.2\.0"\} 1$/m)
    const labels = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((x) => x[1]))
    assert.deepEqual([...labels].sort(), ['base_node', 'le', 'minotari_wallet', 'op', 'outcome', 'runtime', 'version'])
    const urls = new Set([...text.matchAll(/base_node="([^"]*)"/g)].map((x) => x[1]))
    assert.ok(urls.has('http://***@127.0.0.1:9/***'), [...urls].join())
    assert.doesNotMatch(text, /secret/)
    assert.doesNotMatch(text, /_summary|quantile=/, 'histograms, not summaries')

    const om = sdk.getPrometheusMetrics('openmetrics')
    assert.match(om, /^# TYPE tari_sdk_operations counter$/m)
    assert.match(om, /# EOF\n$/)
    throwsCode(() => sdk.getPrometheusMetrics('xml'), 'ERR_INVALID_ARGUMENT')
  })

  test('recording can be switched off and figures reset', async () => {
    sdk.resetMetrics()
    sdk.enableMetrics(false)
    try {
      await sdk.ping()
      assert.equal(opMetrics('ping'), undefined)
      assert.equal(sdk.getMetrics().enabled, false)
      assert.match(sdk.getPrometheusMetrics(), /^tari_sdk_metrics_enabled 0$/m)
    } finally {
      sdk.enableMetrics(true)
    }
    await sdk.ping()
    assert.equal(opMetrics('ping').count, 1)
    sdk.resetMetrics()
    assert.equal(opMetrics('ping'), undefined)
    assert.equal(sdk.getConfig().config.metrics.enabled, true)
  })
})

describe('call options', () => {
  test('every error carries a correlation id: the caller\'s, or a generated one', async () => {
    const given = await rejectsCode(sdk.getBalance(424242, { correlationId: 'order-17:attempt/2' }), 'ERR_INVALID_HANDLE')
    assert.equal(given.correlationId, 'order-17:attempt/2')
    const generated = await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    assert.match(generated.correlationId, /^[0-9a-f]{16}$/)
    const other = await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    assert.notEqual(other.correlationId, generated.correlationId)
    assert.match(throwsCode(() => sdk.parseAddress('nope'), 'ERR_INVALID_ADDRESS').correlationId, /^[0-9a-f]{16}$/)
    await rejectsCode(sdk.getBalance(1, { correlationId: 'has spaces' }), 'ERR_INVALID_ARGUMENT', /correlationId/)
    await rejectsCode(sdk.getBalance(1, { correlationId: 'x'.repeat(129) }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.getBalance(1, 'not options'), 'ERR_INVALID_ARGUMENT')
    // a rejected call's options never leak into the next call
    const next = await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    assert.notEqual(next.correlationId, 'order-17:attempt/2')
  })

  test('timeoutMs overrides the class timeout for one call', async () => {
    const started = Date.now()
    const e = await rejectsCode(sdk.__testSleep(5000, 'wallet', undefined, { timeoutMs: 100 }), 'ERR_TIMEOUT', /100 ms/)
    assert.equal(e.timeoutMs, 100)
    assert.ok(Date.now() - started < 2000)
    await sdk.__testSleep(150, 'wallet') // no leftover timeout from the previous call
    await rejectsCode(sdk.ping('general', { timeoutMs: 0 }), 'ERR_INVALID_ARGUMENT', /timeoutMs/)
  })

  test('an AbortSignal stops the operation and rejects with ERR_ABORTED', async () => {
    sdk.resetMetrics()
    const controller = new AbortController()
    const started = Date.now()
    const pending = sdk.__testSleep(10_000, 'general', undefined, { signal: controller.signal, correlationId: 'abort-me' })
    setTimeout(() => controller.abort(), 50)
    const e = await rejectsCode(pending, 'ERR_ABORTED', /aborted/)
    assert.equal(e.correlationId, 'abort-me')
    assert.ok(Date.now() - started < 2000, 'the abort took effect at once')
    const m = opMetrics('__testSleep')
    assert.equal(m.inFlight, 0, 'the Rust task ended')
    assert.deepEqual(m.errors, { ERR_ABORTED: 1 })
    // already aborted: rejects without starting the operation (recorded as an ERR_ABORTED outcome)
    await rejectsCode(sdk.ping('general', { signal: AbortSignal.abort() }), 'ERR_ABORTED')
    assert.deepEqual([opMetrics('ping').errors, opMetrics('ping').inFlight, opMetrics('ping').ok], [{ ERR_ABORTED: 1 }, 0, 0])
    // a signal that never fires changes nothing
    await sdk.__testSleep(10, 'general', undefined, { signal: new AbortController().signal })
    await rejectsCode(sdk.ping('general', { signal: 'nope' }), 'ERR_INVALID_ARGUMENT', /AbortSignal/)
  })

  test('one signal serves any number of calls with one listener, and aborts those still running', async () => {
    const controller = new AbortController()
    const warnings = []
    const onWarning = (w) => warnings.push(w.name)
    process.on('warning', onWarning)
    await Promise.all(Array.from({ length: 50 }, () => sdk.ping('general', { signal: controller.signal })))
    await rejectsCode(sdk.getBalance(424242, { signal: controller.signal }), 'ERR_INVALID_HANDLE')
    await rejectsCode(sdk.__testSleep(5000, 'general', undefined, { signal: controller.signal, timeoutMs: 20 }), 'ERR_TIMEOUT')
    await new Promise((r) => setImmediate(r))
    process.off('warning', onWarning)
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    assert.deepEqual(warnings, [], 'no MaxListenersExceededWarning')
    // finished calls are not aborted again; running ones are, all of them
    const running = Array.from({ length: 20 }, () => sdk.__testSleep(5000, 'general', undefined, { signal: controller.signal }))
    // and the caller's own handler is left alone
    let called = 0
    controller.signal.onabort = () => called++
    controller.abort()
    for (const r of await Promise.allSettled(running)) assert.equal(r.reason?.code, 'ERR_ABORTED')
    assert.equal(called, 1)
  })
})

describe('logs', () => {
  after(() => sdk.setLogger(null, { level: 'warn', libraryLevel: 'off' }))

  test('setLogger receives structured records with the operation\'s correlation id; levels change at runtime', async () => {
    const records = []
    sdk.setLogger((r) => records.push(r), { level: 'trace' })
    assert.equal(sdk.getConfig().config.logging.level, 'trace')
    await sdk.ping('general', { correlationId: 'trace-me' })
    await rejectsCode(sdk.getBalance(424242, { correlationId: 'fail-me' }), 'ERR_INVALID_HANDLE')
    await waitFor('records', () => records.some((r) => r.correlationId === 'fail-me'), 5000)
    const ok = records.find((r) => r.correlationId === 'trace-me')
    assert.equal(ok.level, 'trace')
    assert.equal(ok.fields.op, 'ping')
    assert.equal(typeof ok.fields.elapsed_us, 'number')
    assert.match(ok.target, /^tari_wallet_sdk/)
    assert.ok(Math.abs(ok.timestamp - Date.now()) < 60_000)
    const failed = records.find((r) => r.correlationId === 'fail-me')
    assert.equal(failed.level, 'debug')
    assert.equal(failed.fields.code, 'ERR_INVALID_HANDLE')

    sdk.updateConfig({ logging: { level: 'error' } })
    const before = records.length
    await sdk.ping('general', { correlationId: 'quiet' })
    // Records arrive in order: once a later record is in, any 'quiet' one would be in too.
    sdk.updateConfig({ logging: { level: 'debug' } })
    await rejectsCode(sdk.getBalance(424242, { correlationId: 'marker' }), 'ERR_INVALID_HANDLE')
    await waitFor('the marker record', () => records.slice(before).some((r) => r.correlationId === 'marker'), 5000)
    assert.equal(records.slice(before).filter((r) => r.correlationId === 'quiet').length, 0)
  })

  test('a logger that throws does not crash the process', async () => {
    let calls = 0
    sdk.setLogger(() => {
      calls++
      throw new Error('logger bug')
    }, { level: 'trace' })
    await sdk.ping('general')
    await rejectsCode(sdk.getBalance(424242), 'ERR_INVALID_HANDLE')
    await waitFor('logger calls', () => calls >= 2, 5000)
    sdk.setLogger(null)
    throwsCode(() => sdk.setLogger('not a function'), 'ERR_INVALID_ARGUMENT')
  })

  test('without a logger, JSON lines go to stderr with the correlation id', () => {
    const child = spawnSync(process.execPath, ['-e', `
      const sdk = require(${JSON.stringify(sdkPath)});
      sdk.updateConfig({ logging: { level: 'debug' } });
      sdk.getBalance(999999, { correlationId: 'stderr-1' }).catch(() => {});
    `], { encoding: 'utf8', timeout: 30_000 })
    const lines = child.stderr.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    const line = lines.find((l) => l.correlationId === 'stderr-1')
    assert.ok(line, child.stderr)
    assert.equal(line.level, 'debug')
    assert.match(line.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.equal(line.fields.code, 'ERR_INVALID_HANDLE')
  })
})

describe('health', () => {
  test('getHealthStatus has the named checks in the IETF shape', () => {
    const h = sdk.getHealthStatus()
    for (const key of ['memory:utilization', 'operations:errorRate', 'operations:latencyP95', 'runtime:queueDepth', 'wallets:utilization']) {
      const [c] = h.checks[key]
      assert.ok(c, key)
      assert.ok(['pass', 'warn', 'fail'].includes(c.status))
      assert.equal(typeof c.observedValue, 'number')
      assert.equal(typeof c.observedUnit, 'string')
      assert.equal(typeof c.output, 'string')
    }
  })

  test('transitions are events; the cheap check follows the monitor', async () => {
    const seen = []
    const onChange = (e) => seen.push(e)
    sdk.systemEvents.on('healthChanged', onChange)
    try {
      sdk.updateConfig({ health: { memoryLimitBytes: 1024 * 1024 } })
      const toCritical = await waitFor('critical event', () => seen.find((e) => e.to === 'critical'), 10_000)
      assert.equal(toCritical.type, 'healthChanged')
      assert.equal(toCritical.status, 'fail')
      assert.ok(toCritical.failingChecks.includes('memory:utilization'))
      assert.equal(typeof toCritical.timestamp, 'number')
      assert.equal(sdk.getHealthCheck().level, 'critical')
      assert.equal(sdk.getHealthCheck().status, 'fail')
      sdk.updateConfig({ health: { memoryLimitBytes: 8 * 1024 ** 3 } })
      await waitFor('recovery event', () => seen.find((e) => e.from === 'critical'), 10_000)
      assert.notEqual(sdk.getHealthCheck().level, 'critical')
    } finally {
      sdk.systemEvents.off('healthChanged', onChange)
    }
  })

  test('the error-rate check uses the last minute', async () => {
    sdk.resetMetrics()
    for (let i = 0; i < 25; i++) await sdk.__testSleep(100, 'general', undefined, { timeoutMs: 1 }).catch(() => {})
    const h = sdk.getHealthStatus()
    assert.equal(h.checks['operations:errorRate'][0].observedValue, 1)
    assert.equal(h.level, 'critical')
    sdk.resetMetrics()
    assert.notEqual(sdk.getHealthStatus().level, 'critical')
  })
})

describe('examples/http-server.js', () => {
  async function start(env = {}) {
    const child = spawn(process.execPath, [path.join(root, 'examples', 'http-server.js')], {
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const url = await new Promise((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
        const m = out.match(/listening on (http:\/\/\S+)/)
        if (m) resolve(m[1])
      })
      child.on('exit', (code) => reject(new Error(`server exited ${code}`)))
    })
    return { url, stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM') }) }
  }

  test('serves /metrics, /health, /health/live and /health/ready as probes expect', async () => {
    const server = await start()
    try {
      const metrics = await fetch(`${server.url}/metrics`)
      assert.equal(metrics.status, 200)
      assert.match(metrics.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
      lint(await metrics.text())
      const om = await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
      assert.match(om.headers.get('content-type'), /^application\/openmetrics-text/)

      const health = await fetch(`${server.url}/health`)
      assert.equal(health.status, 200)
      assert.equal(health.headers.get('content-type'), 'application/health+json')
      const body = await health.json()
      assert.ok(['pass', 'warn'].includes(body.status))
      assert.ok(body.checks['memory:utilization'][0].observedValue > 0)
      assert.equal(typeof body.version, 'string')

      assert.equal((await fetch(`${server.url}/health/live`)).status, 200)
      const ready = await fetch(`${server.url}/health/ready`)
      assert.equal(ready.status, 200)
      assert.equal((await ready.json()).status, body.status)
      assert.equal((await fetch(`${server.url}/nope`)).status, 404)
    } finally {
      await server.stop()
    }
  })

  test('readiness is 503 when health is critical; liveness stays 200', async () => {
    const server = await start({ TARI_MEMORY_LIMIT_BYTES: String(1024 * 1024) })
    try {
      const ready = await fetch(`${server.url}/health/ready`)
      assert.equal(ready.status, 503)
      assert.deepEqual(await ready.json(), { status: 'fail', level: 'critical' })
      assert.equal((await fetch(`${server.url}/health`)).status, 503)
      assert.equal((await fetch(`${server.url}/health/live`)).status, 200)
    } finally {
      await server.stop()
    }
  })
})
