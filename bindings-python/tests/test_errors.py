"""Errors: classes, codes, paths, every problem at once; never a bare Exception."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import threatgraph
from threatgraph import CatalogError, ModelError, RequestError, RuleError, ThreatgraphError

BAD = """
title: Broken
zones: [{id: app, kind: internal}]
components:
  - {id: web, type: web_app, zone: app}
  - {id: db, type: databse, zone: app}
flows:
  - {source: web, target: db2}
"""


def test_hierarchy() -> None:
    for cls in (ModelError, RuleError, CatalogError, RequestError):
        assert issubclass(cls, ThreatgraphError) and issubclass(cls, ValueError)
    assert issubclass(ThreatgraphError, Exception) and not issubclass(ThreatgraphError, ValueError)


def test_structural_error_has_code_path_and_details() -> None:
    with pytest.raises(ModelError) as info:
        threatgraph.Model.from_yaml(BAD)
    e = info.value
    assert (e.code, e.path) == ("model.unknown_value", "components[1].type")
    assert "did you mean `database`" in str(e)
    assert str(e) == e.message and str(e).startswith("invalid model:")
    assert e.details == [{"code": "model.unknown_value", "path": "components[1].type", "message": e.details[0]["message"]}]


def test_validation_reports_every_problem(engine: threatgraph.Engine) -> None:
    m = threatgraph.Model("Two problems")
    m.zone("app", kind="internal")
    m.component("web", type="web_app", zone="app", controls=["wafff"])
    m.flow("web", "db2")
    with pytest.raises(ModelError) as info:
        engine.analyze(m)
    got = {(d["code"], d["path"]) for d in info.value.details}
    assert ("model.unknown_control", "components[0].controls[0]") in got
    assert ("model.unknown_reference", "flows[0].target") in got
    assert len(info.value.details) >= 2
    with pytest.raises(ModelError):
        m.validate(engine)


def test_unknown_keyword_is_a_model_error_with_its_path() -> None:
    m = threatgraph.Model("Shop")
    m.zone("dmz", kind="dmz")
    m.component("web", type="web_app", zone="dmz", colour="red")
    with pytest.raises(ModelError) as info:
        m.to_yaml()
    assert (info.value.code, info.value.path) == ("model.unknown_field", "components[0].colour")


def test_missing_required_field() -> None:
    m = threatgraph.Model("Shop")
    m.zone("dmz")  # no kind
    with pytest.raises(ModelError) as info:
        m.to_json()
    assert (info.value.code, info.value.path) == ("model.missing_field", "zones[0]")


def test_syntax_errors() -> None:
    with pytest.raises(ModelError) as info:
        threatgraph.Model.from_json('{"title": ')
    assert info.value.code == "model.syntax"
    with pytest.raises(ModelError) as info:
        threatgraph.Model.from_yaml("title: [unclosed")
    assert info.value.code == "model.syntax"


def test_request_error_for_unknown_format() -> None:
    with pytest.raises(RequestError) as info:
        threatgraph.Model.from_text("title: x", "toml")
    assert (info.value.code, info.value.path) == ("request.unknown_format", "format")


def test_rule_error() -> None:
    text = "format_version: 1\nid: custom\nversion: '1'\nsource: t\nlicence: x\nrules:\n  - id: R1\n    bogus: 1\n"
    with pytest.raises(RuleError) as info:
        threatgraph.Engine([("custom.yaml", text)])
    assert info.value.code.startswith("rule.")
    assert info.value.path.startswith("custom.yaml")


def test_rule_file_paths(tmp_path: Path) -> None:
    rule = (
        "format_version: 1\nid: org\nversion: '1'\nsource: t\nlicence: Apache-2.0\nrules:\n"
        "  - id: ORG-1\n    version: '1'\n    title: FTP in use\n    description: '{flow} uses FTP'\n"
        "    stride: [information_disclosure]\n    applies_to: flow\n    when: {field: flow.protocol, eq: ftp}\n"
    )
    path = tmp_path / "org.yaml"
    path.write_text(rule, encoding="utf-8")
    m = threatgraph.Model("FTP")
    m.zone("app", kind="internal")
    m.component("a", type="service", zone="app", controls=[])
    m.component("b", type="file_store", zone="app", controls=[])
    m.flow("a", "b", id="f", protocol="ftp")
    for rules in ([path], [str(path)], path, str(path)):
        report = threatgraph.analyze(m, rules, no_bundled_rules=True)
        assert [t.rule for t in report.threats] == ["ORG-1"]
    assert "ORG-1" in {r["id"] for r in threatgraph.Engine([path]).rules()}
    with pytest.raises(FileNotFoundError):
        threatgraph.Engine([tmp_path / "missing.yaml"])
    with pytest.raises(TypeError):
        threatgraph.Engine([42])  # type: ignore[list-item]


def test_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        threatgraph.load(tmp_path / "nope.yaml")
    assert info.value.filename == str(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "x", "zones": [{"id": "z"}]}', encoding="utf-8")
    with pytest.raises(ModelError) as err:
        threatgraph.load(bad)
    assert (err.value.code, err.value.path) == ("model.missing_field", "zones[0]")


def test_wrong_argument_type(engine: threatgraph.Engine) -> None:
    with pytest.raises(TypeError):
        engine.analyze({"title": "a dict is not a model"})  # type: ignore[arg-type]


def test_errors_pickle() -> None:
    with pytest.raises(ModelError) as info:
        threatgraph.Model.from_yaml(BAD)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ModelError
    assert (copy.code, copy.path, copy.details, str(copy)) == (
        info.value.code,
        info.value.path,
        info.value.details,
        str(info.value),
    )


def test_analyze_json_never_raises() -> None:
    for request in ("not json", "{}", '{"model": {"title": "x"}, "model_text": "title: y"}', '{"bogus": 1}'):
        answer = json.loads(threatgraph.analyze_json(request))
        assert answer["ok"] is False
        assert answer["error"]["kind"] == "request"
        assert answer["error"]["code"] == "request.invalid"
