// Real wallets on a real LocalNet: lifecycle by handle, passphrases and locks, seeds and restore,
// addresses, balance, limits and the process-wide network.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { runChild, throwsCode, rejectsCode, sdkPath, nativePath, root, waitFor } from './helpers.mjs'

const require = createRequire(import.meta.url)
const sdk = require(sdkPath)
const { Localnet } = require(path.join(root, 'lib', 'localnet.js'))

let net
let tmp
const PASS = 'correct horse battery staple'

const dir = (name) => path.join(tmp, name)
const opts = (name, extra = {}) => ({ dataDir: dir(name), passphrase: PASS, network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1, ...extra })
const dbFile = (name) => path.join(dir(name), 'data', 'wallet', 'db', 'console_wallet.db')
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-wallet-test-'))
  net = await Localnet.start()
})

after(async () => {
  for (const w of sdk.listWallets()) await sdk.closeWallet(w.handle).catch(() => {})
  await net?.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('wallet A: create, fund, close, reopen, wrong passphrase, restore', () => {
  let a
  let address
  let words
  let funded

  test('create a new wallet: a handle, a LocalNet address, a zero balance', async () => {
    a = await sdk.createWallet(opts('a'))
    assert.equal(typeof a, 'number')
    address = sdk.getAddress(a)
    assert.equal(address.network, 'localnet')
    assert.equal(address.kind, 'dual')
    assert.equal(address.oneSided, true)
    assert.deepEqual(sdk.parseAddress(address.emoji), address)
    assert.deepEqual(sdk.parseAddress(address.hex), address)
    assert.equal(sdk.getProcessNetwork(), 'localnet')
    const b = await sdk.getBalance(a)
    assert.deepEqual(b, { available: 0n, pendingIncoming: 0n, pendingOutgoing: 0n, timeLocked: 0n })
    assert.ok(sdk.listWallets().some((w) => w.handle === a && w.address === address.base58))
  })

  test('24 seed words come back and validate', async () => {
    words = await sdk.getSeedWords(a)
    assert.equal(words.length, 24)
    const info = await sdk.validateSeedWords(words)
    assert.equal(info.wordCount, 24)
    assert.equal(typeof info.birthday, 'number')
    assert.deepEqual(await sdk.validateSeedWords(words.join(' ')), info)
  })

  test('coinbases mined to A become available (maturity 2 blocks)', async () => {
    const tip0 = await net.tipHeight()
    await net.mine(4, address.base58)
    assert.equal(await net.tipHeight(), tip0 + 4)
    funded = await waitFor('A available > 0', async () => {
      const b = await sdk.getBalance(a)
      return b.available > 0n && b
    })
    assert.equal(typeof funded.available, 'bigint')
    // let the last coinbases mature too, so A's balance is all available and stable
    await net.mine(3)
    funded = await waitFor('A fully matured', async () => {
      const b = await sdk.getBalance(a)
      return b.pendingIncoming === 0n && b.available > funded.available && b
    })
  })

  test('close and reopen with the same passphrase: same address, same balance', async () => {
    await sdk.closeWallet(a)
    await rejectsCode(sdk.getBalance(a), 'ERR_INVALID_HANDLE')
    throwsCode(() => sdk.getAddress(a), 'ERR_INVALID_HANDLE')
    // Every file under the data directory, -wal, -shm, the lock and the SDK's journal included.
    const snapshot = () => Object.fromEntries(
      fs.readdirSync(path.join(tmp, 'a'), { recursive: true })
        .map((f) => path.join(tmp, 'a', f))
        .filter((f) => fs.statSync(f).isFile())
        .map((f) => [path.relative(tmp, f), sha256(f)]),
    )
    const before = snapshot()
    assert.ok(Object.keys(before).some((f) => f.endsWith('console_wallet.db')), JSON.stringify(before))
    await rejectsCode(sdk.openWallet(opts('a', { passphrase: 'wrong passphrase' })), 'ERR_WRONG_PASSPHRASE')
    assert.deepEqual(snapshot(), before, 'a wrong passphrase leaves every file byte-for-byte unchanged')
    const reopened = await sdk.openWallet(opts('a'))
    assert.notEqual(reopened, a, 'handles are never reused')
    assert.equal(sdk.getAddress(reopened).base58, address.base58)
    assert.deepEqual(await sdk.getBalance(reopened), funded)
    a = reopened
  })

  test('the same data dir cannot be opened twice, in this process or another', async () => {
    await rejectsCode(sdk.openWallet(opts('a')), 'ERR_WALLET_LOCKED')
    const r = runChild(
      `sdk.openWallet(${JSON.stringify(opts('a'))}).then(() => console.log('"opened"'), (e) => console.log(JSON.stringify(e.code)))`,
    )
    assert.equal(r.json, 'ERR_WALLET_LOCKED', r.stderr)
    assert.deepEqual(await sdk.getBalance(a), funded, 'the open wallet is unaffected')
  })

  test('restore from the seed words into a new dir: same address, then the same balance', async () => {
    const r = await sdk.createWallet(opts('a-restored', { seedWords: words }))
    assert.equal(sdk.getAddress(r).base58, address.base58)
    const restored = await waitFor('restored balance to match', async () => {
      const b = await sdk.getBalance(r)
      return b.available === funded.available && b
    })
    assert.deepEqual(restored, funded)
    await sdk.destroyWallet(r)
    assert.ok(!fs.existsSync(dbFile('a-restored')), 'destroy deleted the database')
  })

  test('create refuses a dir that holds a wallet; open refuses one that does not', async () => {
    await rejectsCode(sdk.createWallet(opts('a')), 'ERR_WALLET_EXISTS')
    await rejectsCode(sdk.openWallet(opts('nothing-here')), 'ERR_WALLET_NOT_FOUND')
    assert.ok(!fs.existsSync(dbFile('nothing-here')), 'a failed open creates nothing')
  })

  test('a corrupt database is a clear error and is left as it was', async () => {
    fs.mkdirSync(path.dirname(dbFile('corrupt')), { recursive: true })
    fs.writeFileSync(dbFile('corrupt'), crypto.randomBytes(8192))
    const before = sha256(dbFile('corrupt'))
    await rejectsCode(sdk.openWallet(opts('corrupt')), 'ERR_WALLET_CORRUPT')
    assert.equal(sha256(dbFile('corrupt')), before)
  })

  test('close is clean: the dir can be opened again at once', async () => {
    await sdk.closeWallet(a)
    a = await sdk.openWallet(opts('a'))
    await sdk.closeWallet(a)
  })

  test('a wallet closed the moment it opens stops at once and leaves no task behind, every time', async () => {
    // A close landing as the library's first scan round ends could strand that round's last request: the
    // close then took 10 s, its task held the database lock for good, and the next open got
    // ERR_WALLET_LOCKED (about once in 300 cycles; `npm run bench stress` runs 10,000).
    const alive = () => sdk.getRuntimeStats().runtimes.find((r) => r.name === 'wallet').aliveTasks
    const before = alive()
    for (let i = 0; i < 25; i++) {
      const h = await sdk.openWallet(opts('a'))
      const t = performance.now()
      await sdk.closeWallet(h)
      assert.ok(performance.now() - t < 4000, `close ${i} took ${Math.round(performance.now() - t)} ms`)
    }
    await waitFor('the wallet runtime back to its tasks before the cycles', () => alive() <= before, 10_000)
  })

  test('an open waits until the last wallet of its dir has stopped, instead of ERR_WALLET_LOCKED', async () => {
    require(nativePath).__testStoppingDir(dir('a'), 1500)
    const t = performance.now()
    a = await sdk.openWallet(opts('a'))
    assert.ok(performance.now() - t >= 1450, `opened after ${performance.now() - t} ms`)
    await sdk.closeWallet(a)
  })

  test('a close that stops waiting for the services still lets the dir open again, and be deleted', async () => {
    // A 1 ms wait leaves every close's services stopping in the background, as a starved machine did.
    const native = require(nativePath)
    native.__testCloseTimeout(1)
    try {
      let h = await sdk.createWallet(opts('slow-close'))
      for (let i = 0; i < 3; i++) {
        await sdk.closeWallet(h)
        h = await sdk.openWallet(opts('slow-close'))
      }
      await sdk.destroyWallet(h)
      assert.ok(!fs.existsSync(dbFile('slow-close')), 'deleted once its services stopped')
    } finally {
      native.__testCloseTimeout(10_000)
    }
  })
})

describe('seed words and addresses without a wallet', () => {
  test('bad seed phrases get ERR_INVALID_SEED_WORDS with a reason', async () => {
    const h = await sdk.createWallet(opts('seeds'))
    const words = await sdk.getSeedWords(h)
    await sdk.destroyWallet(h)
    let e = await rejectsCode(sdk.validateSeedWords(words.slice(0, 23)), 'ERR_INVALID_SEED_WORDS')
    assert.equal(e.reason, 'count')
    e = await rejectsCode(sdk.validateSeedWords([...words.slice(0, 23), 'zzzzzz']), 'ERR_INVALID_SEED_WORDS')
    assert.equal(e.reason, 'unknown-word')
    const swapped = [...words]
    ;[swapped[0], swapped[1]] = [swapped[1], swapped[0]]
    e = await rejectsCode(sdk.validateSeedWords(swapped), 'ERR_INVALID_SEED_WORDS')
    assert.ok(['checksum', 'decryption'].includes(e.reason), e.reason)
    // seed words are common English words, so look for any two adjacent ones rather than single words
    for (let i = 0; i + 1 < swapped.length; i++) assert.ok(!e.message.includes(`${swapped[i]} ${swapped[i + 1]}`), 'errors never echo seed words')
    await rejectsCode(sdk.validateSeedWords(42), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('bad-restore', { seedWords: swapped })), 'ERR_INVALID_SEED_WORDS')
    assert.ok(!fs.existsSync(dbFile('bad-restore')), 'a failed restore leaves no database')
  })

  test('addresses: details, and a reason for every failure', async () => {
    const h = await sdk.createWallet(opts('addr'))
    const a = sdk.getAddress(h)
    await sdk.destroyWallet(h)
    assert.equal(sdk.validateAddress(a.base58).valid, true)
    const flip = a.base58.slice(0, -1) + (a.base58.endsWith('2') ? '3' : '2')
    const cases = [
      [flip, 'checksum'],
      [a.base58.slice(0, 40), 'size'],
      ['definitely not an address', 'encoding'],
      ['', 'encoding'],
    ]
    for (const [input, reason] of cases) {
      const e = throwsCode(() => sdk.parseAddress(input), 'ERR_INVALID_ADDRESS')
      assert.equal(e.reason, reason, `${input}: ${e.message}`)
      assert.deepEqual({ valid: sdk.validateAddress(input).valid, reason: sdk.validateAddress(input).reason }, { valid: false, reason })
    }
    const wrongNet = throwsCode(() => sdk.parseAddress(a.base58, 'esmeralda'), 'ERR_INVALID_ADDRESS')
    assert.equal(wrongNet.reason, 'network')
    throwsCode(() => sdk.parseAddress(12), 'ERR_INVALID_ARGUMENT')
    throwsCode(() => sdk.parseAddress('x'.repeat(1 << 20)), 'ERR_INVALID_ADDRESS')
  })
})

describe('handles, limits and the network', () => {
  test('bad handles get ERR_INVALID_HANDLE; bad options ERR_INVALID_ARGUMENT', async () => {
    for (const h of [0, -1, 1.5, NaN, 2 ** 40, 999999]) {
      await rejectsCode(sdk.getBalance(h), 'ERR_INVALID_HANDLE')
      await rejectsCode(sdk.closeWallet(h), 'ERR_INVALID_HANDLE')
    }
    await rejectsCode(sdk.getBalance('1'), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet({ dataDir: dir('x') }), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { passphrase: '' })), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { passphrase: 'p'.repeat(1 << 20) })), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { scanningIntervalSecs: 0 })), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { baseNodeUrl: 'ftp://nope' })), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { network: 'moonnet' })), 'ERR_INVALID_ARGUMENT')
    await rejectsCode(sdk.createWallet(opts('x', { birthday: 5 })), 'ERR_INVALID_ARGUMENT')
    assert.ok(!fs.existsSync(dir('x')), 'rejected options create nothing')
  })

  test('limits.maxWalletInstances is enforced with ERR_LIMIT', async () => {
    sdk.updateConfig({ limits: { maxWalletInstances: 2 } })
    const handles = []
    try {
      handles.push(await sdk.createWallet(opts('l1')), await sdk.createWallet(opts('l2')))
      await rejectsCode(sdk.createWallet(opts('l3')), 'ERR_LIMIT')
      await sdk.closeWallet(handles.pop())
      handles.push(await sdk.createWallet(opts('l3')))
    } finally {
      for (const h of handles) await sdk.destroyWallet(h)
      sdk.updateConfig({ limits: { maxWalletInstances: 64 } })
    }
  })

  test('the first wallet fixes the network; others get ERR_NETWORK_MISMATCH, whichever build serves them', async () => {
    await rejectsCode(sdk.createWallet(opts('esme', { network: 'esmeralda' })), 'ERR_NETWORK_MISMATCH', /fixed by its first wallet/)
    // mainnet needs another build than the one this process loaded (lib/native.js)
    await rejectsCode(sdk.createWallet(opts('main', { network: 'mainnet' })), 'ERR_NETWORK_MISMATCH', /testnet build .*cannot use mainnet/)
    // the raw binding of the testnet build refuses it itself
    const raw = require(nativePath)
    await rejectsCode(raw.createWallet(opts('raw', { network: 'mainnet' })), 'ERR_UNSUPPORTED_NETWORK')
    assert.ok(!fs.existsSync(dir('esme')) && !fs.existsSync(dir('main')) && !fs.existsSync(dir('raw')))
  })

  test('wallets on the other runtimes: services on wallet, key work on crypto', async () => {
    const before = Object.fromEntries(sdk.getRuntimeStats().runtimes.map((r) => [r.name, r.opsCompleted]))
    const h = await sdk.createWallet(opts('rt'))
    await sdk.getSeedWords(h)
    // Not getBalance: the wallet's pump may have filled the SDK's balance cache, which answers on the JS thread.
    await sdk.getUtxos(h)
    await sdk.destroyWallet(h)
    const after = Object.fromEntries(sdk.getRuntimeStats().runtimes.map((r) => [r.name, r.opsCompleted]))
    assert.equal(after.wallet - before.wallet, 3, 'create, getUtxos, destroy')
    assert.equal(after.crypto - before.crypto, 1, 'getSeedWords')
  })
})

