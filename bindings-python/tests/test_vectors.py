"""Every shared vector of tests/vectors/ through the JSON entry and through the object API: the
same summary as the Rust runner (tests/tests/vectors.rs), and the same report both ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import threatgraph
from conftest import VECTORS

FILES = sorted(VECTORS.rglob("*.json"))
IDS = [str(p.relative_to(VECTORS)) for p in FILES]
ERROR_CLASSES = {
    "model": threatgraph.ModelError,
    "rule": threatgraph.RuleError,
    "catalog": threatgraph.CatalogError,
    "request": threatgraph.RequestError,
}


def summarize(answer: Dict[str, Any]) -> Dict[str, Any]:
    """tests/src/vectors.rs `summarize`, in Python."""
    if answer.get("ok") is True:
        threats = [
            {
                "rule": t["rule"]["id"],
                "element": t["elements"][0]["id"] if t["elements"] else None,
                "severity": t["severity"],
                "inherent": t["inherent_severity"],
                "status": t["status"],
            }
            for t in answer["report"]["threats"]
        ]
        return {"threats": threats}
    e = answer["error"]
    return {"error": {"kind": e["kind"], "code": e["code"], "path": e["path"]}}


def run_objects(request: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[threatgraph.Report]]:
    """The request through Model / Engine, in the order the core handles it (model, then rules)."""
    try:
        if "model" in request:
            model = threatgraph.Model.from_dict(request["model"])
        else:
            model = threatgraph.Model.from_text(request["model_text"], request.get("format"))
        rules: List[Tuple[str, str]] = [(r["name"], r["text"]) for r in request.get("rules", [])]
        engine = threatgraph.Engine(rules, no_bundled_rules=request.get("no_bundled_rules", False))
        report = engine.analyze(model)
    except threatgraph.ThreatgraphError as e:
        assert isinstance(e, ERROR_CLASSES[e.kind]) and isinstance(e, ValueError)
        assert e.details and e.details[0]["code"] == e.code and e.details[0]["path"] == e.path
        return {"error": {"kind": e.kind, "code": e.code, "path": e.path}}, None
    summary = [
        {"rule": t.rule, "element": t.element, "severity": t.severity, "inherent": t.inherent_severity, "status": t.status}
        for t in report.threats
    ]
    return {"threats": summary}, report


def test_vectors_present() -> None:
    assert len(FILES) >= 30, f"expected at least 30 vectors under {VECTORS}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_vector_json_entry(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    answer = json.loads(threatgraph.analyze_json(json.dumps(vector["request"])))
    assert summarize(answer) == vector["expect"], vector["description"]
    if answer["ok"] is False:
        error = answer["error"]
        assert set(error) == {"kind", "code", "path", "message", "details"}
        assert error["details"][0]["code"] == error["code"]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_vector_object_api(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    got, report = run_objects(vector["request"])
    assert got == vector["expect"], vector["description"]
    if report is not None:
        answer = json.loads(threatgraph.analyze_json(json.dumps(vector["request"])))
        assert report.to_dict() == answer["report"]
        assert json.loads(report.to_json()) == answer["report"]
