// Worker threads: each JS environment loads the addon on its own; state that belongs to an environment
// must stay with it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import { sdkPath } from './helpers.mjs'

// A worker that starts a long operation with an AbortSignal when told, and aborts it when told.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const sdk = require(workerData.sdkPath)
const ac = new AbortController()
let pending
parentPort.on('message', (m) => {
  if (m === 'start') {
    const started = Date.now()
    pending = sdk.__testSleep(2000, 'general', undefined, { signal: ac.signal })
      .then(() => 'ok', (e) => e.code)
      .then((outcome) => parentPort.postMessage({ outcome, ms: Date.now() - started }))
    parentPort.postMessage('started')
  } else if (m === 'abort') {
    ac.abort()
  } else if (m === 'exit') {
    parentPort.close()
  }
})
`

function worker() {
  const w = new Worker(WORKER, { eval: true, workerData: { sdkPath } })
  const messages = []
  const waiters = []
  w.on('message', (m) => (waiters.length ? waiters.shift()(m) : messages.push(m)))
  return { w, next: () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r))) }
}

test('an abort in one worker cancels its own operation, never another worker\'s', async () => {
  const [a, b] = [worker(), worker()]
  try {
    // Both environments number their abort ids from 1, so both operations carry abort id 1.
    a.w.postMessage('start')
    assert.equal(await a.next(), 'started')
    b.w.postMessage('start')
    assert.equal(await b.next(), 'started')
    a.w.postMessage('abort')
    const [ra, rb] = await Promise.all([a.next(), b.next()])
    assert.equal(ra.outcome, 'ERR_ABORTED', `worker A: ${JSON.stringify(ra)}`)
    assert.ok(ra.ms < 1500, `worker A's operation ended on its abort (${ra.ms} ms)`)
    assert.equal(rb.outcome, 'ok', `worker B's operation ran to its end: ${JSON.stringify(rb)}`)
  } finally {
    for (const { w } of [a, b]) {
      w.postMessage('exit')
      await Promise.race([once(w, 'exit'), new Promise((r) => setTimeout(r, 5000))])
      await w.terminate()
    }
  }
})
