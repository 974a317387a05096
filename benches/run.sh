#!/usr/bin/env bash
# Full re-measurement for benches/README.md (issue #4): criterion benches of every stage, the
# whole-CLI run and peak memory at 100k components, the pytm comparison, the generator's mix,
# the results table and benches/scaling.png. About 20-30 minutes on the 2-core machine.
#
#   benches/run.sh                    # everything
#   THREATGRAPH_BENCH_MAX_N=10000 benches/run.sh   # criterion sizes up to 10k only (faster)
#   THREATGRAPH_BENCH_CALLGRIND=1 benches/run.sh   # also callgrind instruction counts (valgrind)
#
# Raw outputs go to $OUT (default $CARGO_TARGET_DIR/bench-results); copy the small JSON files you
# quote into benches/results/ and update benches/README.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench-target}
OUT=${OUT:-$CARGO_TARGET_DIR/bench-results}
CLI_N=${THREATGRAPH_BENCH_CLI_N:-100000}
CLI_RUNS=${THREATGRAPH_BENCH_CLI_RUNS:-5}
RSS_RUNS=${THREATGRAPH_BENCH_RSS_RUNS:-5}
COMPARE_SIZES=${THREATGRAPH_BENCH_COMPARE_SIZES:-1000,5000}
VENV=${THREATGRAPH_BENCH_VENV:-benches/compare/.venv}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*" >&2; }

step "tools: hyperfine, GNU time (apt), pytm 1.4.0 + matplotlib (PyPI, in $VENV)"
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r benches/compare/requirements.txt
PY=$VENV/bin/python

step "machine"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "dirty files: $(git status --short 2>/dev/null | wc -l)"
  echo "nproc: $(nproc)"
  lscpu | head -20
  free -g
  rustc --version
  uptime
} | tee "$OUT/machine.txt" >&2

step "build (release)"
cargo build --release --locked -q -p threatgraph-cli --bin threatgraph
cargo build --release --locked -q -p threatgraph-benches --examples
BIN=$CARGO_TARGET_DIR/release
EX=$BIN/examples

step "generator mix at N=10k"
"$EX/mix" 10000 | tee "$OUT/mix-10k.txt"

step "criterion: every stage at N = 100, 1k, 10k, 100k (capped by THREATGRAPH_BENCH_MAX_N)"
cargo bench --locked -p threatgraph-benches --bench pipeline 2>&1 | tee "$OUT/criterion.txt"

step "results table and scaling plot"
"$PY" benches/plot.py --criterion "$CARGO_TARGET_DIR/criterion" --png benches/scaling.png \
  --json "$OUT/criterion-medians.json" | tee "$OUT/table.md"

step "whole CLI run at N=$CLI_N: threatgraph analyze model.json --format json -o out.json"
MODEL=$OUT/model-$CLI_N.json
"$EX/export" "$CLI_N" "$MODEL"
hyperfine --warmup 1 --runs "$CLI_RUNS" --export-json "$OUT/cli-hyperfine.json" \
  "$BIN/threatgraph analyze $MODEL --format json -o $OUT/report-$CLI_N.json"
/usr/bin/time -v "$BIN/threatgraph" analyze "$MODEL" --format json -o "$OUT/report-$CLI_N.json" 2> "$OUT/cli-time.txt"
ls -l "$MODEL" "$OUT/report-$CLI_N.json" | tee -a "$OUT/cli-time.txt" >&2
rm -f "$OUT/report-$CLI_N.json"

step "one cold pass of each stage (N=$CLI_N)"
cargo run --release --locked -q -p threatgraph-conformance --example timing -- "$CLI_N" | tee "$OUT/timing.txt"

step "peak memory: loading the model vs loading and analyzing it (N=$CLI_N), median of $RSS_RUNS runs each"
# A load's peak varies from run to run (201-231 MB at 100k on 2026-12-06, mostly 231 MB: how the
# parser's growing lists get moved), the analysis's much less: each figure is the median of
# $RSS_RUNS runs, load, analysis and CLI run alternating.
rm -f "$OUT/rss-load.json" "$OUT/rss-analyze.json" "$OUT/rss-cli.txt"
for _ in $(seq "$RSS_RUNS"); do
  "$EX/peak_rss" load "$MODEL" >> "$OUT/rss-load.json"
  "$EX/peak_rss" analyze "$MODEL" >> "$OUT/rss-analyze.json"
  /usr/bin/time -f '%M' -a -o "$OUT/rss-cli.txt" "$BIN/threatgraph" analyze "$MODEL" --format json -o "$OUT/report-$CLI_N.json"
done
rm -f "$OUT/report-$CLI_N.json"
median() { grep -o '[0-9]\+' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
LOAD=$(grep -o '"peak_rss_kib": [0-9]*' "$OUT/rss-load.json" | median)
ANALYZE=$(grep -o '"peak_rss_kib": [0-9]*' "$OUT/rss-analyze.json" | median)
CLI=$(median < "$OUT/rss-cli.txt")
{
  echo "peak RSS, KiB, median of $RSS_RUNS runs: load $LOAD, load+analyze $ANALYZE, whole CLI run $CLI"
  echo "  load runs: $(grep -o '"peak_rss_kib": [0-9]*' "$OUT/rss-load.json" | grep -o '[0-9]*$' | tr '\n' ' ')"
  echo "  load+analyze runs: $(grep -o '"peak_rss_kib": [0-9]*' "$OUT/rss-analyze.json" | grep -o '[0-9]*$' | tr '\n' ' ')"
  echo "  whole CLI runs: $(tr '\n' ' ' < "$OUT/rss-cli.txt")"
  echo "analysis above the loaded model: $(( (ANALYZE - LOAD) * 1024 / CLI_N )) bytes per component"
  echo "whole CLI run above the loaded model: $(( (CLI - LOAD) * 1024 / CLI_N )) bytes per component"
} | tee "$OUT/memory.txt"
# The same in heap bytes, counted by the allocator (the same in every run: no median needed).
"$EX/heap_peak" "$MODEL" | tee "$OUT/heap.json"

step "floors: the work any analysis must do for the report format, timed alone (N = 5k, 10k, $CLI_N)"
rm -f "$OUT/floors.json"
for n in 5000 10000; do
  "$EX/export" "$n" "$OUT/model-$n.json"
  "$EX/floors" "$OUT/model-$n.json" | tee -a "$OUT/floors.json"
  rm -f "$OUT/model-$n.json"
done
"$EX/floors" "$MODEL" | tee -a "$OUT/floors.json"

step "pytm 1.4.0 comparison at N = $COMPARE_SIZES"
"$PY" benches/compare/compare.py --no-build --sizes "$COMPARE_SIZES" --out "$OUT/compare.json" | tee "$OUT/compare.md"

if [ "${THREATGRAPH_BENCH_CALLGRIND:-0}" = 1 ]; then
  step "callgrind instruction counts of Engine::analyze at 5k and 20k (several minutes)"
  cargo build --profile profiling --locked -q -p threatgraph-benches --example analyze_timed
  for n in 5000 20000; do
    "$EX/export" "$n" "$OUT/model-$n.json"
    valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-$n.out" \
      "$CARGO_TARGET_DIR/profiling/examples/analyze_timed" "$OUT/model-$n.json" 1 2> "$OUT/callgrind-$n.log"
    callgrind_annotate --inclusive=yes "$OUT/callgrind-$n.out" > "$OUT/callgrind-$n.txt"
  done
fi

step "done: raw results in $OUT"
