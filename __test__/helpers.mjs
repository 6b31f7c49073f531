// Shared test helpers. Tests that need a fresh process (environment layering, exit behaviour, thread
// counts) run a snippet in a child `node` with its own environment.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import assert from 'node:assert/strict'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const sdkPath = path.join(root, 'lib', 'sdk.js')
export const nativePath = path.join(root, 'index.js')

/** Runs `code` (CommonJS; `sdk` and `native` are in scope) in a child node; returns { status, stdout, stderr, ms, json }. */
export function runChild(code, { env = {}, timeoutMs = 60_000 } = {}) {
  const prelude = `const sdk = require(${JSON.stringify(sdkPath)}); const native = require(${JSON.stringify(nativePath)});\n`
  const started = Date.now()
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TARI_') || k === 'TARI_MINOTARI_NODE' || k === 'TARI_SDK_CACHE'))
  const r = spawnSync(process.execPath, ['-e', prelude + code], {
    env: { ...cleanEnv, ...env },
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
