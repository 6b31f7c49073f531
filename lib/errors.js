// @ts-check
'use strict'
// Errors the JS layer raises itself, shaped like the native ones (`code` plus details).

/**
 * @param {string} code
 * @param {string} message
 * @param {Record<string, unknown>} [extra]
 * @param {unknown} [cause]
 * @returns {Error & { code: string }}
 */
function sdkError(code, message, extra = {}, cause) {
  const err = new Error(message, cause === undefined ? undefined : { cause })
  return Object.assign(err, { code }, extra)
}

/** @param {AbortSignal} signal */
function abortError(signal) {
  const reason = signal.reason
  return sdkError('ERR_ABORTED', reason instanceof Error ? reason.message : 'the operation was aborted', {}, reason)
}

/** @param {string} what @param {number} ms */
function timeoutError(what, ms) {
  return sdkError('ERR_TIMEOUT', `${what} did not happen within ${ms} ms`, { timeoutMs: ms })
}

/** @param {string} message */
function argumentError(message) {
  return sdkError('ERR_INVALID_ARGUMENT', message)
}

module.exports = { sdkError, abortError, timeoutError, argumentError }
