#!/usr/bin/env bash
# Installs the gcc toolchain that `napi build --use-napi-cross` links with: glibc 2.17 headers and
# libraries, so the linux-gnu addon loads on every glibc that Node.js 20 supports (its floor is 2.28).
# Usage: install-cross-toolchain.sh <rust target triple>   (x86_64- or aarch64-unknown-linux-gnu)
#
# Why this script exists: @napi-rs/cli looks the toolchain up as
# `@napi-rs/cross-toolchain-x64-target-<arch>@<version of @napi-rs/cross-toolchain>` (1.0.5 today), and
# npm has no such version (x86_64 stops at 1.0.0, aarch64 at 1.0.3), so its own download fails. It skips
# the download when ~/.napi-rs/cross-toolchain/<version>/<triple>/package.json exists. This script fetches
# the pinned package from the npm registry once, unpacks it into $HOME/.cache/tari-wallet-sdk/ keyed by
# version, and links it where napi-rs looks. Prints the toolchain dir on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

triple="${1:?usage: install-cross-toolchain.sh <rust target triple>}"
CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
log() { echo "[install-cross-toolchain] $*" >&2; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { log "the toolchains are published for x64 Linux hosts only"; exit 1; }
case "$triple" in
  x86_64-unknown-linux-gnu) package=@napi-rs/cross-toolchain-x64-target-x86_64 version=1.0.0 ;;
  aarch64-unknown-linux-gnu) package=@napi-rs/cross-toolchain-x64-target-aarch64 version=1.0.3 ;;
  *) log "no pinned toolchain for $triple"; exit 1 ;;
esac

dir="$CACHE/cross-toolchain-$triple-$version"
if [ ! -x "$dir/bin/$triple-gcc" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  log "downloading $package@$version from the npm registry"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$work/toolchain"
  tar -xJf "$work/package/$triple.tar.xz" -C "$work/toolchain"
  rm -rf "$dir"
  mv "$work/toolchain" "$dir"
  log "installed $package@$version"
fi

napi_version=$(node -p "require('@napi-rs/cross-toolchain/package.json').version")
link="$HOME/.napi-rs/cross-toolchain/$napi_version/$triple"
if [ "$(readlink "$link" 2>/dev/null)" != "$dir" ]; then
  mkdir -p "$(dirname "$link")"
  rm -rf "$link"
  ln -s "$dir" "$link"
fi
echo "$dir"
