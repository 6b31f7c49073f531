'use strict'
// The JS linter gate of `npm test`: ESLint's recommended rules for every JS file we ship or run.
const js = require('@eslint/js')
const globals = require('globals')

module.exports = [
  { ignores: ['index.js', 'node_modules/**', 'target/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An empty catch is how "ignore this failure" is written here; other empty blocks are mistakes.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } },
  { files: ['**/*.mjs', 'lib/sdk.mjs'], languageOptions: { sourceType: 'module' } },
]
