// @ts-check
'use strict'
// LocalNet harness: runs a real minotari_node on loopback with a throwaway chain and mines blocks on demand
// through its gRPC interface. Used by the SDK's tests and demo, and offered to users as `tari-wallet-sdk/localnet`.
//
// Nothing here talks to the outside world: no seeds, no DNS, no Tor; every port is a free loopback port.

const fs = require('node:fs')
const fsp = require('node:fs/promises')
const os = require('node:os')
const path = require('node:path')
const net = require('node:net')
const { spawn } = require('node:child_process')

const NODE_VERSION = '6.2.0'
const NETWORK = 'localnet'
// tari_common::configuration::Network as u8
const NETWORK_BYTES = Object.freeze({ mainnet: 0x00, stagenet: 0x01, nextnet: 0x02, localnet: 0x10, igor: 0x24, esmeralda: 0x26 })
// TariAddressFeatures: ONE_SIDED = 0b01, INTERACTIVE = 0b10; coinbases need ONE_SIDED.
const DEFAULT_ADDRESS_FEATURES = 0x03
const POW_ALGO_SHA3X = 1 // block.proto PowAlgo.PowAlgos.POW_ALGOS_SHA3X
const BASE_NODE_STATE_LISTENING = 5 // base_node.proto BaseNodeState.LISTENING
const INSTALL_HINT =
  'run `bash node_modules/tari-wallet-sdk/scripts/install-minotari-node.sh` ' +
  '(or `bash scripts/install-minotari-node.sh` in the tari-wallet-sdk repository), ' +
  'or set TARI_MINOTARI_NODE to the path of a minotari_node ' + NODE_VERSION + ' binary'

/** @param {string} code @param {string} message @param {Record<string, unknown>} [extra] */
function codedError(code, message, extra) {
  return Object.assign(new Error(message), { code }, extra)
}

// ---------------------------------------------------------------------------------------------------------------
// Locating the binary and the .proto files

/** Root of the SDK's download/build cache (`$TARI_SDK_CACHE`, default `~/.cache/tari-wallet-sdk`). */
function cacheDir() {
  return process.env.TARI_SDK_CACHE || path.join(os.homedir(), '.cache', 'tari-wallet-sdk')
}

function nodeInstallRoot() {
  return path.join(cacheDir(), `minotari_node-${NODE_VERSION}`)
}

function isExecutableFile(p) {
  try {
    if (!fs.statSync(p).isFile()) return false
    fs.accessSync(p, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

function cachedBinaryPath() {
  const exe = process.platform === 'win32' ? 'minotari_node.exe' : 'minotari_node'
  return path.join(nodeInstallRoot(), 'bin', exe)
}

/** First existing minotari_node among `$TARI_MINOTARI_NODE` and the install cache, or null. */
function findMinotariNode() {
  const candidates = [process.env.TARI_MINOTARI_NODE, cachedBinaryPath()].filter(Boolean)
  return candidates.find(isExecutableFile) || null
}

function resolveBinary(explicit) {
  // An explicitly named binary (option or env) must exist: silently falling back would run some other version.
  const [source, candidate] = explicit
    ? ['opts.binary', explicit]
    : process.env.TARI_MINOTARI_NODE
      ? ['TARI_MINOTARI_NODE', process.env.TARI_MINOTARI_NODE]
      : ['the install cache', cachedBinaryPath()]
  if (isExecutableFile(candidate)) return candidate
  throw codedError(
    'ERR_LOCALNET_NODE_MISSING',
    `minotari_node not found at ${candidate} (from ${source}); ${INSTALL_HINT}`,
    { path: candidate },
  )
}

const hasProtos = (dir) => fs.existsSync(path.join(dir, 'base_node.proto'))

function cargoRegistryProtoDirs() {
  const registry = path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'registry', 'src')
  let indexes
  try {
    indexes = fs.readdirSync(registry)
  } catch {
    return []
  }
  return indexes
    .map((index) => path.join(registry, index, `minotari_app_grpc-${NODE_VERSION}`, 'proto'))
    .filter(hasProtos)
}

/**
 * Directory holding the minotari_app_grpc .proto files: `$TARI_GRPC_PROTO_DIR`, then the install cache, then the
 * cargo registry. Returns null when none has them.
 */
function protoDir() {
  const fromEnv = process.env.TARI_GRPC_PROTO_DIR
  if (fromEnv) {
    if (hasProtos(fromEnv)) return fromEnv
    throw codedError('ERR_LOCALNET_PROTO_MISSING', `TARI_GRPC_PROTO_DIR=${fromEnv} has no base_node.proto`)
  }
  const cached = path.join(nodeInstallRoot(), 'proto')
  if (hasProtos(cached)) return cached
  return cargoRegistryProtoDirs()[0] || null
}

/**
 * Copies the .proto files from the cargo registry into `<cache>/minotari_node-<version>/proto` if they are not
 * there yet, so the harness keeps working after the registry is cleaned. Returns the cache directory.
 */
function cacheProtos() {
  const target = path.join(nodeInstallRoot(), 'proto')
  if (hasProtos(target)) return target
  const source = cargoRegistryProtoDirs()[0]
  if (!source) {
    throw codedError('ERR_LOCALNET_PROTO_MISSING', `minotari_app_grpc-${NODE_VERSION} protos not found in the cargo registry`)
  }
  fs.mkdirSync(path.dirname(target), { recursive: true })
  // Copy into a sibling then rename, so a concurrent reader never sees a half-filled directory.
  const staging = fs.mkdtempSync(target + '.tmp-')
  for (const name of fs.readdirSync(source).filter((n) => n.endsWith('.proto'))) {
    fs.copyFileSync(path.join(source, name), path.join(staging, name))
  }
  try {
    fs.renameSync(staging, target)
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true })
    if (!hasProtos(target)) throw err // someone else won the race otherwise
  }
  return target
}

