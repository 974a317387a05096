#!/usr/bin/env bash
# Builds the WebAssembly package and the browser app (bindings-wasm/):
#   1. the wasm32 target and wasm-bindgen-cli at exactly the crate's version (installed when missing,
#      into ${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci/tools),
#   2. `npm ci` in bindings-wasm when its node_modules is missing or older than package-lock.json,
#   3. cargo build --release for wasm32-unknown-unknown, wasm-bindgen for the web and nodejs targets,
#   4. wasm-opt -Oz from npm's binaryen (never Debian's: it silently breaks the module),
#   5. bindings-wasm/pkg/ (the npm package) and bindings-wasm/app-dist/ (the static app),
# then prints the .wasm sizes: raw, after wasm-opt, gzipped. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci
TOOLS=$CACHE/tools
export PATH=$TOOLS/bin:$PATH
export npm_config_cache=${npm_config_cache:-$CACHE/npm}
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

for tool in node npm cargo rustup gzip; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed to build the wasm package" >&2; exit 1; }
done

step "wasm32 target and wasm-bindgen-cli"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG" ]; then
  # No --locked: the CLI's own lockfile asks for crate versions the registry may not have yet.
  cargo install --root "$TOOLS" --target-dir "$CACHE/tools-target" wasm-bindgen-cli --version "$WBG"
  rm -rf "$CACHE/tools-target"
fi
wasm-bindgen --version

cd bindings-wasm
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  step "npm ci (bindings-wasm: binaryen, mermaid, playwright-core, typescript, json-schema-to-typescript)"
  npm ci --no-audit --no-fund --loglevel=error
fi

step "cargo build (wasm32-unknown-unknown, release)"
cargo build -p threatgraph-wasm --target wasm32-unknown-unknown --release --locked
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
raw=$target_dir/wasm32-unknown-unknown/release/threatgraph_wasm.wasm

step "wasm-bindgen (web, nodejs) and wasm-opt -Oz"
out=build
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out/web" "$raw"
wasm-bindgen --target nodejs --out-dir "$out/node" "$raw"
bg=threatgraph_wasm_bg.wasm
cp "$out/web/$bg" "$out/bindgen.wasm"
node_modules/.bin/wasm-opt -Oz "$out/bindgen.wasm" -o "$out/opt.wasm"
for d in web node; do
  if cmp -s "$out/$d/$bg" "$out/bindgen.wasm"; then
    cp "$out/opt.wasm" "$out/$d/$bg"
  else
    node_modules/.bin/wasm-opt -Oz "$out/$d/$bg" -o "$out/$d/$bg"
  fi
done

step "pkg/ and app-dist/"
node scripts/build-pkg.mjs "$out/web" "$out/node"
node scripts/build-app.mjs

size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
step "sizes"
gzipped=$(gz pkg/web/$bg)
printf '%-34s %10s B\n' "raw (cargo build)" "$(size "$raw")" \
  "after wasm-bindgen" "$(size "$out/bindgen.wasm")" \
  "after wasm-opt -Oz" "$(size pkg/web/$bg)" \
  "after wasm-opt -Oz, gzip -9" "$gzipped"

# Size budget: the target is 1.5 MB gzipped (benches/README.md); the budget sits about 10% above
# the current size, so that accidental growth fails here (the bundled catalogs once ended up in
# the module twice: +0.1 MB gzipped). Raise it on purpose, with the reason in benches/README.md.
budget=${WASM_GZ_BUDGET:-1150000}
if [ "$gzipped" -gt "$budget" ]; then
  echo "error: the wasm module is $gzipped B gzipped, over its budget of $budget B (scripts/build-wasm.sh)" >&2
  exit 1
fi
echo "gzipped size within the budget of $budget B"
