#!/usr/bin/env bash
# Runs every test suite of the repository: formatting, lints, unit, integration, property and
# vector tests, criterion benches in test mode, doc tests, the CLI on every bundled example, and
# the Python, Node and WebAssembly packages (each runs the shared vectors too) and the browser app.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "rustfmt"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests: unit, integration, vectors, properties, CLI"
cargo test --workspace --all-targets --locked

step "doc tests"
cargo test --workspace --doc --locked

step "bundled examples validate and analyze"
for m in examples/*.yaml; do
  cargo run -q --locked -p threatgraph-cli -- validate "$m"
  cargo run -q --locked -p threatgraph-cli -- analyze "$m" --format json > /dev/null
done

step "python package (bindings-python): wheel, stubtest, pytest, notebook"
./scripts/test-python.sh

step "node package (bindings-node): addon, types, tsc, node --test, npm pack"
./scripts/test-node.sh

step "wasm package (bindings-wasm): wasm build, node --test, browser app in headless Chromium"
./scripts/test-wasm.sh

step "all suites passed"
