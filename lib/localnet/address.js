// @ts-check
'use strict'
// Coinbase destinations: Tari addresses made from public keys by the addon (the wallet library's encoding).

const { NETWORK, codedError } = require('./common.js')

// tari_common::configuration::Network as u8
const NETWORK_BYTES = Object.freeze({ mainnet: 0x00, stagenet: 0x01, nextnet: 0x02, localnet: 0x10, igor: 0x24, esmeralda: 0x26 })
// TariAddressFeatures: ONE_SIDED = 0b01, INTERACTIVE = 0b10; coinbases need ONE_SIDED.
const DEFAULT_ADDRESS_FEATURES = 0x03

function keyHex(key, name) {
  const buf = Buffer.isBuffer(key) || key instanceof Uint8Array ? Buffer.from(key) : Buffer.from(String(key), 'hex')
  if (buf.length !== 32) throw codedError('ERR_INVALID_ARGUMENT', `${name} must be 32 bytes (64 hex chars)`)
  return buf.toString('hex')
}

/**
 * Base58 text of a dual (view + spend) Tari address, made by the addon (`addressFromKeys`, the wallet
 * library's own encoding).
 * @param {import('../localnet').EncodeTariAddressOptions} options
 */
function encodeTariAddress({ viewKey, spendKey, network = NETWORK, features = DEFAULT_ADDRESS_FEATURES }) {
  const name = typeof network === 'number' ? Object.keys(NETWORK_BYTES).find((k) => NETWORK_BYTES[k] === network) : String(network).toLowerCase()
  if (!name || !(name in NETWORK_BYTES)) throw codedError('ERR_INVALID_ARGUMENT', `unknown network ${network}`)
  const sdk = require('../sdk.js')
  const net = /** @type {import('../../index').NetworkName} */ (name)
  return sdk.addressFromKeys({ viewKey: keyHex(viewKey, 'viewKey'), spendKey: keyHex(spendKey, 'spendKey'), network: net, features }).base58
}

module.exports = { encodeTariAddress }
