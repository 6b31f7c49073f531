#!/usr/bin/env bash
# Installs `promtool` (the Prometheus project's linter for the exposition format) from Debian's
# `prometheus` package into $HOME/.cache/tari-wallet-sdk/, keyed by the package version, once. Only the
# promtool binary is unpacked: no Prometheus server is installed or started.
# Prints the binary's path on stdout (everything else goes to stderr).
set -euo pipefail

CACHE="${TARI_SDK_CACHE:-$HOME/.cache/tari-wallet-sdk}"
log() { echo "[install-promtool] $*" >&2; }

cached=$(ls -d "$CACHE"/promtool-*/promtool 2>/dev/null | sort | tail -1 || true)
if [ -n "$cached" ] && [ -x "$cached" ]; then
  echo "$cached"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
log "downloading Debian's prometheus package for promtool"
if ! apt-get download prometheus >/dev/null 2>&1; then
  apt-get update -qq >&2
  apt-get download prometheus >&2
fi
deb=$(ls prometheus_*.deb)
version=$(dpkg-deb -f "$deb" Version | sed 's/[^A-Za-z0-9.+-]/_/g')
dpkg-deb -x "$deb" unpacked
mkdir -p "$CACHE/promtool-$version"
cp unpacked/usr/bin/promtool "$CACHE/promtool-$version/promtool.tmp"
mv "$CACHE/promtool-$version/promtool.tmp" "$CACHE/promtool-$version/promtool"
log "installed promtool $version"
echo "$CACHE/promtool-$version/promtool"
