'use strict'
// One run of `bench/dist.js` against the addon file at argv[2] (a mainnet build): prints one JSON line.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { median, syncNs } = require('./harness')

async function main() {
  const native = require(path.resolve(process.argv[2]))
  const out = {}
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-dist-bench-'))
  try {
    const createMs = []
    const openMs = []
    let h
    for (let i = 0; i < 5; i++) {
      const dataDir = path.join(dir, `w${i}`)
      let t = performance.now()
      h = await native.createWallet({ dataDir, passphrase: 'bench', network: 'mainnet', baseNodeUrl: 'http://127.0.0.1:9' })
      createMs.push(performance.now() - t)
      await native.closeWallet(h)
      t = performance.now()
      h = await native.openWallet({ dataDir, passphrase: 'bench', network: 'mainnet', baseNodeUrl: 'http://127.0.0.1:9' })
      openMs.push(performance.now() - t)
      if (i < 4) await native.closeWallet(h)
    }
    out['createWallet ms'] = median(createMs)
    out['openWallet ms'] = median(openMs)
    const signed = []
    let t = performance.now()
    for (let i = 0; i < 200; i++) signed.push(await native.signMessage(h, `message ${i}`))
    out['signMessage µs'] = ((performance.now() - t) / 200) * 1000
    const address = native.getAddress(h).base58
    out['verifyMessageSignature µs'] = syncNs(() => native.verifyMessageSignature(address, 'message 0', signed[0].signature), { iterations: 200, trials: 5 }) / 1000
    out['parseAddress µs'] = syncNs(() => native.parseAddress(address), { iterations: 2000, trials: 5 }) / 1000
    const words = await native.getSeedWords(h)
    t = performance.now()
    for (let i = 0; i < 50; i++) await native.validateSeedWords(words)
    out['validateSeedWords µs'] = ((performance.now() - t) / 50) * 1000
    await native.closeWallet(h)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log(JSON.stringify(out))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
