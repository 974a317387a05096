#!/usr/bin/env python3
"""Check the bundled rule pack and control-token catalog against the reference data.

Usage:
    python3 catalogs/tools/check_rules.py [--shared DIR] [RULE_FILE ...]

Defaults: every catalogs/rules/*.yaml, catalogs/controls/tokens.yaml, and the reference data
in ../shared/data (relative to the repository root; override with --shared or the
THREATGRAPH_SHARED_DATA environment variable).

What it checks:
  * rule files follow docs/rule-language.md: top-level keys, rule keys, stride/linddun values,
    applies_to, kinds/types, likelihood/impact keys and values, condition shapes, subjects,
    fields, operators (and that the operator suits the field's type), data/inbound/outbound/
    exists keys, nesting limits (256 nodes, depth 16, no inbound/outbound inside another,
    exists reads no outer element), description placeholders, mitigation effects;
  * literal values compared with enumerated fields (component types, DFD kinds, flags, zone
    kinds, environments, authentication, authorization, classifications, data tags) exist in
    core/src/model/types.rs;
  * rule ids are unique and well formed;
  * every ATT&CK id exists and is neither revoked nor deprecated in ATT&CK Enterprise 18.1;
  * every NIST SP 800-53 id (rules and tokens) exists and is not withdrawn;
  * every CWE id is a weakness (not a category or view) that is not deprecated; every CAPEC id
    exists and is not deprecated;
  * ISO/IEC 27001:2022 Annex A and CIS Controls v8.1 ids are in range;
  * requirement framework keys are from the agreed list;
  * every control token used in `mitigations` is defined in tokens.yaml; tokens.yaml is sorted,
    has unique snake_case ids and contains the agreed common tokens.

The vocabulary below is transcribed from docs/rule-language.md; the script also checks that
each transcribed name still occurs in that document, so a change to the language shows up here.

Needs PyYAML (`pip install pyyaml`); without it the script says so and exits with status 0.
Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

try:
    import yaml  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    print("check_rules.py: PyYAML is not installed (pip install pyyaml); skipping the rule checks.")
    sys.exit(0)

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# Vocabulary of docs/rule-language.md
# ---------------------------------------------------------------------------------------------

FILE_KEYS_REQUIRED = {"format_version", "id", "version", "rules"}
FILE_KEYS = FILE_KEYS_REQUIRED | {"source", "licence"}
RULE_KEYS_REQUIRED = {"id", "version", "title", "description", "applies_to", "when"}
RULE_KEYS = RULE_KEYS_REQUIRED | {
    "stride", "linddun", "kinds", "types", "likelihood", "impact", "cwe", "capec", "attack",
    "controls", "mitigations", "requirements",
}
STRIDE = {"spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service",
          "elevation_of_privilege"}
LINDDUN = {"linking", "identifying", "non_repudiation", "detecting", "data_disclosure",
           "unawareness", "non_compliance"}
APPLIES_TO = {"component", "flow", "data_asset", "zone", "model"}
KINDS = {"external_entity", "process", "data_store"}
LIKELIHOOD_KEYS = {"complexity", "access", "exposure_of", "fixed"}
COMPLEXITY = {"commodity", "specific", "advanced"}
ACCESS = {"auto", "anonymous", "authenticated", "privileged"}
EXPOSURE_OF = {"auto", "self", "source", "target"}
IMPACT_KEYS = {"property", "assets", "default", "fixed"}
PROPERTIES = {"auto", "confidentiality", "integrity", "availability", "authenticity", "authorization"}
ASSET_SCOPES = {"auto", "carried", "handled", "stored", "target", "source", "reachable", "none"}
CONTROL_KEYS = {"nist_800_53", "iso_27001", "cis_v8"}
EFFECTS = {"preventive_strong", "preventive_partial", "impact_limiting", "impact_limiting_strong",
           "detective"}
PLACEHOLDERS = {"self", "zone", "flow", "source", "target", "asset", "data", "missing"}
# Requirement framework keys agreed for the bundled pack.
FRAMEWORKS = {"pci_dss", "hipaa", "gdpr", "ccpa", "cra", "cmmc", "soc2", "iso_27001_clauses",
              "nist_csf", "ism", "essential_eight"}

OPS_ANY = {"eq", "ne", "in", "not_in", "unset"}
OPS_NUM = {"gt", "gte", "lt", "lte"}
OPS_SET = {"contains", "contains_any", "contains_all", "lacks_all"}
ALL_OPS = OPS_ANY | OPS_NUM | OPS_SET
DATA_KEYS = {"data", "of", "scope", "classification_gte", "tags_any", "confidentiality_gte",
             "integrity_gte", "availability_gte", "min"}
DATA_SCOPES = {"carried", "stored", "processed", "handled"}
ADJ_KEYS = {"of", "where", "min", "max", "distinct"}
EXISTS_KEYS = {"components", "flows", "data_assets", "zones", "min", "max"}

# Field name -> (type, enumeration name or None). Types: str, bool, num, set.
COMPONENT_FIELDS = {
    "id": ("str", None), "type": ("str", "component_type"), "kind": ("str", "kind"),
    "technology": ("str", None), "location": ("str", None), "flags": ("set", "component_flag"),
    "controls": ("set", "token"), "replicas": ("num", None), "internet_facing": ("bool", None),
    "reachable_from_internet": ("bool", None), "anonymously_reachable": ("bool", None),
    "internet_hops": ("num", None), "exposure": ("num", None), "in_degree": ("num", None),
    "out_degree": ("num", None),
}
ZONE_FIELDS = {
    "id": ("str", None), "kind": ("str", "zone_kind"), "trust": ("num", None),
    "environment": ("str", "environment"), "location": ("str", None), "controls": ("set", "token"),
    "parent": ("str", None),
}
FLOW_FIELDS = {
    "id": ("str", None), "protocol": ("str", None), "format": ("str", None),
    "encrypted": ("bool", None), "mfa": ("bool", None),
    "authentication": ("str", "authentication"), "authorization": ("str", "authorization"),
    "flags": ("set", "flow_flag"), "controls": ("set", "token"),
    "crossing": ("str", "crossing"), "crosses_boundary": ("bool", None),
    "trust_delta": ("num", None),
}
ASSET_FIELDS = {
    "id": ("str", None), "classification": ("str", "classification"),
    "tags": ("set", "data_tag"), "confidentiality": ("num", None), "integrity": ("num", None),
    "availability": ("num", None), "quantity": ("str", "quantity"),
    "lawful_basis": ("str", None), "retention": ("str", None), "purposes": ("set", None),
    "handlers": ("num", None), "carriers": ("num", None),
}

SUBJECTS = {
    "component": {"self", "zone"},
    "flow": {"flow", "source", "target", "source.zone", "target.zone"},
    "data_asset": {"asset"},
    "zone": {"zone"},
    "model": set(),
}
PLACEHOLDERS_BY_APPLIES = {
    "component": {"self", "zone", "data", "missing"},
    "flow": {"flow", "source", "target", "data", "missing"},
    "data_asset": {"asset", "data", "missing"},
    "zone": {"zone", "data", "missing"},
    "model": {"data", "missing"},
}

CROSSING = {"up", "down", "lateral", "none"}

# Names that must still occur in docs/rule-language.md (the transcription above came from it).
DOC_NAMES = (
    sorted(FILE_KEYS | RULE_KEYS | STRIDE | LINDDUN | APPLIES_TO | KINDS | LIKELIHOOD_KEYS
           | COMPLEXITY | ACCESS | IMPACT_KEYS | PROPERTIES | ASSET_SCOPES | CONTROL_KEYS
           | EFFECTS | ALL_OPS | DATA_KEYS | DATA_SCOPES | ADJ_KEYS | EXISTS_KEYS | CROSSING)
    + sorted(set(COMPONENT_FIELDS) | set(ZONE_FIELDS) | set(FLOW_FIELDS) | set(ASSET_FIELDS))
    + ["{" + p + "}" for p in sorted(PLACEHOLDERS)]
)

# Tokens a user is expected to be able to declare (agreed list).
REQUIRED_TOKENS = """tls mtls vpn mfa waf rate_limiting encryption_at_rest parameterized_queries
input_validation output_encoding content_security_policy csrf_token samesite_cookies audit_logging
backup immutable_backup secrets_manager least_privilege network_segmentation sbom code_review
branch_protection signature_verification subresource_integrity dpa baa vendor_assessment
pseudonymization anonymization privacy_notice consent_capture dsr_handling transfer_mechanism
tenant_isolation account_lockout breached_password_check egress_allowlist xml_dtd_disabled
file_type_validation malware_scanning ddos_protection autoscaling object_level_authorization
identity_propagation message_signing replay_protection dead_letter_queue queue_limits
log_immutability log_masking control_plane_audit_log dependency_pinning sca_scanning provenance
short_lived_credentials token_validation failover dpia masking synthetic_data""".split()

# CIS Controls v8 / v8.1: number of safeguards per control.
CIS_SAFEGUARDS = {1: 5, 2: 7, 3: 14, 4: 12, 5: 6, 6: 8, 7: 7, 8: 12, 9: 7, 10: 7, 11: 5, 12: 8,
                  13: 11, 14: 9, 15: 7, 16: 14, 17: 9, 18: 5}
# ISO/IEC 27001:2022 Annex A: number of controls per theme.
ISO_ANNEX_A = {5: 37, 6: 8, 7: 14, 8: 34}

RULE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TOKEN_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SEMVER_RE = re.compile(r"^\d+\.\d+\.\d+$")


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, msg: str) -> None:
        self.items.append(f"{where}: {msg}")


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

def load_json(path: Path):
    with path.open(encoding="utf-8") as f:
        return json.load(f)


class Reference:
    def __init__(self, shared: Path) -> None:
        data = shared
        attack = load_json(data / "attack" / "enterprise-attack-18.1.compact.json")
        self.attack = {t["id"]: t for t in attack["techniques"]}
        nist = load_json(data / "nist-800-53" / "nist-800-53-rev5-controls.compact.json")
        self.nist = {c["id"]: c for c in nist["controls"]}
        cwe = load_json(data / "cwe" / "cwe-4.15.compact.json")
        self.cwe = {w["id"]: w for w in cwe["weaknesses"]}
        self.cwe_other = {c["id"] for c in cwe.get("categories", [])} | {
            v["id"] for v in cwe.get("views", [])}
        capec = load_json(data / "capec" / "capec-3.9.compact.json")
        self.capec = {p["id"]: p for p in capec["attack_patterns"]}

    def check_attack(self, where: str, tid: str, p: Problems) -> None:
        t = self.attack.get(tid)
        if t is None:
            p.add(where, f"ATT&CK id {tid} does not exist in Enterprise 18.1")
        elif t.get("revoked"):
            p.add(where, f"ATT&CK id {tid} is revoked (by {t.get('revoked_by')})")
        elif t.get("deprecated"):
            p.add(where, f"ATT&CK id {tid} is deprecated")

    def check_nist(self, where: str, cid: str, p: Problems) -> None:
        c = self.nist.get(cid)
        if c is None:
            p.add(where, f"SP 800-53 id {cid!r} does not exist (OSCAL form, e.g. ia-2.1)")
        elif c.get("withdrawn"):
            p.add(where, f"SP 800-53 id {cid} is withdrawn (to {c.get('withdrawn_to')})")

    def check_cwe(self, where: str, cid: str, p: Problems) -> None:
        w = self.cwe.get(cid)
        if w is None:
            kind = "a category or view" if cid in self.cwe_other else "unknown"
            p.add(where, f"CWE id {cid} is {kind}, not a weakness")
        elif str(w.get("status", "")).lower() in {"deprecated", "obsolete"}:
            p.add(where, f"CWE id {cid} is {w.get('status')}")

    def check_capec(self, where: str, cid: str, p: Problems) -> None:
        c = self.capec.get(cid)
        if c is None:
            p.add(where, f"CAPEC id {cid} does not exist")
        elif c.get("deprecated"):
            p.add(where, f"CAPEC id {cid} is deprecated/obsolete")


# ---------------------------------------------------------------------------------------------
# Model vocabulary from core/src/model/types.rs
# ---------------------------------------------------------------------------------------------

def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def enum_variants(src: str, enum: str) -> set[str]:
    m = re.search(r"pub enum " + enum + r"\s*\{(.*?)\n\}", src, re.S)
    if not m:
        return set()
    body = re.sub(r"///[^\n]*", "", m.group(1))
    return {snake(v) for v in re.findall(r"^\s*([A-Z][A-Za-z0-9]*)\s*,", body, re.M)}


def macro_names(src: str, head: str) -> set[str]:
    m = re.search(re.escape(head) + r"\s*\{(.*?)\n\}", src, re.S)
    if not m:
        return set()
    return set(re.findall(r'"([a-z_0-9]+)"', m.group(1)))


def model_vocabulary(types_rs: Path) -> dict[str, set[str]]:
    src = types_rs.read_text(encoding="utf-8")
    vocab = {
        "component_type": macro_names(src, "component_types!"),
        "component_flag": set(),
        "flow_flag": set(),
        "data_tag": set(),
        "kind": enum_variants(src, "ElementKind"),
        "zone_kind": enum_variants(src, "ZoneKind"),
        "environment": enum_variants(src, "Environment"),
        "authentication": enum_variants(src, "Authentication"),
        "authorization": enum_variants(src, "Authorization"),
        "classification": enum_variants(src, "Classification"),
        "quantity": enum_variants(src, "Quantity"),
        "crossing": set(CROSSING),
    }
    for enum, key in (("ComponentFlag", "component_flag"), ("FlowFlag", "flow_flag"),
                      ("DataTag", "data_tag")):
        m = re.search(r"\b" + enum + r"\s*\{(.*?)\n\s*\}", src, re.S)
        if m:
            vocab[key] = set(re.findall(r'=>\s*"([a-z_0-9]+)"', m.group(1)))
    return vocab


# ---------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------

class Ctx:
    """Where a condition is evaluated: which subjects exist and what the data default is."""

    def __init__(self, applies_to: str, subjects: set[str], *, in_adjacent: bool = False,
                 in_exists: bool = False, data_default: str | None = None,
                 adjacent_of: set[str] | None = None) -> None:
        self.applies_to = applies_to
        self.subjects = subjects
        self.in_adjacent = in_adjacent
        self.in_exists = in_exists
        self.data_default = data_default
        self.adjacent_of = adjacent_of or set()


class CondChecker:
    def __init__(self, vocab: dict[str, set[str]], tokens: set[str], p: Problems) -> None:
        self.vocab = vocab
        self.tokens = tokens
        self.p = p
        self.nodes = 0
        self.max_depth = 0

    # -- fields -----------------------------------------------------------------------------
    def resolve_field(self, where: str, path: str, ctx: Ctx):
        """Return (type, enum) for a field path, or None after reporting a problem."""
        parts = path.split(".")
        # longest subject prefix first: source.zone before source
        for n in (2, 1):
            if len(parts) <= n:
                continue
            subject = ".".join(parts[:n])
            rest = parts[n:]
            if subject not in ctx.subjects:
                continue
            if subject in {"self", "source", "target"}:
                if len(rest) == 2 and rest[0] == "zone":
                    table = ZONE_FIELDS
                    name = rest[1]
                elif len(rest) == 1:
                    table = COMPONENT_FIELDS
                    name = rest[0]
                else:
                    break
            elif subject in {"zone", "source.zone", "target.zone"}:
                if len(rest) != 1:
                    break
                table, name = ZONE_FIELDS, rest[0]
            elif subject == "flow":
                if len(rest) != 1:
                    break
                table, name = FLOW_FIELDS, rest[0]
            elif subject == "asset":
                if len(rest) != 1:
                    break
                table, name = ASSET_FIELDS, rest[0]
            else:
                break
            if name not in table:
                self.p.add(where, f"unknown field {name!r} in {path!r}")
                return None
            return table[name]
        self.p.add(where, f"field {path!r} does not start with a subject available here "
                          f"({', '.join(sorted(ctx.subjects)) or 'none'})")
        return None

    def check_value(self, where: str, path: str, ftype: str, enum: str | None, op: str, value):
        if op == "unset":
            if not isinstance(value, bool):
                self.p.add(where, f"{path}: unset takes true or false")
            return
        if op in OPS_NUM:
            if ftype != "num":
                self.p.add(where, f"{path}: operator {op} needs a number field, {path} is {ftype}")
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                self.p.add(where, f"{path}: operator {op} needs a number")
            return
        if op in OPS_SET:
            if ftype != "set":
                self.p.add(where, f"{path}: operator {op} needs a set field, {path} is {ftype}")
            values = [value] if op == "contains" else value
            if op != "contains" and not isinstance(value, list):
                self.p.add(where, f"{path}: operator {op} needs a list")
                return
            self.check_enum(where, path, enum, values)
            return
        # eq, ne, in, not_in
        if ftype == "set":
            self.p.add(where, f"{path}: {op} on a set field; use contains/contains_any/...")
            return
        values = value if op in {"in", "not_in"} else [value]
        if op in {"in", "not_in"} and not isinstance(value, list):
            self.p.add(where, f"{path}: operator {op} needs a list")
            return
        for v in values:
            if ftype == "bool" and not isinstance(v, bool):
                self.p.add(where, f"{path}: boolean field compared with {v!r}")
            if ftype == "num" and (not isinstance(v, (int, float)) or isinstance(v, bool)):
                self.p.add(where, f"{path}: number field compared with {v!r}")
            if ftype == "str" and not isinstance(v, str):
                self.p.add(where, f"{path}: string field compared with {v!r} (quote it)")
        self.check_enum(where, path, enum, values)

    def check_enum(self, where: str, path: str, enum: str | None, values) -> None:
        if enum is None:
            return
        allowed = self.tokens if enum == "token" else self.vocab.get(enum, set())
        if not allowed:
            return
        for v in values:
            if v not in allowed:
                self.p.add(where, f"{path}: {v!r} is not a known {enum.replace('_', ' ')}")

    # -- conditions -------------------------------------------------------------------------
    def check(self, where: str, node, ctx: Ctx, depth: int = 1) -> None:
        self.nodes += 1
        self.max_depth = max(self.max_depth, depth)
        if not isinstance(node, dict):
            self.p.add(where, f"condition must be a map, got {node!r}")
            return
        keys = set(node)
        if keys & {"all", "any"}:
            if len(keys) != 1:
                self.p.add(where, f"all/any node has extra keys {sorted(keys)}")
            k = next(iter(keys & {"all", "any"}))
            items = node[k]
            if not isinstance(items, list):
                self.p.add(where, f"{k} needs a list")
                return
            for i, c in enumerate(items):
                self.check(f"{where}.{k}[{i}]", c, ctx, depth + 1)
            return
        if "not" in keys:
            if len(keys) != 1:
                self.p.add(where, f"not node has extra keys {sorted(keys)}")
            self.check(f"{where}.not", node["not"], ctx, depth + 1)
            return
        if "field" in keys:
            ops = keys - {"field"}
            if len(ops) != 1 or not ops <= ALL_OPS:
                self.p.add(where, f"field node needs exactly one operator of {sorted(ALL_OPS)}, "
                                  f"got {sorted(ops)}")
                return
            op = next(iter(ops))
            path = node["field"]
            if not isinstance(path, str):
                self.p.add(where, "field must be a string")
                return
            resolved = self.resolve_field(where, path, ctx)
            if resolved:
                self.check_value(where, path, resolved[0], resolved[1], op, node[op])
            return
        if "data" in keys:
            self.check_data(where, node, ctx)
            return
        if keys & {"inbound", "outbound"}:
            self.check_adjacent(where, node, ctx, depth)
            return
        if "exists" in keys:
            self.check_exists(where, node, ctx, depth)
            return
        self.p.add(where, f"unknown condition shape with keys {sorted(keys)}")

    def check_data(self, where: str, node, ctx: Ctx) -> None:
        if set(node) != {"data"}:
            self.p.add(where, f"data node has extra keys {sorted(set(node) - {'data'})}")
        d = node["data"]
        if not isinstance(d, dict):
            self.p.add(where, "data needs a map of criteria")
            return
        bad = set(d) - (DATA_KEYS - {"data"})
        if bad:
            self.p.add(where, f"unknown data criteria {sorted(bad)}")
        of = d.get("of")
        if of is None:
            if ctx.in_adjacent or ctx.in_exists:
                self.p.add(where, "data inside inbound/outbound/exists must say `of` explicitly")
            of = ctx.data_default
        if of is None:
            self.p.add(where, "data condition where no component or flow is available")
            return
        component_subjects = {"self", "source", "target"} & ctx.subjects
        if of == "flow":
            if "flow" not in ctx.subjects:
                self.p.add(where, "data of flow where no flow subject exists")
            if d.get("scope", "carried") != "carried":
                self.p.add(where, "data of a flow must use scope carried")
        elif of in component_subjects:
            if d.get("scope") == "carried":
                self.p.add(where, "scope carried needs of: flow")
        else:
            self.p.add(where, f"data of {of!r}: not a subject here")
        scope = d.get("scope")
        if scope is not None and scope not in DATA_SCOPES:
            self.p.add(where, f"data scope {scope!r} not in {sorted(DATA_SCOPES)}")
        if "classification_gte" in d:
            self.check_enum(where, "classification_gte", "classification", [d["classification_gte"]])
        if "tags_any" in d:
            if not isinstance(d["tags_any"], list):
                self.p.add(where, "tags_any needs a list")
            else:
                self.check_enum(where, "tags_any", "data_tag", d["tags_any"])
        for k in ("confidentiality_gte", "integrity_gte", "availability_gte"):
            if k in d and (not isinstance(d[k], int) or not 1 <= d[k] <= 5):
                self.p.add(where, f"{k} must be 1..5")
        if "min" in d and (not isinstance(d["min"], int) or d["min"] < 1):
            self.p.add(where, "data min must be an integer >= 1")

    def check_adjacent(self, where: str, node, ctx: Ctx, depth: int) -> None:
        direction = "inbound" if "inbound" in node else "outbound"
        if set(node) != {direction}:
            self.p.add(where, f"{direction} node has extra keys")
        if ctx.in_adjacent:
            self.p.add(where, f"{direction} inside another inbound/outbound is not allowed")
        a = node[direction]
        if not isinstance(a, dict):
            self.p.add(where, f"{direction} needs a map")
            return
        bad = set(a) - ADJ_KEYS
        if bad:
            self.p.add(where, f"unknown {direction} keys {sorted(bad)}")
        of = a.get("of", "self" if ctx.applies_to == "component" or ctx.in_exists else None)
        allowed_of = ctx.adjacent_of
        if of is None or of not in allowed_of:
            self.p.add(where, f"{direction} of {of!r}: allowed here {sorted(allowed_of)}")
        if "distinct" in a and a["distinct"] != "zone":
            self.p.add(where, f"{direction} distinct must be zone")
        for k in ("min", "max"):
            if k in a and (not isinstance(a[k], int) or a[k] < 0):
                self.p.add(where, f"{direction} {k} must be an integer >= 0")
        subjects = {"flow", "source", "target", "source.zone", "target.zone"}
        if ctx.applies_to == "component":
            subjects |= {"self"}  # the outer component (component rules, exists components)
        inner = Ctx(ctx.applies_to, subjects, in_adjacent=True, in_exists=ctx.in_exists,
                    data_default=None, adjacent_of=set())
        if "where" in a:
            self.check(f"{where}.{direction}.where", a["where"], inner, depth + 1)

    def check_exists(self, where: str, node, ctx: Ctx, depth: int) -> None:
        if set(node) != {"exists"}:
            self.p.add(where, "exists node has extra keys")
        if ctx.in_exists:
            self.p.add(where, "exists inside exists")
        e = node["exists"]
        if not isinstance(e, dict):
            self.p.add(where, "exists needs a map")
            return
        bad = set(e) - EXISTS_KEYS
        if bad:
            self.p.add(where, f"unknown exists keys {sorted(bad)}")
        what = set(e) & {"components", "flows", "data_assets", "zones"}
        if len(what) != 1:
            self.p.add(where, "exists needs exactly one of components/flows/data_assets/zones")
            return
        w = next(iter(what))
        applies = {"components": "component", "flows": "flow", "data_assets": "data_asset",
                   "zones": "zone"}[w]
        data_default = {"component": "self", "flow": "flow"}.get(applies)
        adjacent_of = {"component": {"self"}, "flow": {"source", "target"}}.get(applies, set())
        inner = Ctx(applies, SUBJECTS[applies], in_exists=True, data_default=data_default,
                    adjacent_of=adjacent_of)
        inner.applies_to = applies
        self.check(f"{where}.exists.{w}", e[w], inner, depth + 1)
        for k in ("min", "max"):
            if k in e and (not isinstance(e[k], int) or e[k] < 0):
                self.p.add(where, f"exists {k} must be an integer >= 0")


# ---------------------------------------------------------------------------------------------
# Rule files
# ---------------------------------------------------------------------------------------------

def check_id_list(where: str, values, pattern: str, p: Problems) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        p.add(where, "must be a list")
        return []
    out = []
    for v in values:
        if not isinstance(v, str) or not re.fullmatch(pattern, v):
            p.add(where, f"{v!r} is not of the form {pattern}")
        else:
            out.append(v)
    if len(set(out)) != len(out):
        p.add(where, "duplicate ids")
    return out


def bundled_ids(rel: str, key: str) -> set[str] | None:
    """Ids of a bundled catalog (catalogs/iso-27001, catalogs/cis), or None when absent."""
    path = ROOT / "catalogs" / rel
    if not path.exists():
        return None
    return {e["id"] for e in load_json(path).get(key, [])}


ISO_IDS = bundled_ids("iso-27001/annex-a.json", "controls")
CIS_IDS = bundled_ids("cis/controls.json", "safeguards")


def check_iso(where: str, ids, p: Problems) -> None:
    for v in check_id_list(where, ids, r"A\.[5-8]\.\d{1,2}", p):
        theme, num = int(v.split(".")[1]), int(v.split(".")[2])
        if not 1 <= num <= ISO_ANNEX_A[theme] or (ISO_IDS is not None and v not in ISO_IDS):
            p.add(where, f"ISO/IEC 27001:2022 control {v} does not exist")


def check_cis(where: str, ids, p: Problems) -> None:
    for v in check_id_list(where, ids, r"\d{1,2}\.\d{1,2}", p):
        c, s = (int(x) for x in v.split("."))
        if (c not in CIS_SAFEGUARDS or not 1 <= s <= CIS_SAFEGUARDS[c]
                or (CIS_IDS is not None and v not in CIS_IDS)):
            p.add(where, f"CIS safeguard {v} does not exist")


def check_rule(rule, ref: Reference, vocab, tokens: set[str], p: Problems) -> tuple[int, int]:
    rid = rule.get("id", "?") if isinstance(rule, dict) else "?"
    where = f"rule {rid}"
    if not isinstance(rule, dict):
        p.add(where, "rule must be a map")
        return 0, 0
    missing = RULE_KEYS_REQUIRED - set(rule)
    if missing:
        p.add(where, f"missing keys {sorted(missing)}")
    extra = set(rule) - RULE_KEYS
    if extra:
        p.add(where, f"unknown keys {sorted(extra)}")
    if not isinstance(rid, str) or not RULE_ID_RE.match(rid):
        p.add(where, "id does not match ^[A-Za-z0-9][A-Za-z0-9._-]*$")
    if not SEMVER_RE.match(str(rule.get("version", ""))):
        p.add(where, "version must be MAJOR.MINOR.PATCH")
    stride = rule.get("stride") or []
    linddun = rule.get("linddun") or []
    if not stride and not linddun:
        p.add(where, "needs stride or linddun")
    for s in stride:
        if s not in STRIDE:
            p.add(where, f"stride {s!r} unknown")
    for s in linddun:
        if s not in LINDDUN:
            p.add(where, f"linddun {s!r} unknown")
    applies = rule.get("applies_to")
    if applies not in APPLIES_TO:
        p.add(where, f"applies_to {applies!r} not in {sorted(APPLIES_TO)}")
        return 0, 0
    if "kinds" in rule or "types" in rule:
        if applies != "component":
            p.add(where, "kinds/types only apply to component rules")
        for k in rule.get("kinds") or []:
            if k not in KINDS:
                p.add(where, f"kind {k!r} unknown")
        for t in rule.get("types") or []:
            if t not in vocab["component_type"]:
                p.add(where, f"type {t!r} is not a component type")

    # description placeholders
    desc = rule.get("description", "")
    for ph in re.findall(r"\{([^{}]*)\}", desc):
        if ph not in PLACEHOLDERS:
            p.add(where, f"unknown placeholder {{{ph}}}")
        elif ph not in PLACEHOLDERS_BY_APPLIES[applies]:
            p.add(where, f"placeholder {{{ph}}} has no value for {applies} rules")
    if "{missing}" in desc and not rule.get("mitigations"):
        p.add(where, "{missing} used but the rule has no mitigations")
    im0 = rule.get("impact") or {}
    if "{data}" in desc and ("fixed" in im0 or im0.get("assets") == "none" or applies == "model"):
        p.add(where, "{data} used but no assets are at stake (fixed impact, assets none or a model rule)")
    if len(desc.strip()) < 40:
        p.add(where, "description is too short to be useful")

    # likelihood / impact
    lk = rule.get("likelihood") or {}
    if set(lk) - LIKELIHOOD_KEYS:
        p.add(where, f"unknown likelihood keys {sorted(set(lk) - LIKELIHOOD_KEYS)}")
    if "complexity" in lk and lk["complexity"] not in COMPLEXITY:
        p.add(where, f"complexity {lk['complexity']!r} unknown")
    if "access" in lk and lk["access"] not in ACCESS:
        p.add(where, f"access {lk['access']!r} unknown")
    if "exposure_of" in lk and lk["exposure_of"] not in EXPOSURE_OF:
        p.add(where, f"exposure_of {lk['exposure_of']!r} unknown")
    if "fixed" in lk and (not isinstance(lk["fixed"], int) or not 1 <= lk["fixed"] <= 5):
        p.add(where, "likelihood.fixed must be 1..5")
    im = rule.get("impact") or {}
    if set(im) - IMPACT_KEYS:
        p.add(where, f"unknown impact keys {sorted(set(im) - IMPACT_KEYS)}")
    if "property" in im and im["property"] not in PROPERTIES:
        p.add(where, f"impact property {im['property']!r} unknown")
    if "assets" in im and im["assets"] not in ASSET_SCOPES:
        p.add(where, f"impact assets {im['assets']!r} unknown")
    for k in ("default", "fixed"):
        if k in im and (not isinstance(im[k], int) or not 1 <= im[k] <= 5):
            p.add(where, f"impact.{k} must be 1..5")

    # identifiers
    for v in check_id_list(f"{where} cwe", rule.get("cwe"), r"CWE-\d+", p):
        ref.check_cwe(where, v, p)
    for v in check_id_list(f"{where} capec", rule.get("capec"), r"CAPEC-\d+", p):
        ref.check_capec(where, v, p)
    for v in check_id_list(f"{where} attack", rule.get("attack"), r"T\d{4}(\.\d{3})?", p):
        ref.check_attack(where, v, p)
    controls = rule.get("controls") or {}
    if set(controls) - CONTROL_KEYS:
        p.add(where, f"unknown controls keys {sorted(set(controls) - CONTROL_KEYS)}")
    for v in check_id_list(f"{where} nist_800_53", controls.get("nist_800_53"),
                           r"[a-z]{2}-\d+(\.\d+)?", p):
        ref.check_nist(where, v, p)
    check_iso(f"{where} iso_27001", controls.get("iso_27001"), p)
    check_cis(f"{where} cis_v8", controls.get("cis_v8"), p)

    # mitigations
    seen = set()
    for m in rule.get("mitigations") or []:
        if not isinstance(m, dict) or set(m) != {"control", "effect"}:
            p.add(where, f"mitigation {m!r} must be {{control, effect}}")
            continue
        if m["control"] in seen:
            p.add(where, f"mitigation {m['control']} listed twice")
        seen.add(m["control"])
        if m["control"] not in tokens:
            p.add(where, f"mitigation token {m['control']!r} is not in tokens.yaml")
        if m["effect"] not in EFFECTS:
            p.add(where, f"mitigation effect {m['effect']!r} not in {sorted(EFFECTS)}")

    # requirements
    reqs = rule.get("requirements") or {}
    if not isinstance(reqs, dict):
        p.add(where, "requirements must be a map")
    else:
        for fw, ids in reqs.items():
            if fw not in FRAMEWORKS:
                p.add(where, f"requirement framework {fw!r} not in {sorted(FRAMEWORKS)}")
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
                p.add(where, f"requirements.{fw} must be a non-empty list of strings")
            elif len(set(ids)) != len(ids):
                p.add(where, f"requirements.{fw} has duplicates")

    # condition
    cc = CondChecker(vocab, tokens, p)
    ctx = Ctx(applies, SUBJECTS[applies],
              data_default={"component": "self", "flow": "flow"}.get(applies),
              adjacent_of={"component": {"self"}, "flow": {"source", "target"}}.get(applies, set()))
    cc.check(f"{where} when", rule.get("when"), ctx)
    if cc.nodes > 256:
        p.add(where, f"condition has {cc.nodes} nodes (limit 256)")
    if cc.max_depth > 16:
        p.add(where, f"condition nesting depth {cc.max_depth} (limit 16)")
    return cc.nodes, cc.max_depth


def check_rule_file(path: Path, ref: Reference, vocab, tokens: set[str], p: Problems,
                    all_ids: dict[str, str]) -> int:
    with path.open(encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    if not isinstance(doc, dict):
        p.add(where, "a rule file must be a map")
        return 0
    missing = FILE_KEYS_REQUIRED - set(doc)
    if missing:
        p.add(where, f"missing keys {sorted(missing)}")
    if set(doc) - FILE_KEYS:
        p.add(where, f"unknown keys {sorted(set(doc) - FILE_KEYS)}")
    if doc.get("format_version") != 1:
        p.add(where, "format_version must be 1")
    if not SEMVER_RE.match(str(doc.get("version", ""))):
        p.add(where, "version must be MAJOR.MINOR.PATCH")
    rules = doc.get("rules") or []
    in_file: set[str] = set()
    for rule in rules:
        rid = rule.get("id") if isinstance(rule, dict) else None
        if rid in in_file:
            p.add(where, f"rule id {rid} defined twice in this file")
        elif rid in all_ids:
            # a later file may replace a rule on purpose (docs/rule-language.md)
            print(f"note: {where}: rule {rid} replaces the one in {all_ids[rid]}")
        if rid:
            in_file.add(rid)
            all_ids.setdefault(rid, where)
        check_rule(rule, ref, vocab, tokens, p)
    return len(rules)


def check_tokens(path: Path, ref: Reference, p: Problems) -> set[str]:
    with path.open(encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    if not isinstance(doc, dict):
        p.add(where, "must be a map")
        return set()
    for k, v in (("format_version", 1), ("id", "threatgraph-control-tokens"),
                 ("licence", "Apache-2.0")):
        if doc.get(k) != v:
            p.add(where, f"{k} must be {v!r}")
    for k in ("version", "source"):
        if not doc.get(k):
            p.add(where, f"{k} missing")
    ids: list[str] = []
    for t in doc.get("tokens") or []:
        if not isinstance(t, dict) or set(t) - {"id", "title", "nist_800_53"} or "id" not in t:
            p.add(where, f"token entry {t!r} must be {{id, title, nist_800_53}}")
            continue
        tid = t["id"]
        ids.append(tid)
        if not TOKEN_RE.match(tid):
            p.add(where, f"token {tid!r} is not snake_case")
        if not isinstance(t.get("title"), str) or len(t["title"].strip()) < 10 or "\n" in t["title"]:
            p.add(where, f"token {tid}: title must be one meaningful line")
        nist = t.get("nist_800_53") or []
        if not nist:
            p.add(where, f"token {tid}: no SP 800-53 controls")
        for v in check_id_list(f"{where} {tid}", nist, r"[a-z]{2}-\d+(\.\d+)?", p):
            ref.check_nist(f"{where} token {tid}", v, p)
    if ids != sorted(ids):
        p.add(where, "tokens are not sorted by id")
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        p.add(where, f"duplicate tokens {sorted(dup)}")
    for r in REQUIRED_TOKENS:
        if r not in ids:
            p.add(where, f"agreed token {r!r} is missing")
    return set(ids)


def check_doc(doc_path: Path, p: Problems) -> None:
    text = doc_path.read_text(encoding="utf-8")
    for name in DOC_NAMES:
        if name not in text:
            p.add(str(doc_path.relative_to(ROOT)),
                  f"{name!r} is no longer mentioned; update check_rules.py's vocabulary")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("THREATGRAPH_SHARED_DATA", ROOT.parent / "shared" / "data")))
    ap.add_argument("--tokens", type=Path, default=ROOT / "catalogs" / "controls" / "tokens.yaml")
    ap.add_argument("rule_files", nargs="*", type=Path)
    args = ap.parse_args(argv)
    rule_files = args.rule_files or sorted((ROOT / "catalogs" / "rules").glob("*.yaml"))
    try:
        ref = Reference(args.shared)
    except OSError as e:
        print(f"check_rules.py: cannot read reference data in {args.shared}: {e}", file=sys.stderr)
        return 2
    p = Problems()
    check_doc(ROOT / "docs" / "rule-language.md", p)
    vocab = model_vocabulary(ROOT / "core" / "src" / "model" / "types.rs")
    for k, v in vocab.items():
        if not v:
            p.add("core/src/model/types.rs", f"could not read the {k} vocabulary")
    tokens = check_tokens(args.tokens, ref, p)
    all_ids: dict[str, str] = {}
    n = 0
    for f in rule_files:
        n += check_rule_file(f.resolve(), ref, vocab, tokens, p, all_ids)
    for item in p.items:
        print(item)
    print(f"check_rules.py: {n} rules in {len(rule_files)} file(s), {len(tokens)} tokens, "
          f"{len(p.items)} problem(s)")
    return 1 if p.items else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
