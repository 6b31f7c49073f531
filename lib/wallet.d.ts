import { EventEmitter } from 'node:events'
import type {
  AddressInfo, AddressOptions, Balance, EventPage, CreateWalletOptions, FeeEstimate, FeeEstimateOptions, HistoryOptions,
  SendManyOptions, SendOptions, PayoutOptions, PayoutResult, PayFeeForOptions, SignedMessage, Transaction, WalletEvent, Utxo, UtxoListOptions, CoinOptions,
  CoinPlan, RescanResult, CallOptions, ViewKeys, SeedWordsOptions, CoinStats, TidyOptions, CoinTidy, FeeStats, PrepareOptions, PreparedPayment, SignedPayment,
} from '../index'
import type { CreateViewWalletOptions, OpenWalletOptions } from './sdk'

/** The event of one `type`, e.g. `WalletEventOf<'received'>` has `txId`. */
export type WalletEventOf<K extends WalletEvent['type']> = Extract<WalletEvent, { type: K }>

export interface WaitOptions {
  /** Abort the wait; it rejects with `ERR_ABORTED`. */
  signal?: AbortSignal
  /** Reject with `ERR_TIMEOUT` after this long. */
  timeoutMs?: number
}

/** The module's own export: builds the `Wallet` class over the SDK's functions (lib/sdk.js does). */
export declare function create(sdk: object): typeof Wallet

/** A wallet handle with methods, events and disposal. `'event'` carries every event; each `type` also
 * fires under its own name (`'received'`, `'confirmed'`, `'balanceChanged'`, ...). */
export declare class Wallet extends EventEmitter {
  constructor(handle: number)
  static create(options: CreateWalletOptions, call?: CallOptions): Promise<Wallet>
  static open(options: OpenWalletOptions, call?: CallOptions): Promise<Wallet>
  /** A view-only wallet made from `exportViewKeys`' keys (`createViewWallet`). */
  static createView(options: CreateViewWalletOptions, call?: CallOptions): Promise<Wallet>
  readonly handle: number
  readonly address: AddressInfo
  /** The address, or with `paymentId` one that carries it (`getAddress`). */
  getAddress(options?: AddressOptions): AddressInfo
  balance(call?: CallOptions): Promise<Balance>
  send(options: SendOptions, call?: CallOptions): Promise<string>
  sendMany(options: SendManyOptions, call?: CallOptions): Promise<string[]>
  /** Pays many recipients in batches, exactly once per `idempotencyKey` (`payout`). */
  payout(options: PayoutOptions, call?: CallOptions): Promise<PayoutResult>
  /** Child pays for parent: speeds up a stuck payment by spending its change with `fee` (`payFeeFor`). */
  payFeeFor(txId: string, options: PayFeeForOptions, call?: CallOptions): Promise<string>
  estimateFee(options: FeeEstimateOptions, call?: CallOptions): Promise<FeeEstimate>
  transactions(options?: HistoryOptions, call?: CallOptions): Promise<Transaction[]>
  transaction(txId: string, call?: CallOptions): Promise<Transaction>
  /** Durable (money) events after `after`, default the unacknowledged ones (`getEvents`). */
  storedEvents(options?: EventPage, call?: CallOptions): Promise<WalletEvent[]>
  /** Acknowledges the stored events up to `seq` (`ackEvents`). */
  ackEvents(seq: number, call?: CallOptions): Promise<void>
  /** The transaction that holds the output with this PayRef (`getPaymentByReference`). */
  transactionByPayref(payref: string, call?: CallOptions): Promise<Transaction>
  cancel(txId: string, call?: CallOptions): Promise<void>
  /** The 24 words, with `seedPassphrase` enciphered under it (`getSeedWords`). */
  seedWords(options?: SeedWordsOptions, call?: CallOptions): Promise<string[]>
  /** The keys of a view-only twin of this wallet, after checking the passphrase again (`exportViewKeys`). */
  exportViewKeys(options: { passphrase: string }, call?: CallOptions): Promise<ViewKeys>
  /** Locks inputs for a payment to be signed offline (`prepareTransaction`). */
  prepareTransaction(options: PrepareOptions, call?: CallOptions): Promise<PreparedPayment>
  /** Signs a prepared payment with this wallet's spend key, offline (`signTransaction`). */
  signTransaction(unsigned: string, call?: CallOptions): Promise<SignedPayment>
  /** Broadcasts a payment this wallet prepared, once (`broadcastSignedTransaction`). */
  broadcastSignedTransaction(signed: string, call?: CallOptions): Promise<string>
  /** Releases a prepared payment's inputs (`cancelPrepared`). */
  cancelPrepared(preparedId: string, call?: CallOptions): Promise<void>
  /** Only `new` opens the wallet from now on (`changePassphrase`). */
  changePassphrase(options: { old: string; new: string }, call?: CallOptions): Promise<void>
  /** A consistent copy of the open wallet in a new data directory (`backupWallet`). */
  backup(dataDir: string, call?: CallOptions): Promise<void>
  /** How the unspent outputs are spread (`getCoinStats`). */
  coinStats(call?: CallOptions): Promise<CoinStats>
  /** One step towards `minOutputs..maxOutputs` spendable outputs (`tidyCoins`). */
  tidyCoins(options: TidyOptions, call?: CallOptions): Promise<CoinTidy>
  /** Mempool fees at this wallet's base nodes (`getFeeStats`). */
  feeStats(options?: { blocks?: number }, call?: CallOptions): Promise<FeeStats>
  signMessage(message: string, call?: CallOptions): Promise<SignedMessage>
  utxos(options?: UtxoListOptions, call?: CallOptions): Promise<Utxo[]>
  coinSplit(options: CoinOptions, call?: CallOptions): Promise<CoinPlan>
  coinJoin(options?: CoinOptions, call?: CallOptions): Promise<CoinPlan>
  /** Triggers transaction and output validation against the base node. */
  validate(call?: CallOptions): Promise<void>
  /** Rescans from the birthday (progress as `scanProgress` events); bound it with `timeoutMs` or `signal`. */
  rescan(call?: CallOptions): Promise<RescanResult>
  /** Every event, as an async iterator, until `signal` aborts. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<WalletEvent>
  /** Resolves once `available >= atLeast`, or once `check(balance)` is true. */
  waitForBalance(atLeast: bigint | ((balance: Balance) => boolean), options?: WaitOptions): Promise<Balance>
  /** Blocks before a transaction counts as confirmed (the wallet's `confirmations`); undefined once closed. */
  readonly confirmations: number | undefined
  /** Resolves once the transaction has `confirmations` (default: the wallet's own, `wallet.confirmations`). */
  waitForConfirmation(txId: string, options?: WaitOptions & { confirmations?: number }): Promise<Transaction>
  close(): Promise<void>
  destroy(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  /** `'event'`: every event; an event type: only those, typed by it. */
  on(event: 'event', listener: (event: WalletEvent) => void): this
  on<K extends WalletEvent['type']>(event: K, listener: (event: WalletEventOf<K>) => void): this
  once(event: 'event', listener: (event: WalletEvent) => void): this
  once<K extends WalletEvent['type']>(event: K, listener: (event: WalletEventOf<K>) => void): this
  off(event: 'event', listener: (event: WalletEvent) => void): this
  off<K extends WalletEvent['type']>(event: K, listener: (event: WalletEventOf<K>) => void): this
}
