#!/usr/bin/env python3
"""threatgraph vs OWASP pytm 1.4.0 on the same synthetic model (issue #4).

For each size N (default 1000 and 5000 components, 2N flows) this script

1. writes the benchmarked model as JSON with the Rust generator
   (`threatgraph-benches --example export`, seed 42: the criterion benches' model);
2. converts it to pytm objects in a fresh Python process and times, with
   `time.perf_counter`, `tm.check()` and `tm.resolve()` (pytm's threat evaluation; `check()` is
   the consistency/default-derivation pass that `tm.process()` runs before it). Not timed:
   interpreter start-up, `import pytm`, reading the JSON, `TM()` (loads and compiles pytm's threat
   library) and building the pytm element objects (reported separately as `build`);
3. times threatgraph's `Engine::analyze` (validation, graph facts, rules, mapped threats) on the
   same model loaded in a release binary (`--example analyze_timed`): not timed are process
   start-up, reading, parsing and compiling the engine;
4. prints a table with the ratios and writes the raw numbers as JSON (`--out`).

Run it with the Python that has pytm 1.4.0 (`benches/compare/.venv`, see benches/README.md):

    benches/compare/.venv/bin/python benches/compare/compare.py --sizes 1000,5000

The two tools do not evaluate the same rules: pytm applies its 113 CAPEC-style threats to every
matching element; threatgraph applies its 55-rule pack and builds fully mapped threats (ATT&CK,
800-53, ISO, CIS, scoring). The ratio compares the cost of producing each tool's threat list for
one architecture, not identical work; finding counts are printed next to it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# pytm worker: runs in its own process (pytm keeps one global model per process).
# ---------------------------------------------------------------------------------------------

ACTOR_TYPES = {"human_user", "data_subject", "browser", "mobile_app", "desktop_app"}
SERVER_TYPES = {
    "web_app", "api", "gateway", "reverse_proxy", "load_balancer", "waf", "idp",
    "authorization_server",
}
LAMBDA_TYPES = {"serverless"}
STORE_TYPES = {
    "database", "nosql_database", "search_index", "ldap_directory", "identity_store",
    "object_storage", "file_store", "cache", "queue", "event_bus", "log_store",
    "artifact_registry", "source_repository", "data_warehouse", "backup",
}
PROCESS_TYPES = {
    "service", "batch_job", "secrets_manager", "kms", "ci_pipeline", "build_runner", "deploy_tool",
    "container_platform", "bastion", "siem", "other",
}
EXTERNAL_TYPES = {"external_system", "third_party_service", "payment_provider", "iot_device"}

# threatgraph control token -> pytm Controls fields set to True (closest equivalents).
TOKEN_CONTROLS = {
    "tls": ["isEncrypted"],
    "mfa": ["usesMFA"],
    "waf": ["sanitizesInput", "validatesHeaders"],
    "rate_limiting": ["handlesResourceConsumption"],
    "encryption_at_rest": ["isEncryptedAtRest"],
    "parameterized_queries": ["usesParameterizedInput"],
    "input_validation": ["validatesInput", "checksInputBounds"],
    "audit_logging": ["tracksExecutionFlow"],
    "backup": ["isResilient"],
    "least_privilege": ["implementsPOLP", "hasAccessControl"],
}


def _tokens(decls):
    out = []
    for d in decls or []:
        out.append(d if isinstance(d, str) else d.get("id", ""))
    return out


def pytm_worker(model_path: str) -> dict:
    import gc

    import pytm
    from pytm import (TM, Actor, Boundary, Classification, Data, Dataflow, Datastore,
                      DatastoreType, ExternalEntity, Lambda, Process, Server)

    model = json.loads(Path(model_path).read_text())
    TM.reset()
    tm = TM(model.get("title", "synthetic"), description="threatgraph synthetic model")

    t_build = time.perf_counter()
    boundaries = {}
    zone_tokens = {}
    for z in model.get("zones", []):
        boundaries[z["id"]] = Boundary(z["id"])
        zone_tokens[z["id"]] = _tokens(z.get("controls"))
    for z in model.get("zones", []):
        if z.get("parent") in boundaries:
            boundaries[z["id"]].inBoundary = boundaries[z["parent"]]

    classification = {
        "public": Classification.PUBLIC,
        "internal": Classification.RESTRICTED,
        "confidential": Classification.SENSITIVE,
        "restricted": Classification.SECRET,
        None: Classification.UNKNOWN,
    }
    data = {}
    asset_info = {}
    for a in model.get("data_assets", []):
        tags = set(a.get("tags", []))
        data[a["id"]] = Data(
            a["id"],
            classification=classification[a.get("classification")],
            isPII=bool(tags & {"pii", "phi", "special_category", "children_data"}),
            isCredentials=bool(tags & {"credentials", "keys"}),
        )
        asset_info[a["id"]] = (a.get("classification"), tags)

    elements = {}
    for c in model.get("components", []):
        ty = c["type"]
        kw = {}
        if c.get("zone") in boundaries:
            kw["inBoundary"] = boundaries[c["zone"]]
        if ty in ACTOR_TYPES:
            el = Actor(c["id"], **kw)
        elif ty in EXTERNAL_TYPES:
            el = ExternalEntity(c["id"], **kw)
        elif ty in SERVER_TYPES:
            el = Server(c["id"], **kw)
        elif ty in LAMBDA_TYPES:
            el = Lambda(c["id"], **kw)
        elif ty in STORE_TYPES:
            stored = [asset_info[d] for d in c.get("stores", []) if d in asset_info]
            el = Datastore(
                c["id"],
                isSQL=ty in {"database", "data_warehouse"},
                type={
                    "database": DatastoreType.SQL,
                    "data_warehouse": DatastoreType.SQL,
                    "object_storage": DatastoreType.AWS_S3,
                    "file_store": DatastoreType.FILE_SYSTEM,
                    "log_store": DatastoreType.FILE_SYSTEM,
                    "ldap_directory": DatastoreType.LDAP,
                }.get(ty, DatastoreType.UNKNOWN),
                storesLogData=ty == "log_store",
                storesPII=any(t & {"pii", "phi"} for _, t in stored),
                storesSensitiveData=any(cl in {"confidential", "restricted", None} for cl, _ in stored),
                isShared="multi_tenant" in c.get("flags", []),
                **kw,
            )
        else:
            el = Process(c["id"], **kw)
        if not isinstance(el, Actor):
            tokens = _tokens(c.get("controls")) + zone_tokens.get(c.get("zone"), [])
            for t in tokens:
                for field in TOKEN_CONTROLS.get(t, []):
                    setattr(el.controls, field, True)
        elements[c["id"]] = el

    for f in model.get("flows", []):
        df = Dataflow(
            elements[f["source"]],
            elements[f["target"]],
            f.get("id") or f"{f['source']}->{f['target']}",
            protocol=(f.get("protocol") or "").upper(),
            data=[data[d] for d in f.get("data", []) if d in data],
        )
        auth = f.get("authentication")
        if f.get("encrypted") or "tls" in _tokens(f.get("controls")):
            df.controls.isEncrypted = True
        if auth not in (None, "none"):
            df.controls.authenticatesSource = True
        if auth in ("session", "token", "oidc", "saml"):
            df.usesSessionTokens = True
        if f.get("mfa"):
            df.controls.usesMFA = True
    build_s = time.perf_counter() - t_build

    c0, t0 = time.process_time(), time.perf_counter()
    tm.check()
    c1, t1 = time.process_time(), time.perf_counter()
    tm.resolve()
    c2, t2 = time.process_time(), time.perf_counter()
    return {
        "pytm_version": getattr(pytm, "__version__", "1.4.0"),
        "python": sys.version.split()[0],
        "gc_enabled": gc.isenabled(),
        "components": len(model.get("components", [])),
        "pytm_elements": len(TM._elements),
        "findings": len(tm.findings),
        "build_s": build_s,
        "check_s": t1 - t0,
        "resolve_s": t2 - t1,
        "check_cpu_s": c1 - c0,
        "resolve_cpu_s": c2 - c1,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


# ---------------------------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------------------------


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build_examples() -> None:
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "threatgraph-benches", "--example", "export",
         "--example", "analyze_timed"],
        cwd=ROOT, check=True,
    )


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated component counts")
    ap.add_argument("--runs", type=int, default=3, help="pytm runs per size (fresh process each)")
    ap.add_argument("--tg-runs", type=int, default=10, help="timed threatgraph analyze runs per size")
    ap.add_argument("--out", default=None, help="write the raw results as JSON here")
    ap.add_argument("--no-build", action="store_true", help="use already built release examples")
    ap.add_argument("--pytm-worker", metavar="MODEL_JSON", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.pytm_worker:
        print(json.dumps(pytm_worker(args.pytm_worker)))
        return 0

    try:
        import pytm  # noqa: F401
    except ImportError:
        print("pytm is not importable by this Python; see benches/README.md", file=sys.stderr)
        return 2

    if not args.no_build:
        build_examples()
    examples = target_dir() / "release" / "examples"
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="tg-compare-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"model-{n}.json"
            subprocess.run([examples / "export", str(n), str(path)], check=True, capture_output=True)
            pytm_runs = []
            for i in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--pytm-worker", str(path)],
                    check=True, capture_output=True, text=True,
                )
                pytm_runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                r = pytm_runs[-1]
                print(f"  pytm     N={n} run {i + 1}/{args.runs}: check {r['check_s']:.3f} s "
                      f"(CPU {r['check_cpu_s']:.3f} s), resolve {r['resolve_s']:.3f} s "
                      f"(CPU {r['resolve_cpu_s']:.3f} s), {r['findings']} findings", file=sys.stderr)
            out = subprocess.run(
                [examples / "analyze_timed", str(path), str(args.tg_runs)],
                check=True, capture_output=True, text=True,
            )
            tg = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  threatgraph N={n}: analyze median {tg['median_s'] * 1e3:.2f} ms "
                  f"(CPU {tg['cpu_median_s'] * 1e3:.2f} ms) over "
                  f"{len(tg['runs_s'])} runs, {tg['threats']} threats", file=sys.stderr)
            resolve = median([r["resolve_s"] for r in pytm_runs])
            evaluation = median([r["check_s"] + r["resolve_s"] for r in pytm_runs])
            resolve_cpu = median([r["resolve_cpu_s"] for r in pytm_runs])
            evaluation_cpu = median([r["check_cpu_s"] + r["resolve_cpu_s"] for r in pytm_runs])
            results.append({
                "components": n,
                "model_bytes": path.stat().st_size,
                "pytm": {
                    "runs": pytm_runs,
                    "median_resolve_s": resolve,
                    "median_check_plus_resolve_s": evaluation,
                    "median_resolve_cpu_s": resolve_cpu,
                    "median_check_plus_resolve_cpu_s": evaluation_cpu,
                    "median_build_s": median([r["build_s"] for r in pytm_runs]),
                },
                "threatgraph": tg,
                "ratio_resolve": resolve / tg["median_s"],
                "ratio_check_plus_resolve": evaluation / tg["median_s"],
                "ratio_resolve_cpu": resolve_cpu / tg["cpu_median_s"],
                "ratio_check_plus_resolve_cpu": evaluation_cpu / tg["cpu_median_s"],
            })

    print()
    print("Times are wall-clock, with process CPU time in parentheses (CPU time leaves out waiting for a busy "
          "machine's cores).")
    print()
    print("| N components | flows | pytm elements | pytm findings | threatgraph threats | pytm resolve() "
          "| pytm check() + resolve() | threatgraph analyze | speed-up vs check()+resolve() "
          "| speed-up vs resolve() alone |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        p, t = r["pytm"], r["threatgraph"]
        print(f"| {r['components']:,} | {t['flows']:,} | {p['runs'][0]['pytm_elements']:,} "
              f"| {p['runs'][0]['findings']:,} | {t['threats']:,} "
              f"| {p['median_resolve_s']:.2f} s ({p['median_resolve_cpu_s']:.2f} s) "
              f"| {p['median_check_plus_resolve_s']:.2f} s ({p['median_check_plus_resolve_cpu_s']:.2f} s) "
              f"| {t['median_s'] * 1e3:.1f} ms ({t['cpu_median_s'] * 1e3:.1f} ms) "
              f"| {r['ratio_check_plus_resolve']:,.0f}x ({r['ratio_check_plus_resolve_cpu']:,.0f}x) "
              f"| {r['ratio_resolve']:,.0f}x ({r['ratio_resolve_cpu']:,.0f}x) |")
    print(f"\npytm: median of {args.runs} fresh processes; threatgraph: median of {args.tg_runs} runs "
          f"after one warm-up, release build, one thread.")
    if args.out:
        meta = {
            "date": time.strftime("%Y-%m-%d"),
            "load_avg_at_end": os.getloadavg(),
            "pytm_runs": args.runs,
            "threatgraph_runs": args.tg_runs,
        }
        Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
