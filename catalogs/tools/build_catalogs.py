#!/usr/bin/env python3
"""Regenerate threatgraph's generated reference catalogs from the shared data folder.

Usage (from the repository root):

    python3 catalogs/tools/build_catalogs.py --shared ../shared

Generated files (all JSON, 2-space indent, UTF-8, trailing newline):

    catalogs/attack/enterprise-attack.json   MITRE ATT&CK Enterprise (tactics, techniques)
    catalogs/nist-800-53/controls.json       NIST SP 800-53 Rev 5 controls and enhancements
    catalogs/cwe/cwe.json                    MITRE CWE weaknesses
    catalogs/capec/capec.json                MITRE CAPEC attack patterns
    catalogs/licences/LICENSE-mitre-cti.txt  (verbatim copy of the MITRE ATT&CK/CAPEC licence)
    catalogs/licences/LICENSE-CWE-terms-of-use.txt  (verbatim copy of the CWE terms of use)

The hand-written catalogs (catalogs/iso-27001/annex-a.json, catalogs/cis/controls.json)
are not touched.

Inputs are the derived "compact" extracts in <shared>/data (see <shared>/data/README.md).
Python 3.11, standard library only. Output is deterministic: running the script twice
gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

FORMAT_VERSION = 1

# Repository root = parent of catalogs/ (this file lives in catalogs/tools/).
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
CATALOGS = REPO_ROOT / "catalogs"

# Upstream provenance that is recorded in <shared>/data/README.md but not inside the
# compact files themselves.
NIST_CATALOG_REF = "usnistgov/oscal-content@a849dbca4649e0cc626fefdd46cf5232c8308f4c"
NIST_BASELINE_REF = "usnistgov/oscal-content@88bb8dee"
CWE_PACKAGE_REF = "npm cwe-sdk@1.1.19 (package/raw/cwe-archive.xml = cwec_v4.15.xml)"

ATTACK_LICENCE = (
    "ATT&CK Terms of Use. \u00a9 2025 The MITRE Corporation. This work is reproduced "
    "and distributed with the permission of The MITRE Corporation."
)
NIST_LICENCE = "Public domain (NIST); OSCAL content CC0"
CWE_LICENCE = (
    "CWE Terms of Use. \u00a9 The MITRE Corporation. Used under MITRE's non-exclusive, "
    "royalty-free licence for research, development and commercial purposes "
    "(see catalogs/licences/LICENSE-CWE-terms-of-use.txt)."
)
CAPEC_LICENCE = (
    "CAPEC Terms of Use. \u00a9 The MITRE Corporation. Used under MITRE's non-exclusive, "
    "royalty-free licence for research, development and commercial purposes "
    "(see catalogs/licences/LICENSE-mitre-cti.txt)."
)

BASELINE_ORDER = ["low", "moderate", "high", "privacy"]


# --------------------------------------------------------------------------- helpers


def fail(msg: str) -> None:
    print(f"build_catalogs: error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_json(path: Path):
    if not path.is_file():
        fail(f"missing input file {path}")
    with path.open("r", encoding="utf-8") as fh:
        return json.load(fh)


def natural_key(s: str):
    """Split digits from text so that T1001 < T1001.001 < T1002 and CWE-5 < CWE-79."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", s) if p != "")


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path.write_bytes(text.encode("utf-8"))
    size = path.stat().st_size
    print(f"wrote {path.relative_to(REPO_ROOT)} ({size:,} bytes)")
    if size > 1024 * 1024:
        print(f"build_catalogs: warning: {path.name} is larger than 1 MiB", file=sys.stderr)


