'use strict'
// Where this platform's minotari_node and the gRPC .proto files are, from the platform package npm installed
// (like esbuild's binary). `null` when none matches this platform.
const fs = require('node:fs')
const path = require('node:path')

function platform() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const gnu = Boolean(process.report?.getReport().header.glibcVersionRuntime)
    return `linux-${arch}-${gnu ? 'gnu' : 'musl'}`
  }
  return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`
}

function locate() {
  try {
    const dir = path.dirname(require.resolve(`tari-wallet-sdk-minotari-node-${platform()}/package.json`))
    const binary = path.join(dir, 'bin', process.platform === 'win32' ? 'minotari_node.exe' : 'minotari_node')
    return fs.existsSync(binary) ? { binary, protoDir: path.join(dir, 'proto') } : null
  } catch {
    return null
  }
}

const found = locate()
module.exports = { binary: found ? found.binary : null, protoDir: found ? found.protoDir : null, version: '6.2.0' }
