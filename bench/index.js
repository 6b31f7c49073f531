'use strict'
// `npm run bench`: every figure is a median, printed beside its baseline measured in the same run.
const path = require('node:path')
// The suites measure the testnet build on LocalNet (lib/native.js: the first call picks the build).
process.env.TARI_NETWORK ??= 'localnet'
const sdk = require(path.join(__dirname, '..', 'lib', 'sdk.js'))
const native = require(path.join(__dirname, '..', 'index.js'))
const { rows } = require('./harness')

async function main() {
  const only = process.argv[2]
  const suites = {
    foundation: require('./foundation'),
    observability: require('./observability'),
    limits: require('./limits'),
    wallet: require('./wallet'),
    payments: require('./payments'),
    receiving: require('./receiving'),
    deposits: require('./deposits'),
    cold: require('./cold'),
    payout: require('./payout'),
    cpfp: require('./cpfp'),
    console: require('./console'),
    stress: require('./stress'),
    soak: require('./soak'),
    idle: require('./idle'),
    crash: require('./crash'),
    fuzz: require('./fuzz'),
    parsers: require('./parsers'),
    design: require('./design'),
    dist: require('./dist'),
    install: require('./install'),
  }
  for (const [name, run] of Object.entries(suites)) {
    if (only && only !== name) continue
    await run({ sdk, native })
  }
  const missed = rows.filter((r) => r.pass === false)
  console.log(`\n${rows.length} figures, ${missed.length} below target${missed.length ? ': ' + missed.map((r) => r.name).join('; ') : ''}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
