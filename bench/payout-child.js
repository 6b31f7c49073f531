'use strict'
// A process that dies during a payout: opens the wallet, runs `payout` with the recipients in a JSON file
// and an idempotency key, and prints a line per progress report, so its parent can kill it mid-way.
//   node payout-child.js <dataDir> <baseNodeUrl> <recipients.json> <idempotencyKey> <maxRecipientsPerTx>
// The passphrase comes from TARI_CRASH_PASSPHRASE. Amounts in the file are decimal strings.
const fs = require('node:fs')
const sdk = require('../lib/sdk.js')

async function main() {
  const [dataDir, baseNodeUrl, file, idempotencyKey, perTx] = process.argv.slice(2)
  const handle = await sdk.openWallet({ dataDir, passphrase: process.env.TARI_CRASH_PASSPHRASE, network: 'localnet', baseNodeUrl })
  const recipients = JSON.parse(fs.readFileSync(file, 'utf8')).map((r) => ({ ...r, amount: BigInt(r.amount) }))
  const onProgress = (p) => process.stdout.write(`progress ${p.stage} ${p.batchesDone} ${p.paid}\n`)
  const r = await sdk.payout(handle, { recipients, idempotencyKey, maxRecipientsPerTx: Number(perTx), onProgress }, { timeoutMs: 600_000 })
  process.stdout.write(`done ${r.paid} ${r.unpaid}\n`)
  await sdk.closeWallet(handle)
}

main().catch((e) => {
  process.stdout.write(`failed ${e.code || e.message}\n`)
  process.exit(3)
})
