#!/usr/bin/env bash
# The Node package's test suite (bindings-node/): installs the pinned npm tools with `npm ci`,
# builds the addon in release with cargo (honours CARGO_TARGET_DIR), copies it to
# bindings-node/threatgraph.node, checks that the generated TypeScript types are fresh,
# type-checks the TypeScript usage file and runs `node --test`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: node (18 or newer) and npm are needed for the Node package's tests" >&2
  exit 1
fi
node -e 'if (+process.versions.node.split(".")[0] < 18) { console.error(`error: node 18 or newer is needed, not ${process.version}`); process.exit(1) }'

export npm_config_cache=${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci/npm
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

step "npm ci (bindings-node: typescript, json-schema-to-typescript)"
(cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)

step "build the addon (release)"
cargo build -p threatgraph-node --release --locked
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
case "$(uname -s)" in
  Darwin) lib=libthreatgraph_node.dylib ;;
  *) lib=libthreatgraph_node.so ;;
esac
cp "$target_dir/release/$lib" bindings-node/threatgraph.node

cd bindings-node
step "generated TypeScript types are fresh"
node scripts/gen-types.mjs --check

step "tsc --noEmit"
node_modules/.bin/tsc --noEmit -p test

step "node --test"
node --test test/*.test.mjs
