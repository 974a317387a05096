#!/usr/bin/env bash
# Builds the WebAssembly package and the browser app, then serves the app on localhost:
#
#   ./scripts/serve-app.sh [PORT]      (default 8080; open http://127.0.0.1:PORT/)
#
# The server only serves static files (bindings-wasm/app-dist/); the analysis runs in the browser.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-wasm.sh
exec node bindings-wasm/scripts/serve.mjs --port "${1:-${PORT:-8080}}"
