// @ts-check
'use strict'
// The base node's gRPC client (mining and tip queries), from the optional peer dependencies.

const { NODE_VERSION, INSTALL_HINT, codedError } = require('./common.js')
const { protoDir } = require('./protos.js')

function requireGrpc() {
  try {
    return { grpc: require('@grpc/grpc-js'), protoLoader: require('@grpc/proto-loader') }
  } catch (err) {
    throw codedError(
      'ERR_LOCALNET_GRPC_MISSING',
      'the LocalNet harness needs the optional peer dependencies @grpc/grpc-js and @grpc/proto-loader: ' +
        'npm install --save-dev @grpc/grpc-js @grpc/proto-loader',
      { cause: err },
    )
  }
}

let baseNodeServiceCtor = null // loading the protos takes ~100 ms; do it once per process

function baseNodeClient(address) {
  const { grpc, protoLoader } = requireGrpc()
  if (!baseNodeServiceCtor) {
    const dir = protoDir()
    if (!dir) {
      throw codedError(
        'ERR_LOCALNET_PROTO_MISSING',
        `minotari_app_grpc-${NODE_VERSION} .proto files not found; set TARI_GRPC_PROTO_DIR or ${INSTALL_HINT}`,
      )
    }
    const definition = protoLoader.loadSync('base_node.proto', {
      includeDirs: [dir],
      keepCase: true, // field names exactly as in the .proto files
      longs: String, // u64 heights and amounts survive without precision loss
      defaults: true, // proto3 omits false/0; we want `initial_sync_achieved: false` to be present
    })
    baseNodeServiceCtor = /** @type {any} */ (grpc.loadPackageDefinition(definition)).tari.rpc.BaseNode
  }
  return new baseNodeServiceCtor(address, grpc.credentials.createInsecure())
}

function unary(client, method, request, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) {
        err.message = `${method}: ${err.message}`
        reject(err)
      } else resolve(res)
    })
  })
}

/** A server-streaming call, collected. */
function serverStream(client, method, request, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const out = []
    const call = client[method](request, { deadline: Date.now() + timeoutMs })
    call.on('data', (d) => out.push(d))
    call.on('end', () => resolve(out))
    call.on('error', (err) => {
      err.message = `${method}: ${err.message}`
      reject(err)
    })
  })
}

module.exports = { baseNodeClient, unary, serverStream }
