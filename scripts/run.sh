#!/usr/bin/env bash
# The one entry point behind `npm test`, `npm run demo` and `npm run bench`. It installs whatever is missing
# (system packages, npm deps, the pinned minotari_node), builds the addon against optimised dependencies,
# then runs the requested job. Safe to re-run: every step is skipped when already done.
#
#   scripts/run.sh test    cargo tests, TypeScript check, JS tests (including LocalNet end-to-end)
#   scripts/run.sh demo    the LocalNet demo
#   scripts/run.sh bench   the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

job="${1:-test}"
CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
export TARI_SDK_CACHE="$CACHE"
# Cargo's target dir lives in the cache so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
mkdir -p "$CACHE"

log() { printf '\n==> %s\n' "$*" >&2; }

ensure_system_packages() {
  local missing=()
  command -v protoc >/dev/null || missing+=(protobuf-compiler)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  # minotari_node builds RandomX with cmake.
  command -v cmake >/dev/null || missing+=(cmake)
  command -v c++ >/dev/null || missing+=(g++)
  # OpenSSL is built from source and linked statically (openssl-sys "vendored"): its build runs perl and make.
  command -v make >/dev/null || missing+=(make)
  command -v perl >/dev/null || missing+=(perl)
  # The glibc 2.17 cross toolchain (scripts/install-cross-toolchain.sh) ships as .tar.xz.
  command -v xz >/dev/null || missing+=(xz-utils)
  if command -v dpkg-query >/dev/null; then
    dpkg-query -W -f='${Status}' libssl-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(libssl-dev)
  fi
  [ ${#missing[@]} -eq 0 ] && return
  log "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_npm_deps() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

build_addon() {
  log "building the addon (testnet build, release; CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
  npx napi build --platform --release --features testing
}

# Another build of the addon (lib/native.js picks one per process). The Tari crates fix the networks at
# compile time (TARI_TARGET_NETWORK), so a flavor recompiles everything that depends on them: in its own
# target dir, or each build would undo the other's. It lands next to the testnet build as
# tari-wallet-sdk.<platform>.<flavor>.node, without the test hooks, as published: on x64 Linux it links
# against glibc 2.17 with napi-rs's cross toolchain, like the release workflow, so the tests check the
# glibc floor on it. (The testnet build keeps the host's gcc: cargo test and clippy share its target dir,
# and a different C compiler there would rebuild the C crates on every run.)
build_flavor() {
  local flavor="$1" out f cross=()
  if [ "$host" = x86_64-unknown-linux-gnu ]; then
    bash scripts/install-cross-toolchain.sh "$host" >/dev/null
    cross=(--use-napi-cross)
  fi
  local dir="$CACHE/target-$flavor"
  # A new flavor's target dir starts as a copy of the mainnet one. The two differ only in what depends on
  # tari_common, whose build script reruns on the new TARI_TARGET_NETWORK, so the copy spares rebuilding
  # every other crate (C ones included): nextnet cold took 4.6 min after a 10 s copy, against 10 min from scratch.
  if [ "$flavor" != mainnet ] && [ ! -d "$dir" ] && [ -d "$CACHE/target-mainnet" ]; then
    log "seeding $dir from the mainnet build's target dir"
    rm -rf "$dir.partial"
    cp -a "$CACHE/target-mainnet" "$dir.partial" && mv "$dir.partial" "$dir"
  fi
  log "building the $flavor build of the addon (TARI_TARGET_NETWORK=$flavor; target dir $dir)"
  out="$(mktemp -d)"
  TARI_TARGET_NETWORK="$flavor" npx napi build --platform --release --target-dir "$dir" \
    --output-dir "$out" --no-js --dts index.d.ts "${cross[@]}"
  for f in "$out"/tari-wallet-sdk.*.node; do
    mv "$f" "./$(basename "$f" .node).$flavor.node"
  done
  rm -rf "$out"
}

ensure_node() {
  log "ensuring minotari_node is installed"
  TARI_MINOTARI_NODE="$(bash scripts/install-minotari-node.sh)"
  export TARI_MINOTARI_NODE
}

ensure_promtool() {
  log "ensuring promtool is installed (the metrics tests lint the exposition with it)"
  TARI_PROMTOOL="$(bash scripts/install-promtool.sh)"
  export TARI_PROMTOOL
}

ensure_system_packages
ensure_npm_deps

host="$(rustc -vV | sed -n 's/^host: //p')"

case "$job" in
  test)
    log "gate: eslint (lib, tests, benchmarks, examples)"
    npx eslint .
    # rustfmt and clippy come with rustup's default profile; a toolchain without them cannot fetch them
    # offline, so the gate says so instead of failing the run.
    if cargo fmt --version >/dev/null 2>&1; then
      log "gate: cargo fmt --check"
      cargo fmt --all --check
    else
      log "WARNING: rustfmt is not installed; the format gate is skipped"
    fi
    if cargo clippy --version >/dev/null 2>&1; then
      log "gate: cargo clippy -D warnings"
      cargo clippy --release --workspace --all-targets --all-features --target "$host" -q -- -D warnings
    else
      log "WARNING: clippy is not installed; the lint gate is skipped"
    fi
    log "cargo test (the core crate and the binding, no Node)"
    # Same --target as `napi build`, so both share one set of compiled dependencies.
    cargo test --release --workspace --lib --target "$host"
    build_addon
    build_flavor mainnet
    build_flavor nextnet
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
      log "gate: the committed index.js / index.d.ts are what the build generates"
      git diff --exit-code -- index.js index.d.ts
    fi
    ensure_node
    ensure_promtool
    log "TypeScript check (tsc --strict against the published typings: module node16, then bundler resolution)"
    npx tsc -p __test__/tsconfig.json
    npx tsc -p __test__/tsconfig.bundler.json
    log "TypeScript check of the JS layer (lib/*.js, @ts-check against the generated typings)"
    npx tsc -p lib/tsconfig.json
    log "JS tests (node:test)"
    node --test --test-concurrency=1 --test-timeout=600000 __test__/*.test.mjs
    log "the installed-package test under the other supported Node.js majors (binaries from the npm registry)"
    bash scripts/node-versions.sh package
    ;;
  demo)
    build_addon
    ensure_node
    node examples/demo.js
    ;;
  bench)
    build_addon
    ensure_node
    log "building the raw-library baseline (crates/core/examples/raw_wallet.rs)"
    cargo build --release --target "$host" -p tari-wallet-sdk-core --example raw_wallet
    export RAW_WALLET_BIN="$CARGO_TARGET_DIR/$host/release/examples/raw_wallet"
    node bench/index.js "${@:2}"
    ;;
  *)
    echo "usage: $0 test|demo|bench" >&2
    exit 2
    ;;
esac
