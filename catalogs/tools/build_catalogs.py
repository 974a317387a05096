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
    catalogs/nist-csf/csf-2.0.json           NIST CSF 2.0 functions, categories, subcategories
                                             (active items only)
    catalogs/crosswalks/attack-nist-800-53.json
                                             CTID Mappings Explorer: ATT&CK technique ->
                                             NIST SP 800-53 controls (ids checked against
                                             the ATT&CK and 800-53 catalogs above)
    catalogs/crosswalks/csf-2.0-references.json
                                             NIST CSF 2.0 informative references per
                                             subcategory: SP 800-53, ISO/IEC 27001:2022,
                                             CIS Controls v8.1, PCI DSS ids

The hand-written catalogs (catalogs/iso-27001/annex-a.json, catalogs/cis/controls.json)
are read to check the ids in the CSF crosswalk, but not touched.

Inputs are the derived "compact" extracts in <shared>/data (see <shared>/data/README.md).
Python 3.11, standard library only. Output is deterministic: running the script twice
gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
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

CTID_REF = "center-for-threat-informed-defense/mappings-explorer@2911162c"
CTID_LICENCE = (
    "Apache-2.0 (Center for Threat-Informed Defense); ATT&CK ids per the ATT&CK Terms of Use"
)
CSF_LICENCE = "NIST publication: public domain in the United States."
CSF_REFS_LICENCE = (
    "NIST: public domain in the United States; ISO, CIS and PCI DSS identifiers only "
    "(their texts are copyrighted by their owners)"
)

# CSF 2.0 functions in the order of the framework (not alphabetical).
CSF_FUNCTION_ORDER = ["GV", "ID", "PR", "DE", "RS", "RC"]

# Clause numbers of ISO/IEC 27001:2022 (clauses 4-10; numbering is a fact, no text is used).
# The CSF informative references cite these as "Mandatory Clause: 6.1.2"; anything not in
# this list (the export has typos such as "6.11") is dropped and reported.
ISO_27001_CLAUSES = {
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3",
    "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3",
    "8.1", "8.2", "8.3",
    "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
    "10.1", "10.2",
}


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


# --------------------------------------------------------------------------- NIST CSF 2.0


def load_csf_core(data_dir: Path) -> dict:
    return load_json(data_dir / "nist-csf" / "csf-2.0-core.compact.json")


def csf_export_date(core: dict) -> str:
    m = re.search(r"generated (\d{4}-\d{2}-\d{2})", core["source"].get("derived_from", ""))
    if not m:
        fail("nist-csf: cannot find the export date in source.derived_from")
    return m.group(1)


def build_csf(data_dir: Path) -> dict:
    core = load_csf_core(data_dir)
    date = csf_export_date(core)
    elements = core["elements"]
    check_unique([e["id"] for e in elements], "CSF element")
    levels = {"function", "category", "subcategory"}
    for e in elements:
        if e["level"] not in levels:
            fail(f"{e['id']}: unknown CSF level {e['level']}")

    functions = []
    for e in elements:
        if e["level"] != "function" or e["withdrawn"]:
            continue
        if e["id"] not in CSF_FUNCTION_ORDER:
            fail(f"unknown CSF function {e['id']}")
        functions.append({"id": e["id"], "title": e["title"].title()})
    if sorted(f["id"] for f in functions) != sorted(CSF_FUNCTION_ORDER):
        fail(f"CSF functions are {[f['id'] for f in functions]}, expected {CSF_FUNCTION_ORDER}")
    functions.sort(key=lambda f: CSF_FUNCTION_ORDER.index(f["id"]))

    # Categories and subcategories keep the order of the source within their function
    # (the CSF's own order, e.g. GV.OC, GV.RM, GV.RR, ...), made explicit in the sort key.
    position = {e["id"]: i for i, e in enumerate(elements)}
    categories = []
    for e in elements:
        if e["level"] != "category" or e["withdrawn"]:
            continue
        if e["function"] not in CSF_FUNCTION_ORDER:
            fail(f"{e['id']}: function {e['function']} is missing")
        if not e["id"].startswith(e["function"] + "."):
            fail(f"{e['id']}: id does not belong to function {e['function']}")
        if not e.get("title"):
            fail(f"{e['id']}: category without a title")
        categories.append({"id": e["id"], "function": e["function"], "title": e["title"]})
    categories.sort(key=lambda c: (CSF_FUNCTION_ORDER.index(c["function"]), position[c["id"]]))
    category_ids = [c["id"] for c in categories]

    subcategories = []
    for e in elements:
        if e["level"] != "subcategory" or e["withdrawn"]:
            continue
        if e["category"] not in category_ids:
            fail(f"{e['id']}: category {e['category']} is missing (or withdrawn)")
        if not e["id"].startswith(e["category"] + "-"):
            fail(f"{e['id']}: id does not belong to category {e['category']}")
        if not e.get("statement"):
            fail(f"{e['id']}: active subcategory without a statement")
        subcategories.append({"id": e["id"], "category": e["category"], "title": e["statement"]})
    subcategories.sort(
        key=lambda s: (category_ids.index(s["category"]), natural_key(s["id"]))
    )

    counts = core.get("counts", {})
    for key, got in (
        ("functions", len(functions)),
        ("categories_active", len(categories)),
        ("subcategories_active", len(subcategories)),
    ):
        if key in counts and counts[key] != got:
            fail(f"nist-csf: {key} is {got}, the source says {counts[key]}")

    return {
        "format_version": FORMAT_VERSION,
        "id": "nist-csf",
        "version": "2.0",
        "source": "NIST Cybersecurity Framework 2.0 (CSWP 29), from the CSF 2.0 Reference "
        f"Tool export of {date}",
        "licence": CSF_LICENCE,
        "functions": functions,
        "categories": categories,
        "subcategories": subcategories,
    }


