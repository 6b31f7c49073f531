// @ts-check
'use strict'
// LocalNet harness: runs a real minotari_node on loopback with a throwaway chain and mines blocks on demand
// through its gRPC interface. Used by the SDK's tests and demo, and offered to users as `tari-wallet-sdk/localnet`.
//
// Nothing here talks to the outside world: no DNS, no Tor, no seeds but other LocalNet nodes of this process
// (`startPeer`); every port is a free loopback port.

const fs = require('node:fs')
const fsp = require('node:fs/promises')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { NODE_VERSION, NETWORK, codedError } = require('./localnet/common.js')
const { findMinotariNode, resolveBinary } = require('./localnet/binary.js')
const { protoDir, cacheProtos } = require('./localnet/protos.js')
const { baseNodeClient, unary, serverStream } = require('./localnet/grpc.js')
const { encodeTariAddress } = require('./localnet/address.js')
const { track, hasExited, terminate, freeLoopbackPorts } = require('./localnet/processes.js')
const { nodeConfig } = require('./localnet/node-config.js')
const { Gate } = require('./localnet/gate.js')

const POW_ALGO_SHA3X = 1 // block.proto PowAlgo.PowAlgos.POW_ALGOS_SHA3X
const BASE_NODE_STATE_LISTENING = 5 // base_node.proto BaseNodeState.LISTENING

const PORT_IN_USE = Symbol('portInUse')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function tailOf(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

class Localnet {
  /**
   * Use Localnet.start().
   * @param {{ binary: string, dataDir: string, configFile: string, logFile: string, grpcAddress: string,
   *   httpUrl: string, p2pAddress: string, child: import('node:child_process').ChildProcess, client: any,
   *   keepDataDir: boolean, gate: Gate, family: Family }} fields
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
    this._gate = fields.gate
    this._family = fields.family
    this._family.nodes.add(this)
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
    /** @type {Family} */
    const family = opts._family ?? { nodes: new Set(), split: false }
    const gate = new Gate(p2pPort)
    if (family.split) gate.close()
    try {
      await gate.listen()
    } catch (err) {
      client.close()
      throw err
    }

    const ownsDataDir = !opts.dataDir
    const dataDir = opts.dataDir
      ? path.resolve(opts.dataDir)
      : await fsp.mkdtemp(path.join(os.tmpdir(), 'tari-localnet-'))
    await fsp.mkdir(dataDir, { recursive: true })
    const configFile = path.join(dataDir, 'config.toml')
    const logFile = path.join(dataDir, 'node.log')
    await fsp.writeFile(configFile, nodeConfig({ grpcPort, httpPort, p2pPort, publicPort: gate.port, peerSeeds: opts._peerSeeds }))

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
      await gate.shutdown()
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
      gate,
      family,
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
    return (await this.tip()).height
  }

  /** Height and hash (hex) of the chain tip. */
  async tip() {
    const { metadata } = await unary(this._liveClient(), 'GetTipInfo', {})
    return { height: Number(metadata.best_block_height), hash: Buffer.from(metadata.best_block_hash).toString('hex') }
  }

  /** Hash (hex) of this node's block at `height`, or null above its tip. */
  async blockHash(height) {
    const headers = await serverStream(this._liveClient(), 'ListHeaders', { from_height: height, num_headers: 1, sorting: 1 })
    const header = headers[0]?.header
    return header && Number(header.height) === height ? Buffer.from(header.hash).toString('hex') : null
  }

  /**
   * Starts another LocalNet node that takes this one as its seed, and resolves once the two are connected and the
   * new node has this one's chain. The nodes of one family (this node, its peers, theirs) can be split apart and
   * joined again (`split`, `join`); each mines on its own chain meanwhile, and on joining the chain with the most
   * work wins everywhere: a reorg, within about a second.
   */
  async startPeer(opts = {}) {
    const id = await unary(this._liveClient(), 'Identify', {})
    const seed = `${Buffer.from(id.public_key).toString('hex')}::/ip4/127.0.0.1/tcp/${this._gate.port}`
    const peer = await Localnet.start({ ...opts, _peerSeeds: [seed], _family: this._family })
    try {
      const timeoutMs = opts.startTimeoutMs ?? 60_000
      await this._until('the peer to connect', timeoutMs, async () => (await peer.connectedPeers()) > 0 && (await this.connectedPeers()) > 0)
      await this._until("the peer to sync this node's chain", timeoutMs, async () => (await peer.tip()).hash === (await this.tip()).hash)
    } catch (err) {
      await peer.stop()
      throw err
    }
    return peer
  }

  /** How many nodes this one is connected to. */
  async connectedPeers() {
    return (await unary(this._liveClient(), 'ListConnectedPeers', {})).connected_peers.length
  }

  /**
   * Cuts every p2p connection between the nodes of this node's family and refuses new ones until `join()`; resolves
   * once no node of the family has a peer. Wallets keep talking to their node's HTTP port.
   */
  async split(timeoutMs = 30_000) {
    this._family.split = true
    for (const node of this._family.nodes) node._gate.close()
    await this._until('the nodes to part', timeoutMs, async () => {
      for (const node of this._live()) if ((await node.connectedPeers()) > 0) return false
      return true
    })
  }

  /** Undoes `split()`; resolves once every node of the family is connected again (their chains sync after). */
  async join(timeoutMs = 30_000) {
    this._family.split = false
    for (const node of this._family.nodes) node._gate.openUp()
    await this._until('the nodes to reconnect', timeoutMs, async () => {
      for (const node of this._live()) if ((await node.connectedPeers()) === 0) return false
      return true
    })
  }

  _live() {
    return [...this._family.nodes].filter((n) => !n._stopping)
  }

  async _until(what, timeoutMs, check) {
    const deadline = Date.now() + timeoutMs
    while (!(await check())) {
      if (Date.now() > deadline) throw codedError('ERR_LOCALNET_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`)
      await sleep(100)
    }
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
    this._family.nodes.delete(this)
    await this._gate.shutdown()
    await terminate(this._child, 10_000)
    if (!this._keepDataDir) await fsp.rm(this.dataDir, { recursive: true, force: true, maxRetries: 3 })
  }
}

/** @typedef {{ nodes: Set<Localnet>, split: boolean }} Family the nodes that `split`/`join` act on together */

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