def copy_file(src: Path, dst: Path) -> None:
    if not src.is_file():
        fail(f"missing input file {src}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    print(f"wrote {dst.relative_to(REPO_ROOT)} (copy of {src.name})")


def check_unique(ids, what: str) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            fail(f"duplicate {what} id {i}")
        seen.add(i)


# --------------------------------------------------------------------------- ATT&CK


def build_attack(data_dir: Path) -> dict:
    src = load_json(data_dir / "attack" / "enterprise-attack-18.1.compact.json")
    meta = src["source"]
    version = meta["attack_version"]
    m = re.search(r"mitre/cti@([0-9a-f]{7,40})", meta.get("derived_from", ""))
    commit = m.group(1) if m else "unknown"

    tactics = []
    for t in sorted(src["tactics"], key=lambda t: natural_key(t["id"])):
        tactics.append({"id": t["id"], "shortname": t["shortname"], "name": t["name"]})
    check_unique([t["id"] for t in tactics], "tactic")
    shortnames = {t["shortname"] for t in tactics}

    techniques = []
    for t in sorted(src["techniques"], key=lambda t: natural_key(t["id"])):
        if t["revoked"]:
            status = "revoked"
        elif t["deprecated"]:
            status = "deprecated"
        else:
            status = "active"
        for tac in t["tactics"]:
            if tac not in shortnames:
                fail(f"{t['id']}: unknown tactic {tac}")
        entry = {
            "id": t["id"],
            "name": t["name"],
            "tactics": list(t["tactics"]),
            "status": status,
        }
        if status == "revoked" and t.get("revoked_by"):
            entry["revoked_by"] = sorted(t["revoked_by"], key=natural_key)
        if t.get("parent"):
            entry["parent"] = t["parent"]
        techniques.append(entry)
    check_unique([t["id"] for t in techniques], "technique")

    ids = {t["id"] for t in techniques}
    for t in techniques:
        for r in t.get("revoked_by", []):
            if r not in ids:
                fail(f"{t['id']}: revoked_by {r} is not a known technique")
        if "parent" in t and t["parent"] not in ids:
            fail(f"{t['id']}: parent {t['parent']} is not a known technique")

    return {
        "format_version": FORMAT_VERSION,
        "id": "mitre-attack-enterprise",
        "version": version,
        "source": f"MITRE ATT&CK Enterprise v{version} (mitre/cti@{commit})",
        "licence": ATTACK_LICENCE,
        "tactics": tactics,
        "techniques": techniques,
    }


# --------------------------------------------------------------------------- NIST SP 800-53


def nist_sort_key(control_id: str):
    m = re.fullmatch(r"([a-z]{2})-(\d+)(?:\.(\d+))?", control_id)
    if not m:
        fail(f"unexpected 800-53 control id {control_id}")
    return (m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else 0)


def normalise_withdrawn_target(target: str) -> str:
    # OSCAL sometimes points at a statement part ("ac-2_smt.k"); keep the control id.
    return target.split("_", 1)[0]


def build_nist(data_dir: Path) -> dict:
    nist_dir = data_dir / "nist-800-53"
    src = load_json(nist_dir / "nist-800-53-rev5-controls.compact.json")
    oscal = load_json(nist_dir / "NIST_SP-800-53_rev5_catalog_5.0.1.json")["catalog"]
    catalog_version = oscal["metadata"]["version"]

    families = []
    for g in oscal["groups"]:
        families.append({"id": g["id"], "title": g["title"]})
    families.sort(key=lambda f: f["id"])
    check_unique([f["id"] for f in families], "family")
    family_ids = {f["id"] for f in families}

    # Cross-check against the family names the compact file carries.
    for fam_upper, title in src.get("families", {}).items():
        fid = fam_upper.lower()
        if fid not in family_ids:
            fail(f"family {fid} missing from OSCAL groups")
        oscal_title = next(f["title"] for f in families if f["id"] == fid)
        if oscal_title != title:
            print(f"note: family {fid} title differs: OSCAL {oscal_title!r} vs compact {title!r}")

    controls = []
    added = []
    for c in sorted(src["controls"], key=lambda c: nist_sort_key(c["id"])):
        family = c["family"].lower()
        if family not in family_ids:
            fail(f"{c['id']}: unknown family {family}")
        entry = {
            "id": c["id"],
            "label": c["label"],
            "title": c["title"],
            "family": family,
            "status": "withdrawn" if c["withdrawn"] else "active",
        }
        targets = []
        for t in c.get("withdrawn_to") or []:
            n = normalise_withdrawn_target(t)
            if n not in targets:
                targets.append(n)
        if targets:
            entry["withdrawn_to"] = targets
        baselines = {b.lower() for b in c.get("baselines") or []}
        unknown = baselines - set(BASELINE_ORDER)
        if unknown:
            fail(f"{c['id']}: unknown baselines {sorted(unknown)}")
        if baselines:
            entry["baselines"] = [b for b in BASELINE_ORDER if b in baselines]
        if c.get("added_in"):
            added.append(c["label"])
        controls.append(entry)
    check_unique([c["id"] for c in controls], "control")

    ids = {c["id"] for c in controls}
    for c in controls:
        for t in c.get("withdrawn_to", []):
            if t not in ids and t not in family_ids:
                fail(f"{c['id']}: withdrawn_to {t} is neither a control nor a family")

    source = (
        f"NIST SP 800-53 Rev 5: OSCAL catalog {catalog_version} ({NIST_CATALOG_REF}), "
        f"SP 800-53B baselines 5.1.1 ({NIST_BASELINE_REF})"
    )
    if added:
        source += f", plus controls added in 5.1.1/5.2.0 ({', '.join(added)})"
    return {
        "format_version": FORMAT_VERSION,
        "id": "nist-sp-800-53-rev5",
        "version": "5.1.1",
        "source": source,
        "licence": NIST_LICENCE,
        "families": families,
        "controls": controls,
    }


# --------------------------------------------------------------------------- CWE


def build_cwe(data_dir: Path) -> dict:
    src = load_json(data_dir / "cwe" / "cwe-4.15.compact.json")
    meta = src["source"]
    version = meta["version"]
    date = meta.get("date")
    weaknesses = []
    for w in sorted(src["weaknesses"], key=lambda w: natural_key(w["id"])):
        weaknesses.append({"id": w["id"], "name": w["name"], "status": w["status"].lower()})
    check_unique([w["id"] for w in weaknesses], "weakness")
    when = f", {date}" if date else ""
    return {
        "format_version": FORMAT_VERSION,
        "id": "cwe",
        "version": version,
        "source": f"MITRE CWE {version}{when} (cwec_v{version}.xml from {CWE_PACKAGE_REF})",
        "licence": CWE_LICENCE,
        "weaknesses": weaknesses,
    }


# --------------------------------------------------------------------------- CAPEC


def build_capec(data_dir: Path) -> dict:
    src = load_json(data_dir / "capec" / "capec-3.9.compact.json")
    meta = src["source"]
    version = meta["capec_version"]
    m = re.search(r"mitre/cti@([0-9a-f]{7,40})", meta.get("derived_from", ""))
    commit = m.group(1) if m else "unknown"
    patterns = []
    for p in sorted(src["attack_patterns"], key=lambda p: natural_key(p["id"])):
        status = p["status"].lower()
        entry = {"id": p["id"], "name": p["name"], "status": status}
        if p.get("deprecated") or status in ("deprecated", "obsolete"):
            entry["deprecated"] = True
        patterns.append(entry)
    check_unique([p["id"] for p in patterns], "pattern")
    return {
        "format_version": FORMAT_VERSION,
        "id": "capec",
        "version": version,
        "source": f"MITRE CAPEC {version} (mitre/cti@{commit}, capec/2.1)",
        "licence": CAPEC_LICENCE,
        "patterns": patterns,
    }


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--shared",
        default="../shared",
        help="path to the shared folder (the one holding data/); relative paths are "
        "resolved against the repository root (default: ../shared)",
    )
    args = ap.parse_args(argv)

    shared = Path(args.shared)
    if not shared.is_absolute():
        shared = REPO_ROOT / shared
    shared = shared.resolve()
    data_dir = shared / "data"
    if not data_dir.is_dir():
        fail(f"{data_dir} is not a directory (use --shared to point at the shared folder)")

    write_json(CATALOGS / "attack" / "enterprise-attack.json", build_attack(data_dir))
    write_json(CATALOGS / "nist-800-53" / "controls.json", build_nist(data_dir))
    write_json(CATALOGS / "cwe" / "cwe.json", build_cwe(data_dir))
    write_json(CATALOGS / "capec" / "capec.json", build_capec(data_dir))
    copy_file(data_dir / "attack" / "LICENSE-mitre-cti.txt",
              CATALOGS / "licences" / "LICENSE-mitre-cti.txt")
    copy_file(data_dir / "cwe" / "LICENSE-CWE-terms-of-use.txt",
              CATALOGS / "licences" / "LICENSE-CWE-terms-of-use.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
