"""The report: typed threat attributes, exports, the pandas frame, Jupyter's HTML table."""

from __future__ import annotations

import html
import json
import re
import sys

import pytest

import threatgraph
from conftest import EXAMPLES


@pytest.fixture(scope="module")
def report() -> threatgraph.Report:
    return threatgraph.analyze(threatgraph.load(EXAMPLES / "webshop.yaml"))


def test_threat_attributes_match_the_json(report: threatgraph.Report) -> None:
    data = report.to_dict()
    assert len(report.threats) == len(data["threats"]) == report.summary["threats"] > 0
    for t, d in zip(report.threats, data["threats"]):
        assert isinstance(t, threatgraph.Threat)
        assert (t.id, t.rule, t.rule_version, t.title, t.description) == (
            d["id"],
            d["rule"]["id"],
            d["rule"]["version"],
            d["title"],
            d["description"],
        )
        assert (t.severity, t.inherent_severity, t.status) == (d["severity"], d["inherent_severity"], d["status"])
        assert t.element == d["elements"][0]["id"] and t.elements == d["elements"]
        assert t.stride == d["stride"] and t.linddun == d.get("linddun", [])
        assert t.likelihood == d["likelihood"] and t.impact == d["impact"]
        assert t.controls_credited == d["controls_credited"] and t.controls_missing == d["controls_missing"]
        # The rule's mappings are stated once, in the report's `rules` section.
        rule = next(r for r in data["rules"] if r["id"] == d["rule"]["id"])
        assert t.attack == rule["attack"] and t.cwe == rule["cwe"] and t.capec == rule["capec"]
        assert t.requirements == rule["requirements"]
        implemented = {c["id"]: c["implemented_by"] for c in d.get("controls_implemented", [])}
        nist = t.recommended_controls["nist_800_53"]
        assert [c["id"] for c in nist] == [c["id"] for c in rule["recommended_controls"]["nist_800_53"]]
        for c in nist:
            assert c["status"] == ("implemented" if c["id"] in implemented else "missing")
            assert c.get("implemented_by", []) == implemented.get(c["id"], [])
        assert t.recommended_controls["iso_27001"] == rule["recommended_controls"]["iso_27001"]
        assert t.assumptions == d.get("assumptions", [])
        assert t.to_dict() == d
    assert report.summary == data["summary"]
    assert report.assumptions == data["assumptions"]
    assert report.compliance == data["compliance"] and report.coverage == data["coverage"]
    assert report.rules == data["rules"] and [r["id"] for r in report.rules] == sorted(r["id"] for r in report.rules)
    assert report.model == data["model"] and report.provenance == data["provenance"]
    assert report.methodology == data["methodology"]


def test_threat_types(report: threatgraph.Report) -> None:
    t = report.threats[0]
    assert t.severity in {"critical", "high", "medium", "low", "info"}
    assert isinstance(t.likelihood["residual"], int) and isinstance(t.impact["assets"], list)
    assert re.fullmatch(r"T\d{4}(\.\d{3})?", t.attack[0]["id"])
    assert t.recommended_controls["nist_800_53"][0]["status"] in {"implemented", "missing"}
    assert repr(t).startswith(f"<Threat {t.id} {t.rule} {t.severity}")


def test_sequence_protocol(report: threatgraph.Report) -> None:
    threats = report.threats
    assert len(report) == len(threats)
    assert [t.id for t in report] == [t.id for t in threats]
    assert report[0].id == threats[0].id and report[-1].id == threats[-1].id
    assert report.threats[0] is report.threats[0]  # made once
    with pytest.raises(IndexError):
        report[len(threats)]
    assert repr(report).startswith('<Report "Acme Outdoor webshop": ')


def test_exports(report: threatgraph.Report) -> None:
    text = report.to_json()
    assert text.endswith("\n") and json.loads(text) == report.to_dict()
    assert threatgraph.analyze(threatgraph.load(EXAMPLES / "webshop.yaml")).to_json() == text
    md = report.to_markdown()
    assert md.startswith("#") and "TM-002" in md
    table = report.to_table()
    assert table.splitlines()[0].split()[:3] == ["RESIDUAL", "INHERENT", "RULE"]


def test_dataframe(report: threatgraph.Report) -> None:
    pd = pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(report.threats)
    assert list(df.columns) == [
        "id",
        "rule",
        "title",
        "severity",
        "inherent_severity",
        "likelihood",
        "impact",
        "status",
        "element",
        "element_kind",
        "stride",
        "attack",
        "controls_missing",
        "description",
    ]
    first = report.threats[0]
    row = df.iloc[0]
    assert (row["id"], row["rule"], row["severity"], row["element"]) == (
        first.id,
        first.rule,
        first.severity,
        first.element,
    )
    assert row["likelihood"] == first.likelihood["residual"] and row["impact"] == first.impact["residual"]
    assert df["severity"].cat.ordered and list(df["severity"].cat.categories)[-1] == "critical"
    assert df["severity"].max() == "critical"
    assert df["likelihood"].dtype.kind == "i"
    counts = df["severity"].value_counts()
    assert {k: int(v) for k, v in counts.items() if v} == {k: v for k, v in report.summary["by_severity"].items() if v}


def test_dataframe_without_pandas(report: threatgraph.Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises ImportError
    with pytest.raises(ImportError, match=re.escape("pip install threatgraph[pandas]")):
        report.to_dataframe()


def test_repr_html(report: threatgraph.Report) -> None:
    page = report._repr_html_()
    assert page.count("<tr>") == len(report.threats) + 1
    for level in {t.severity for t in report.threats}:
        assert f'class="tg-{level}"' in page
    assert "background:#7f1d1d" in page  # critical
    assert "Acme Outdoor webshop" in page and "ATT&amp;CK" in page


def test_repr_html_escapes_user_text() -> None:
    m = threatgraph.Model("<script>alert('title')</script> & co")
    m.zone("internet", kind="internet")
    m.zone("app", kind="internal")
    m.data_asset("card", classification="restricted", tags=["pci_chd"])
    m.component("b", name="<img src=x onerror=alert(1)>", type="browser", zone="internet")
    m.component("w", name='"quoted" <b>web</b>', type="web_app", zone="app", controls=[])
    m.flow("b", "w", id="f", name="<i>flow</i>", protocol="http", data=["card"])
    page = m.analyze()._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>web" not in page and "<i>flow" not in page
    assert html.escape("<script>alert('title')</script> & co") in page
    assert html.escape("<i>flow</i>") in page


def test_repr_html_is_bounded() -> None:
    m = threatgraph.Model("Many")
    m.zone("internet", kind="internet")
    m.zone("app", kind="internal")
    for i in range(150):
        m.component(f"b{i}", type="browser", zone="internet")
        m.component(f"w{i}", type="web_app", zone="app", flags=["custom_code"], controls=[])
        m.flow(f"b{i}", f"w{i}", protocol="http")
    report = m.analyze()
    assert len(report.threats) > 200
    page = report._repr_html_()
    assert page.count("<tr>") == 201
    assert f"of {len(report.threats)} threats" in page


def test_engine_queries(engine: threatgraph.Engine) -> None:
    rules = engine.rules()
    assert len(rules) == 55 and {"TM-002", "TM-G01"} <= {r["id"] for r in rules}
    entries = engine.lookup("T1190")
    assert entries and entries[0]["id"] == "T1190" and entries[0]["kind"] == "attack_technique"
    assert engine.lookup("no-such-id") == []
    assert repr(engine).startswith("<Engine: 55 rules")
