// ESM users import named exports; Node resolves them through the package's "import" condition.
import { createRequire } from 'node:module'
import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as esm from 'tari-wallet-sdk'
import { Wallet, createWallet, ERROR_CODES } from 'tari-wallet-sdk'
import { Localnet, encodeTariAddress } from 'tari-wallet-sdk/localnet'

const require = createRequire(import.meta.url)
const cjs = require('tari-wallet-sdk')

test('every CommonJS export is a named ESM export, and they are the same objects', () => {
  const named = Object.keys(esm).filter((k) => k !== 'default').sort()
  assert.deepEqual(named, Object.keys(cjs).sort())
  for (const k of named) assert.equal(esm[k], cjs[k], k)
  assert.equal(esm.default, cjs)
})

test('named imports work for the SDK and the LocalNet harness', () => {
  assert.equal(typeof Wallet, 'function')
  assert.equal(typeof createWallet, 'function')
  assert.equal(ERROR_CODES.ERR_TIMEOUT.length > 0, true)
  assert.equal(typeof Localnet.start, 'function')
  assert.equal(typeof encodeTariAddress, 'function')
})
