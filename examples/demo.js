'use strict'
// The LocalNet demo (`npm run demo`): a real minotari_node on loopback, two real wallets, coinbases mined
// to the first, then addresses, balances, health, runtime and memory figures. Everything is stopped and
// removed at the end.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const sdk = require('../lib/sdk.js')
const { Localnet } = require('../lib/localnet.js')

const µT = (v) => `${(Number(v) / 1e6).toLocaleString('en-US', { maximumFractionDigits: 6 })} T (${v} µT)`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function bobEvents(bob) {
  sdk.onEvent(bob, (e) => {
    if (['received', 'minedUnconfirmed', 'confirmed'].includes(e.type)) {
      console.log(`  bob event: ${e.type}${e.confirmations !== undefined ? ` (${e.confirmations} confirmations)` : ''}`)
    }
  })
}

async function main() {
  // The first SDK call of a process picks the build for its network (README, "Networks"): name it first.
  sdk.init({ config: { network: { name: 'localnet' } } })
  console.log(`tari-wallet-sdk ${sdk.getVersion().sdk}, minotari_wallet ${sdk.getVersion().minotariWallet}`)
  const t0 = Date.now()
  const net = await Localnet.start()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tari-demo-'))
  const handles = []
  try {
    console.log(`LocalNet node up in ${Date.now() - t0} ms: wallet API ${net.httpUrl}, gRPC ${net.grpcAddress}`)
    const common = { passphrase: 'demo passphrase', network: 'localnet', baseNodeUrl: net.httpUrl, scanningIntervalSecs: 1 }
    for (const name of ['alice', 'bob']) {
      const started = Date.now()
      handles.push(await sdk.createWallet({ ...common, dataDir: path.join(tmp, name) }))
      console.log(`created wallet ${name} in ${Date.now() - started} ms`)
    }
    const [alice, bob] = handles
    const aliceAddress = sdk.getAddress(alice)
    console.log('\nAddresses')
    for (const [name, h] of [['alice', alice], ['bob', bob]]) {
      const a = sdk.getAddress(h)
      console.log(`  ${name}: ${a.base58}\n  ${' '.repeat(name.length)}  ${a.emoji}`)
    }

    console.log('\nMining 5 blocks to alice (coinbase maturity on LocalNet is 2 blocks)')
    await net.mine(5, aliceAddress.base58)
    const deadline = Date.now() + 60_000
    let balance
    while (Date.now() < deadline) {
      balance = await sdk.getBalance(alice)
      if (balance.available > 0n) break
      await sleep(250)
    }
    console.log(`tip height ${await net.tipHeight()}`)

    console.log('\nAlice pays bob 1.5 T (one-sided)')
    bobEvents(bob)
    const txId = await sdk.send(alice, { to: sdk.getAddress(bob).base58, amount: 1_500_000n, message: 'demo payment' })
    console.log(`  sent: tx ${txId}, fee ${µT((await sdk.getTransaction(alice, txId)).fee)}`)
    await sleep(2500) // the broadcast reaches the node's mempool
    await net.mine(4)
    while (Date.now() < deadline + 60_000 && (await sdk.getBalance(bob)).available === 0n) await sleep(250)

    console.log('\nBalances')
    for (const [name, h] of [['alice', alice], ['bob', bob]]) {
      const b = await sdk.getBalance(h)
      console.log(`  ${name}: available ${µT(b.available)}, pending incoming ${µT(b.pendingIncoming)}, time-locked ${µT(b.timeLocked)}`)
    }

    const health = sdk.getHealthStatus()
    console.log(`\nHealth: ${health.level} (${health.status})`)
    for (const [key, [check]] of Object.entries(health.checks)) console.log(`  ${key}: ${check.level} — ${check.output}`)

    console.log('\nRuntimes')
    for (const r of sdk.getRuntimeStats().runtimes) {
      console.log(`  ${r.name.padEnd(8)} ${r.workers} workers, ${r.aliveTasks} tasks alive, ${r.opsCompleted} ops, busy ${(r.busyRatio * 100).toFixed(1)}%`)
    }
    const m = sdk.getMemoryStats()
    console.log(`\nMemory: RSS ${(m.rssBytes / 2 ** 20).toFixed(1)} MiB, tracked ${(m.currentBytes / 2 ** 20).toFixed(1)} MiB (peak ${(m.peakBytes / 2 ** 20).toFixed(1)} MiB), ${m.allocations} allocations`)
    const { config } = sdk.getConfig()
    console.log(`Config: network ${config.network.name}, runtime ${JSON.stringify(config.runtime)}, log level ${config.logging.level}`)
  } finally {
    for (const h of handles) await sdk.closeWallet(h).catch(() => {})
    await net.stop()
    fs.rmSync(tmp, { recursive: true, force: true })
    console.log('\nStopped the wallets and the node; removed the temp data.')
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
