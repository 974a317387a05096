#!/usr/bin/env python3
"""Scaling plot and results table from criterion's output of the `pipeline` bench.

Reads `<criterion dir>/<stage>/<N>/new/{estimates,benchmark}.json` (criterion writes them under
`$CARGO_TARGET_DIR/criterion`), prints a Markdown table (median time and throughput per stage and
N) and draws `benches/scaling.png`: time per stage against N on log-log axes, and time per
component, which is flat for a linear stage.

    python3 benches/plot.py --criterion /tmp/bench-target/criterion --png benches/scaling.png

Needs matplotlib only for the PNG (`--no-png` prints the table alone).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

STAGES = [
    ("parse_json", "parse JSON"),
    ("parse_yaml", "parse YAML"),
    ("validate", "validate"),
    ("graph_build", "build graph"),
    ("analyze", "analyze (incl. validate)"),
    ("export_json", "export JSON"),
    ("export_markdown", "export Markdown"),
]
COMPILE = [("catalogs", "load bundled catalogs"), ("rule_pack", "compile rule pack"),
           ("engine", "whole engine (rule pack + rule infos; catalogs cached)")]


def load(dir_: Path):
    est = json.loads((dir_ / "new" / "estimates.json").read_text())
    bench = json.loads((dir_ / "new" / "benchmark.json").read_text())
    return {
        "median_ns": est["median"]["point_estimate"],
        "mean_ns": est["mean"]["point_estimate"],
        "lo_ns": est["median"]["confidence_interval"]["lower_bound"],
        "hi_ns": est["median"]["confidence_interval"]["upper_bound"],
        "throughput": bench.get("throughput"),
    }


def collect(root: Path):
    data = {}
    for stage, _ in STAGES:
        d = root / stage
        if not d.is_dir():
            continue
        for sub in d.iterdir():
            if sub.name.isdigit() and (sub / "new" / "estimates.json").exists():
                data.setdefault(stage, {})[int(sub.name)] = load(sub)
    compile_ = {}
    for name, _ in COMPILE:
        d = root / "compile" / name
        if (d / "new" / "estimates.json").exists():
            compile_[name] = load(d)
    return data, compile_


def fmt_time(ns: float) -> str:
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms" if ns >= 1e7 else f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.0f} µs"
    return f"{ns:.0f} ns"


def fmt_tp(r) -> str:
    tp = r["throughput"] or {}
    s = r["median_ns"] / 1e9
    if "Bytes" in tp:
        return f"{tp['Bytes'] / s / 1e6:.0f} MB/s"
    if "Elements" in tp:
        v = tp["Elements"] / s
        return f"{v / 1e6:.2f} M comp/s" if v >= 1e6 else f"{v / 1e3:.0f} k comp/s"
    return ""


def table(data, compile_) -> str:
    sizes = sorted({n for s in data.values() for n in s})
    lines = ["| stage | " + " | ".join(f"N = {n:,}" for n in sizes) + " | t(100k)/t(10k) |",
             "|---|" + "---:|" * (len(sizes) + 1)]
    for stage, label in STAGES:
        if stage not in data:
            continue
        cells = []
        for n in sizes:
            r = data[stage].get(n)
            cells.append(f"{fmt_time(r['median_ns'])} ({fmt_tp(r)})" if r else "–")
        a, b = data[stage].get(10_000), data[stage].get(100_000)
        ratio = f"{b['median_ns'] / a['median_ns']:.1f}" if a and b else "–"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    if compile_:
        lines.append("")
        lines.append("| compile stage (independent of N) | median |")
        lines.append("|---|---:|")
        for name, label in COMPILE:
            if name in compile_:
                lines.append(f"| {label} | {fmt_time(compile_[name]['median_ns'])} |")
    return "\n".join(lines)


def plot(data, png: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=90)
    for stage, label in STAGES:
        if stage not in data:
            continue
        ns = sorted(data[stage])
        t = [data[stage][n]["median_ns"] / 1e9 for n in ns]
        ax1.plot(ns, t, marker="o", label=label)
        ax2.plot(ns, [data[stage][n]["median_ns"] / n for n in ns], marker="o", label=label)
    all_n = sorted({n for s in data.values() for n in s})
    if all_n and "analyze" in data:
        n0 = min(data["analyze"])
        t0 = data["analyze"][n0]["median_ns"] / 1e9
        ax1.plot(all_n, [t0 * n / n0 for n in all_n], "k:", lw=1, label="linear (from analyze)")
    ax1.plot([100_000], [0.2], marker="*", ms=12, color="red", ls="none", label="target: analyze 100k ≤ 0.2 s")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("components (flows = 2x)")
        ax.grid(True, which="both", lw=0.3, alpha=0.6)
    ax1.set_ylabel("median time per run (s)")
    ax1.set_title("time per stage")
    ax2.set_ylabel("ns per component")
    ax2.set_title("time per component (flat = linear)")
    ax1.legend(fontsize=7, loc="upper left")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    print(f"wrote {png} ({png.stat().st_size // 1024} KB)", file=sys.stderr)


def main() -> int:
    here = Path(__file__).resolve().parent
    default_crit = Path(os.environ.get("CARGO_TARGET_DIR", here.parent / "target")) / "criterion"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--criterion", type=Path, default=default_crit)
    ap.add_argument("--png", type=Path, default=here / "scaling.png")
    ap.add_argument("--title", default="threatgraph pipeline stages, criterion medians")
    ap.add_argument("--no-png", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the collected medians as JSON")
    args = ap.parse_args()
    data, compile_ = collect(args.criterion)
    if not data:
        print(f"no criterion results under {args.criterion}", file=sys.stderr)
        return 1
    print(table(data, compile_))
    if args.json:
        args.json.write_text(json.dumps({"stages": data, "compile": compile_}, indent=2, sort_keys=True) + "\n")
    if not args.no_png:
        plot(data, args.png, args.title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
