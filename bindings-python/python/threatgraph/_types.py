"""Typed shapes of the plain data a report hands out (the keys of its JSON form)."""

from __future__ import annotations

from typing import Dict, List, TypedDict

__all__ = [
    "Diagnostic",
    "ElementRef",
    "TechniqueRef",
    "CatalogRef",
    "ControlRef",
    "Recommended",
    "CreditedControl",
    "LikelihoodFactors",
    "Likelihood",
    "Modifier",
    "Impact",
    "Summary",
    "AssumptionEntry",
]


class Diagnostic(TypedDict):
    code: str
    path: str
    message: str


class ElementRef(TypedDict):
    id: str
    kind: str  # component, flow, zone or data_asset
    name: str


class TechniqueRef(TypedDict):
    id: str
    name: str
    tactics: List[str]
    url: str


class CatalogRef(TypedDict):
    id: str
    title: str


class _ControlRef(TypedDict):
    id: str
    title: str
    status: str  # implemented or missing


class ControlRef(_ControlRef, total=False):
    implemented_by: List[str]


class Recommended(TypedDict):
    nist_800_53: List[ControlRef]
    iso_27001: List[CatalogRef]
    cis_v8: List[CatalogRef]


class CreditedControl(TypedDict):
    control: str
    effect: str
    on: str
    status: str
    evidence: int


class LikelihoodFactors(TypedDict):
    exposure: int
    exposure_of: str
    access: int
    complexity: int
    threat_activity: int
    sum: int


class _Likelihood(TypedDict):
    inherent: int
    residual: int


class Likelihood(_Likelihood, total=False):
    factors: LikelihoodFactors


class Modifier(TypedDict):
    reason: str
    delta: int


class _Impact(TypedDict):
    inherent: int
    residual: int
    property: str
    base: int
    assets: List[str]


class Impact(_Impact, total=False):
    modifiers: List[Modifier]


class Summary(TypedDict):
    threats: int
    by_severity: Dict[str, int]
    by_inherent_severity: Dict[str, int]
    by_category: Dict[str, int]
    by_status: Dict[str, int]
    rules_evaluated: int


class _AssumptionEntry(TypedDict):
    id: str
    statement: str
    source: str  # declared or automatic
    elements: List[str]


class AssumptionEntry(_AssumptionEntry, total=False):
    owner: str
    review_by: str
    threats: List[str]
