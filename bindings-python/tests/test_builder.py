"""The builder: elements or ids, unset vs empty, the CLI's format out, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import threatgraph
from conftest import EXAMPLES, build_shop

SHOP_YAML = """
title: Shop
id: shop
owner: security@shop.example
zones:
  - {id: internet, kind: internet}
  - {id: dmz, kind: dmz, controls: [{id: waf, status: verified, evidence: [scan-2026]}]}
  - {id: app, kind: internal, controls: [least_privilege]}
  - {id: cde, name: Cardholder data environment, kind: restricted, trust: 85}
components:
  - {id: customer, type: browser, zone: internet}
  - {id: web, type: web_app, zone: dmz, flags: [internet_facing, custom_code], controls: [tls, input_validation],
     processes: [card, pii]}
  - {id: api, kind: process, type: api, zone: app, flags: [custom_code], controls: []}
  - {id: payments, type: service, zone: cde, controls: [audit_logging], processes: [card]}
  - {id: vault, type: database, zone: cde, stores: [card], controls: []}
  - {id: db, type: database, zone: app, stores: [pii]}
  - {id: psp, name: Payment provider, type: payment_provider, zone: internet}
data_assets:
  - {id: card, name: Cardholder data, classification: restricted, tags: [pci_chd]}
  - {id: pii, classification: confidential, tags: [pii], lawful_basis: contract}
flows:
  - {id: checkout, source: customer, target: web, protocol: https, authentication: password, data: [card, pii]}
  - {id: order, source: web, target: api, protocol: https, authentication: token, data: [card, pii]}
  - {id: authorise, source: api, target: payments, protocol: http, data: [card]}
  - {source: payments, target: vault, protocol: postgres, authentication: password, data: [card]}
  - {source: api, target: db, protocol: postgres, authentication: password, encrypted: true, data: [pii]}
  - {id: charge, source: payments, target: psp, protocol: https, authentication: api_key, data: [card]}
assumptions:
  - {id: A1, statement: The payment provider is PCI DSS Level 1 certified., owner: compliance, elements: [psp]}
"""


def test_builder_analysis_finds_the_expected_threats(shop: threatgraph.Model) -> None:
    report = threatgraph.analyze(shop)
    rules = {t.rule for t in report.threats}
    assert {"TM-001", "TM-002", "TM-013", "TM-G04"} <= rules
    cleartext = [t for t in report.threats if t.rule == "TM-002"]
    assert sorted(t.element for t in cleartext) == ["authorise", "payments->vault"]
    assert any(t.severity == "critical" and "pci_dss" in t.requirements for t in cleartext)
    assert report.summary["threats"] == len(report.threats) == len(report)
    declared = [a for a in report.assumptions if a["source"] == "declared"]
    assert [a["id"] for a in declared] == ["A1"]


def test_builder_equals_the_same_model_written_in_yaml(shop: threatgraph.Model) -> None:
    written = threatgraph.Model.from_yaml(SHOP_YAML)
    assert shop.to_dict() == written.to_dict()
    assert threatgraph.analyze(shop).to_json() == threatgraph.analyze(written).to_json()


def test_yaml_and_json_round_trips(shop: threatgraph.Model) -> None:
    again = threatgraph.Model.from_yaml(shop.to_yaml())
    assert again.to_dict() == shop.to_dict()
    assert again.to_yaml() == shop.to_yaml()
    assert threatgraph.Model.from_json(shop.to_json()).to_dict() == shop.to_dict()
    assert threatgraph.Model.from_dict(shop.to_dict()).to_json() == shop.to_json()


@pytest.mark.parametrize("name", ["webshop", "patient-portal", "saas-platform"])
def test_examples_round_trip(name: str) -> None:
    m = threatgraph.load(EXAMPLES / f"{name}.yaml")
    again = threatgraph.Model.from_yaml(m.to_yaml())
    assert again.to_dict() == m.to_dict()
    assert threatgraph.analyze(again).to_json() == threatgraph.analyze(m).to_json()


def test_save_and_load(tmp_path: Path, shop: threatgraph.Model) -> None:
    for name in ("shop.yaml", "shop.json"):
        shop.save(tmp_path / name)
        assert threatgraph.load(tmp_path / name).to_dict() == shop.to_dict()
        assert threatgraph.load(str(tmp_path / name)).to_dict() == shop.to_dict()
    assert (tmp_path / "shop.json").read_text(encoding="utf-8").startswith("{")


def test_elements_and_ids_are_interchangeable() -> None:
    a = threatgraph.Model("A")
    z = a.zone("app", kind="internal")
    d = a.data_asset("d", classification="internal")
    x = a.component("x", type="service", zone=z, stores=[d])
    y = a.component("y", type="service", zone=z)
    f = a.flow(x, y, data=[d])
    b = threatgraph.Model("A")
    b.zone("app", kind="internal")
    b.data_asset("d", classification="internal")
    b.component("x", type="service", zone="app", stores=["d"])
    b.component("y", type="service", zone="app")
    b.flow("x", "y", data=("d",))
    assert a.to_dict() == b.to_dict()
    assert f.id == "x->y" and "id" not in a.to_dict()["flows"][0]
    assert x["zone"] == "app" and x.get("owner") is None and x.model is a


def test_unset_is_not_empty(shop: threatgraph.Model) -> None:
    vault, db = shop["vault"], shop["db"]
    assert vault["controls"] == [] and db.get("controls") is None
    statements = [a["statement"] for a in shop.analyze().assumptions]
    assert "component `db`: controls not stated; assumed none" in statements
    assert not any(s.startswith("component `vault`") for s in statements)


def test_update_and_lookup() -> None:
    m = threatgraph.Model.from_yaml(SHOP_YAML)
    cleartext = sorted(t.element for t in m.analyze().threats if t.rule == "TM-002")
    assert cleartext == ["authorise", "payments->vault"]
    flow = m["authorise"]
    assert isinstance(flow, threatgraph.Flow) and flow["protocol"] == "http"
    assert flow.update(protocol="https") is flow
    cleartext = [t.element for t in m.analyze().threats if t.rule == "TM-002"]
    assert cleartext == ["payments->vault"]
    m["vault"].update(controls=None)
    assert "controls" not in m.to_dict()["components"][4]
    with pytest.raises(KeyError):
        m["nope"]


def test_readers_and_repr(shop: threatgraph.Model) -> None:
    assert shop.title == "Shop"
    assert [z.id for z in shop.zones] == ["internet", "dmz", "app", "cde"]
    assert [c.id for c in shop.components][:2] == ["customer", "web"]
    assert [f.id for f in shop.flows][3] == "payments->vault"
    assert [d.id for d in shop.data_assets] == ["card", "pii"]
    assert [a.id for a in shop.assumptions] == ["A1"]
    assert repr(shop) == "<Model 'Shop': 4 zones, 7 components, 2 data assets, 6 flows, 1 assumptions>"
    assert repr(shop.components[0]) == "Component('customer', type='browser', zone='internet')"


def test_models_are_independent() -> None:
    a = build_shop()
    b = threatgraph.Model("Other")
    b.zone("z", kind="internal")
    assert len(a.zones) == 4 and len(b.zones) == 1


def test_loaded_model_becomes_editable() -> None:
    m = threatgraph.load(EXAMPLES / "webshop.yaml")
    n = len(m.components)
    m.component("extra", type="service", zone="app")
    assert len(m.to_dict()["components"]) == n + 1
    assert json.loads(m.to_json())["components"][-1]["id"] == "extra"
