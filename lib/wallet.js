// @ts-check
'use strict'
// `Wallet`: a small class over a wallet handle. Async methods for every operation, Node events
// (`'event'` plus one per event type), `events()` as an async iterator, `Symbol.asyncDispose`, and
// AbortSignal support on the waits. The native subscription exists only while someone listens, and it
// never keeps the process alive on its own.
const { EventEmitter, on } = require('node:events')
const { abortError, timeoutError } = require('./errors.js')

const asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')

function create(sdk) {
  class Wallet extends EventEmitter {
    #handle
    #subscription = null
    #closed = false

    /** Wraps an existing handle (from `createWallet`/`openWallet`). */
    constructor(handle) {
      super()
      this.#handle = handle
      this.on('newListener', (name) => {
        if (name !== 'newListener' && name !== 'removeListener' && this.#subscription === null && !this.#closed) {
          this.#subscription = sdk.onEvent(this.#handle, (e) => {
            this.emit(e.type, e)
            this.emit('event', e)
          })
        }
      })
      this.on('removeListener', () => {
        const listening = this.eventNames().some((n) => n !== 'newListener' && n !== 'removeListener' && this.listenerCount(n) > 0)
        if (!listening && this.#subscription !== null) {
          sdk.offEvent(this.#subscription)
          this.#subscription = null
        }
      })
    }

    static async create(options, call) {
      return new Wallet(await sdk.createWallet(options, call))
    }

    static async open(options, call) {
      return new Wallet(await sdk.openWallet(options, call))
    }

    /** A view-only wallet from `exportViewKeys`' keys (see `createViewWallet`). */
    static async createView(options, call) {
      return new Wallet(await sdk.createViewWallet(options, call))
    }

    get handle() {
      return this.#handle
    }

    get address() {
      return sdk.getAddress(this.#handle)
    }

    /** The address, or with `paymentId` an address that carries it. */
    getAddress(options) {
      return sdk.getAddress(this.#handle, options)
    }

    balance(call) {
      return sdk.getBalance(this.#handle, call)
    }

    send(options, call) {
      return sdk.send(this.#handle, options, call)
    }

    sendMany(options, call) {
      return sdk.sendMany(this.#handle, options, call)
    }

    payout(options, call) {
      return sdk.payout(this.#handle, options, call)
    }

    payFeeFor(txId, options, call) {
      return sdk.payFeeFor(this.#handle, txId, options, call)
    }

    estimateFee(options, call) {
      return sdk.estimateFee(this.#handle, options, call)
    }

    transactions(options, call) {
      return sdk.getTransactions(this.#handle, options, call)
    }

    transaction(txId, call) {
      return sdk.getTransaction(this.#handle, txId, call)
    }

    /** Durable events after `after` (default: the unacknowledged ones); see `getEvents`. */
    storedEvents(options, call) {
      return sdk.getEvents(this.#handle, options, call)
    }

    /** Acknowledges the stored events up to `seq`; see `ackEvents`. */
    ackEvents(seq, call) {
      return sdk.ackEvents(this.#handle, seq, call)
    }

    transactionByPayref(payref, call) {
      return sdk.getPaymentByReference(this.#handle, payref, call)
    }

    cancel(txId, call) {
      return sdk.cancelTransaction(this.#handle, txId, call)
    }

    seedWords(options, call) {
      return sdk.getSeedWords(this.#handle, options, call)
    }

    exportViewKeys(options, call) {
      return sdk.exportViewKeys(this.#handle, options, call)
    }

    prepareTransaction(options, call) {
      return sdk.prepareTransaction(this.#handle, options, call)
    }

    signTransaction(unsigned, call) {
      return sdk.signTransaction(this.#handle, unsigned, call)
    }

    broadcastSignedTransaction(signed, call) {
      return sdk.broadcastSignedTransaction(this.#handle, signed, call)
    }

    cancelPrepared(preparedId, call) {
      return sdk.cancelPrepared(this.#handle, preparedId, call)
    }

    changePassphrase(options, call) {
      return sdk.changePassphrase(this.#handle, options, call)
    }

    backup(dataDir, call) {
      return sdk.backupWallet(this.#handle, dataDir, call)
    }

    coinStats(call) {
      return sdk.getCoinStats(this.#handle, call)
    }

    tidyCoins(options, call) {
      return sdk.tidyCoins(this.#handle, options, call)
    }

    feeStats(options, call) {
      return sdk.getFeeStats({ ...options, handle: this.#handle }, call)
    }

    signMessage(message, call) {
      return sdk.signMessage(this.#handle, message, call)
    }

    utxos(options, call) {
      return sdk.getUtxos(this.#handle, options, call)
    }

    coinSplit(options, call) {
      return sdk.coinSplit(this.#handle, options, call)
    }

    coinJoin(options, call) {
      return sdk.coinJoin(this.#handle, options, call)
    }

    validate(call) {
      return sdk.validateWallet(this.#handle, call)
    }

    rescan(call) {
      return sdk.rescanWallet(this.#handle, call)
    }

    /** All events as an async iterator; ends when `signal` aborts (the loop then throws ERR_ABORTED). */
    /** @param {{ signal?: AbortSignal }} [options] */
    async *events({ signal } = {}) {
      try {
        for await (const [event] of on(this, 'event', { signal })) yield event
      } catch (err) {
        if (signal?.aborted) throw abortError(signal)
        throw err
      }
    }

    /** Resolves with the balance once `check(balance)` is true; re-checks on every balance change. */
    /** @param {bigint | ((b: import('../index').Balance) => boolean)} check @param {import('./wallet').WaitOptions} [options] */
    waitForBalance(check, { signal, timeoutMs } = {}) {
      const test = typeof check === 'function' ? check : (b) => b.available >= check
      return this.#waitFor('the balance condition', async () => {
        const b = await this.balance()
        return test(b) ? b : undefined
      }, 'balanceChanged', { signal, timeoutMs })
    }

    /** Resolves with the transaction once it has `confirmations` (default 1). */
    /** @param {string} txId @param {import('./wallet').WaitOptions & { confirmations?: number }} [options] */
    /** Blocks before a transaction counts as confirmed (`confirmations` at open, else `wallet.confirmations`). */
    get confirmations() {
      return sdk.listWallets().find((w) => w.handle === this.#handle)?.confirmations
    }

    /** @param {string} txId @param {{ confirmations?: number, signal?: AbortSignal, timeoutMs?: number }} [options] */
    waitForConfirmation(txId, { confirmations = this.confirmations ?? 1, signal, timeoutMs } = {}) {
      return this.#waitFor(`confirmation of ${txId}`, async () => {
        const t = await this.transaction(txId)
        return (t.confirmations ?? 0) >= confirmations ? t : undefined
      }, 'event', { signal, timeoutMs })
    }

    #waitFor(what, probe, eventName, { signal, timeoutMs }) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal))
        let done = false
        let timer
        const finish = (fn, value) => {
          if (done) return
          done = true
          clearTimeout(timer)
          this.off(eventName, check)
          signal?.removeEventListener('abort', onAbort)
          fn(value)
        }
        const check = () => probe().then((v) => v !== undefined && finish(resolve, v), (e) => finish(reject, e))
        const onAbort = () => finish(reject, abortError(signal))
        signal?.addEventListener('abort', onAbort, { once: true })
        if (timeoutMs !== undefined) timer = setTimeout(() => finish(reject, timeoutError(what, timeoutMs)), timeoutMs)
        this.on(eventName, check)
        check()
      })
    }

    #unsubscribe() {
      if (this.#subscription !== null) sdk.offEvent(this.#subscription)
      this.#subscription = null
      this.#closed = true
    }

    async close() {
      this.#unsubscribe()
      await sdk.closeWallet(this.#handle)
    }

    async destroy() {
      this.#unsubscribe()
      await sdk.destroyWallet(this.#handle)
    }

    async [asyncDispose]() {
      if (sdk.listWallets().some((w) => w.handle === this.#handle)) await this.close()
      else this.#unsubscribe()
    }
  }
  return Wallet
}

module.exports = { create }