// ---------------------------------------------------------------------------------------------------------------
// gRPC client

function requireGrpc() {
  try {
    return { grpc: require('@grpc/grpc-js'), protoLoader: require('@grpc/proto-loader') }
  } catch (err) {
    throw codedError(
      'ERR_LOCALNET_GRPC_MISSING',
      'the LocalNet harness needs the optional peer dependencies @grpc/grpc-js and @grpc/proto-loader: ' +
        'npm install --save-dev @grpc/grpc-js @grpc/proto-loader',
      { cause: err },
    )
  }
}

let baseNodeServiceCtor = null // loading the protos takes ~100 ms; do it once per process

function baseNodeClient(address) {
  const { grpc, protoLoader } = requireGrpc()
  if (!baseNodeServiceCtor) {
    const dir = protoDir()
    if (!dir) {
      throw codedError(
        'ERR_LOCALNET_PROTO_MISSING',
        `minotari_app_grpc-${NODE_VERSION} .proto files not found; set TARI_GRPC_PROTO_DIR or ${INSTALL_HINT}`,
      )
    }
    const definition = protoLoader.loadSync('base_node.proto', {
      includeDirs: [dir],
      keepCase: true, // field names exactly as in the .proto files
      longs: String, // u64 heights and amounts survive without precision loss
      defaults: true, // proto3 omits false/0; we want `initial_sync_achieved: false` to be present
    })
    baseNodeServiceCtor = /** @type {any} */ (grpc.loadPackageDefinition(definition)).tari.rpc.BaseNode
  }
  return new baseNodeServiceCtor(address, grpc.credentials.createInsecure())
}

function unary(client, method, request, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) {
        err.message = `${method}: ${err.message}`
        reject(err)
      } else resolve(res)
    })
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Tari addresses: a coinbase destination, encoded by the addon


function keyHex(key, name) {
  const buf = Buffer.isBuffer(key) || key instanceof Uint8Array ? Buffer.from(key) : Buffer.from(String(key), 'hex')
  if (buf.length !== 32) throw codedError('ERR_INVALID_ARGUMENT', `${name} must be 32 bytes (64 hex chars)`)
  return buf.toString('hex')
}

/**
 * Base58 text of a dual (view + spend) Tari address, made by the addon (`addressFromKeys`, the wallet
 * library's own encoding).
 * @param {import('./localnet').EncodeTariAddressOptions} options
 */
function encodeTariAddress({ viewKey, spendKey, network = NETWORK, features = DEFAULT_ADDRESS_FEATURES }) {
  const name = typeof network === 'number' ? Object.keys(NETWORK_BYTES).find((k) => NETWORK_BYTES[k] === network) : String(network).toLowerCase()
  if (!name || !(name in NETWORK_BYTES)) throw codedError('ERR_INVALID_ARGUMENT', `unknown network ${network}`)
  const sdk = require('./sdk.js')
  const net = /** @type {import('../index').NetworkName} */ (name)
  return sdk.addressFromKeys({ viewKey: keyHex(viewKey, 'viewKey'), spendKey: keyHex(spendKey, 'spendKey'), network: net, features }).base58
}

