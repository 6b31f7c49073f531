// @ts-check
'use strict'
// The public entry point: the native exports, with argument errors normalised to the SDK's own codes,
// a crash-proof logger bridge, and process events as an EventEmitter.
//
// napi-rs rejects a wrongly typed argument before our code runs, with its own status as `error.code`
// (InvalidArg, NumberExpected, ...). Callers should only ever see the SDK's documented `ERR_*` codes,
// so those become ERR_INVALID_ARGUMENT here; and async functions always return a promise, never throw.

const { EventEmitter } = require('node:events')
const loader = require('./native.js')
const constants = require('./constants.json')
const { argumentError, sdkError } = require('./errors.js')

// Generated from the core (`cargo test` checks it), so that nothing loads a build before a network is named.
/** @type {Readonly<Record<import('../index').ErrorCodeName, string>>} */
const ERROR_CODES = Object.freeze(/** @type {any} */ (constants.errorCodes))

/**
 * The native export `name` of the build this process runs (lib/native.js picks it on the first call).
 * `networkOf` reads the network a call names from its arguments: that call may pick the build, and (with
 * `enforce`) must match it.
 * @param {string} name
 * @param {(args: any[]) => unknown} [networkOf]
 * @param {boolean} [enforce]
 * @returns {(...args: any[]) => any}
 */
function lazy(name, networkOf, enforce = true) {
  if (networkOf) return (...args) => loader.binding(networkOf(args), enforce)[name](...args)
  let fn = null
  // Fixed parameters, not rest ones: the getters are hot, and no export takes more than four arguments.
  return function (a, b, c, d) {
    if (fn === null) fn = loader.binding()[name]
    return fn(a, b, c, d)
  }
}
/** @param {any} value @param {string} key */
const field = (value, key) => (value !== null && typeof value === 'object' ? value[key] : undefined)
/** @param {any[]} args */
const walletNetwork = ([options]) => field(options, 'network')
/** @param {any[]} args */
const initNetwork = ([options]) => field(field(field(options, 'config'), 'network'), 'name')
/** @param {any[]} args */
const keysNetwork = ([keys]) => field(keys, 'network')
/** @param {any[]} args */
const secondArgNetwork = ([, network]) => network

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

/** @param {(...args: any[]) => any} fn @param {string} name */
function wrapSync(fn, name) {
  const wrapped = function (a, b, c) {
    try {
      return fn(a, b, c)
    } catch (err) {
      throw normalizeError(err)
    }
  }
  Object.defineProperty(wrapped, 'name', { value: name })
  return wrapped
}

/** Async exports always return a promise: an argument napi-rs rejects before our code runs becomes a
 * rejection too. Call options (`{ correlationId, timeoutMs, signal }`) are each export's own last
 * parameter; the native side reads them. */
/** @param {(...args: any[]) => any} fn @param {string} name */
function wrapAsync(fn, name) {
  const wrapped = function (...args) {
    try {
      return fn(...args)
    } catch (err) {
      return Promise.reject(normalizeError(err))
    }
  }
  Object.defineProperty(wrapped, 'name', { value: name })
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
    loader.binding().setLogger(safe, options)
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
    systemSubscription = loader.binding().onSystemEvent((e) => systemEvents.emit(e.type, e))
  }
})
systemEvents.on('removeListener', () => {
  const listening = systemEvents.eventNames().some((n) => !isMeta(n) && systemEvents.listenerCount(n) > 0)
  if (!listening && systemSubscription !== null) {
    loader.binding().offSystemEvent(systemSubscription)
    systemSubscription = null
  }
})

// Exports that only forward to the build's own (lazily: see lib/native.js), with their errors normalised.
const SYNC = ['getConfig', 'updateConfig', 'getRuntimeStats', 'getMemoryStats', 'getMemoryBreakdown', 'resetPeakMemory', 'getHealthStatus',
  'getMetrics', 'getPrometheusMetrics', 'enableMetrics', 'resetMetrics', 'getVersion', 'listWallets', 'getAddress',
  'getProcessNetwork', 'verifyMessageSignature', 'onEvent', 'offEvent']
const ASYNC = ['ping', 'closeWallet', 'destroyWallet', 'getSeedWords', 'exportViewKeys', 'prepareTransaction', 'signTransaction',
  'broadcastSignedTransaction', 'cancelPrepared', 'changePassphrase', 'backupWallet', 'getCoinStats', 'tidyCoins', 'getFeeStats', 'validateSeedWords', 'getBalance', 'send',
  'sendMany', 'payout', 'payFeeFor', 'estimateFee', 'getTransactions', 'getTransaction', 'getPaymentByReference', 'getEvents', 'ackEvents', 'cancelTransaction', 'getUtxos', 'coinSplit',
  'coinJoin', 'validateWallet', 'signMessage', 'getTipInfo', 'rescanWallet']

/** @type {Record<string, any>} */
const api = {
  ERROR_CODES,
  PROMETHEUS_CONTENT_TYPE: constants.prometheusContentType,
  OPENMETRICS_CONTENT_TYPE: constants.openmetricsContentType,
  isSdkError,
  systemEvents,
  setLogger,
  // Calls that use a network pick the build, and must match it.
  init: wrapSync(lazy('init', initNetwork), 'init'),
  createWallet: wrapAsync(lazy('createWallet', walletNetwork), 'createWallet'),
  openWallet: wrapAsync(lazy('openWallet', walletNetwork), 'openWallet'),
  createViewWallet: wrapAsync(lazy('createViewWallet', walletNetwork), 'createViewWallet'),
  // Address helpers only read or write a network byte: their network is a hint for the first load.
  parseAddress: wrapSync(lazy('parseAddress', secondArgNetwork, false), 'parseAddress'),
  addressFromKeys: wrapSync(lazy('addressFromKeys', keysNetwork, false), 'addressFromKeys'),
  validateAddress: wrapSync(lazy('validateAddress', secondArgNetwork, false), 'validateAddress'),
  // The load balancers' probe: no wrapper, it takes no arguments and cannot fail.
  getHealthCheck: lazy('getHealthCheck'),
}
for (const name of SYNC) api[name] = wrapSync(lazy(name), name)
for (const name of ASYNC) api[name] = wrapAsync(lazy(name), name)
api.Wallet = require('./wallet.js').create(api)
// For the test suite: an operation that lasts, to exercise call options (not part of the public API; it
// rejects in builds without the `testing` feature).
/** @param {any[]} args */
function testSleep(...args) {
  const sleep = loader.binding().__testSleep
  if (typeof sleep !== 'function') throw sdkError('ERR_INTERNAL', '__testSleep exists only in builds with the testing feature')
  return sleep(...args)
}
Object.defineProperty(api, '__testSleep', { value: wrapAsync(testSleep, '__testSleep'), enumerable: false })

module.exports = api