# --------------------------------------------------------------------------- crosswalks


def nist_label_to_id(label: str):
    """`AC-02` -> `ac-2`, `AC-02(01)` -> `ac-2.1` (zero-padded or not); None if not a control."""
    m = re.fullmatch(r"([A-Z]{2})-(\d+)(?:\((\d+)\))?", label.strip())
    if not m:
        return None
    cid = f"{m.group(1).lower()}-{int(m.group(2))}"
    if m.group(3):
        cid += f".{int(m.group(3))}"
    return cid


def resolve_technique(tid: str, techniques: dict, version: str):
    """Follow ATT&CK revocations. Returns (active id or None, reason if None)."""
    seen = []
    cur = tid
    while True:
        t = techniques.get(cur)
        if t is None:
            return None, f"not an ATT&CK Enterprise {version} technique"
        if t["status"] == "active":
            return cur, None
        if t["status"] == "deprecated":
            return None, f"deprecated in ATT&CK Enterprise {version}, no replacement"
        targets = t.get("revoked_by", [])
        if len(targets) != 1:
            return None, (f"revoked in ATT&CK Enterprise {version}, replaced by "
                          f"{len(targets)} techniques")
        seen.append(cur)
        cur = targets[0]
        if cur in seen:
            fail(f"{tid}: revoked_by cycle {seen}")


def build_ctid_800_53(data_dir: Path, attack: dict, nist: dict) -> dict:
    src = load_json(data_dir / "ctid-mappings" / "nist_800_53-rev5_attack-16.1-enterprise.json")
    meta = src["metadata"]
    for key, want in (
        ("technology_domain", "enterprise"),
        ("mapping_framework", "nist_800_53"),
        ("mapping_framework_version", "rev5"),
    ):
        if meta.get(key) != want:
            fail(f"ctid: metadata {key} is {meta.get(key)!r}, expected {want!r}")
    src_attack = meta["attack_version"]
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", meta.get("last_update", ""))
    if not m:
        fail(f"ctid: unexpected last_update {meta.get('last_update')!r}")
    updated = f"{m.group(3)}-{m.group(1)}-{m.group(2)}"

    techniques = {t["id"]: t for t in attack["techniques"]}
    controls = {c["id"]: c for c in nist["controls"]}
    attack_version = attack["version"]

    mapping = {}
    remapped = {}
    dropped_techniques = {}
    dropped_controls = {}
    for row in src["mapping_objects"]:
        status = row.get("status")
        if status == "non_mappable":
            continue
        if row.get("mapping_type") != "mitigates" or status != "complete":
            fail(f"ctid: unexpected row status={status!r} "
                 f"mapping_type={row.get('mapping_type')!r} ({row.get('attack_object_id')})")
        tid = row["attack_object_id"]
        if not re.fullmatch(r"T\d{4}(?:\.\d{3})?", tid or ""):
            fail(f"ctid: unexpected technique id {tid!r}")
        label = row["capability_id"] or ""
        cid = nist_label_to_id(label)
        if cid is None:
            fail(f"ctid: unexpected 800-53 control id {label!r} ({tid})")
        if cid not in controls:
            fail(f"ctid: control {label} ({cid}) is not in the 800-53 catalog")
        if controls[cid]["status"] != "active":
            dropped_controls[label] = dropped_controls.get(label, 0) + 1
            continue
        target, reason = resolve_technique(tid, techniques, attack_version)
        if target is None:
            entry = dropped_techniques.setdefault(tid, {"reason": reason, "rows": 0})
            entry["rows"] += 1
            continue
        if target != tid:
            remapped[(tid, target)] = remapped.get((tid, target), 0) + 1
        mapping.setdefault(target, set()).add(cid)

    mappings = []
    for tid in sorted(mapping, key=natural_key):
        mappings.append({"technique": tid, "controls": sorted(mapping[tid], key=nist_sort_key)})

    out = {
        "format_version": FORMAT_VERSION,
        "id": "ctid-attack-nist-800-53",
        "version": f"attack-{src_attack}/{meta['mapping_framework_version']} ({updated}), "
        f"technique ids remapped to ATT&CK {attack_version}",
        "source": "Center for Threat-Informed Defense, Mappings Explorer: NIST SP 800-53 "
        f"{meta['mapping_framework_version']} to ATT&CK Enterprise {src_attack} ({CTID_REF})",
        "licence": CTID_LICENCE,
        "mappings": mappings,
    }
    if remapped:
        out["remapped"] = [
            {"from": f, "to": t, "rows": n}
            for (f, t), n in sorted(remapped.items(), key=lambda kv: natural_key(kv[0][0]))
        ]
    dropped = []
    for tid in sorted(dropped_techniques, key=natural_key):
        d = dropped_techniques[tid]
        dropped.append({"technique": tid, "reason": d["reason"], "rows": d["rows"]})
    # A withdrawn control is recorded by its CTID label under "reference" (none in 2911162c).
    for label in sorted(dropped_controls, key=lambda lb: nist_sort_key(nist_label_to_id(lb))):
        dropped.append({"reference": label, "reason": "withdrawn in SP 800-53 Rev 5",
                        "rows": dropped_controls[label]})
    if dropped:
        out["dropped"] = dropped
    return out