// ---------------------------------------------------------------------------------------------------------------
// Processes: everything we spawn is tracked so it can be killed even if the host process crashes

const liveNodes = new Map() // child process → temp dir to remove on a crash (or null)
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

// Runs on the way out of a crashing process, so everything here is synchronous.
function killAllNodes() {
  for (const [child, tempDir] of liveNodes) {
    try {
      child.kill('SIGKILL')
    } catch {}
    if (tempDir) {
      try {
        fs.rmSync(tempDir, { recursive: true, force: true })
      } catch {}
    }
  }
}

function onExit() {
  killAllNodes()
}

function onSignal(signal) {
  killAllNodes()
  // We only listen while nodes run. If nobody else handles the signal, restore the default behaviour (die).
  if (process.listenerCount(signal) === 1) {
    detachProcessHooks()
    process.kill(process.pid, signal)
  }
}

function attachProcessHooks() {
  process.on('exit', onExit)
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal)
}

function detachProcessHooks() {
  process.removeListener('exit', onExit)
  for (const s of FORWARDED_SIGNALS) process.removeListener(s, onSignal)
}

function track(child, tempDir) {
  if (liveNodes.size === 0) attachProcessHooks()
  liveNodes.set(child, tempDir)
  child.once('exit', () => {
    liveNodes.delete(child)
    if (liveNodes.size === 0) detachProcessHooks()
  })
}

function hasExited(child) {
  // A child that failed to spawn has no pid and never emits 'exit'.
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null
}

function waitForExit(child, ms) {
  if (hasExited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', done)
      resolve(false)
    }, ms)
    function done() {
      clearTimeout(timer)
      resolve(true)
    }
    child.once('exit', done)
  })
}

async function terminate(child, graceMs) {
  if (hasExited(child)) return
  child.kill('SIGTERM') // SIGINT is ignored in --non-interactive-mode
  if (await waitForExit(child, graceMs)) return
  child.kill('SIGKILL')
  await waitForExit(child, 5_000)
}

