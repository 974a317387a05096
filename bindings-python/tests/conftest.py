"""Shared fixtures: the repository's paths and a webshop-like model built with the builder."""

from __future__ import annotations

from pathlib import Path

import pytest

import threatgraph

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def engine() -> threatgraph.Engine:
    return threatgraph.Engine()


def build_shop() -> threatgraph.Model:
    """A small card-payment shop, written with the builder."""
    m = threatgraph.Model("Shop", id="shop", owner="security@shop.example")
    internet = m.zone("internet", kind="internet")
    dmz = m.zone("dmz", kind="dmz", controls=[{"id": "waf", "status": "verified", "evidence": ["scan-2026"]}])
    app = m.zone("app", kind="internal", controls=["least_privilege"])
    cde = m.zone("cde", name="Cardholder data environment", kind="restricted", trust=85)
    card = m.data_asset("card", name="Cardholder data", classification="restricted", tags=["pci_chd"])
    pii = m.data_asset("pii", classification="confidential", tags=["pii"], lawful_basis="contract")
    user = m.component("customer", type="browser", zone=internet)
    web = m.component(
        "web",
        type="web_app",
        zone=dmz,
        flags=["internet_facing", "custom_code"],
        controls=["tls", "input_validation"],
        processes=[card, pii],
    )
    api = m.component("api", kind="process", type="api", zone=app, flags=["custom_code"], controls=[])
    pay = m.component("payments", type="service", zone=cde, controls=["audit_logging"], processes=[card])
    vault = m.component("vault", type="database", zone=cde, stores=[card], controls=[])
    db = m.component("db", type="database", zone=app, stores=[pii])
    psp = m.component("psp", name="Payment provider", type="payment_provider", zone=internet)
    m.flow(user, web, id="checkout", protocol="https", authentication="password", data=[card, pii])
    m.flow(web, api, id="order", protocol="https", authentication="token", data=[card, pii])
    m.flow(api, pay, id="authorise", protocol="http", data=[card])
    m.flow(pay, vault, protocol="postgres", authentication="password", data=[card])
    m.flow(api, db, protocol="postgres", authentication="password", encrypted=True, data=[pii])
    m.flow("payments", "psp", id="charge", protocol="https", authentication="api_key", data=[card])
    m.assumption("A1", "The payment provider is PCI DSS Level 1 certified.", owner="compliance", elements=[psp])
    return m


@pytest.fixture()
def shop() -> threatgraph.Model:
    return build_shop()
