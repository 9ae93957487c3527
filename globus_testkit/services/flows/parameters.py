"""A state's input: ``InputPath`` selects it, ``Parameters`` shapes it.

In a Parameters template, a key ending in ``.$`` takes the value at a
JSONPath, a key ending in ``.=`` takes the value of an expression (the
suffix is dropped from the key in both cases), and anything else is copied
as written; objects and lists are resolved all the way down. ``$._context``
is readable from paths (and ``_context`` from expressions) whatever
``InputPath`` selected, because it lives beside the state, not in it.

Resolved values are shared with the state, not copied: the run's state is
never mutated in place (see :mod:`.jsonpath`), so sharing is safe and keeps
each state's cost independent of how big the state has grown.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from . import expressions, jsonpath
from .errors import FlowsError

PATH_SUFFIX = ".$"
EXPRESSION_SUFFIX = ".="
# Flows' own key naming the parameters to hide from logs; never sent on.
PRIVATE_PARAMETERS = "__Private_Parameters"
REDACTED = "********"


class ParameterError(FlowsError):
    """A Parameters template that cannot be resolved as written."""


def select_input(
    state_def: Mapping[str, Any], document: Any, context: Mapping[str, Any] | None = None
) -> Any:
    """The part of the state a state works on: ``InputPath``, default ``$``."""
    path = state_def.get("InputPath", "$")
    return jsonpath.get(document, path, context=context)


def state_input(
    state_def: Mapping[str, Any], document: Any, context: Mapping[str, Any] | None = None
) -> Any:
    """The effective input of a state: ``InputPath`` first, then ``Parameters``
    resolved against what it selected (without ``__Private_Parameters``)."""
    selected = select_input(state_def, document, context)
    if "Parameters" not in state_def:
        return selected
    resolved = resolve(state_def["Parameters"], selected, context)
    if isinstance(resolved, dict):
        resolved.pop(PRIVATE_PARAMETERS, None)
    return resolved


def resolve(template: Any, document: Any, context: Mapping[str, Any] | None = None) -> Any:
    """``template`` with every ``.$`` and ``.=`` key filled in from ``document``."""
    return _Resolver(document, context).resolve(template)


class _Resolver:
    def __init__(self, document: Any, context: Mapping[str, Any] | None) -> None:
        self.document = document
        self.context = context
        self._names: Mapping[str, Any] | None = None

    @property
    def names(self) -> Mapping[str, Any]:
        """What expressions see: the document's keys, and ``_context``.

        Built on first use only; a ChainMap costs nothing per key."""
        if self._names is None:
            layers: list[Mapping[str, Any]] = []
            if self.context is not None:
                layers.append({jsonpath.CONTEXT_KEY: self.context})
            if isinstance(self.document, Mapping):
                layers.append(self.document)
            self._names = ChainMap(*layers)
        return self._names

    def resolve(self, template: Any) -> Any:
        if isinstance(template, dict):
            return dict(self._entry(key, value) for key, value in template.items())
        if isinstance(template, list):
            return [self.resolve(item) for item in template]
        return template

    def _entry(self, key: Any, value: Any) -> tuple[Any, Any]:
        if isinstance(key, str) and key.endswith(PATH_SUFFIX):
            return key[: -len(PATH_SUFFIX)], self._path(key, value)
        if isinstance(key, str) and key.endswith(EXPRESSION_SUFFIX):
            return key[: -len(EXPRESSION_SUFFIX)], self._expression(key, value)
        return key, self.resolve(value)

    def _path(self, key: str, path: Any) -> Any:
        if not isinstance(path, str):
            raise ParameterError(f"{key!r} must name a JSONPath string, not {path!r}")
        return jsonpath.get(self.document, path, context=self.context)

    def _expression(self, key: str, expression: Any) -> Any:
        if not isinstance(expression, str):
            raise ParameterError(f"{key!r} must be an expression string, not {expression!r}")
        return expressions.evaluate(expression, self.names)


def private_names(state_def: Mapping[str, Any]) -> list[str]:
    """The parameter names a state asks Flows to keep out of its logs."""
    template = state_def.get("Parameters")
    names = template.get(PRIVATE_PARAMETERS) if isinstance(template, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def redact(body: Any, names: list[str]) -> Any:
    """``body`` with the values of private parameters hidden (for the log)."""
    if not names or not isinstance(body, dict):
        return body
    return {k: REDACTED if k in names else v for k, v in body.items()}


__all__ = [
    "EXPRESSION_SUFFIX",
    "PATH_SUFFIX",
    "PRIVATE_PARAMETERS",
    "ParameterError",
    "private_names",
    "redact",
    "resolve",
    "select_input",
    "state_input",
]