async function freeLoopbackPorts(count) {
  // Hold all listeners open at once so the ports are distinct, then release them for the node to bind.
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve, reject) => {
        const srv = net.createServer()
        srv.unref()
        srv.once('error', reject)
        srv.listen(0, '127.0.0.1', () => resolve(srv))
      }),
    ),
  )
  const ports = servers.map((s) => s.address().port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

const PORT_IN_USE = Symbol('portInUse')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function tailOf(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

// Same keys as shared/localnet-node.toml, with this run's ports.
function nodeConfig({ grpcPort, httpPort, p2pPort }) {
  return `# Generated by tari-wallet-sdk/lib/localnet.js: LocalNet on loopback, no seeds, no Tor, no DNS.
[p2p.seeds]
dns_seeds = []
peer_seeds = []

[localnet.p2p.seeds]
dns_seeds = []
peer_seeds = []

[base_node]
grpc_enabled = true
grpc_address = "/ip4/127.0.0.1/tcp/${grpcPort}"
grpc_server_allow_methods = [
    "get_version", "get_tip_info", "identify", "get_network_state", "list_headers", "get_blocks",
    "get_tokens_in_circulation", "get_network_difficulty", "get_constants",
    "get_new_block_template", "get_new_block", "get_new_block_with_coinbases",
    "get_new_block_template_with_coinbases", "get_new_block_blob",
    "submit_block", "submit_block_blob", "submit_transaction", "get_sync_info", "get_sync_progress",
    "search_kernels", "search_utxos", "fetch_matching_utxos", "transaction_state",
    "list_connected_peers", "get_mempool_stats", "get_mempool_transactions",
]
report_grpc_error = true
use_libtor = false
tari_pulse_enabled = false
metadata_auto_ping_interval = 1

[base_node.http_wallet_query_service]
port = ${httpPort}
listen_ip = "127.0.0.1"
external_address = "http://127.0.0.1:${httpPort}"

[base_node.p2p]
public_addresses = ["/ip4/127.0.0.1/tcp/${p2pPort}"]
allow_test_addresses = true

[base_node.p2p.transport]
type = "tcp"
tcp.listener_address = "/ip4/127.0.0.1/tcp/${p2pPort}"

[base_node.p2p.dht]
# With no peers the DHT bootstrap never completes, and the node would wait a hard-coded 120 s before it reports
# itself synced (wallets refuse to broadcast until then). A short timeout makes that ~9 s.
network_discovery.bootstrap_timeout = 3
`
}

// ---------------------------------------------------------------------------------------------------------------

class Localnet {
  /**
   * Use Localnet.start().
   * @param {{ binary: string, dataDir: string, configFile: string, logFile: string, grpcAddress: string,
   *   httpUrl: string, p2pAddress: string, child: import('node:child_process').ChildProcess, client: any,
   *   keepDataDir: boolean }} fields
   */
  constructor(fields) {
    this.binary = fields.binary
    this.dataDir = fields.dataDir
    this.configFile = fields.configFile
    this.logFile = fields.logFile
    this.grpcAddress = fields.grpcAddress
    this.httpUrl = fields.httpUrl
    this.p2pAddress = fields.p2pAddress
    /** @type {number | null} */
    this.startupMs = null
    this._child = fields.child
    this._client = fields.client
    this._keepDataDir = fields.keepDataDir
    this.network = NETWORK
    this._stopping = null
    /** @type {Promise<unknown>} */
    this._miningQueue = Promise.resolve()
    this._defaultAddress = null
  }

  get pid() {
    return this._child.pid
  }

  /** Spawns a node and resolves once it is synced and both its gRPC and HTTP wallet interfaces answer. */
  static async start(opts = {}) {
    const binary = resolveBinary(opts.binary)
    // Another process may bind a probed port before the node does; the node then exits at once, so try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await Localnet._startOnce(binary, opts)
      } catch (err) {
        if (attempt >= 3 || !err[PORT_IN_USE]) throw err
      }
    }
  }

  static async _startOnce(binary, opts) {
    const startTimeoutMs = opts.startTimeoutMs ?? 60_000
    const [grpcPort, httpPort, p2pPort] = await freeLoopbackPorts(3)
    // First, so missing grpc packages or protos fail before anything is created. The channel connects lazily.
    const client = baseNodeClient(`127.0.0.1:${grpcPort}`)

    const ownsDataDir = !opts.dataDir
    const dataDir = opts.dataDir
      ? path.resolve(opts.dataDir)
      : await fsp.mkdtemp(path.join(os.tmpdir(), 'tari-localnet-'))
    await fsp.mkdir(dataDir, { recursive: true })
    const configFile = path.join(dataDir, 'config.toml')
    const logFile = path.join(dataDir, 'node.log')
    await fsp.writeFile(configFile, nodeConfig({ grpcPort, httpPort, p2pPort }))

    const args = ['--non-interactive-mode', '--disable-splash-screen', '--network', NETWORK, '-b', dataDir, '-c', configFile]
    const logFd = fs.openSync(logFile, 'a')
    const spawnedAt = performance.now()
    let child
    try {
      child = spawn(binary, args, {
        cwd: dataDir,
        // With log:true the output is teed to our stderr; otherwise the node writes straight to the file.
        stdio: opts.log ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      })
    } catch (err) {
      fs.closeSync(logFd)
      client.close()
      throw err
    }
    if (opts.log) {
      const file = fs.createWriteStream(null, { fd: logFd })
      for (const stream of [child.stdout, child.stderr]) {
        stream.on('data', (chunk) => {
          file.write(chunk)
          process.stderr.write(chunk)
        })
      }
      child.once('close', () => file.end())
    } else {
      fs.closeSync(logFd) // the child has its own copy
    }
    let spawnError = null
    child.once('error', (err) => (spawnError = err))
    const keepDataDir = Boolean(opts.keepDataDir) || !ownsDataDir
    if (child.pid !== undefined) track(child, keepDataDir ? null : dataDir)

    const node = new Localnet({
      binary,
      dataDir,
      configFile,
      logFile,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpUrl: `http://127.0.0.1:${httpPort}`,
      p2pAddress: `/ip4/127.0.0.1/tcp/${p2pPort}`,
      child,
      client,
      keepDataDir,
    })

    try {
      await node._waitUntilReady(startTimeoutMs, () => spawnError)
      node.startupMs = Math.round(performance.now() - spawnedAt)
      return node
    } catch (err) {
      const log = tailOf(logFile)
      const diedByItself = hasExited(child)
      await node.stop()
      if (err.code === 'ERR_LOCALNET_START' && diedByItself && /address (is )?(already )?in use/i.test(log)) {
        err[PORT_IN_USE] = true
      }
      err.message += `\n--- minotari_node log tail (${logFile}) ---\n${log}`
      throw err
    }
  }

  async _waitUntilReady(timeoutMs, getSpawnError) {
    const deadline = Date.now() + timeoutMs
    let last = 'no answer yet'
    for (;;) {
      const spawnError = getSpawnError()
      if (spawnError) throw codedError('ERR_LOCALNET_START', `could not spawn minotari_node: ${spawnError.message}`)
      if (hasExited(this._child)) {
        const how = this._child.exitCode !== null ? `code ${this._child.exitCode}` : this._child.signalCode
        throw codedError('ERR_LOCALNET_START', `minotari_node exited during startup (${how})`)
      }
      if (Date.now() > deadline) {
        throw codedError('ERR_LOCALNET_START', `minotari_node not ready after ${timeoutMs} ms (last state: ${last})`)
      }
      try {
        const tip = await unary(this._client, 'GetTipInfo', {}, 1_000)
        // initial_sync_achieved alone is not enough: wallets check the HTTP `is_synced`, which also needs LISTENING.
        if (tip.initial_sync_achieved && tip.base_node_state === BASE_NODE_STATE_LISTENING) {
          // This also proves the HTTP port accepts connections.
          const res = await fetch(`${this.httpUrl}/get_tip_info`, { signal: AbortSignal.timeout(1_000) })
          const body = /** @type {{ is_synced?: boolean }} */ (await res.json())
          if (body.is_synced === true) return
          last = `HTTP get_tip_info is_synced=${body.is_synced}`
        } else {
          last = `gRPC initial_sync_achieved=${tip.initial_sync_achieved} base_node_state=${tip.base_node_state}`
        }
      } catch (err) {
        last = err.message
      }
      await sleep(200)
    }
  }

  /** Height of the chain tip. */
  async tipHeight() {
    const tip = await unary(this._liveClient(), 'GetTipInfo', {})
    return Number(tip.metadata.best_block_height)
  }

  /**
   * Mines `n` blocks, one after another, paying each coinbase to `toAddress` (base58) or, without one, to an address
   * derived from the node's own identity key (coins no wallet will see). Resolves to the new tip height.
   */
  mine(n = 1, toAddress) {
    if (!Number.isInteger(n) || n < 0) {
      return Promise.reject(codedError('ERR_INVALID_ARGUMENT', `mine(n): n must be a non-negative integer, got ${n}`))
    }
    // Serialise concurrent mine() calls: each block template builds on the current tip.
    const run = this._miningQueue.then(() => this._mineNow(n, toAddress))
    this._miningQueue = run.catch(() => {})
    return run
  }

  async _mineNow(n, toAddress) {
    const client = this._liveClient()
    const address = toAddress ?? (await this._nodeAddress())
    for (let i = 0; i < n; i++) {
      // Every block needs a coinbase, so even "no address" mining goes through the coinbase-building call.
      const res = await unary(client, 'GetNewBlockTemplateWithCoinbases', {
        algo: { pow_algo: POW_ALGO_SHA3X },
        max_weight: 0, // 0 = the consensus maximum
        coinbases: [{ address, value: 1, stealth_payment: false, revealed_value_proof: true, coinbase_extra: Buffer.alloc(0) }],
      })
      // LocalNet difficulty is pinned to 1 (min == max), so the header is valid as is: no nonce search.
      await unary(client, 'SubmitBlock', res.block)
    }
    return this.tipHeight()
  }

  async _nodeAddress() {
    if (!this._defaultAddress) {
      const id = await unary(this._liveClient(), 'Identify', {})
      const key = Buffer.from(id.public_key)
      this._defaultAddress = encodeTariAddress({ viewKey: key, spendKey: key })
    }
    return this._defaultAddress
  }

  _liveClient() {
    if (this._stopping || !this._client) throw codedError('ERR_LOCALNET_STOPPED', 'this LocalNet node has been stopped')
    return this._client
  }

  /** Stops the node (SIGTERM, SIGKILL after 10 s), closes the client and removes the temp dir. Idempotent. */
  stop() {
    if (!this._stopping) this._stopping = this._stop().then(() => {})
    return this._stopping
  }

  async _stop() {
    if (this._client) this._client.close()
    await terminate(this._child, 10_000)
    if (!this._keepDataDir) await fsp.rm(this.dataDir, { recursive: true, force: true, maxRetries: 3 })
  }
}

// `await using node = await Localnet.start()` (Symbol.asyncDispose exists from Node 20.4 / 18.18).
if (Symbol.asyncDispose) {
  Localnet.prototype[Symbol.asyncDispose] = function () {
    return this.stop()
  }
}

module.exports = {
  Localnet,
  findMinotariNode,
  protoDir,
  cacheProtos,
  encodeTariAddress,
  NODE_VERSION,
}