describe('secrets', () => {
  test('passphrases and seed words appear in no log line, error or config dump, even at trace level', async () => {
    const words = await (async () => {
      const h = await sdk.createWallet(opts('secret-src'))
      const w = await sdk.getSeedWords(h)
      await sdk.destroyWallet(h)
      return w
    })()
    const secret = 'hunter2-very-secret-passphrase'
    const d = (n) => path.join(tmp, n)
    const o = (n, extra) => ({ ...opts(n), dataDir: d(n), passphrase: secret, ...extra })
    const r = runChild(
      `(async () => {
        const out = []
        const h = await sdk.createWallet(${JSON.stringify(o('secret-new'))})
        const r = await sdk.createWallet(${JSON.stringify(o('secret-restored', { seedWords: words }))})
        await sdk.closeWallet(h)
        for (const bad of [${JSON.stringify(o('secret-new', { passphrase: 'wrong ' + secret }))}, ${JSON.stringify(o('secret-restored'))}]) {
          try { await sdk.openWallet(bad) } catch (e) { out.push(e.message, e.stack, JSON.stringify(e)) }
        }
        try { await sdk.validateSeedWords(${JSON.stringify([...words].reverse())}) } catch (e) { out.push(e.message, e.stack) }
        out.push(JSON.stringify(sdk.getConfig()), JSON.stringify(sdk.listWallets()), JSON.stringify(sdk.getHealthStatus()))
        await sdk.closeWallet(r)
        console.log(JSON.stringify(out))
      })()`,
      { env: { TARI_LOG_LEVEL: 'trace', TARI_LIBRARY_LOG_LEVEL: 'trace' }, timeoutMs: 120_000 },
    )
    assert.equal(r.status, 0, r.stderr.slice(-2000))
    assert.ok(r.stderr.length > 10_000, 'trace logging produced output to search')
    const haystack = r.stderr + r.stdout
    assert.ok(!haystack.includes(secret), 'passphrase leaked')
    for (let i = 0; i + 2 < words.length; i++) {
      assert.ok(!haystack.includes(words.slice(i, i + 3).join(' ')), 'seed words leaked')
      assert.ok(!haystack.includes(JSON.stringify(words.slice(i, i + 3)).slice(1, -1)), 'seed words leaked')
    }
  })
})

