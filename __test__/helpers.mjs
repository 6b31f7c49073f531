// Shared test helpers. Tests that need a fresh process (environment layering, exit behaviour, thread
// counts) run a snippet in a child `node` with its own environment.
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import assert from 'node:assert/strict'

// The suite tests the testnet build (LocalNet); networks.test.mjs tests the others, each in its own process.
process.env.TARI_NETWORK ??= 'localnet'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const sdkPath = path.join(root, 'lib', 'sdk.js')
export const nativePath = path.join(root, 'index.js')

/** Runs `code` (CommonJS; `sdk` and `native` are in scope) in a child node; returns { status, stdout, stderr, ms, json }. */
export function runChild(code, { env = {}, timeoutMs = 60_000 } = {}) {
  const prelude = `const sdk = require(${JSON.stringify(sdkPath)}); const native = require(${JSON.stringify(nativePath)});\n`
  const started = Date.now()
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TARI_') || k === 'TARI_MINOTARI_NODE' || k === 'TARI_SDK_CACHE' || k === 'TARI_NETWORK'))
  const r = spawnSync(process.execPath, ['-e', prelude + code], {
    // A variable given as undefined is removed.
    env: Object.fromEntries(Object.entries({ ...cleanEnv, ...env }).filter(([, v]) => v !== undefined)),
    encoding: 'utf8',
    timeout: timeoutMs,
  })
  const ms = Date.now() - started
  let json
  const lastLine = r.stdout.trim().split('\n').pop()
  try {
    json = JSON.parse(lastLine)
  } catch {}
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms, json }
}

/** Asserts `fn` throws (sync) an SDK error with `code`; returns it. */
export function throwsCode(fn, code, messagePart) {
  let caught
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, nothing was thrown`)
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`)
  if (messagePart) assert.match(caught.message, messagePart)
  return caught
}

/** Asserts the promise rejects with an SDK error with `code`; returns it. */
export async function rejectsCode(promiseOrFn, code, messagePart) {
  let caught
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn)
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected rejection with ${code}`)
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`)
  if (messagePart) assert.match(caught.message, messagePart)
  return caught
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Polls `fn` every 200 ms until it returns something truthy; returns that. */
export async function waitFor(what, fn, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const v = await fn()
    if (v) return v
    await sleep(200)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Mines a block on `net` every 2 s until `fn()` is truthy: robust to a broadcast that reaches the
 * mempool late. */
export async function mineUntil(net, what, fn, timeoutMs = 90_000) {
  let lastMined = 0
  return waitFor(what, async () => {
    if (Date.now() - lastMined > 2000) {
      await net.mine(1)
      lastMined = Date.now()
    }
    return fn()
  }, timeoutMs)
}

/** Mines until every wallet's balance is fully settled (nothing pending, nothing time-locked). */
export async function settle(net, sdk, ...handles) {
  let lastMined = 0
  const show = (_, v) => (typeof v === 'bigint' ? String(v) : v)
  const what = { toString: () => `balances to settle (last seen: ${JSON.stringify(last, show)})` }
  let last = null
  await waitFor(what, async () => {
    if (Date.now() - lastMined > 2000) {
      await net.mine(lastMined === 0 ? 3 : 1)
      lastMined = Date.now()
    }
    for (const h of handles) {
      const x = await sdk.getBalance(h)
      if (x.pendingIncoming !== 0n || x.pendingOutgoing !== 0n || x.timeLocked !== 0n) {
        last = { handle: h, ...x }
        return false
      }
    }
    return true
  }, 90_000)
}

/** A local HTTP server that answers every request with `status` and `body`, counting them in `requests`. */
export async function fakeNode(status, body = '{}') {
  const server = http.createServer((req, res) => {
    server.requests++
    res.statusCode = status
    res.end(body)
  })
  server.requests = 0
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

/** The balance a wallet's history accounts for: received, less the amount and fee share of every
 * outbound entry, less the fee of every `self` one (coin splits and joins); cancelled ones count nothing. */
export async function balanceFromHistory(sdk, h) {
  let sum = 0n
  for (const t of await sdk.getTransactions(h, { limit: 10_000 })) {
    if (t.direction === 'inbound') sum += t.amount
    else if (t.direction === 'self') sum -= t.fee
    else sum -= t.amount + t.fee
  }
  return sum
}
