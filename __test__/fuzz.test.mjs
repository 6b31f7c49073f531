// Bad input, everywhere: a property-based run over every export that takes input, with wrong types, NaN,
// ±Infinity, negatives, values ≥ 2^64, empty and 8 MiB strings, NUL bytes, emoji, getters that throw and
// Proxies, also as call options. Each call must succeed, or fail within 10 s with a documented ERR_* code,
// and no message may carry more than 64 characters of any input. FUZZ_RUNS sets the count (default
// 10,000; `npm run bench fuzz` runs 1,000,000).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { sdkPath } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const RUNS = Number(process.env.FUZZ_RUNS || 10_000)
const HUGE = 'Z'.repeat(8 * 1024 * 1024)

let tmp, handle

const throwingGetter = Object.defineProperty({}, 'to', { enumerable: true, get() { throw new Error('getter threw') } })
const throwingProxy = new Proxy({}, { get() { throw new Error('proxy threw') }, ownKeys() { throw new Error('proxy threw') } })

const anyValue = fc.oneof(
  fc.string(),
  fc.fullUnicodeString({ maxLength: 20 }),
  fc.string({ minLength: 65, maxLength: 200 }),
  fc.constantFrom(HUGE, '', 'a\u0000b', '🦀'.repeat(40), 'localnet', 'http://127.0.0.1:9', '1'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 2 ** 53, 1.5),
  fc.bigInt(),
  fc.constantFrom(2n ** 64n, 2n ** 64n - 1n, -1n, 0n, 1n),
  fc.boolean(),
  fc.constantFrom(null, undefined, throwingGetter, throwingProxy, Symbol('s'), () => 1),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
)
const maybe = (arb) => fc.option(arb, { nil: undefined })
const record = (shape) => fc.oneof(fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, maybe(v)])), { requiredKeys: [] }), anyValue)
const callOptions = maybe(fc.oneof(
  record({ timeoutMs: anyValue, correlationId: anyValue, signal: fc.oneof(anyValue, fc.constant(AbortSignal.abort())) }),
  anyValue,
))
const handleArg = () => fc.oneof(fc.constant(handle), anyValue)
const payment = { to: anyValue, amount: anyValue, feePerGram: anyValue, message: anyValue, stealth: anyValue, idempotencyKey: anyValue }

