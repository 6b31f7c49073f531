// @ts-check
'use strict'
// The minotari_app_grpc .proto files the gRPC client is built from, and their copy in the install cache.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { NODE_VERSION, codedError, nodeInstallRoot, nodePackage } = require('./common.js')

const hasProtos = (dir) => fs.existsSync(path.join(dir, 'base_node.proto'))

function cargoRegistryProtoDirs() {
  const registry = path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'registry', 'src')
  let indexes
  try {
    indexes = fs.readdirSync(registry)
  } catch {
    return []
  }
  return indexes
    .map((index) => path.join(registry, index, `minotari_app_grpc-${NODE_VERSION}`, 'proto'))
    .filter(hasProtos)
}

/**
 * Directory holding the minotari_app_grpc .proto files: `$TARI_GRPC_PROTO_DIR`, then the prebuilt package, then
 * the install cache, then the cargo registry. Returns null when none has them.
 */
function protoDir() {
  const fromEnv = process.env.TARI_GRPC_PROTO_DIR
  if (fromEnv) {
    if (hasProtos(fromEnv)) return fromEnv
    throw codedError('ERR_LOCALNET_PROTO_MISSING', `TARI_GRPC_PROTO_DIR=${fromEnv} has no base_node.proto`)
  }
  const packaged = nodePackage()?.protoDir
  if (packaged && hasProtos(packaged)) return packaged
  const cached = path.join(nodeInstallRoot(), 'proto')
  if (hasProtos(cached)) return cached
  return cargoRegistryProtoDirs()[0] || null
}

/**
 * Copies the .proto files from the cargo registry into `<cache>/minotari_node-<version>/proto` if they are not
 * there yet, so the harness keeps working after the registry is cleaned. Returns the cache directory.
 */
function cacheProtos() {
  const target = path.join(nodeInstallRoot(), 'proto')
  if (hasProtos(target)) return target
  const source = cargoRegistryProtoDirs()[0]
  if (!source) {
    throw codedError('ERR_LOCALNET_PROTO_MISSING', `minotari_app_grpc-${NODE_VERSION} protos not found in the cargo registry`)
  }
  fs.mkdirSync(path.dirname(target), { recursive: true })
  // Copy into a sibling then rename, so a concurrent reader never sees a half-filled directory.
  const staging = fs.mkdtempSync(target + '.tmp-')
  for (const name of fs.readdirSync(source).filter((n) => n.endsWith('.proto'))) {
    fs.copyFileSync(path.join(source, name), path.join(staging, name))
  }
  try {
    fs.renameSync(staging, target)
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true })
    if (!hasProtos(target)) throw err // someone else won the race otherwise
  }
  return target
}

module.exports = { protoDir, cacheProtos }
