// @ts-check
'use strict'
// Finding the minotari_node binary: an explicit path, `$TARI_MINOTARI_NODE`, the prebuilt package
// (`tari-wallet-sdk-minotari-node`), or the install cache (`scripts/install-minotari-node.sh`).

const fs = require('node:fs')
const path = require('node:path')
const { INSTALL_HINT, codedError, nodeInstallRoot, nodePackage } = require('./common.js')

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

/** First existing minotari_node among `$TARI_MINOTARI_NODE`, the prebuilt package and the install cache, or null. */
function findMinotariNode() {
  const candidates = [process.env.TARI_MINOTARI_NODE, nodePackage()?.binary, cachedBinaryPath()].filter(Boolean)
  return candidates.find(isExecutableFile) || null
}

function resolveBinary(explicit) {
  // An explicitly named binary (option or env) must exist: silently falling back would run some other version.
  const packaged = nodePackage()
  const [source, candidate] = explicit
    ? ['opts.binary', explicit]
    : process.env.TARI_MINOTARI_NODE
      ? ['TARI_MINOTARI_NODE', process.env.TARI_MINOTARI_NODE]
      : packaged
        ? ['tari-wallet-sdk-minotari-node', packaged.binary]
        : ['the install cache', cachedBinaryPath()]
  if (isExecutableFile(candidate)) return candidate
  throw codedError(
    'ERR_LOCALNET_NODE_MISSING',
    `minotari_node not found at ${candidate} (from ${source}); ${INSTALL_HINT}`,
    { path: candidate },
  )
}

module.exports = { findMinotariNode, resolveBinary }
