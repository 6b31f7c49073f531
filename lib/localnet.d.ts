// Typings for `tari-wallet-sdk/localnet`: a LocalNet test harness around a real minotari_node.

/** Options for {@link Localnet.start}. */
export interface LocalnetStartOptions {
  /**
   * Path to the `minotari_node` binary. Default: `$TARI_MINOTARI_NODE`, then
   * `$TARI_SDK_CACHE/minotari_node-6.2.0/bin/minotari_node` (cache default `~/.cache/tari-wallet-sdk`).
   * A path given here or in the env var must exist; there is no silent fallback.
   */
  binary?: string
  /**
   * Directory for the node's chain, config (`config.toml`) and log (`node.log`). Default: a fresh temp dir,
   * removed by {@link Localnet.stop}. A directory you pass is never removed.
   */
  dataDir?: string
  /** Keep the temp data dir after {@link Localnet.stop} (for post-mortem debugging). Default false. */
  keepDataDir?: boolean
  /** Also copy the node's stdout/stderr to this process's stderr. It always goes to `node.log`. Default false. */
  log?: boolean
  /** How long to wait for the node to be synced and serving gRPC and HTTP. Default 60 000 ms. */
  startTimeoutMs?: number
}

/** Options for {@link encodeTariAddress}. */
export interface EncodeTariAddressOptions {
  /** Public view key: 32 bytes, or 64 hex chars. Must be a valid Ristretto point for the node to accept it. */
  viewKey: string | Uint8Array
  /** Public spend key: 32 bytes, or 64 hex chars. */
  spendKey: string | Uint8Array
  /**
   * Network name (`'mainnet' | 'stagenet' | 'nextnet' | 'localnet' | 'igor' | 'esmeralda'`) or raw network byte.
   * Default `'localnet'` (0x10).
   */
  network?: string | number
  /** Address features bits: 1 = one-sided, 2 = interactive. Default 3 (both). Coinbases need one-sided. */
  features?: number
}

/**
 * Error codes thrown by this module, on `error.code`:
 * - `ERR_LOCALNET_NODE_MISSING`: no minotari_node binary at the resolved path (`error.path` says which).
 * - `ERR_LOCALNET_PROTO_MISSING`: the minotari_app_grpc .proto files were not found.
 * - `ERR_LOCALNET_GRPC_MISSING`: the optional peer dependencies @grpc/grpc-js / @grpc/proto-loader are not installed.
 * - `ERR_LOCALNET_START`: the node exited, failed to spawn, or was not ready in time (the message ends with the
 *   tail of its log).
 * - `ERR_LOCALNET_STOPPED`: a method was called after {@link Localnet.stop}.
 * - `ERR_LOCALNET_TIMEOUT`: `startPeer`, `split` or `join` did not see the nodes connect or part in time.
 * - `ERR_INVALID_ARGUMENT`: a bad argument to {@link Localnet.mine} or {@link encodeTariAddress}.
 * gRPC failures (e.g. an address the node rejects) are passed through as @grpc/grpc-js `ServiceError`s.
 */
export type LocalnetErrorCode =
  | 'ERR_LOCALNET_NODE_MISSING'
  | 'ERR_LOCALNET_PROTO_MISSING'
  | 'ERR_LOCALNET_GRPC_MISSING'
  | 'ERR_LOCALNET_START'
  | 'ERR_LOCALNET_STOPPED'
  | 'ERR_LOCALNET_TIMEOUT'
  | 'ERR_INVALID_ARGUMENT'

/**
 * A running minotari_node 6.2.0 on LocalNet, bound to free loopback ports, with its own throwaway chain.
 * LocalNet difficulty is fixed at 1 and coinbases mature after 2 blocks, so blocks can be mined instantly.
 *
 * Nodes still running when this process exits (or gets SIGINT/SIGTERM/SIGHUP) are SIGKILLed.
 *
 * @example
 * const { Localnet } = require('tari-wallet-sdk/localnet')
 * await using node = await Localnet.start()
 * const wallet = await sdk.createWallet({ network: 'localnet', baseNodeUrl: node.httpUrl, ... })
 * await node.mine(3, walletAddress)
 */
export declare class Localnet implements AsyncDisposable {
  private constructor()

  /**
   * Spawns `minotari_node --non-interactive-mode --network localnet` and resolves once gRPC `GetTipInfo` reports
   * `initial_sync_achieved` in the LISTENING state and the HTTP wallet service answers `/get_tip_info` with
   * `is_synced: true` (about 9 s). On failure or timeout the node is killed and the temp dir removed.
   * @throws `ERR_LOCALNET_NODE_MISSING`, `ERR_LOCALNET_PROTO_MISSING`, `ERR_LOCALNET_GRPC_MISSING`, `ERR_LOCALNET_START`
   */
  static start(opts?: LocalnetStartOptions): Promise<Localnet>

