'use strict'
// `npm run bench parsers`: the Rust parsers' fuzz targets (src/fuzz.rs: addresses, seed words, config
// layers) for FUZZ_SECS each (default 600), from proptest strategies. Every input must give a value or
// a typed error that echoes at most 64 characters of it.
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { report, section } = require('./harness')

module.exports = async function parsers() {
  const secs = Number(process.env.FUZZ_SECS || 600)
  const host = spawnSync('rustc', ['-vV'], { encoding: 'utf8' }).stdout.match(/^host: (.+)$/m)[1]
  const r = spawnSync('cargo', ['test', '--release', '--lib', '--target', host, 'fuzz::', '--', '--nocapture', '--test-threads=1'], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, FUZZ_SECS: String(secs) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const output = r.stdout + r.stderr
  section(`Fuzz targets of the Rust parsers, ${secs} s each (proptest strategies)`)
  const found = [...output.matchAll(/^FUZZ (\w+) (\d+) inputs in ([\d.]+) s$/gm)]
  for (const [, name, inputs, took] of found) {
    report({ name: `${name}: inputs per second (${Number(inputs).toLocaleString('en')} in ${took} s)`, value: Number(inputs) / Number(took), unit: 'in/s', lowerIsBetter: false })
  }
  const failed = r.status !== 0 || found.length < 3
  if (failed) process.stderr.write(output.split('\n').filter((l) => /panicked|FAILED|BOLERO|assert/.test(l)).join('\n') + '\n')
  report({ name: 'fuzz targets with a failing input', value: failed ? 1 : 0, unit: '', target: 0 })
}
