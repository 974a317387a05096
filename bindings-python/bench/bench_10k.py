"""End-to-end analysis of a synthetic 10k-component model: native Rust vs the Python binding.

    python bindings-python/bench/bench_10k.py [N] [--runs R]

Run it with the Python that has the threatgraph wheel installed (scripts/test-python.sh builds
and installs it). It writes the model with the Rust generator
(`cargo run --release -p threatgraph-conformance --example synth -- N`), then, R times each,
interleaved:

- native, warm: `cargo run --release -p threatgraph-python --example native_e2e -- model.json 2`,
  `Model::from_json` + `Engine::analyze` from the same JSON text in one process; the second run
  counts (the first warms the allocator, as earlier runs do for the Python process). This is
  the baseline of the ratio;
- native, cold: `cargo run --release -p threatgraph-conformance --example timing -- N` (parse +
  analyze of a freshly generated model in a new process, analyze including validation);
  the bundled engine is compiled outside the timed part in both;
- Python: `threatgraph.Model.from_json(text)` + `engine.analyze(model)` from the same JSON text to
  a `Report` object (one `Engine()` made beforehand), and `threatgraph.load(path)` + analyze.

It prints the medians and the ratio Python / native (the target is at most 1.3), then what the lazy
parts of a report cost when asked for.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, TypeVar

import threatgraph

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def cargo(package: str, *args: str) -> str:
    cmd = ["cargo", "run", "-q", "--release", "--locked", "-p", package, *args]
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def seconds(text: str) -> float:
    """Rust's `Debug` of a `Duration`: `59.1ms`, `1.2s`, `812.3µs`."""
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", text)
    if not m:
        raise ValueError(f"unexpected duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def native_warm(path: Path) -> Dict[str, float]:
    line = cargo("threatgraph-python", "--example", "native_e2e", "--", str(path), "2").strip().splitlines()[-1]
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    out = {k: float(v) for k, v in fields.items()}
    return {"parse": out["parse_ms"] / 1e3, "analyze": out["analyze_ms"] / 1e3, "total": out["total_ms"] / 1e3,
            "threats": out["threats"]}


def native(n: int) -> Dict[str, float]:
    line = cargo("threatgraph-conformance", "--example", "timing", "--", str(n)).strip()
    fields = dict(re.findall(r"(\w+(?:\(incl\. validate\))?)=(\S+)", line))
    parse, analyze = seconds(fields["parse"]), seconds(fields["analyze(incl. validate)"])
    return {"parse": parse, "analyze": analyze, "total": parse + analyze, "threats": float(fields["threats"])}


def timed(f: Callable[[], T]) -> "tuple[float, T]":
    gc.collect()
    t = time.perf_counter()
    value = f()
    return time.perf_counter() - t, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=10_000, help="components (default 10000)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    opts = ap.parse_args()
    n = opts.n

    with tempfile.TemporaryDirectory(prefix="threatgraph-bench-") as work:
        run(n, opts.runs, Path(work) / "model.json")


def run(n: int, runs: int, path: Path) -> None:
    print(f"generating the {n}-component model (cargo run --release ... --example synth) ...", flush=True)
    path.write_text(cargo("threatgraph-conformance", "--example", "synth", "--", str(n)), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    print(f"model JSON: {len(text) / 1e6:.1f} MB")
    native(min(n, 100))  # build the examples before measuring
    cargo("threatgraph-python", "--example", "native_e2e", "--", str(path), "0")

    engine = threatgraph.Engine()
    rust: List[Dict[str, float]] = []
    warm: List[Dict[str, float]] = []
    py_text: List[float] = []
    py_parse: List[float] = []
    py_load: List[float] = []
    threats = 0
    for i in range(runs):
        warm.append(native_warm(path))
        rust.append(native(n))
        t_parse, model = timed(lambda: threatgraph.Model.from_json(text))
        t_analyze, report = timed(lambda: engine.analyze(model))
        py_parse.append(t_parse)
        py_text.append(t_parse + t_analyze)
        threats = len(report)
        del report, model
        t_load, report = timed(lambda: engine.analyze(threatgraph.load(path)))
        py_load.append(t_load)
        del report
        print(
            f"run {i + 1}: native warm {warm[-1]['total'] * 1e3:7.1f} ms   cold {rust[-1]['total'] * 1e3:7.1f} ms   "
            f"python from_json+analyze "
            f"{py_text[-1] * 1e3:7.1f} ms   python load+analyze {py_load[-1] * 1e3:7.1f} ms",
            flush=True,
        )

    med = statistics.median
    native_total = med(r["total"] for r in warm)
    cold_total = med(r["total"] for r in rust)
    print()
    print(f"components: {n}; threats: {threats} (native: {int(warm[0]['threats'])}); runs: {runs}; medians:")
    print(f"  native warm   parse {med(r['parse'] for r in warm) * 1e3:7.1f} ms + analyze "
          f"{med(r['analyze'] for r in warm) * 1e3:7.1f} ms = {native_total * 1e3:7.1f} ms")
    print(f"  native cold   parse {med(r['parse'] for r in rust) * 1e3:7.1f} ms + analyze "
          f"{med(r['analyze'] for r in rust) * 1e3:7.1f} ms = {cold_total * 1e3:7.1f} ms")
    print(f"  Python        Model.from_json {med(py_parse) * 1e3:7.1f} ms + Engine.analyze "
          f"{(med(py_text) - med(py_parse)) * 1e3:7.1f} ms = {med(py_text) * 1e3:7.1f} ms")
    print(f"  Python        threatgraph.load(path) + Engine.analyze = {med(py_load) * 1e3:7.1f} ms")
    print(f"  ratio Python / native warm: {med(py_text) / native_total:.2f} (from JSON text), "
          f"{med(py_load) / native_total:.2f} (from the file)   target <= 1.30")
    print(f"  ratio Python / native cold: {med(py_text) / cold_total:.2f} (from JSON text)")

    # What the lazy parts cost when a caller asks for them (not part of the end-to-end figure).
    report = engine.analyze(threatgraph.Model.from_json(text))
    print("\nlazy conversions of the same report:")
    for label, f in [
        ("report.threats (first access)", lambda: report.threats),
        ("report.threats (cached)", lambda: report.threats),
        ("report.summary", lambda: report.summary),
        ("[t.severity for t in threats]", lambda: [t.severity for t in report.threats]),
        ("report.to_json()", report.to_json),
        ("report.to_dict()", report.to_dict),
        ("report.to_dataframe()", report.to_dataframe),
    ]:
        try:
            elapsed, _ = timed(f)
            print(f"  {label:32} {elapsed * 1e3:9.1f} ms")
        except ImportError as e:
            print(f"  {label:32} skipped ({e})")
    data = json.loads(text)
    elapsed, _ = timed(lambda: threatgraph.Model.from_dict(data))
    print(f"  {'Model.from_dict(dict)':32} {elapsed * 1e3:9.1f} ms   (json.dumps + native parse)")
    print(f"\npython {sys.version.split()[0]}, threatgraph {threatgraph.__version__}, pid {os.getpid()}")


if __name__ == "__main__":
    main()
