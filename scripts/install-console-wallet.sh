#!/usr/bin/env bash
# Installs the pinned minotari_console_wallet (with gRPC) into $HOME/.cache/tari-wallet-sdk/, keyed by
# version, once: the peer that bench/console.js and scripts/interop.sh measure the SDK against.
# Prints the binary's path on stdout (everything else goes to stderr):
#   wallet_bin=$(scripts/install-console-wallet.sh)
# 6.2.0 does not compile without its `ledger` feature, which needs libudev (installed here if missing).
# Cold: ~20 min on 2 cores. Kept out of `npm test` (see CONTRIBUTING.md, "The console wallet").
set -euo pipefail

VERSION="${MINOTARI_CONSOLE_WALLET_VERSION:-6.2.0}"
CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
ROOT="$CACHE/minotari_console_wallet-$VERSION"
BIN="$ROOT/bin/minotari_console_wallet"

log() { echo "[install-console-wallet] $*" >&2; }

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

if ! pkg-config --exists libudev 2>/dev/null; then
  log "installing libudev-dev (the ledger feature links it)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q libudev-dev >&2; else sudo apt-get install -y -q libudev-dev >&2; fi
fi
for tool in cargo protoc cmake c++ pkg-config; do
  command -v "$tool" >/dev/null || { log "missing '$tool' (apt-get install protobuf-compiler cmake g++ pkg-config)"; exit 1; }
done

# A persistent target dir makes an interrupted build resumable.
export CARGO_TARGET_DIR="$CACHE/minotari_console_wallet-target-$VERSION"
log "building minotari_console_wallet $VERSION (cold: ~20 min on 2 cores)"
cargo install minotari_console_wallet --version "=$VERSION" --locked --no-default-features --features grpc,ledger \
  --root "$ROOT" >&2
[ -x "$BIN" ] || { log "build finished but $BIN is missing"; exit 1; }
rm -rf "$CARGO_TARGET_DIR"
echo "$BIN"