describe('process exit', () => {
  test('Node exits promptly with wallets still open', () => {
    const d = path.join(tmp, 'exit')
    const r = runChild(
      `sdk.createWallet(${JSON.stringify({ ...opts('exit'), dataDir: d })}).then((h) => console.log(JSON.stringify(h)))`,
    )
    assert.equal(r.status, 0, r.stderr)
    assert.equal(typeof r.json, 'number')
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`)
    // and the wallet was left consistent: it opens again
    const again = runChild(
      `sdk.openWallet(${JSON.stringify({ ...opts('exit'), dataDir: d })}).then((h) => sdk.closeWallet(h)).then(() => console.log('"ok"'), (e) => console.log(JSON.stringify(e.code)))`,
    )
    assert.equal(again.json, 'ok', again.stderr)
  })
})

test('a seed passphrase gives other words for the same wallet, and only it restores them', async () => {
  const w = await sdk.createWallet(opts('seed-pass-source'))
  const plain = await sdk.getSeedWords(w)
  const guarded = await sdk.getSeedWords(w, { seedPassphrase: 'tulip mango' })
  assert.equal(guarded.length, 24)
  assert.notDeepEqual(guarded, plain)
  assert.equal((await sdk.validateSeedWords(guarded, { seedPassphrase: 'tulip mango' })).birthday, (await sdk.validateSeedWords(plain)).birthday)
  const e = await rejectsCode(sdk.validateSeedWords(guarded), 'ERR_INVALID_SEED_WORDS')
  assert.equal(e.reason, 'decryption')
  await rejectsCode(sdk.createWallet(opts('seed-pass-wrong', { seedWords: guarded, seedPassphrase: 'tulip mangos' })), 'ERR_INVALID_SEED_WORDS')
  await rejectsCode(sdk.createWallet(opts('seed-pass-none', { seedPassphrase: 'tulip mango' })), 'ERR_INVALID_ARGUMENT')
  await rejectsCode(sdk.getSeedWords(w, { seedPassphrase: '' }), 'ERR_INVALID_ARGUMENT')
  const restored = await sdk.createWallet(opts('seed-pass-restored', { seedWords: guarded, seedPassphrase: 'tulip mango' }))
  assert.equal(sdk.getAddress(restored).base58, sdk.getAddress(w).base58, 'the same seed, so the same wallet')
  assert.deepEqual(await sdk.getSeedWords(restored), plain)
  await sdk.destroyWallet(restored)
  await sdk.destroyWallet(w)
})
