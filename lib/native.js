// @ts-check
'use strict'
// Which build of the addon this process runs.
//
// The Tari crates fix, when they are compiled, which networks a binary may use: a mainnet build serves
// mainnet and stagenet, a nextnet build nextnet, a testnet build localnet, igor and esmeralda. So every
// platform package carries one file per build ("flavor"):
//   tari-wallet-sdk.<platform>.node           testnet  (napi-rs's own name: `tari-wallet-sdk/native` loads it)
//   tari-wallet-sdk.<platform>.mainnet.node   mainnet, stagenet
//   tari-wallet-sdk.<platform>.nextnet.node   nextnet
// The first SDK call picks one: the network that call uses (`init`'s `config.network.name`, a wallet's
// `network`), else `TARI_NETWORK`, else the network an address helper names, else mainnet (the Tari
// crates' own default); with TARI_NETWORK set, a first call needing another build is refused. The
// process keeps its build: the Tari crates allow one network per process, and two builds in one process
// would split its config, runtimes and metrics in two.

const fs = require('node:fs')
const path = require('node:path')
const { sdkError } = require('./errors.js')

/** @type {Record<string, 'mainnet' | 'nextnet' | 'testnet'>} */
const FLAVOR_OF = Object.freeze({
  mainnet: 'mainnet',
  stagenet: 'mainnet',
  nextnet: 'nextnet',
  localnet: 'testnet',
  igor: 'testnet',
  esmeralda: 'testnet',
})

/** @type {{ flavor: string, network: string, source: string, binding: import('../index') } | null} */
let loaded = null

/** napi-rs's platform suffix for this process (the targets in package.json), or null. */
function platformSuffix() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const header = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report?.getReport() ?? {}).header
    const libc = header && header.glibcVersionRuntime ? 'gnu' : 'musl'
    return { x64: `linux-x64-${libc}`, arm64: `linux-arm64-${libc}` }[arch] ?? null
  }
  if (platform === 'darwin') return { x64: 'darwin-x64', arm64: 'darwin-arm64' }[arch] ?? null
  if (platform === 'win32' && arch === 'x64') return 'win32-x64-msvc'
  return null
}

/** Where the file of `flavor` is: a local build next to index.js, else the platform package. */
function flavorFile(flavor) {
  const suffix = platformSuffix()
  if (!suffix) return { file: null, looked: [`(no build for ${process.platform}-${process.arch})`] }
  const name = `tari-wallet-sdk.${suffix}.${flavor}.node`
  const local = path.join(__dirname, '..', name)
  const looked = [local]
  if (fs.existsSync(local)) return { file: local, looked }
  try {
    const dir = path.dirname(require.resolve(`tari-wallet-sdk-${suffix}/package.json`))
    looked.push(path.join(dir, name))
    if (fs.existsSync(path.join(dir, name))) return { file: path.join(dir, name), looked }
  } catch {
    looked.push(`tari-wallet-sdk-${suffix} (not installed)`)
  }
  return { file: null, looked }
}

/** The network a call names, if it is one we know; anything else is left to the native side to refuse. */
function known(network) {
  return typeof network === 'string' && Object.prototype.hasOwnProperty.call(FLAVOR_OF, network) ? network : undefined
}

/**
 * The binding this process runs, loading the build for `network` (or the default) on first use. With
 * `enforce`, a later `network` from another build fails with ERR_NETWORK_MISMATCH, which says how to choose
 * the build; without it (address helpers, which only read or write an address's network byte) the network
 * is only a hint for the first load.
 * @param {unknown} [network]
 * @param {boolean} [enforce]
 */
function binding(network, enforce = true) {
  const wanted = known(network)
  if (loaded) {
    if (enforce && wanted && FLAVOR_OF[wanted] !== loaded.flavor) {
      throw sdkError(
        'ERR_NETWORK_MISMATCH',
        `this process runs the ${loaded.flavor} build of the SDK (chosen for ${loaded.network} by ${loaded.source}), ` +
          `which cannot use ${wanted}; name the network in the process's first SDK call (init({ config: { network: ` +
          `{ name } } }) or the first wallet) or in TARI_NETWORK, or use another process`,
        { network: wanted },
      )
    }
    return loaded.binding
  }
  const fromEnv = known(process.env.TARI_NETWORK)
  // TARI_NETWORK also sets the Tari crates' own default network: a build that cannot use it would ignore it
  // with a warning printed on stdout. So a first call needing another build than TARI_NETWORK's is refused.
  if (enforce && wanted && fromEnv && FLAVOR_OF[wanted] !== FLAVOR_OF[fromEnv]) {
    throw sdkError(
      'ERR_NETWORK_MISMATCH',
      `TARI_NETWORK=${fromEnv} needs the ${FLAVOR_OF[fromEnv]} build of the SDK, which cannot use ${wanted}; ` +
        'unset TARI_NETWORK or use another process',
      { network: wanted },
    )
  }
  // A call that uses a network decides; TARI_NETWORK comes before a mere hint.
  const [chosen, source] = enforce && wanted
    ? [wanted, 'the first call']
    : fromEnv
      ? [fromEnv, 'TARI_NETWORK']
      : wanted
        ? [wanted, 'the first call']
        : ['mainnet', 'default']
  const flavor = FLAVOR_OF[chosen]
  let native
  if (flavor === 'testnet') {
    native = require('../index.js')
  } else {
    const { file, looked } = flavorFile(flavor)
    if (!file) {
      throw sdkError(
        'ERR_UNSUPPORTED_NETWORK',
        `this install has no ${flavor} build of the SDK, which ${chosen} needs (looked in ${looked.join(', ')})`,
        { network: chosen },
      )
    }
    native = require(file)
  }
  loaded = { flavor, network: chosen, source, binding: native }
  return native
}

/** The build this process loaded (`mainnet`, `nextnet`, `testnet`), or null before the first SDK call. */
function loadedFlavor() {
  return loaded ? loaded.flavor : null
}

module.exports = { binding, loadedFlavor, platformSuffix, FLAVOR_OF }
