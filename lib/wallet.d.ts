import { EventEmitter } from 'node:events'
import type {
  AddressInfo, Balance, CreateWalletOptions, FeeEstimate, FeeEstimateOptions, HistoryOptions, OpenWalletOptions,
  SendManyOptions, SendOptions, SignedMessage, Transaction, WalletEventObject,
} from '../index'

export interface WaitOptions {
  /** Abort the wait; it rejects with `ERR_ABORTED`. */
  signal?: AbortSignal
  /** Reject with `ERR_TIMEOUT` after this long. */
  timeoutMs?: number
}

/** A wallet handle with methods, events and disposal. `'event'` carries every event; each `type` also
 * fires under its own name (`'received'`, `'confirmed'`, `'balanceChanged'`, ...). */
export declare class Wallet extends EventEmitter {
  constructor(handle: number)
  static create(options: CreateWalletOptions): Promise<Wallet>
  static open(options: OpenWalletOptions): Promise<Wallet>
  readonly handle: number
  readonly address: AddressInfo
  balance(): Promise<Balance>
  send(options: SendOptions): Promise<string>
  sendMany(options: SendManyOptions): Promise<string[]>
  estimateFee(options: FeeEstimateOptions): Promise<FeeEstimate>
  transactions(options?: HistoryOptions): Promise<Transaction[]>
  transaction(txId: string): Promise<Transaction>
  cancel(txId: string): Promise<void>
  seedWords(): Promise<string[]>
  signMessage(message: string): Promise<SignedMessage>
  /** Every event, as an async iterator, until `signal` aborts. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<WalletEventObject>
  /** Resolves once `available >= atLeast`, or once `check(balance)` is true. */
  waitForBalance(atLeast: bigint | ((balance: Balance) => boolean), options?: WaitOptions): Promise<Balance>
  /** Resolves once the transaction has `confirmations` (default 1). */
  waitForConfirmation(txId: string, options?: WaitOptions & { confirmations?: number }): Promise<Transaction>
  close(): Promise<void>
  destroy(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  on(event: 'event' | WalletEventObject['type'], listener: (event: WalletEventObject) => void): this
}
