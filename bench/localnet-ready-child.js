'use strict'
// Starts LocalNet with the harness of the installed SDK (resolved from the working directory, or SDK_MODULE's
// directory), stops it, and prints how long it took to be ready and which minotari_node ran.
const { createRequire } = require('node:module')
const path = require('node:path')

;(async () => {
  // createRequire from the working directory: a bare require here would resolve to this repository itself.
  const { Localnet, findMinotariNode } = process.env.SDK_MODULE
    ? require(path.join(process.env.SDK_MODULE, 'lib', 'localnet.js'))
    : createRequire(path.join(process.cwd(), 'x.js'))('tari-wallet-sdk/localnet')
  const started = performance.now()
  const net = await Localnet.start()
  const readyMs = Math.round(performance.now() - started)
  await net.stop()
  console.log(JSON.stringify({ readyMs, binary: findMinotariNode() }))
})()
