#!/usr/bin/env bash
# Packs what npm would publish, from the current build: the root package and this machine's platform
# package with every build (flavor) present next to index.js; then, when the pinned minotari_node is in the
# install cache, the LocalNet node packages (tari-wallet-sdk-minotari-node and this platform's, carrying the
# stripped binary and the gRPC .proto files). Prints the tarballs' paths, one per line.
#
#   scripts/pack.sh OUT_DIR
#
# The platform package is staged in a temp copy of npm/<platform>, so the repository stays clean.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "$1" && cd "$1" && pwd)"

platform="$(node -p "require('./lib/native.js').platformSuffix()")"
[ -d "npm/$platform" ] || { echo "pack.sh: no platform package npm/$platform" >&2; exit 1; }
ls tari-wallet-sdk."$platform".node >/dev/null 2>&1 || { echo "pack.sh: no build tari-wallet-sdk.$platform.node; run npm run build" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r "npm/$platform/." "$stage/"
cp tari-wallet-sdk."$platform".*node "$stage/"

npm pack --silent --pack-destination "$out" >/dev/null
(cd "$stage" && npm pack --silent --pack-destination "$out" >/dev/null)
version="$(node -p "require('./package.json').version")"
echo "$out/tari-wallet-sdk-$version.tgz"
echo "$out/tari-wallet-sdk-$platform-$version.tgz"

node_root="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}/minotari_node-6.2.0"
[ -x "$node_root/bin/minotari_node" ] && [ -d "$node_root/proto" ] || exit 0
node_stage="$(mktemp -d)"
trap 'rm -rf "$stage" "$node_stage"' EXIT
cp -r "npm/minotari-node-$platform/." "$node_stage/"
mkdir -p "$node_stage/bin" "$node_stage/proto"
# Stripped: the symbols are two thirds of the file, and nobody debugs the harness's node.
strip -o "$node_stage/bin/minotari_node" "$node_root/bin/minotari_node" 2>/dev/null || cp "$node_root/bin/minotari_node" "$node_stage/bin/"
cp "$node_root"/proto/*.proto "$node_stage/proto/"
(cd npm/minotari-node && npm pack --silent --pack-destination "$out" >/dev/null)
(cd "$node_stage" && npm pack --silent --pack-destination "$out" >/dev/null)
echo "$out/tari-wallet-sdk-minotari-node-$version.tgz"
echo "$out/tari-wallet-sdk-minotari-node-$platform-$version.tgz"
