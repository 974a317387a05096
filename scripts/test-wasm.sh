#!/usr/bin/env bash
# The WebAssembly package's test suite (bindings-wasm/): `npm ci`, then scripts/build-wasm.sh
# (wasm32 release build, wasm-bindgen for web and nodejs, wasm-opt -Oz from npm binaryen, pkg/ and
# the app; prints raw and gzipped sizes), then the Node tests of the wasm build (shared vectors
# byte-identical to the native answers, API, errors, web build, types + tsc), then the app's
# end-to-end test in headless Chromium (/usr/bin/chromium, or $CHROMIUM).
# Honours CARGO_TARGET_DIR; tools are cached in ${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: node (18 or newer) and npm are needed for the wasm package's tests" >&2
  exit 1
fi
node -e 'if (+process.versions.node.split(".")[0] < 18) { console.error(`error: node 18 or newer is needed, not ${process.version}`); process.exit(1) }'
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "error: $CHROMIUM is missing (apt-get install -y --no-install-recommends chromium), or set CHROMIUM" >&2
  exit 1
fi
export CHROMIUM

export npm_config_cache=${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci/npm
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

step "npm ci (bindings-wasm)"
(cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)

./scripts/build-wasm.sh

step "native answers to the shared vectors (cargo run --example vector-answers)"
answers=$(mktemp)
trap 'rm -f "$answers"' EXIT
cargo run -q --locked -p threatgraph-wasm --example vector-answers >"$answers"
export THREATGRAPH_RUST_ANSWERS=$answers

cd bindings-wasm
step "node --test (wasm build under Node)"
node --test test/*.test.mjs

step "end-to-end: the app in headless Chromium"
HOME=$(mktemp -d) node --test e2e/*.test.mjs
