'use strict'
// One user's first run after `npm install`: load the installed SDK, create a wallet on the network given,
// read its address, destroy it. Resolves `tari-wallet-sdk` from the working directory (the installed
// project) unless SDK_MODULE names another, so the bench and package.test run the same steps. Prints the
// address and where the time went; the parent adds process start and exit around it.
const fs = require('node:fs')
const { createRequire } = require('node:module')
const os = require('node:os')
const path = require('node:path')

const phases = {}
let mark = performance.now()
const lap = (name) => {
  const now = performance.now()
  phases[name] = Math.round(now - mark)
  mark = now
}

;(async () => {
  // createRequire from the working directory: a bare require here would resolve to this repository
  // itself (a package may require itself by name).
  const from = process.env.SDK_MODULE ?? createRequire(path.join(process.cwd(), 'x.js')).resolve('tari-wallet-sdk')
  const sdk = require(from)
  lap('loadMs')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-wallet-'))
  // A base node that refuses at once: the address must not wait on the network.
  const h = await sdk.createWallet({ dataDir: dir, passphrase: 'pw', network: process.argv[2], baseNodeUrl: 'http://127.0.0.1:9' })
  lap('createMs')
  const a = sdk.getAddress(h)
  lap('addressMs')
  await sdk.destroyWallet(h)
  lap('destroyMs')
  fs.rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({ network: a.network, byte: a.hex.slice(0, 2), process: sdk.getProcessNetwork(), from, phases }))
})()
