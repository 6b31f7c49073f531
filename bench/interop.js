'use strict'
// Interop with minotari_console_wallet 6.2.0 on one LocalNet (#18), run by scripts/interop.sh:
//  1. a seed made by the SDK, restored in the console wallet, gives the same address, and after the
//     recovery scan the same balance; and the other way round, a console wallet's seed in the SDK;
//  2. the SDK pays the console wallet, and the console wallet (gRPC Transfer, one-sided to a stealth
//     address, and plain one-sided) pays the SDK: amounts and payment ids arrive exactly on both sides.
// Prints one line per check and exits non-zero if any fails.
process.env.TARI_NETWORK ??= 'localnet'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const assert = require('node:assert/strict')
const sdk = require('../lib/sdk.js')
const { Localnet } = require('../lib/localnet.js')
const { ConsoleWallet } = require('./console-wallet.js')
const { mineInBackground } = require('./harness')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function until(what, fn, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(500)
  }
}

const checks = []
async function check(name, fn) {
  try {
    await fn()
    checks.push([name, true])
    console.log(`ok   ${name}`)
  } catch (e) {
    checks.push([name, false])
    console.log(`FAIL ${name}: ${e.message}`)
  }
}

async function main() {
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-interop-'))
  const opts = (name) => ({ dataDir: path.join(tmp, name), passphrase: 'pw', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 })
  const stopMining = mineInBackground(net)
  const wallets = []
  try {
    // A seed made by the SDK, with money on it.
    const a = await sdk.createWallet(opts('sdk-a'))
    await net.mine(5, sdk.getAddress(a).base58)
    await until('the SDK wallet to be funded', async () => {
      const b = await sdk.getBalance(a)
      return b.available > 0n && b.timeLocked === 0n && b.pendingIncoming === 0n
    })
    const words = await sdk.getSeedWords(a)

    const restored = await ConsoleWallet.start({ httpUrl: net.httpUrl, dataDir: path.join(tmp, 'console-restored'), seedWords: words })
    wallets.push(restored)
    await check('a seed made by the SDK gives the same address in the console wallet', async () => {
      assert.equal(await restored.oneSidedAddress(), sdk.getAddress(a).base58)
    })
    await check('after its recovery scan, the console wallet shows the SDK wallet\'s balance', async () => {
      const expected = (await sdk.getBalance(a)).available
      await until('the console wallet to recover the balance', async () => (await restored.balance()).available === expected)
    })
    await restored.stop()

    const seedFile = path.join(tmp, 'console-c.seed')
    const c = await ConsoleWallet.start({ httpUrl: net.httpUrl, dataDir: path.join(tmp, 'console-c'), seedWordsFile: seedFile })
    wallets.push(c)
    const cAddress = await c.oneSidedAddress()
    await check('the SDK reads the console wallet\'s address', async () => {
      assert.equal(sdk.parseAddress(cAddress).base58, cAddress)
    })

    await check('the SDK pays the console wallet: amount and payment id arrive exactly', async () => {
      const before = (await c.balance()).available
      await sdk.send(a, { to: cAddress, amount: 1_234_567n, message: 'sdk-to-console' })
      await until('the console wallet to receive', async () => (await c.balance()).available - before === 1_234_567n)
      const got = (await c.completed()).find((t) => BigInt(t.amount) === 1_234_567n)
      assert.ok(got, 'in the console wallet\'s history')
      assert.match(Buffer.from(got.user_payment_id ?? []).toString('utf8') + Buffer.from(got.raw_payment_id ?? []).toString('utf8'), /sdk-to-console/)
    })

    await check('the console wallet pays the SDK (Transfer, one-sided to a stealth address): amount and payment id exactly', async () => {
      await until('the console wallet\'s payment to be spendable', async () => (await c.balance()).available >= 1_234_567n)
      const b = await sdk.createWallet(opts('sdk-b'))
      const txId = await c.transfer({ to: sdk.getAddress(b).base58, amount: 765_432n, paymentId: 'console-to-sdk' })
      assert.ok(Number(txId) > 0)
      await until('the SDK to receive', async () => (await sdk.getBalance(b)).available === 765_432n)
      const [t] = await sdk.getTransactions(b, { paymentId: 'console-to-sdk' })
      assert.ok(t, 'found by its payment id')
      assert.equal(t.amount, 765_432n)
      assert.equal(t.direction, 'inbound')
    })

    await check('the console wallet pays the SDK (Transfer, plain one-sided): amount and payment id exactly', async () => {
      // What is left of the 1,234,567 µT after the payment above, once its change is mined.
      await until('the console wallet\'s change to be spendable', async () => {
        const cb = await c.balance()
        return cb.pendingOutgoing === 0n && cb.pendingIncoming === 0n && cb.available >= 200_000n
      })
      const b = await sdk.createWallet(opts('sdk-b2'))
      await c.transfer({ to: sdk.getAddress(b).base58, amount: 123_456n, paymentId: 'console-one-sided', type: 'ONE_SIDED' })
      await until('the SDK to receive', async () => (await sdk.getBalance(b)).available === 123_456n)
      const [t] = await sdk.getTransactions(b, { paymentId: 'console-one-sided' })
      assert.ok(t, 'found by its payment id')
      assert.equal(t.amount, 123_456n)
    })

    // The other way round: the console wallet's seed (it received and paid above) restored in the SDK.
    const fromConsole = await sdk.createWallet({ ...opts('sdk-from-console'), seedWords: fs.readFileSync(seedFile, 'utf8').trim() })
    await check('a seed made by the console wallet gives the same address in the SDK', async () => {
      assert.equal(sdk.getAddress(fromConsole).base58, cAddress)
    })
    await check('after its recovery scan, the SDK shows the console wallet\'s balance', async () => {
      const settled = await until('the console wallet to settle', async () => {
        const b = await c.balance()
        return b.pendingIncoming === 0n && b.pendingOutgoing === 0n && b
      })
      await until('the SDK to recover the balance', async () => (await sdk.getBalance(fromConsole)).available === settled.available)
    })
  } finally {
    const failed = checks.filter(([, ok]) => !ok).length
    console.log(`\ninterop: ${checks.length - failed}/${checks.length} checks passed`)
    process.exitCode = failed || checks.length < 8 ? 1 : 0
    // Bounded: a daemon that will not stop must not hold the verdict hostage.
    const cleanup = (async () => {
      await stopMining()
      for (const w of wallets) await w.stop().catch(() => {})
      for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
      await net.stop()
    })()
    await Promise.race([cleanup, sleep(60_000)])
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
