'use strict'
// Errors the JS layer raises itself, shaped like the native ones (`code` plus details).

function sdkError(code, message, extra = {}, cause) {
  const err = new Error(message, cause === undefined ? undefined : { cause })
  err.code = code
  Object.assign(err, extra)
  return err
}

function abortError(signal) {
  const reason = signal.reason
  return sdkError('ERR_ABORTED', reason instanceof Error ? reason.message : 'the operation was aborted', {}, reason)
}

function timeoutError(what, ms) {
  return sdkError('ERR_TIMEOUT', `${what} did not happen within ${ms} ms`, { timeoutMs: ms })
}

function argumentError(message) {
  return sdkError('ERR_INVALID_ARGUMENT', message)
}

module.exports = { sdkError, abortError, timeoutError, argumentError }