CSF_REF_SOURCES_800_53 = ("SP 800-53 Rev 5.2.0", "SP 800-53 Rev 5.1.1")
CSF_REF_SOURCE_ISO = "ISO/IEC 27001:2022"
CSF_REF_SOURCE_CIS = "CIS Controls v8.1"
CSF_REF_SOURCE_PCI = "PCI DSS"


def build_csf_references(data_dir: Path, csf: dict, nist: dict) -> dict:
    path = data_dir / "crosswalks" / "csf-2.0-informative-references.csv"
    if not path.is_file():
        fail(f"missing input file {path}")
    with path.open("r", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["csf_id", "reference_source", "reference_id"]:
            fail(f"{path.name}: unexpected columns {reader.fieldnames}")
        rows = list(reader)

    core = load_csf_core(data_dir)
    date = csf_export_date(core)
    levels = {e["id"]: e["level"] for e in core["elements"]}
    withdrawn = {e["id"] for e in core["elements"] if e["withdrawn"]}
    subcategories = [s["id"] for s in csf["subcategories"]]
    order = {sid: i for i, sid in enumerate(subcategories)}

    controls = {c["id"]: c for c in nist["controls"]}
    families = {f["id"] for f in nist["families"]}
    iso_ids = {c["id"] for c in load_json(CATALOGS / "iso-27001" / "annex-a.json")["controls"]}
    cis = load_json(CATALOGS / "cis" / "controls.json")
    cis_safeguards = {s["id"] for s in cis["safeguards"]}
    cis_controls = {c["id"] for c in cis["controls"]}

    lists = ("nist_800_53", "iso_27001", "iso_27001_clauses", "cis_v8", "pci_dss")
    refs = {sid: {k: set() for k in lists} for sid in subcategories}
    dropped = []

    def drop(sid, source, reference, reason):
        dropped.append({"subcategory": sid, "source": source, "reference": reference,
                        "reason": reason})

    for row in rows:
        sid = row["csf_id"]
        source = row["reference_source"]
        ref = row["reference_id"]
        if sid not in levels:
            fail(f"{path.name}: unknown CSF id {sid}")
        if levels[sid] != "subcategory" or sid in withdrawn:
            continue
        if sid not in refs:
            fail(f"{path.name}: {sid} is an active subcategory missing from the CSF catalog")
        acc = refs[sid]
        if source in CSF_REF_SOURCES_800_53:
            if ref.lower() in families:
                drop(sid, source, ref, "family-level reference, not a control")
                continue
            cid = nist_label_to_id(ref)
            if cid is None:
                fail(f"{path.name}: {sid}: unexpected {source} reference {ref!r}")
            if cid not in controls:
                fail(f"{path.name}: {sid}: {source} {ref} ({cid}) is not in the 800-53 catalog")
            c = controls[cid]
            if c["status"] != "active":
                to = ", ".join(c.get("withdrawn_to", []))
                drop(sid, source, ref, f"withdrawn in SP 800-53 Rev 5"
                     + (f" (incorporated into {to})" if to else ""))
                continue
            acc["nist_800_53"].add(cid)
        elif source == CSF_REF_SOURCE_ISO:
            m = re.fullmatch(r"(Annex A Controls|Mandatory Clause):(.*)", ref)
            if not m:
                fail(f"{path.name}: {sid}: unexpected {source} reference {ref!r}")
            kind, value = m.group(1), m.group(2).strip()
            if value in ("", "None"):
                continue  # the export's placeholder for "no reference"
            for part in value.split(","):
                part = part.strip()
                if not part:
                    continue
                if kind == "Annex A Controls":
                    if not re.fullmatch(r"\d+\.\d+", part) or f"A.{part}" not in iso_ids:
                        fail(f"{path.name}: {sid}: ISO/IEC 27001 Annex A control {part!r} "
                             "is not in catalogs/iso-27001/annex-a.json")
                    acc["iso_27001"].add(f"A.{part}")
                else:
                    cm = re.fullmatch(r"(\d+(?:\.\d+)*)\s*(\([a-z]\))?", part)
                    if not cm:
                        fail(f"{path.name}: {sid}: unexpected ISO/IEC 27001 clause {part!r}")
                    if cm.group(1) not in ISO_27001_CLAUSES:
                        drop(sid, source, ref, f"{cm.group(1)} is not a clause of "
                             "ISO/IEC 27001:2022 (typo in the source)")
                        continue
                    acc["iso_27001_clauses"].add(cm.group(1) + (cm.group(2) or ""))
        elif source == CSF_REF_SOURCE_CIS:
            if ref in cis_safeguards or (re.fullmatch(r"\d+", ref) and ref in cis_controls):
                acc["cis_v8"].add(ref)
            else:
                fail(f"{path.name}: {sid}: CIS Controls v8.1 {ref!r} is not in "
                     "catalogs/cis/controls.json")
        elif source == CSF_REF_SOURCE_PCI:
            # Requirement ids such as 4.2.1 or 12.10.4.1; tolerate a "Requirement" prefix.
            pm = re.fullmatch(r"(?:PCI DSS\s*|Requirement\s*|Req\.?\s*)?(\d+(?:\.\d+)+)",
                              ref.strip())
            if not pm:
                fail(f"{path.name}: {sid}: unexpected PCI DSS reference {ref!r}")
            acc["pci_dss"].add(pm.group(1))

    references = []
    for sid in subcategories:
        entry = {"subcategory": sid}
        for k in lists:
            if refs[sid][k]:
                key = nist_sort_key if k == "nist_800_53" else natural_key
                entry[k] = sorted(refs[sid][k], key=key)
        references.append(entry)

    source_order = {s: i for i, s in enumerate(CSF_REF_SOURCES_800_53 + (CSF_REF_SOURCE_ISO,))}
    dropped.sort(key=lambda d: (order[d["subcategory"]], source_order[d["source"]],
                                natural_key(d["reference"])))
    out = {
        "format_version": FORMAT_VERSION,
        "id": "nist-csf-2.0-informative-references",
        "version": date,
        "source": "NIST CSF 2.0 Reference Tool export, informative references (SP 800-53 Rev "
        "5.1.1 and 5.2.0, ISO/IEC 27001:2022, CIS Controls v8.1, PCI DSS v4)",
        "licence": CSF_REFS_LICENCE,
        "references": references,
    }
    if dropped:
        out["dropped"] = dropped
    return out


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

    attack = build_attack(data_dir)
    nist = build_nist(data_dir)
    write_json(CATALOGS / "attack" / "enterprise-attack.json", attack)
    write_json(CATALOGS / "nist-800-53" / "controls.json", nist)
    write_json(CATALOGS / "cwe" / "cwe.json", build_cwe(data_dir))
    write_json(CATALOGS / "capec" / "capec.json", build_capec(data_dir))
    copy_file(data_dir / "attack" / "LICENSE-mitre-cti.txt",
              CATALOGS / "licences" / "LICENSE-mitre-cti.txt")
    copy_file(data_dir / "cwe" / "LICENSE-CWE-terms-of-use.txt",
              CATALOGS / "licences" / "LICENSE-CWE-terms-of-use.txt")
    csf = build_csf(data_dir)
    write_json(CATALOGS / "nist-csf" / "csf-2.0.json", csf)
    write_json(CATALOGS / "crosswalks" / "attack-nist-800-53.json",
               build_ctid_800_53(data_dir, attack, nist))
    write_json(CATALOGS / "crosswalks" / "csf-2.0-references.json",
               build_csf_references(data_dir, csf, nist))
    return 0


if __name__ == "__main__":
    sys.exit(main())
