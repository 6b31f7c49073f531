#!/usr/bin/env bash
# Interop with minotari_console_wallet 6.2.0 on LocalNet (bench/interop.js). Builds the pinned console
# wallet on first use (~20 min cold on 2 cores; cached under $HOME/.cache/tari-wallet-sdk/) and the
# pinned minotari_node likewise. Not part of `npm test`: see CONTRIBUTING.md, "The console wallet".
set -euo pipefail
cd "$(dirname "$0")/.."
export TARI_MINOTARI_NODE="${TARI_MINOTARI_NODE:-$(bash scripts/install-minotari-node.sh)}"
export TARI_CONSOLE_WALLET="${TARI_CONSOLE_WALLET:-$(bash scripts/install-console-wallet.sh)}"
node bench/interop.js
