"""The model: load one (``load``, ``Model.from_yaml``/``from_json``/``from_dict``) or build one in
Python (``Model("Shop")``, then ``zone``, ``component``, ``data_asset``, ``flow``, ``assumption``).

A model is a document in the format the CLI reads (catalogs/schema/model.schema.json). Keyword
arguments map to its fields one to one; ``None`` leaves a field unset, which is not the same as an
empty list (``controls=[]`` says "no controls", an unset ``controls`` says "not stated"). Element
objects may be passed wherever an id is expected. The core checks the document when the model is
converted (``to_json``, ``to_yaml``, ``validate``, analysis): an unknown or misspelt field is a
``ModelError`` naming its path (``components[2].colour``). There is no global state: each
``Model`` is independent.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Type, TypeVar, Union

from . import _threatgraph

if TYPE_CHECKING:
    from ._threatgraph import Engine, Report

__all__ = ["Model", "Element", "Zone", "Component", "DataAsset", "Flow", "Assumption", "load", "Ref", "Control"]

Control = Union[str, Dict[str, Any]]
"""A control token (``"mfa"``) or ``{"id": "waf", "status": "verified", "evidence": [...]}``."""

_E = TypeVar("_E", bound="Element")


class Element:
    """A handle on one element of a model: its ``id`` and its fields (``element["zone"]``)."""

    section = ""
    __slots__ = ("_model", "_fields")

    def __init__(self, model: Model, fields: Dict[str, Any]) -> None:
        self._model = model
        self._fields = fields

    @property
    def id(self) -> str:
        return str(self._fields["id"])

    @property
    def model(self) -> Model:
        return self._model

    def __getitem__(self, field: str) -> Any:
        return self._fields[field]

    def get(self, field: str, default: Any = None) -> Any:
        return self._fields.get(field, default)

    def to_dict(self) -> Dict[str, Any]:
        """The element's fields as written to the model document."""
        copy: Dict[str, Any] = json.loads(json.dumps(self._fields))
        return copy

    def update(self: _E, **fields: Any) -> _E:
        """Sets fields (``None`` unsets one) and returns the element."""
        self._model._modified()
        _assign(self._fields, fields)
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Element) and other._fields is self._fields

    def __hash__(self) -> int:
        return id(self._fields)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._fields.items() if k != "id")
        return f"{type(self).__name__}({self.id!r}{', ' if shown else ''}{shown})"


class Zone(Element):
    """A trust boundary."""

    section = "zones"
    __slots__ = ()


class Component(Element):
    """An external entity, process or data store."""

    section = "components"
    __slots__ = ()


class DataAsset(Element):
    """A data asset."""

    section = "data_assets"
    __slots__ = ()


class Flow(Element):
    """A data flow from ``source`` to ``target``."""

    section = "flows"
    __slots__ = ()

    @property
    def id(self) -> str:
        """The declared id, or ``source->target``."""
        fid = self._fields.get("id")
        return str(fid) if fid is not None else f"{self._fields['source']}->{self._fields['target']}"


class Assumption(Element):
    """A declared assumption."""

    section = "assumptions"
    __slots__ = ()


Ref = Union[str, Element]
"""An element id, or the element itself."""

_SECTIONS: Dict[str, Type[Element]] = {
    "zones": Zone,
    "components": Component,
    "data_assets": DataAsset,
    "flows": Flow,
    "assumptions": Assumption,
}


def _plain(value: Any) -> Any:
    """Elements become their ids, tuples lists; everything else is kept."""
    if isinstance(value, Element):
        return value.id
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Element):
        return value.id
    raise TypeError(f"{type(value).__name__} is not valid in a model: {value!r}")


def _assign(target: Dict[str, Any], fields: Dict[str, Any]) -> None:
    for key, value in fields.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _plain(value)


