#!/usr/bin/env bash
# Installs the pinned minotari_node into $HOME/.cache/tari-wallet-sdk/, keyed by version, once.
# Prints the binary's path on stdout (everything else goes to stderr), so callers can do
#   node_bin=$(scripts/install-minotari-node.sh)
# Works offline apart from the crate registry: the Swagger UI zip that utoipa-swagger-ui would
# download from GitHub is taken from the vendored crate instead.
set -euo pipefail

VERSION="${MINOTARI_NODE_VERSION:-6.2.0}"
CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
ROOT="$CACHE/minotari_node-$VERSION"
BIN="$ROOT/bin/minotari_node"

log() { echo "[install-minotari-node] $*" >&2; }

# The LocalNet harness mines through gRPC with the .proto files shipped in the minotari_app_grpc crate;
# keep a copy beside the binary so it does not depend on the cargo registry later.
copy_protos() {
  [ -d "$ROOT/proto" ] && return 0
  local registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
  local src
  src=$(find "$registry" -maxdepth 2 -type d -name "minotari_app_grpc-$VERSION" -print -quit 2>/dev/null || true)
  if [ -z "$src" ]; then
    log "fetching minotari_app_grpc $VERSION for its .proto files"
    local fetch_dir="$CACHE/proto-fetch"
    mkdir -p "$fetch_dir/src"
    printf '[package]\nname = "proto-fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nminotari_app_grpc = "=%s"\n' "$VERSION" >"$fetch_dir/Cargo.toml"
    : >"$fetch_dir/src/lib.rs"
    (cd "$fetch_dir" && cargo fetch -q >&2)
    src=$(find "$registry" -maxdepth 2 -type d -name "minotari_app_grpc-$VERSION" -print -quit)
  fi
  mkdir -p "$ROOT"
  cp -r "$src/proto" "$ROOT/proto.tmp" && mv "$ROOT/proto.tmp" "$ROOT/proto"
}

if [ -x "$BIN" ]; then
  copy_protos
  echo "$BIN"
  exit 0
fi

for tool in cargo protoc cmake c++; do
  command -v "$tool" >/dev/null || { log "missing '$tool' (apt-get install protobuf-compiler cmake g++)"; exit 1; }
done

# 1. Put the vendored Swagger UI crate on disk via a throwaway manifest.
vendor_dir="$CACHE/swagger-vendor"
mkdir -p "$vendor_dir/src"
cat >"$vendor_dir/Cargo.toml" <<TOML
[package]
name = "swagger-vendor-fetch"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
utoipa-swagger-ui-vendored = "=0.1.2"
TOML
: >"$vendor_dir/src/lib.rs"
log "fetching utoipa-swagger-ui-vendored"
(cd "$vendor_dir" && cargo fetch -q >&2)
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
zip=$(find "$registry" -path '*utoipa-swagger-ui-vendored-0.1.2/res/*.zip' -print -quit)
[ -n "$zip" ] || { log "vendored Swagger UI zip not found under $registry"; exit 1; }
export SWAGGER_UI_DOWNLOAD_URL="file://$zip"

# 2. Build. A persistent target dir makes an interrupted build resumable.
export CARGO_TARGET_DIR="$CACHE/minotari_node-target-$VERSION"
log "building minotari_node $VERSION (cold: ~15-20 min on 2 cores)"
cargo install minotari_node --version "=$VERSION" --locked --no-default-features \
  --root "$ROOT" >&2
[ -x "$BIN" ] || { log "build finished but $BIN is missing"; exit 1; }
# The build tree is large and only needed to resume; drop it once the binary is cached.
rm -rf "$CARGO_TARGET_DIR"
copy_protos
echo "$BIN"
