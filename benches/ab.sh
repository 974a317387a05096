#!/usr/bin/env bash
# A/B comparison of `Engine::analyze` between two builds, alternating their runs: on a shared VM
# whose speed drifts by 10-30% within an hour, only alternating runs compare two builds.
#
#   benches/ab.sh REV_A REV_B MODEL.json [ROUNDS] [RUNS]      # builds both git revisions
#   benches/ab.sh --bin A_BIN B_BIN MODEL.json [ROUNDS] [RUNS] # two `analyze_timed` binaries
#
# Each round runs A, then B, each `examples/analyze_timed MODEL RUNS` (one warm-up, then RUNS
# timed analyses; its CPU-time median counts). Prints every round, then the median of the rounds'
# medians for each side, B's change against A and in how many rounds B was faster. ROUNDS
# defaults to 6, RUNS to 3. Revisions are built in temporary git worktrees with the release
# profile, sharing $CARGO_TARGET_DIR (default /tmp/bench-target).
set -euo pipefail
# Paths given are taken from the current directory; git works on the checkout holding this script.
root=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '5,6p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 3 ] || usage

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench-target}
WORK=$(mktemp -d)
cleanup() {
  for side in a b; do
    [ -d "$WORK/$side" ] && git -C "$root" worktree remove --force "$WORK/$side" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Builds `analyze_timed` at revision $1 into $WORK/$2.bin.
build() {
  local rev=$1 side=$2
  git -C "$root" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "error: unknown revision $rev" >&2; exit 2; }
  git -C "$root" worktree add --detach --quiet "$WORK/$side" "$rev"
  echo "building $rev ($(git -C "$root" rev-parse --short "$rev")) as $side" >&2
  (cd "$WORK/$side" && cargo build --release --locked -q -p threatgraph-benches --example analyze_timed)
  cp "$CARGO_TARGET_DIR/release/examples/analyze_timed" "$WORK/$side.bin"
}

if [ "$1" = --bin ]; then
  [ $# -ge 4 ] || usage
  A=$2; B=$3; shift 3
  for bin in "$A" "$B"; do [ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 2; }; done
else
  build "$1" a; build "$2" b
  A=$WORK/a.bin; B=$WORK/b.bin; shift 2
fi
MODEL=$1; ROUNDS=${2:-6}; RUNS=${3:-3}
[ -f "$MODEL" ] || { echo "error: no model file $MODEL" >&2; exit 2; }

# CPU-time median of one `analyze_timed` run, in ms.
cpu_ms() {
  "$1" "$MODEL" "$RUNS" | sed -n 's/.*"cpu_median_s":\([0-9.eE+-]*\).*/\1/p' | awk '{printf "%.1f", $1 * 1000}'
}

a_all=(); b_all=()
for round in $(seq "$ROUNDS"); do
  a=$(cpu_ms "$A"); b=$(cpu_ms "$B")
  [ -n "$a" ] && [ -n "$b" ] || { echo "error: analyze_timed printed no CPU median" >&2; exit 1; }
  echo "round $round: A $a ms  B $b ms"
  a_all+=("$a"); b_all+=("$b")
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ma=$(median "${a_all[@]}"); mb=$(median "${b_all[@]}")
faster=0
for i in "${!a_all[@]}"; do
  awk -v a="${a_all[$i]}" -v b="${b_all[$i]}" 'BEGIN {exit !(b < a)}' && faster=$((faster + 1))
done
awk -v a="$ma" -v b="$mb" -v f="$faster" -v n="$ROUNDS" \
  'BEGIN {printf "median of rounds: A %.1f ms, B %.1f ms (B %+.1f%%); B faster in %d of %d rounds\n", a, b, (b / a - 1) * 100, f, n}'
