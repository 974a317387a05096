#!/usr/bin/env bash
# The Python package's test suite: builds the abi3 wheel with maturin into a fresh dist dir,
# installs it into a venv, checks the stubs with mypy.stubtest, then runs pytest (shared vectors,
# builder, report, pandas, threads, typing, the quickstart notebook).
#
# Needs python3 (>= 3.11 for the pinned pandas/ipykernel) and cargo; pip reaches PyPI only.
# The wheel is installed into a fresh venv each run (or into $TG_VENV); pip's cache lives in
# ${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci/pip; CARGO_TARGET_DIR is honoured when set.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/threatgraph-ci
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$CACHE/pip} PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$CACHE"
# A fresh venv every run (the pip cache keeps it quick), unless $TG_VENV names one to reuse.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/threatgraph-py.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VENV=${TG_VENV:-$WORK/venv}

step() { printf '\n== %s\n' "$*"; }

step "python venv ($VENV)"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
PY=$VENV/bin/python
"$PY" --version
# Exact versions, checked on this project's machines (see bindings-python/README.md).
"$PY" -m pip install -q \
  maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 \
  pandas==3.1.1 nbclient==0.11.0 nbformat==5.11.1 ipykernel==7.4.0

step "wheel (maturin build --release --locked)"
DIST=$WORK/dist
mkdir -p "$DIST"
(cd bindings-python && "$VENV/bin/maturin" build --release --locked --out "$DIST" -i "$PY")
"$PY" -m pip install -q --force-reinstall --no-deps "$DIST"/threatgraph-*.whl

step "stubs (mypy.stubtest threatgraph._threatgraph)"
(cd "$DIST" && "$PY" -m mypy.stubtest threatgraph._threatgraph)

step "pytest bindings-python/tests"
"$PY" -m pytest -q -p no:cacheprovider "$ROOT/bindings-python/tests"
