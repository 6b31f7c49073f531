// https base nodes through the vendored OpenSSL (linked statically, see crates/core/Cargo.toml): a node
// whose certificate the system does not trust is refused, and one it trusts answers. The certificate in
// fixtures/ is a throwaway self-signed one for 127.0.0.1 (valid until 2126); its key protects nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { runChild, root } from './helpers.mjs'

const fixtures = path.join(root, '__test__', 'fixtures')
const cert = path.join(fixtures, 'tls-node.crt')
let server
let url

before(async () => {
  // In its own process: runChild blocks this one while the SDK talks to the node.
  const code = `const fs = require('fs'); const https = require('https')
    const srv = https.createServer({ cert: fs.readFileSync(${JSON.stringify(cert)}), key: fs.readFileSync(${JSON.stringify(path.join(fixtures, 'tls-node.key'))}) }, (req, res) => {
      // What a synced node at genesis answers (minotari_node's wallet HTTP API).
      res.writeHead(req.url === '/get_tip_info' ? 200 : 404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ metadata: null, is_synced: true }))
    })
    srv.listen(0, '127.0.0.1', () => console.log(srv.address().port))`
  server = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [chunk] = await once(server.stdout, 'data')
  url = `https://127.0.0.1:${String(chunk).trim()}`
})

after(() => server.kill())

/** getTipInfo against the test node, in a child whose environment is `env`. */
function tipInfo(env) {
  const r = runChild(
    `sdk.getTipInfo({ url: ${JSON.stringify(url)} }).then((t) => console.log(JSON.stringify({ synced: t.synced, height: t.height })),
      (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`,
    { env, timeoutMs: 60_000 },
  )
  assert.equal(r.status, 0, r.stderr)
  return r.json
}

test('an https node with a certificate nobody trusts is refused', () => {
  const r = tipInfo({})
  assert.equal(r.code, 'ERR_BASE_NODE', JSON.stringify(r))
  assert.match(r.message, /certificate verify failed/, 'the cause reaches the message')
})

test('an https node whose certificate is trusted (SSL_CERT_FILE) answers through the vendored OpenSSL', () => {
  const r = tipInfo({ SSL_CERT_FILE: cert })
  assert.deepEqual(r, { synced: true, height: 0 })
})

test('https after plain http in one process: the narrowed roots come back, and the environment never changed', () => {
  // The http call narrows the roots, and native-tls probes (and keeps) the narrowed value; the https call
  // must still verify through OpenSSL's default file, shown as the host's again.
  const r = runChild(
    `(async () => {
      const childSees = () => require('child_process').execFileSync('sh', ['-c', 'echo "$SSL_CERT_FILE"'], { encoding: 'utf8' }).trim()
      const first = await sdk.getTipInfo({ url: 'http://127.0.0.1:9' }).then(() => 'ok', (e) => e.code)
      const narrowed = { addon: native.__testAddonCertFile(), env: process.env.SSL_CERT_FILE, child: childSees() }
      const tip = await sdk.getTipInfo({ url: ${JSON.stringify(url)} }).then((t) => ({ synced: t.synced, height: t.height }), (e) => ({ code: e.code, message: e.message }))
      console.log(JSON.stringify({ first, narrowed, tip, after: native.__testAddonCertFile() }))
    })()`,
    { env: { SSL_CERT_FILE: cert }, timeoutMs: 60_000 },
  )
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.json, {
    first: 'ERR_BASE_NODE',
    narrowed: { addon: '/dev/null', env: cert, child: cert },
    tip: { synced: true, height: 0 },
    after: cert,
  })
})
