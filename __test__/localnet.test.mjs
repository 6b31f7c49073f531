// The LocalNet harness: a real minotari_node on loopback, mined through gRPC.
// Needs the node binary (scripts/install-minotari-node.sh); the node tests skip with a reason when it is missing.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// The testnet build, as in the rest of the suite (helpers.mjs).
process.env.TARI_NETWORK ??= 'localnet'
const { Localnet, findMinotariNode, protoDir, encodeTariAddress } = require('../lib/localnet.js')

// Known-valid Ristretto public keys: the DualAddress vector in tari_common_types 6.2.0 (tari_address/mod.rs
// test_serialize_deserialize_dual_address), which encodes to 126J92Yow5...CvY5BJ on MainNet with features=1.
const VIEW_KEY = '3c0223f2be5917384926cbe1a3cd32a907963a933c035801e3f99d1902f3e924'
const SPEND_KEY = 'd09dfde45e45456b7a8935fecfc0ebea431548d105d2f098a488820526395a61'

const localnetPath = require.resolve('../lib/localnet.js')

// A killed node whose parent already exited is a zombie until PID 1 reaps it (some container inits never do);
// a zombie still answers kill(pid, 0) but is not running.
function isRunning(pid) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

describe('localnet helpers (no node needed)', () => {
  test('encodeTariAddress matches the tari_common_types test vector', () => {
    const mainnet = encodeTariAddress({ viewKey: VIEW_KEY, spendKey: SPEND_KEY, network: 'mainnet', features: 1 })
    assert.equal(mainnet, '126J92Yow5y9UoRFd1DNujPmVFq9C1ZeiYWT95UKxz5Y1rzbfjtHg4SCZS1dk83ivzt3m2XRQHTaYUk9SwmyeCvy5BJ')
  })

  test('protoDir finds the minotari_app_grpc protos', () => {
    const dir = protoDir()
    assert.ok(dir, 'protos not found: set TARI_GRPC_PROTO_DIR or build minotari_app_grpc 6.2.0 once')
    assert.ok(fs.existsSync(path.join(dir, 'base_node.proto')))
  })

  test('a missing binary rejects with ERR_LOCALNET_NODE_MISSING', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'minotari_node')
    await assert.rejects(Localnet.start({ binary: missing }), (err) => {
      assert.equal(err.code, 'ERR_LOCALNET_NODE_MISSING')
      assert.match(err.message, /install-minotari-node\.sh/)
      assert.ok(err.message.includes(missing))
      return true
    })
  })
})

const binary = findMinotariNode()

if (!binary && process.env.CI) throw new Error('minotari_node is not installed; CI must run scripts/install-minotari-node.sh first')

describe('localnet node', { skip: binary ? false : 'minotari_node not installed: run scripts/install-minotari-node.sh' }, () => {
  let node

  before(async () => {
    node = await Localnet.start({ startTimeoutMs: 90_000 })
    console.log(`localnet ready in ${node.startupMs} ms (grpc ${node.grpcAddress}, http ${node.httpUrl})`)
  })

  // Stops the node even when an assertion failed; stop() is idempotent, so the explicit stop test is fine too.
  after(async () => {
    await node?.stop()
  })

  test('exposes loopback endpoints', () => {
    assert.equal(node.network, 'localnet')
    assert.match(node.grpcAddress, /^127\.0\.0\.1:\d+$/)
    assert.match(node.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(Number.isInteger(node.pid) && isRunning(node.pid))
    assert.ok(fs.existsSync(node.dataDir))
  })

  test('the HTTP wallet service reports the node synced', async () => {
    const res = await fetch(`${node.httpUrl}/get_tip_info`)
    assert.equal(res.status, 200)
    const body = await res.json()
    assert.equal(body.is_synced, true)
  })

  test('tipHeight is a non-negative integer', async () => {
    const h = await node.tipHeight()
    assert.equal(typeof h, 'number')
    assert.ok(Number.isInteger(h) && h >= 0)
  })

  test('mine(3) raises the tip by exactly 3', async () => {
    const before = await node.tipHeight()
    const started = performance.now()
    const returned = await node.mine(3)
    const perBlock = (performance.now() - started) / 3
    console.log(`mine(3) without an address: ${perBlock.toFixed(1)} ms per block`)
    assert.equal(returned, before + 3)
    assert.equal(await node.tipHeight(), before + 3)
  })

  test('mine(2, address) pays a given LocalNet address', async () => {
    const address = encodeTariAddress({ viewKey: VIEW_KEY, spendKey: SPEND_KEY })
    const before = await node.tipHeight()
    const started = performance.now()
    assert.equal(await node.mine(2, address), before + 2)
    console.log(`mine(2, address): ${((performance.now() - started) / 2).toFixed(1)} ms per block`)
    assert.equal(await node.tipHeight(), before + 2)
  })

  test('concurrent mine() calls are serialised', async () => {
    const before = await node.tipHeight()
    await Promise.all([node.mine(2), node.mine(1), node.mine(2)])
    assert.equal(await node.tipHeight(), before + 5)
  })

  test('mine rejects an invalid address and leaves the tip alone', async () => {
    const before = await node.tipHeight()
    await assert.rejects(node.mine(1, 'not-an-address'))
    await assert.rejects(node.mine(-1), { code: 'ERR_INVALID_ARGUMENT' })
    assert.equal(await node.tipHeight(), before)
  })

  test('stop() ends the process and removes the temp dir; it is idempotent', async () => {
    const { pid, dataDir } = node
    await node.stop()
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' })
    assert.equal(fs.existsSync(dataDir), false)
    await node.stop()
    await assert.rejects(node.tipHeight(), { code: 'ERR_LOCALNET_STOPPED' })
  })
})

describe('localnet crash safety', { skip: binary ? false : 'minotari_node not installed: run scripts/install-minotari-node.sh' }, () => {
  test('a process that crashes with a running node leaves no node and no temp dir behind', async () => {
    const code = `
      const { Localnet } = require(${JSON.stringify(localnetPath)})
      Localnet.start().then((node) => {
        console.log(JSON.stringify({ pid: node.pid, dataDir: node.dataDir }))
        setImmediate(() => { throw new Error('simulated test crash') })
      })`
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const [exitCode] = await once(child, 'exit')
    clearTimeout(timer)
    assert.equal(exitCode, 1, 'the crash should surface as an uncaught exception')
    const { pid, dataDir } = JSON.parse(stdout.trim().split('\n').pop())
    // SIGKILL is delivered at once, but give the kernel a moment to tear the process down.
    for (let i = 0; i < 20 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 100))
    assert.equal(isRunning(pid), false, `minotari_node ${pid} is still running`)
    assert.equal(fs.existsSync(dataDir), false)
  })
})
