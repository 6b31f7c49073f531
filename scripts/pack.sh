#!/usr/bin/env bash
# Packs what npm would publish, from the current build: the root package and this machine's platform
# package with every build (flavor) present next to index.js. Prints the tarballs' paths, one per line.
#
#   scripts/pack.sh OUT_DIR
#
# The platform package is staged in a temp copy of npm/<platform>, so the repository stays clean.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "$1" && cd "$1" && pwd)"

platform="$(node -e "
  const { platform, arch } = process
  const libc = platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : ''
  const abi = platform === 'win32' ? '-msvc' : ''
  console.log(platform + '-' + arch + libc + abi)")"
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
