"""threatgraph: an embeddable threat-modeling engine.

Describe an architecture (zones, components, data assets, flows), analyze it, and get the threats
(STRIDE/LINDDUN) with ATT&CK techniques, NIST SP 800-53 / ISO 27001 / CIS controls, explained
severity and an assumptions register.

>>> import threatgraph
>>> m = threatgraph.Model("Tiny shop")
>>> internet = m.zone("internet", kind="internet")
>>> app = m.zone("app", kind="internal")
>>> card = m.data_asset("card", classification="restricted", tags=["pci_chd"])
>>> browser = m.component("browser", type="browser", zone=internet)
>>> shop = m.component("shop", type="web_app", zone=app, controls=[])
>>> _ = m.flow(browser, shop, id="checkout", protocol="http", data=[card])
>>> report = threatgraph.analyze(m)
>>> any(t.rule == "TM-002" for t in report.threats)
True
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union
import os

from ._errors import CatalogError, ModelError, RequestError, RuleError, ThreatgraphError
from ._model import Assumption, Component, DataAsset, Element, Flow, Model, Zone, load
from ._threatgraph import VERSION as __version__
from ._threatgraph import CoreModel, Engine, Report, Threat, analyze_json

__all__ = [
    "Model",
    "Element",
    "Zone",
    "Component",
    "DataAsset",
    "Flow",
    "Assumption",
    "load",
    "Engine",
    "Report",
    "Threat",
    "CoreModel",
    "analyze",
    "analyze_json",
    "ThreatgraphError",
    "ModelError",
    "RuleError",
    "CatalogError",
    "RequestError",
    "__version__",
]

RuleSource = Union[str, "os.PathLike[str]", Tuple[str, str]]


def analyze(
    model: Union[Model, CoreModel],
    rules: Optional[Sequence[RuleSource]] = None,
    *,
    no_bundled_rules: bool = False,
) -> Report:
    """Validates and analyzes ``model`` with the bundled rules plus ``rules`` (rule-file paths or
    ``(name, text)`` pairs). To analyze many models, build one ``Engine`` and reuse it."""
    return Engine(rules, no_bundled_rules=no_bundled_rules).analyze(model)