function cases() {
  const c = (name, ...args) => fc.tuple(fc.constant(name), fc.tuple(...args))
  return fc.oneof(
    c('parseAddress', anyValue, anyValue),
    c('addressFromKeys', fc.oneof(anyValue, fc.record({ viewKey: anyValue, spendKey: anyValue, network: anyValue, features: anyValue }))),
    c('validateAddress', anyValue, anyValue),
    c('verifyMessageSignature', anyValue, anyValue, anyValue),
    c('getPrometheusMetrics', anyValue),
    c('getAddress', handleArg()),
    c('offEvent', anyValue),
    c('ping', anyValue, callOptions),
    c('validateSeedWords', anyValue, record({ seedPassphrase: anyValue }), callOptions),
    c('getSeedWords', handleArg(), record({ seedPassphrase: anyValue }), callOptions),
    c('changePassphrase', handleArg(), record({ old: anyValue, new: anyValue }), callOptions),
    // Never an arbitrary string: a valid relative path would be a real backup in the working directory.
    c('backupWallet', handleArg(), fc.oneof(fc.constant(path.join(tmp, 'backup')), fc.constantFrom('', 'a\u0000b', HUGE, 42, null, undefined, throwingProxy)), callOptions),
    c('getBalance', handleArg(), callOptions),
    c('getCoinStats', handleArg(), callOptions),
    c('tidyCoins', handleArg(), record({ minOutputs: anyValue, maxOutputs: anyValue, feePerGram: anyValue, preview: fc.constant(true) }), callOptions),
    c('getFeeStats', record({ url: fc.oneof(anyValue, fc.constant('http://127.0.0.1:9')), handle: handleArg(), blocks: anyValue }), callOptions),
    c('send', handleArg(), record(payment), callOptions),
    c('sendMany', handleArg(), record({ recipients: fc.oneof(fc.array(record(payment), { maxLength: 3 }), anyValue), feePerGram: anyValue, idempotencyKey: anyValue }), callOptions),
    c('payout', handleArg(), record({ recipients: fc.oneof(fc.array(record({ to: anyValue, amount: anyValue, paymentId: anyValue, message: anyValue }), { maxLength: 3 }), anyValue), idempotencyKey: anyValue, feePerGram: anyValue, maxRecipientsPerTx: anyValue, onProgress: anyValue }), callOptions),
    c('payFeeFor', handleArg(), anyValue, record({ fee: anyValue, idempotencyKey: anyValue }), callOptions),
    c('estimateFee', handleArg(), record({ amount: anyValue, feePerGram: anyValue, outputs: anyValue }), callOptions),
    c('getTransactions', handleArg(), record({ kind: anyValue, offset: anyValue, limit: anyValue }), callOptions),
    c('getTransaction', handleArg(), anyValue, callOptions),
    c('cancelTransaction', handleArg(), anyValue, callOptions),
    c('getUtxos', handleArg(), record({ spent: anyValue, offset: anyValue, limit: anyValue }), callOptions),
    c('coinSplit', handleArg(), record({ commitments: anyValue, count: anyValue, feePerGram: anyValue, preview: anyValue, idempotencyKey: anyValue }), callOptions),
    c('coinJoin', handleArg(), record({ commitments: anyValue, feePerGram: anyValue, preview: anyValue, idempotencyKey: anyValue }), callOptions),
    c('signMessage', handleArg(), anyValue, callOptions),
    c('exportViewKeys', handleArg(), record({ passphrase: anyValue }), callOptions),
    c('createViewWallet', record({ dataDir: fc.constant(path.join(tmp, 'view')), passphrase: anyValue, network: anyValue, baseNodeUrl: fc.constant('http://127.0.0.1:9'), viewKey: anyValue, spendPublicKey: anyValue, birthday: anyValue }), callOptions),
    c('prepareTransaction', handleArg(), record({ to: anyValue, amount: anyValue, feePerGram: anyValue, message: anyValue }), callOptions),
    c('signTransaction', handleArg(), anyValue, callOptions),
    c('broadcastSignedTransaction', handleArg(), anyValue, callOptions),
    c('cancelPrepared', handleArg(), anyValue, callOptions),
    c('openWallet', record({ dataDir: fc.constant(path.join(os.tmpdir(), 'tari-fuzz-nonexistent')), passphrase: anyValue, network: anyValue, baseNodeUrl: anyValue, scanningIntervalSecs: anyValue, dbPoolSize: anyValue }), callOptions),
  )
}

/** Every string inside `value` (own enumerable properties, one level of arrays and objects). */
function strings(value, out = [], depth = 0) {
  if (typeof value === 'string') out.push(value)
  else if (depth < 3 && value && typeof value === 'object' && !(value === throwingGetter || value === throwingProxy)) {
    for (const v of Object.values(value)) strings(v, out, depth + 1)
  }
  return out
}

async function outcome(name, args) {
  let timer
  const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve({ hung: true }), 10_000)))
  try {
    const call = (async () => sdk[name](...args))()
    return await Promise.race([call.then((value) => ({ value }), (error) => ({ error })), deadline])
  } finally {
    clearTimeout(timer)
  }
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-fuzz-test-'))
  handle = await sdk.createWallet({ dataDir: path.join(tmp, 'w'), passphrase: 'pw', network: 'localnet', baseNodeUrl: 'http://127.0.0.1:9' })
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  fs.rmSync(tmp, { recursive: true, force: true })
})

test(`${RUNS} calls with hostile arguments: each succeeds or fails with a documented code, quickly, without echoing its input`, async () => {
  const codes = {}
  await fc.assert(
    fc.asyncProperty(cases(), async ([name, args]) => {
      const r = await outcome(name, args)
      assert.ok(!r.hung, `${name} did not settle within 10 s`)
      if (!r.error) return
      const e = r.error
      assert.ok(sdk.isSdkError(e), `${name} threw something that is not an SDK error: ${e && e.code} ${e && e.message}`)
      codes[e.code] = (codes[e.code] ?? 0) + 1
      for (const s of strings(args)) {
        // 66: the 65th character of a message that shows 64 may be its closing quote.
        if (s.length > 65) assert.ok(!e.message.includes(s.slice(0, 66)), `${name}: ${e.code} echoes more than 64 characters of its input`)
      }
      assert.ok(!e.message.includes('pw\u0000'), 'no secret')
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED) || undefined },
  )
  assert.ok(Object.keys(codes).length > 3, JSON.stringify(codes))
  assert.equal(sdk.listWallets().length, 1, 'no wallet was opened by the fuzzing')
  await sdk.getBalance(handle) // and the wallet still works
})
