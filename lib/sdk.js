'use strict'
// The public entry point: the native exports, with argument errors normalised to the SDK's own codes.
//
// napi-rs rejects a wrongly typed argument before our code runs, with its own status as `error.code`
// (InvalidArg, NumberExpected, ...). Callers should only ever see the SDK's documented `ERR_*` codes,
// so those become ERR_INVALID_ARGUMENT here; and async functions always return a promise, never throw.

const native = require('../index.js')

const ERROR_CODES = Object.freeze(native.errorCodes())

function normalizeError(err) {
  if (err && typeof err.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, err.code)) {
    return err
  }
  const napiArgumentStatus = /^(InvalidArg|\w+Expected)$/
  // V8 throws a plain TypeError when the binding reads fields of a non-object argument.
  const isArgumentError = err instanceof TypeError || (err && typeof err.code === 'string' && napiArgumentStatus.test(err.code))
  const code = isArgumentError ? 'ERR_INVALID_ARGUMENT' : 'ERR_INTERNAL'
  const normalized = new Error(err && err.message ? err.message : String(err), { cause: err })
  normalized.code = code
  return normalized
}

function wrapSync(fn) {
  const wrapped = function (a, b, c) {
    try {
      return fn(a, b, c)
    } catch (err) {
      throw normalizeError(err)
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

function wrapAsync(fn) {
  const wrapped = function (a, b, c) {
    try {
      return fn(a, b, c)
    } catch (err) {
      return Promise.reject(normalizeError(err))
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

/** True when `err` is an error the SDK produced, with one of the documented codes. */
function isSdkError(err) {
  return err instanceof Error && typeof err.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, err.code)
}

const api = {
  ERROR_CODES,
  isSdkError,
  init: wrapSync(native.init),
  getConfig: wrapSync(native.getConfig),
  updateConfig: wrapSync(native.updateConfig),
  getRuntimeStats: wrapSync(native.getRuntimeStats),
  getMemoryStats: wrapSync(native.getMemoryStats),
  resetPeakMemory: wrapSync(native.resetPeakMemory),
  getHealthStatus: wrapSync(native.getHealthStatus),
  getHealthCheck: native.getHealthCheck,
  getVersion: wrapSync(native.getVersion),
  ping: wrapAsync(native.ping),
  createWallet: wrapAsync(native.createWallet),
  openWallet: wrapAsync(native.openWallet),
  closeWallet: wrapAsync(native.closeWallet),
  destroyWallet: wrapAsync(native.destroyWallet),
  listWallets: wrapSync(native.listWallets),
  getSeedWords: wrapAsync(native.getSeedWords),
  validateSeedWords: wrapAsync(native.validateSeedWords),
  getAddress: wrapSync(native.getAddress),
  parseAddress: wrapSync(native.parseAddress),
  validateAddress: wrapSync(native.validateAddress),
  getBalance: wrapAsync(native.getBalance),
  getProcessNetwork: wrapSync(native.getProcessNetwork),
  send: wrapAsync(native.send),
  sendMany: wrapAsync(native.sendMany),
  estimateFee: wrapAsync(native.estimateFee),
  getTransactions: wrapAsync(native.getTransactions),
  getTransaction: wrapAsync(native.getTransaction),
  cancelTransaction: wrapAsync(native.cancelTransaction),
  getUtxos: wrapAsync(native.getUtxos),
  coinSplit: wrapAsync(native.coinSplit),
  coinJoin: wrapAsync(native.coinJoin),
  validateWallet: wrapAsync(native.validateWallet),
  signMessage: wrapAsync(native.signMessage),
  verifyMessageSignature: wrapSync(native.verifyMessageSignature),
  onEvent: wrapSync(native.onEvent),
  offEvent: wrapSync(native.offEvent),
}
api.Wallet = require('./wallet.js').create(api)

module.exports = api
