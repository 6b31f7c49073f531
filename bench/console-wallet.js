'use strict'
// minotari_console_wallet 6.2.0 as a gRPC daemon on a LocalNet, driven from Node with @grpc/grpc-js: the
// peer the SDK is measured against (bench/console.js) and shown to interoperate with (scripts/interop.sh).
// The binary comes from scripts/install-console-wallet.sh (TARI_CONSOLE_WALLET overrides).
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const grpc = require('@grpc/grpc-js')
const protoLoader = require('@grpc/proto-loader')
const { protoDir } = require('../lib/localnet/protos.js')

let WalletService = null

function walletService() {
  if (!WalletService) {
    const definition = protoLoader.loadSync('wallet.proto', { includeDirs: [protoDir()], keepCase: true, longs: String, defaults: true, bytes: Buffer })
    WalletService = grpc.loadPackageDefinition(definition).tari.rpc.Wallet
  }
  return WalletService
}

/** The cached binary, built on first use. */
function consoleWalletBinary() {
  if (process.env.TARI_CONSOLE_WALLET) return process.env.TARI_CONSOLE_WALLET
  return execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'install-console-wallet.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

class ConsoleWallet {
  /**
   * Starts a daemon in `dataDir` against the LocalNet node at `httpUrl`; with `seedWords`, restores them
   * (`--recovery`); with `seedWordsFile`, a new wallet writes its seed words there. Resolves once its gRPC
   * answers.
   */
  static async start({ httpUrl, dataDir, password = 'pw', seedWords, seedWordsFile, scanSecs = 1 }) {
    const port = await freePort()
    fs.mkdirSync(dataDir, { recursive: true })
    const args = ['-b', dataDir, '--network', 'localnet', '--password', password, '-n', '--grpc-enabled', '--grpc-address', `/ip4/127.0.0.1/tcp/${port}`,
      '-p', `wallet.http_server_url=${httpUrl}`, '-p', `wallet.fallback_http_server_url=${httpUrl}`, '-p', `wallet.scanning_interval=${scanSecs}`]
    if (seedWords) args.push('--seed-words', seedWords.join(' '), '--recovery')
    if (seedWordsFile) args.push('--seed-words-file-name', seedWordsFile)
    const started = performance.now()
    const log = fs.openSync(path.join(dataDir, 'daemon.log'), 'a')
    const child = spawn(consoleWalletBinary(), args, { stdio: ['ignore', log, log] })
    const w = new ConsoleWallet(child, new (walletService())(`127.0.0.1:${port}`, grpc.credentials.createInsecure()), dataDir)
    const deadline = Date.now() + 120_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the console wallet exited (${child.exitCode}); see ${path.join(dataDir, 'daemon.log')}`)
      try {
        await w.call('GetBalance', {}, 1000)
        break
      } catch (e) {
        if (Date.now() > deadline) throw e
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    w.startMs = performance.now() - started
    return w
  }

  constructor(child, client, dataDir) {
    this.child = child
    this.client = client
    this.dataDir = dataDir
  }

  call(method, request = {}, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      this.client[method](request, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(Object.assign(err, { message: `${method}: ${err.message}` })) : resolve(res)))
    })
  }

  /** The one-sided address, base58. */
  async oneSidedAddress() {
    return (await this.call('GetCompleteAddress')).one_sided_address_base58
  }

  async balance() {
    const b = await this.call('GetBalance')
    return { available: BigInt(b.available_balance), pendingIncoming: BigInt(b.pending_incoming_balance), pendingOutgoing: BigInt(b.pending_outgoing_balance), timeLocked: BigInt(b.timelocked_balance) }
  }

  /**
   * A one-sided payment, by default to a stealth address (the console wallet's recommended kind; `type:
   * 'ONE_SIDED'` for the plain kind); resolves to the tx id.
   */
  async transfer({ to, amount, paymentId, feePerGram, type }) {
    const [id] = await this.transferMany([{ to, amount, paymentId }], { feePerGram, type })
    return id
  }

  /**
   * One `Transfer` request paying every recipient, each its own transaction (how the daemon handles a
   * request with several recipients); resolves to the tx ids.
   */
  async transferMany(recipients, { feePerGram = 5n, type = 'ONE_SIDED_TO_STEALTH_ADDRESS' } = {}) {
    const r = await this.call('Transfer', {
      recipients: recipients.map(({ to, amount, paymentId }) => ({
        address: to, amount: String(amount), fee_per_gram: String(feePerGram), payment_type: type, raw_payment_id: paymentId ? Buffer.from(paymentId) : Buffer.alloc(0),
      })),
    })
    const failed = r.results.filter((x) => !x.is_success)
    if (failed.length) throw new Error(`Transfer failed for ${failed.length} of ${r.results.length} recipients: ${failed[0].failure_message}`)
    return r.results.map((x) => x.transaction_id)
  }

  /** Completed transactions, as the daemon streams them. */
  completed() {
    return new Promise((resolve, reject) => {
      const out = []
      const call = this.client.GetCompletedTransactions({}, { deadline: Date.now() + 30_000 })
      call.on('data', (d) => out.push(d.transaction))
      call.on('error', reject)
      call.on('end', () => resolve(out))
    })
  }

  rssBytes() {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024
    } catch {
      return NaN
    }
  }

  async stop() {
    this.client.close()
    if (this.child.exitCode !== null) return
    const exited = new Promise((r) => this.child.once('exit', r))
    this.child.kill('SIGINT')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

module.exports = { ConsoleWallet, consoleWalletBinary }
