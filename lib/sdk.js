// @ts-check
'use strict'
// The public entry point: the native exports, with argument errors normalised to the SDK's own codes,
// a crash-proof logger bridge, and process events as an EventEmitter.
//
// napi-rs rejects a wrongly typed argument before our code runs, with its own status as `error.code`
// (InvalidArg, NumberExpected, ...). Callers should only ever see the SDK's documented `ERR_*` codes,
// so those become ERR_INVALID_ARGUMENT here; and async functions always return a promise, never throw.

const { EventEmitter } = require('node:events')
const native = require('../index.js')
const { argumentError, sdkError } = require('./errors.js')

const ERROR_CODES = Object.freeze(native.errorCodes())

const NAPI_ARGUMENT_STATUS = /^(InvalidArg|\w+Expected)$/
const NAPI_OTHER_STATUS = /^(GenericFailure|PendingException|Cancelled|EscapeCalledTwice|HandleScopeMismatch|CallbackScopeMismatch|QueueFull|Closing|WouldDeadlock|NoExternalBuffersAllowed|Unknown)$/

/** A short, bounded text for an error's message: never more than 64 characters of what the caller sent. */
function cut(text) {
  let s
  try {
    s = String(text)
  } catch {
    s = typeof text // a Symbol, or an object whose toString throws
  }
  return s.length <= 64 ? s : `${s.slice(0, 64)}… (${s.length} characters)`
}

/**
 * Errors thrown synchronously while a native export reads its arguments become SDK errors:
 * - napi's argument statuses (InvalidArg, StringExpected, ...) and V8's TypeError: ERR_INVALID_ARGUMENT;
 * - napi's other statuses (GenericFailure: a caught panic): ERR_INTERNAL;
 * - anything else was thrown by the caller's own object (a getter, a Proxy) while the SDK read it:
 *   ERR_INVALID_ARGUMENT.
 */
function normalizeError(err) {
  if (err && typeof err.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, err.code)) {
    return err
  }
  const code = err && typeof err.code === 'string' ? err.code : ''
  const message = err && err.message !== undefined ? err.message : err
  if (NAPI_OTHER_STATUS.test(code)) return sdkError('ERR_INTERNAL', cut(message), {}, err)
  if (err instanceof TypeError || NAPI_ARGUMENT_STATUS.test(code)) return sdkError('ERR_INVALID_ARGUMENT', cut(message), {}, err)
  return sdkError('ERR_INVALID_ARGUMENT', `reading the arguments threw: ${cut(message)}`, {}, err)
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

/** Async exports always return a promise: an argument napi-rs rejects before our code runs becomes a
 * rejection too. Call options (`{ correlationId, timeoutMs, signal }`) are each export's own last
 * parameter; the native side reads them. */
function wrapAsync(fn) {
  const wrapped = function (...args) {
    try {
      return fn(...args)
    } catch (err) {
      return Promise.reject(normalizeError(err))
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

/** True when `err` is an error the SDK produced, with one of the documented codes. */
function isSdkError(err) {
  const code = err instanceof Error ? /** @type {{ code?: unknown }} */ (err).code : undefined
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code)
}

/** Routes log records to `logger` (null: back to stderr). A throwing logger is reported once, not fatal. */
function setLogger(logger, options) {
  if (logger !== null && typeof logger !== 'function') throw argumentError('logger must be a function or null')
  let reported = false
  const safe = logger && ((record) => {
    try {
      logger(record)
    } catch (err) {
      if (!reported) {
        reported = true
        process.emitWarning(`tari-wallet-sdk logger threw: ${err && err.message}`, 'TariSdkLoggerWarning')
      }
    }
  })
  try {
    native.setLogger(safe, options)
  } catch (err) {
    throw normalizeError(err)
  }
}

// Process-level events ('healthChanged'); the native subscription exists only while someone listens.
const systemEvents = new EventEmitter()
let systemSubscription = null
const isMeta = (name) => name === 'newListener' || name === 'removeListener'
systemEvents.on('newListener', (name) => {
  if (!isMeta(name) && systemSubscription === null) {
    systemSubscription = native.onSystemEvent((e) => systemEvents.emit(e.type, e))
  }
})
systemEvents.on('removeListener', () => {
  const listening = systemEvents.eventNames().some((n) => !isMeta(n) && systemEvents.listenerCount(n) > 0)
  if (!listening && systemSubscription !== null) {
    native.offSystemEvent(systemSubscription)
    systemSubscription = null
  }
})

const api = {
  ERROR_CODES,
  PROMETHEUS_CONTENT_TYPE: native.PROMETHEUS_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE: native.OPENMETRICS_CONTENT_TYPE,
  isSdkError,
  systemEvents,
  setLogger,
  init: wrapSync(native.init),
  getConfig: wrapSync(native.getConfig),
  updateConfig: wrapSync(native.updateConfig),
  getRuntimeStats: wrapSync(native.getRuntimeStats),
  getMemoryStats: wrapSync(native.getMemoryStats),
  resetPeakMemory: wrapSync(native.resetPeakMemory),
  getHealthStatus: wrapSync(native.getHealthStatus),
  getHealthCheck: native.getHealthCheck,
  getMetrics: wrapSync(native.getMetrics),
  getPrometheusMetrics: wrapSync(native.getPrometheusMetrics),
  enableMetrics: wrapSync(native.enableMetrics),
  resetMetrics: wrapSync(native.resetMetrics),
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
  addressFromKeys: wrapSync(native.addressFromKeys),
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
  getTipInfo: wrapAsync(native.getTipInfo),
  rescanWallet: wrapAsync(native.rescanWallet),
  verifyMessageSignature: wrapSync(native.verifyMessageSignature),
  onEvent: wrapSync(native.onEvent),
  offEvent: wrapSync(native.offEvent),
}
api.Wallet = require('./wallet.js').create(api)
// For the test suite: an operation that lasts, to exercise call options (not part of the public API; only
// in builds with the `testing` feature).
if (typeof native.__testSleep === 'function') {
  Object.defineProperty(api, '__testSleep', { value: wrapAsync(native.__testSleep), enumerable: false })
}

module.exports = api
