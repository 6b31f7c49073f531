'use strict'
// A process that dies during a payment: opens the wallet, says "go" on stdout, starts a send with an
// idempotency key, and is then killed by its parent (SIGKILL or SIGTERM), or calls process.exit() itself
// after `exitAfterMs`. Used by crash-trials.js.
//   node crash-child.js <dataDir> <baseNodeUrl> <to> <amount> <idempotencyKey> <exitAfterMs|-1>
// The passphrase comes from TARI_CRASH_PASSPHRASE, so it never shows in a process list.
const sdk = require('../lib/sdk.js')

async function main() {
  const [dataDir, baseNodeUrl, to, amount, idempotencyKey, exitAfter] = process.argv.slice(2)
  const handle = await sdk.openWallet({
    dataDir,
    passphrase: process.env.TARI_CRASH_PASSPHRASE,
    network: 'localnet',
    baseNodeUrl,
    scanningIntervalSecs: 1,
  })
  process.stdout.write('go\n')
  const exitAfterMs = Number(exitAfter)
  if (exitAfterMs >= 0) setTimeout(() => process.exit(0), exitAfterMs)
  sdk.send(handle, { to, amount: BigInt(amount), idempotencyKey }).then(
    (id) => process.stdout.write(`sent ${id}\n`),
    (e) => process.stdout.write(`failed ${e.code}\n`),
  )
  setInterval(() => {}, 60_000) // stay until the parent ends us
}

main().catch((e) => {
  process.stdout.write(`failed ${e.code || e.message}\n`)
  process.exit(3)
})