  /** Always `'localnet'`. */
  readonly network: 'localnet'
  /** The node's gRPC endpoint, `'127.0.0.1:<port>'`. */
  readonly grpcAddress: string
  /** The node's HTTP wallet query service, `'http://127.0.0.1:<port>'`: what a wallet uses as its base node URL. */
  readonly httpUrl: string
  /**
   * The node's p2p listener as a multiaddr, `'/ip4/127.0.0.1/tcp/<port>'`. Other LocalNet nodes reach it only
   * through a loopback forwarder the harness can close (`split`).
   */
  readonly p2pAddress: string
  /** Directory with the chain, `config.toml` and `node.log`. */
  readonly dataDir: string
  /** The generated node config. */
  readonly configFile: string
  /** The node's stdout/stderr (its detailed logs are under `dataDir/log`). */
  readonly logFile: string
  /** The binary that was started. */
  readonly binary: string
  /** Process id of the node. */
  readonly pid: number
  /** Milliseconds from spawn until the node was ready. */
  readonly startupMs: number

  /** Height of the chain tip (`GetTipInfo` → `metadata.best_block_height`); the genesis block is height 0. */
  tipHeight(): Promise<number>

  /** Height and hash (hex) of the chain tip. */
  tip(): Promise<{ height: number; hash: string }>

  /** Hash (hex) of this node's block at `height`; null above its tip. */
  blockHash(height: number): Promise<string | null>

  /**
   * Starts a second node on loopback that takes this one as its only seed, and resolves once the two are
   * connected and the new node has this node's chain. This node, its peers and theirs form a family that
   * {@link Localnet.split} and {@link Localnet.join} act on: split, each node mines its own branch; joined, the
   * branch with the most work wins on every node within about a second, which is a reorg for the others. Stop
   * each node separately.
   * @throws everything `start` throws; `ERR_LOCALNET_TIMEOUT` if the nodes do not connect or sync in time.
   * @example
   * const peer = await node.startPeer()
   * await node.split()
   * await node.mine(1); await peer.mine(3)   // two branches
   * await node.join()                        // node reorgs onto the peer's longer branch
   */
  startPeer(opts?: Pick<LocalnetStartOptions, 'binary' | 'log' | 'keepDataDir' | 'startTimeoutMs'>): Promise<Localnet>

  /** How many nodes this one is connected to (gRPC `ListConnectedPeers`). */
  connectedPeers(): Promise<number>

  /**
   * Resets every p2p connection between the nodes of this node's family and refuses new ones until
   * {@link Localnet.join}; resolves once no node has a peer. Wallets keep talking to their node's HTTP port.
   * @throws `ERR_LOCALNET_TIMEOUT` after `timeoutMs` (default 30 s).
   */
  split(timeoutMs?: number): Promise<void>

  /**
   * Undoes {@link Localnet.split}; resolves once every node of the family has a peer again. Their chains then sync:
   * wait for the block hashes you expect.
   * @throws `ERR_LOCALNET_TIMEOUT` after `timeoutMs` (default 30 s).
   */
  join(timeoutMs?: number): Promise<void>

  /**
   * Mines `n` blocks (default 1) one after another and resolves to the new tip height. Each block's coinbase pays
   * the whole reward to `toAddress` (a base58 Tari address for LocalNet, one-sided enabled) or, without one, to an
   * address derived from the node's identity key whose coins nobody will spend. Concurrent calls are queued.
   * @throws `ERR_INVALID_ARGUMENT` for a bad `n`; a gRPC `ServiceError` if the node rejects the address or block.
   */
  mine(n?: number, toAddress?: string): Promise<number>

  /**
   * Stops the node: SIGTERM, then SIGKILL if it has not exited after 10 s. Closes the gRPC client and removes the
   * temp data dir (unless `keepDataDir` or a caller-supplied `dataDir`). Safe to call more than once.
   */
  stop(): Promise<void>

  /** Same as {@link Localnet.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * Path of an existing minotari_node binary: `$TARI_MINOTARI_NODE` if it exists, else the install cache path;
 * null if neither exists. Install with `scripts/install-minotari-node.sh`.
 */
export declare function findMinotariNode(): string | null

/**
 * Directory holding the minotari_app_grpc 6.2.0 `.proto` files: `$TARI_GRPC_PROTO_DIR`, then
 * `$TARI_SDK_CACHE/minotari_node-6.2.0/proto`, then `${CARGO_HOME:-~/.cargo}/registry/src/*\/minotari_app_grpc-6.2.0/proto`.
 * Returns null if none has them.
 * @throws `ERR_LOCALNET_PROTO_MISSING` if `$TARI_GRPC_PROTO_DIR` is set but has no `base_node.proto`.
 */
export declare function protoDir(): string | null

/**
 * Copies the `.proto` files from the cargo registry into `$TARI_SDK_CACHE/minotari_node-6.2.0/proto` unless they
 * are already there, and returns that directory.
 * @throws `ERR_LOCALNET_PROTO_MISSING` if the cargo registry does not have them.
 */
export declare function cacheProtos(): string

/**
 * Base58 text of a dual (view + spend) Tari address, byte-for-byte as `TariAddress::to_base58` (DammSum checksum
 * included). Meant for building test destinations; it does not check that the keys are valid Ristretto points.
 * @throws `ERR_INVALID_ARGUMENT` for a key that is not 32 bytes or an unknown network.
 */
export declare function encodeTariAddress(opts: EncodeTariAddressOptions): string

/** The minotari_node version this harness targets: `'6.2.0'`. */
export declare const NODE_VERSION: string