class Model:
    """An architecture model: zones, components, data assets, flows and assumptions.

    >>> m = Model("Shop")
    >>> dmz = m.zone("dmz", kind="dmz")
    >>> web = m.component("web", type="web_app", zone=dmz, controls=["waf"])
    """

    __slots__ = ("_doc", "_core", "__weakref__")

    def __init__(
        self,
        title: str,
        *,
        id: Optional[str] = None,
        version: Optional[str] = None,
        description: Optional[str] = None,
        owner: Optional[str] = None,
        format_version: Optional[int] = None,
        **extra: Any,
    ) -> None:
        doc: Dict[str, Any] = {}
        _assign(
            doc,
            dict(
                format_version=format_version,
                title=title,
                id=id,
                version=version,
                description=description,
                owner=owner,
                **extra,
            ),
        )
        self._doc: Optional[Dict[str, Any]] = doc
        self._core: Optional[_threatgraph.CoreModel] = None

    # --- loading ----------------------------------------------------------------------------

    @classmethod
    def _wrap(cls, core: _threatgraph.CoreModel) -> Model:
        m = cls.__new__(cls)
        m._doc = None
        m._core = core
        return m

    @classmethod
    def from_json(cls, text: str) -> Model:
        """Parses a model from JSON text (raises ``ModelError``)."""
        return cls._wrap(_threatgraph.CoreModel.from_json(text))

    @classmethod
    def from_yaml(cls, text: str) -> Model:
        """Parses a model from YAML text (raises ``ModelError``)."""
        return cls._wrap(_threatgraph.CoreModel.from_yaml(text))

    @classmethod
    def from_text(cls, text: str, format: Optional[str] = None) -> Model:
        """Parses ``json`` or ``yaml`` text; without ``format``, JSON when it starts with ``{``."""
        return cls._wrap(_threatgraph.CoreModel.from_text(text, format))

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Model:
        """A model from plain data shaped like the JSON document (raises ``ModelError``)."""
        return cls._wrap(_threatgraph.CoreModel.from_json(json.dumps(data, default=_json_default)))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> Model:
        """Reads a model file: JSON when the name ends in ``.json``, YAML otherwise."""
        return cls._wrap(_threatgraph.CoreModel.load(path))

    # --- building ---------------------------------------------------------------------------

    def _modified(self) -> Dict[str, Any]:
        """The editable document; the parsed form is rebuilt on next use."""
        if self._doc is None:
            assert self._core is not None
            self._doc = json.loads(self._core.to_json())
        self._core = None
        return self._doc

    def _add(self, cls: Type[_E], fields: Dict[str, Any]) -> _E:
        doc = self._modified()
        item: Dict[str, Any] = {}
        _assign(item, fields)
        doc.setdefault(cls.section, []).append(item)
        return cls(self, item)

    def zone(
        self,
        id: str,
        *,
        kind: Optional[str] = None,
        name: Optional[str] = None,
        trust: Optional[int] = None,
        parent: Optional[Ref] = None,
        environment: Optional[str] = None,
        location: Optional[str] = None,
        controls: Optional[Sequence[Control]] = None,
        description: Optional[str] = None,
        **extra: Any,
    ) -> Zone:
        """Adds a trust boundary; ``kind`` is required (``internet``, ``dmz``, ``internal``, ...)."""
        return self._add(
            Zone,
            dict(
                id=id,
                name=name,
                kind=kind,
                trust=trust,
                parent=parent,
                environment=environment,
                location=location,
                controls=controls,
                description=description,
                **extra,
            ),
        )

    def component(
        self,
        id: str,
        *,
        type: Optional[str] = None,
        kind: Optional[str] = None,
        name: Optional[str] = None,
        zone: Optional[Ref] = None,
        technology: Optional[str] = None,
        description: Optional[str] = None,
        flags: Optional[Sequence[str]] = None,
        controls: Optional[Sequence[Control]] = None,
        stores: Optional[Sequence[Ref]] = None,
        processes: Optional[Sequence[Ref]] = None,
        owner: Optional[str] = None,
        replicas: Optional[int] = None,
        location: Optional[str] = None,
        **extra: Any,
    ) -> Component:
        """Adds a component; ``type`` is required (``browser``, ``web_app``, ``database``, ...)."""
        return self._add(
            Component,
            dict(
                id=id,
                name=name,
                kind=kind,
                type=type,
                zone=zone,
                technology=technology,
                description=description,
                flags=flags,
                controls=controls,
                stores=stores,
                processes=processes,
                owner=owner,
                replicas=replicas,
                location=location,
                **extra,
            ),
        )

    def data_asset(
        self,
        id: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        classification: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        confidentiality: Optional[int] = None,
        integrity: Optional[int] = None,
        availability: Optional[int] = None,
        quantity: Optional[str] = None,
        purposes: Optional[Sequence[str]] = None,
        lawful_basis: Optional[str] = None,
        retention: Optional[str] = None,
        owner: Optional[str] = None,
        **extra: Any,
    ) -> DataAsset:
        """Adds a data asset (``classification``: public, internal, confidential, restricted)."""
        return self._add(
            DataAsset,
            dict(
                id=id,
                name=name,
                description=description,
                classification=classification,
                tags=tags,
                confidentiality=confidentiality,
                integrity=integrity,
                availability=availability,
                quantity=quantity,
                purposes=purposes,
                lawful_basis=lawful_basis,
                retention=retention,
                owner=owner,
                **extra,
            ),
        )

    def flow(
        self,
        source: Ref,
        target: Ref,
        *,
        id: Optional[str] = None,
        name: Optional[str] = None,
        protocol: Optional[str] = None,
        encrypted: Optional[bool] = None,
        authentication: Optional[str] = None,
        authorization: Optional[str] = None,
        mfa: Optional[bool] = None,
        data: Optional[Sequence[Ref]] = None,
        format: Optional[str] = None,
        flags: Optional[Sequence[str]] = None,
        controls: Optional[Sequence[Control]] = None,
        description: Optional[str] = None,
        **extra: Any,
    ) -> Flow:
        """Adds a data flow from ``source`` to ``target`` (its id defaults to ``source->target``)."""
        return self._add(
            Flow,
            dict(
                id=id,
                name=name,
                source=source,
                target=target,
                protocol=protocol,
                encrypted=encrypted,
                authentication=authentication,
                authorization=authorization,
                mfa=mfa,
                data=data,
                format=format,
                flags=flags,
                controls=controls,
                description=description,
                **extra,
            ),
        )

    def assumption(
        self,
        id: str,
        statement: str,
        *,
        owner: Optional[str] = None,
        review_by: Optional[str] = None,
        elements: Optional[Sequence[Ref]] = None,
        **extra: Any,
    ) -> Assumption:
        """Records an assumption (``review_by``: YYYY-MM-DD)."""
        return self._add(
            Assumption,
            dict(id=id, statement=statement, owner=owner, review_by=review_by, elements=elements, **extra),
        )

    # --- reading ----------------------------------------------------------------------------

    def _document(self) -> Dict[str, Any]:
        if self._doc is None:
            assert self._core is not None
            self._doc = json.loads(self._core.to_json())
        return self._doc

    def _elements(self, cls: Type[_E]) -> List[_E]:
        return [cls(self, item) for item in self._document().get(cls.section, [])]

    @property
    def title(self) -> str:
        return str(self._document()["title"])

    @property
    def zones(self) -> List[Zone]:
        return self._elements(Zone)

    @property
    def components(self) -> List[Component]:
        return self._elements(Component)

    @property
    def data_assets(self) -> List[DataAsset]:
        return self._elements(DataAsset)

    @property
    def flows(self) -> List[Flow]:
        return self._elements(Flow)

    @property
    def assumptions(self) -> List[Assumption]:
        return self._elements(Assumption)

    def __getitem__(self, id: str) -> Element:
        """The zone, component, data asset, flow or assumption with this id."""
        for cls in _SECTIONS.values():
            for element in self._elements(cls):
                if element.id == id:
                    return element
        raise KeyError(id)

    # --- converting -------------------------------------------------------------------------

    def _core_model(self) -> _threatgraph.CoreModel:
        """The model parsed by the core (one native call; cached until the model changes)."""
        core = self._core
        if core is None:
            core = _threatgraph.CoreModel.from_json(json.dumps(self._doc))
            self._core = core
        return core

    def to_json(self) -> str:
        """The model as JSON, the format the CLI reads (raises ``ModelError`` if malformed)."""
        return self._core_model().to_json()

    def to_yaml(self) -> str:
        """The model as YAML, the format the CLI reads (raises ``ModelError`` if malformed)."""
        return self._core_model().to_yaml()

    def to_dict(self) -> Dict[str, Any]:
        """The model as plain data, as the core reads it (raises ``ModelError`` if malformed)."""
        result: Dict[str, Any] = json.loads(self.to_json())
        return result

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the model: JSON when the name ends in ``.json``, YAML otherwise."""
        text = self.to_json() if os.fspath(path).lower().endswith(".json") else self.to_yaml()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def validate(self, engine: Optional[Engine] = None) -> None:
        """Checks the model; raises ``ModelError`` carrying every problem found."""
        (engine or _threatgraph.Engine()).validate(self)

    def analyze(self, engine: Optional[Engine] = None) -> Report:
        """Validates and analyzes the model with ``engine`` (default: the bundled rules)."""
        return (engine or _threatgraph.Engine()).analyze(self)

    def __repr__(self) -> str:
        doc = self._document()
        counts = ", ".join(f"{len(doc.get(s, []))} {s.replace('_', ' ')}" for s in _SECTIONS)
        return f"<Model {doc.get('title')!r}: {counts}>"


def load(path: Union[str, "os.PathLike[str]"]) -> Model:
    """Reads a model file: JSON when the name ends in ``.json``, YAML otherwise."""
    return Model.load(path)
