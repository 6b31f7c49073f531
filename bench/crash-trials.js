'use strict'
// Crash trials: a child process pays with an idempotency key and dies at a random moment (SIGKILL,
// SIGTERM or process.exit() 0-300 ms after it called send); the parent reopens the payer's wallet and
// retries with the same key. Afterwards the chain decides: every key paid exactly once, and nothing stayed
// locked. The test suite runs 10 trials, `npm run bench` 100.
const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')
const { performance } = require('node:perf_hooks')

const CHILD = path.join(__dirname, 'crash-child.js')
const MODES = ['SIGKILL', 'SIGKILL', 'SIGKILL', 'SIGTERM', 'exit']
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** One child: opens the wallet, sends, dies. Resolves to the tx id it saw (if any) and how it ended. */
async function dieDuringSend({ opts, to, amount, key, mode, delayMs }) {
  const args = [CHILD, opts.dataDir, opts.baseNodeUrl, to, String(amount), key, mode === 'exit' ? String(delayMs) : '-1']
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TARI_CRASH_PASSPHRASE: opts.passphrase },
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  let sent = null
  let failed = null
  let go
  const ready = new Promise((resolve) => (go = resolve))
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'go') go()
    else if (line.startsWith('sent ')) sent = line.slice(5)
    else if (line.startsWith('failed ')) failed = line.slice(7)
  })
  await Promise.race([ready, exited])
  if (mode !== 'exit') {
    await sleep(delayMs)
    child.kill(mode)
  }
  const ended = await exited
  if (failed && !sent) throw new Error(`the child failed before it could be killed: ${failed}`)
  return { sent, ended }
}

/** Mines until both wallets have nothing pending; false if that did not happen within `timeoutMs`. */
async function settle(sdk, net, handles, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  let first = true
  while (Date.now() < deadline) {
    await net.mine(first ? 3 : 1)
    first = false
    await sleep(1500)
    const balances = await Promise.all(handles.map((h) => sdk.getBalance(h)))
    if (balances.every((b) => b.pendingIncoming === 0n && b.pendingOutgoing === 0n && b.timeLocked === 0n)) return true
  }
  return false
}

/**
 * Runs `trials` crash trials. `payer` is an open handle of the wallet opened with `opts`; the returned
 * `payer` is its handle after the last reopen. `payee` is an open handle that receives. Both must be
 * settled before, and the payer needs one spendable output per trial.
 */
async function runTrials({ sdk, net, opts, payer, payee, amount, trials, random = Math.random, log = () => {} }) {
  const to = sdk.getAddress(payee).base58
  const before = (await sdk.getBalance(payee)).available
  const results = []
  const run = Date.now().toString(36)
  for (let i = 0; i < trials; i++) {
    const key = `crash-${run}-${i}`
    const mode = MODES[i % MODES.length]
    const delayMs = Math.floor(random() * 301)
    await sdk.closeWallet(payer)
    const { sent, ended } = await dieDuringSend({ opts, to, amount, key, mode, delayMs })
    payer = await sdk.openWallet(opts)
    const t0 = performance.now()
    const id = await sdk.send(payer, { to, amount, idempotencyKey: key })
    const retryMs = performance.now() - t0
    results.push({ key, mode, delayMs, sent, id, retryMs, ended })
    log(`trial ${i + 1}/${trials}: ${mode} after ${delayMs} ms; child saw ${sent ?? 'nothing'}, retry gave ${id} in ${retryMs.toFixed(1)} ms`)
  }
  const settled = await settle(sdk, net, [payer, payee])
  const payerBalance = await sdk.getBalance(payer)
  const received = (await sdk.getBalance(payee)).available - before
  const paid = Number(received / amount)
  const ids = new Set(results.map((r) => r.id))
  const mismatched = results.filter((r) => r.sent !== null && r.sent !== r.id).length
  return {
    payer,
    trials,
    results,
    settled,
    exact: received % amount === 0n,
    lost: Math.max(0, trials - paid),
    duplicated: Math.max(0, paid - trials),
    // A retry that named another transaction than the one the child saw, or two keys with one id.
    mismatched: mismatched + (trials - ids.size),
    stuck: payerBalance.pendingOutgoing === 0n ? 0 : 1,
    pendingOutgoing: payerBalance.pendingOutgoing,
    retryMs: results.map((r) => r.retryMs),
  }
}

module.exports = { runTrials, settle, dieDuringSend }
