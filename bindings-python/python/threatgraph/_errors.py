"""Exceptions: every error of threatgraph is a ``ThreatgraphError`` with a stable ``code``, the
``path`` of the first problem and every problem in ``details``. Compare codes, never messages."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple, Type

from ._types import Diagnostic

__all__ = ["ThreatgraphError", "ModelError", "RuleError", "CatalogError", "RequestError"]


class ThreatgraphError(Exception):
    """Base class of every threatgraph error.

    ``code`` is the stable code of the first problem (``model.unknown_reference``), ``path``
    where it is (``flows[3].target``), ``details`` every problem as ``{code, path, message}``,
    and ``str(error)`` the message.
    """

    kind: str = "internal"

    def __init__(self, message: str, code: str = "", path: str = "", details: Iterable[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path
        self.details: List[Diagnostic] = [
            {"code": d["code"], "path": d["path"], "message": d["message"]} for d in details
        ]

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, self.code, self.path, self.details))


class ModelError(ThreatgraphError, ValueError):
    """The model is malformed or inconsistent; ``details`` holds every problem found."""

    kind = "model"


class RuleError(ThreatgraphError, ValueError):
    """A rule file is malformed or refers to unknown catalog entries."""

    kind = "rule"


class CatalogError(ThreatgraphError, ValueError):
    """A catalog file is malformed or inconsistent."""

    kind = "catalog"


class RequestError(ThreatgraphError, ValueError):
    """A request is malformed (e.g. an unknown model format)."""

    kind = "request"


_BY_KIND: Dict[str, Type[ThreatgraphError]] = {
    "model": ModelError,
    "rule": RuleError,
    "catalog": CatalogError,
    "request": RequestError,
}


def _from_core(kind: str, message: str, code: str, path: str, details: List[Diagnostic]) -> ThreatgraphError:
    """Called by the native module to build the exception for a core error."""
    return _BY_KIND.get(kind, ThreatgraphError)(message, code, path, details)
