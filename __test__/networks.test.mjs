// Networks and the builds that serve them (lib/native.js): every network from one install, mainnet
// without a mainnet node, and the rule that one process runs one build. Each case runs in its own process,
// because the first SDK call of a process picks its build.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { runChild, root } from './helpers.mjs'

const vector = JSON.parse(fs.readFileSync(path.join(root, '__test__', 'vectors', 'seed-addresses.json'), 'utf8'))
const unreachable = 'http://127.0.0.1:9'

/** Runs `body` (async; `sdk` and `dir`, a fresh data directory, in scope) in a child with `TARI_NETWORK` set to `network` (or unset). */
function inProcess(network, body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-networks-'))
  try {
    const code = `const dir = ${JSON.stringify(dir)};
      (async () => { ${body} })().then((r) => console.log(JSON.stringify(r ?? null)), (e) => { console.error(e); process.exit(1) })`
    const r = runChild(code, { env: { TARI_NETWORK: network ?? undefined }, timeoutMs: 120_000 })
    assert.equal(r.status, 0, r.stderr)
    return r.json
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** `{ code, reason, message }` of what `expr` (a promise) rejects with, or `{ code: null }`. */
const caught = (expr) => `await (${expr}).then(() => ({ code: null }), (e) => ({ code: e.code, reason: e.reason, message: e.message }))`

describe('mainnet, without a mainnet node', () => {
  test('a mainnet wallet opens against an unreachable node; its address has the MainNet byte and parses as mainnet', () => {
    const r = inProcess(null, `
      const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'mainnet', baseNodeUrl: ${JSON.stringify(unreachable)} })
      const a = sdk.getAddress(h)
      const parsed = sdk.parseAddress(a.base58, 'mainnet')
      const out = { network: a.network, byte: a.hex.slice(0, 2), parsed: parsed.network, process: sdk.getProcessNetwork(),
        configNetwork: sdk.getConfig().config.network.name }
      await sdk.closeWallet(h)
      return out`)
    assert.deepEqual(r, { network: 'mainnet', byte: '00', parsed: 'mainnet', process: 'mainnet', configNetwork: 'mainnet' })
  })

  test('restoring the committed seed gives the committed address, on mainnet and on localnet', () => {
    for (const [network, expected] of [['mainnet', vector.mainnet], ['localnet', vector.localnet]]) {
      const r = inProcess(network, `
        const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: '${network}', baseNodeUrl: ${JSON.stringify(unreachable)},
          seedWords: ${JSON.stringify(vector.seedWords)} })
        const address = sdk.getAddress(h).base58
        await sdk.closeWallet(h)
        return address`)
      assert.equal(r, expected, network)
    }
  })

  test('a localnet address is refused on mainnet: ERR_INVALID_ADDRESS, reason network', () => {
    const r = inProcess('mainnet', `
      const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'mainnet', baseNodeUrl: ${JSON.stringify(unreachable)} })
      const send = ${caught(`sdk.send(h, { to: ${JSON.stringify(vector.localnet)}, amount: 1000n, idempotencyKey: 'k1' })`)}
      const validation = sdk.validateAddress(${JSON.stringify(vector.localnet)}, 'mainnet')
      const balance = await sdk.getBalance(h).catch((e) => e.code)
      await sdk.closeWallet(h)
      return { send, validation: { valid: validation.valid, reason: validation.reason }, balance: typeof balance }`)
    assert.equal(r.send.code, 'ERR_INVALID_ADDRESS', r.send.message)
    assert.equal(r.send.reason, 'network')
    assert.deepEqual(r.validation, { valid: false, reason: 'network' })
  })
})

describe('one install, every network: the first call picks the build', () => {
  test('stagenet runs on the mainnet build, esmeralda and igor on the testnet build', () => {
    for (const network of ['stagenet', 'esmeralda', 'igor']) {
      const r = inProcess(null, `
        const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: '${network}', baseNodeUrl: ${JSON.stringify(unreachable)} })
        const out = { address: sdk.getAddress(h).network, process: sdk.getProcessNetwork() }
        await sdk.closeWallet(h)
        return out`)
      assert.deepEqual(r, { address: network, process: network })
    }
  })

  test('with no network named and no TARI_NETWORK the process runs the mainnet build', () => {
    const r = inProcess(null, `
      sdk.getVersion()
      const config = sdk.getConfig().config.network.name
      const localnet = ${caught(`sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'localnet', baseNodeUrl: ${JSON.stringify(unreachable)} })`)}
      return { config, localnet }`)
    assert.equal(r.config, 'mainnet')
    assert.equal(r.localnet.code, 'ERR_NETWORK_MISMATCH')
    assert.match(r.localnet.message, /mainnet build .*TARI_NETWORK/)
  })

  test('init naming a network picks its build; a wallet of another build is ERR_NETWORK_MISMATCH', () => {
    const r = inProcess(null, `
      sdk.init({ config: { network: { name: 'localnet' } } })
      const mainnet = ${caught(`sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'mainnet', baseNodeUrl: ${JSON.stringify(unreachable)} })`)}
      const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'localnet', baseNodeUrl: ${JSON.stringify(unreachable)} })
      await sdk.closeWallet(h)
      return { mainnet, process: sdk.getProcessNetwork() }`)
    assert.equal(r.mainnet.code, 'ERR_NETWORK_MISMATCH')
    assert.equal(r.process, 'localnet')
  })

  test('a first call needing another build than TARI_NETWORK names is ERR_NETWORK_MISMATCH, loading nothing', () => {
    const r = inProcess('localnet', `
      const mainnet = ${caught(`sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'mainnet', baseNodeUrl: ${JSON.stringify(unreachable)} })`)}
      const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'localnet', baseNodeUrl: ${JSON.stringify(unreachable)} })
      await sdk.closeWallet(h)
      return { mainnet, process: sdk.getProcessNetwork() }`)
    assert.equal(r.mainnet.code, 'ERR_NETWORK_MISMATCH')
    assert.match(r.mainnet.message, /TARI_NETWORK=localnet/)
    assert.equal(r.process, 'localnet', 'the refused call loaded no build: the next one still chose freely')
  })

  test('address helpers follow the loaded build instead of refusing other networks', () => {
    const r = inProcess('mainnet', `
      const made = sdk.addressFromKeys({ viewKey: '${vector.mainnetHex.slice(4, 68)}', spendKey: '${vector.mainnetHex.slice(68, 132)}', network: 'localnet', features: 1 })
      return { made: made.base58, parsed: sdk.parseAddress(${JSON.stringify(vector.localnet)}).network, config: sdk.getConfig().config.network.name }`)
    assert.deepEqual(r, { made: vector.localnet, parsed: 'localnet', config: 'mainnet' })
  })

  test('nextnet runs on the nextnet build: the committed seed restores to the committed nextnet address', () => {
    const r = inProcess(null, `
      const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: 'nextnet', baseNodeUrl: ${JSON.stringify(unreachable)},
        seedWords: ${JSON.stringify(vector.seedWords)} })
      const a = sdk.getAddress(h)
      const mainnet = ${caught(`sdk.send(h, { to: ${JSON.stringify(vector.mainnet)}, amount: 1000n, idempotencyKey: 'k1' })`)}
      const out = { base58: a.base58, byte: a.hex.slice(0, 2), network: a.network, parsed: sdk.parseAddress(a.base58, 'nextnet').network,
        process: sdk.getProcessNetwork(), mainnet: { code: mainnet.code, reason: mainnet.reason } }
      await sdk.closeWallet(h)
      return out`)
    assert.deepEqual(r, {
      base58: vector.nextnet,
      byte: '02',
      network: 'nextnet',
      parsed: 'nextnet',
      process: 'nextnet',
      mainnet: { code: 'ERR_INVALID_ADDRESS', reason: 'network' },
    })
  })

  test('a network whose build an install lacks is ERR_UNSUPPORTED_NETWORK naming the file', () => {
    // An install of the package's JavaScript alone: no build next to it, no platform package.
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-networks-pkg-'))
    try {
      fs.cpSync(path.join(root, 'lib'), path.join(pkg, 'lib'), { recursive: true })
      for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(pkg, f))
      const code = `require(${JSON.stringify(pkg)}).createWallet({ dataDir: ${JSON.stringify(path.join(pkg, 'w'))}, passphrase: 'pw', network: 'nextnet' })
        .then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`
      const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'TARI_NETWORK')) })
      assert.equal(r.status, 0, r.stderr)
      const out = JSON.parse(r.stdout.trim().split('\n').pop())
      assert.equal(out.code, 'ERR_UNSUPPORTED_NETWORK', out.message)
      assert.match(out.message, /no nextnet build .*tari-wallet-sdk\..*\.nextnet\.node/)
      assert.ok(!fs.existsSync(path.join(pkg, 'w')), 'nothing was created')
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true })
    }
  })
})
