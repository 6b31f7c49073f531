// @ts-check
'use strict'
// What every part of the LocalNet harness shares: the pinned node version, the network, the cache, and errors
// with a stable `code`.

const os = require('node:os')
const path = require('node:path')

const NODE_VERSION = '6.2.0'
const NETWORK = 'localnet'
const INSTALL_HINT =
  'install the prebuilt one (`npm install --save-dev tari-wallet-sdk-minotari-node`), ' +
  'or build it: `bash node_modules/tari-wallet-sdk/scripts/install-minotari-node.sh` ' +
  '(or `bash scripts/install-minotari-node.sh` in the tari-wallet-sdk repository), ' +
  'or set TARI_MINOTARI_NODE to the path of a minotari_node ' + NODE_VERSION + ' binary'

/** @param {string} code @param {string} message @param {Record<string, unknown>} [extra] */
function codedError(code, message, extra) {
  return Object.assign(new Error(message), { code }, extra)
}

/** Root of the SDK's download/build cache (`$TARI_SDK_CACHE`, default `~/.cache/tari-wallet-sdk`). */
function cacheDir() {
  return process.env.TARI_SDK_CACHE || path.join(os.homedir(), '.cache', 'tari-wallet-sdk')
}

/** What the optional `tari-wallet-sdk-minotari-node` package installed for this platform, or null. */
function nodePackage() {
  const optional = 'tari-wallet-sdk-minotari-node' // optional: resolved at run time, not by tsc
  try {
    const found = require(optional)
    return found && found.binary ? { binary: found.binary, protoDir: found.protoDir } : null
  } catch {
    return null
  }
}

function nodeInstallRoot() {
  return path.join(cacheDir(), `minotari_node-${NODE_VERSION}`)
}

module.exports = { NODE_VERSION, NETWORK, INSTALL_HINT, codedError, cacheDir, nodeInstallRoot, nodePackage }
