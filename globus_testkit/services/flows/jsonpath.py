"""The JSONPath subset that Flows definitions use, read and written safely.

Supported: ``$`` (the whole document), ``$.a.b``, ``$.a[0]`` (negative
indexes count from the end), ``$['k']`` / ``$["k"]`` (any key, with ``\\``
escapes), and ``*`` wildcards (``$.a[*].b``, ``$.a.*``) when reading.

:func:`set` never mutates its input: it copies only the containers along the
path (copy-on-write), so the rest of the document is shared between the old
and the new version. That keeps a ResultPath write proportional to the depth
of the path rather than to the size of the run's state, and it lets log
entries keep references to earlier states without deep copies. The price is
a rule: nobody mutates a document in place once it is part of a run.

``$._context`` belongs to Flows: it can be read when a ``context`` is given
and can never be written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from .errors import FlowsError

CONTEXT_KEY = "_context"


class JSONPathError(FlowsError):
    """Base of every JSONPath problem."""


class JSONPathSyntaxError(JSONPathError):
    """The text is not a JSONPath this module understands."""


class PathNotFoundError(JSONPathError):
    """A path that should lead to a value leads nowhere in the document."""


class ResultPathError(JSONPathError):
    """A value cannot be stored at a path (an intermediate is not a container)."""

    default_error = "States.ResultPathMatchFailure"


class ContextReadOnlyError(JSONPathError):
    """Something tried to write into ``$._context``."""


@dataclass(frozen=True)
class Wildcard:
    """The ``*`` step: every item of a list or every value of an object."""

    def __repr__(self) -> str:
        return "*"


WILDCARD = Wildcard()
Step = Union[str, int, Wildcard]

_INDEX = re.compile(r"\s*(-?\d+)\s*")
# A dotted name runs until the next step starts; anything else is allowed,
# because flow authors write keys like ``$.source-endpoint`` or ``$.2024``.
_NAME_STOP = frozenset(".[]'\"* \t\r\n")


@functools.lru_cache(maxsize=4096)
def parse(path: str) -> tuple[Step, ...]:
    """The steps of ``path``; cached because definitions repeat their paths."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise JSONPathSyntaxError(f"{path!r} is not a JSONPath: it must start with $")
    steps: list[Step] = []
    position = 1
    while position < len(path):
        if path[position] == ".":
            position, step = _dotted(path, position + 1)
        elif path[position] == "[":
            position, step = _bracketed(path, position + 1)
        else:
            raise JSONPathSyntaxError(f"cannot read the JSONPath {path!r} at {path[position:]!r}")
        steps.append(step)
    return tuple(steps)


def _dotted(path: str, start: int) -> tuple[int, Step]:
    if path.startswith("*", start):
        return start + 1, WILDCARD
    end = start
    while end < len(path) and path[end] not in _NAME_STOP:
        end += 1
    if end == start:
        raise JSONPathSyntaxError(f"{path!r} has an empty name after '.' (.. is not supported)")
    return end, path[start:end]


def _bracketed(path: str, start: int) -> tuple[int, Step]:
    step: Step
    if path.startswith(("'", '"'), start):
        end, step = _quoted(path, start)
    elif path.startswith("*", start):
        end, step = start + 1, WILDCARD
    else:
        match = _INDEX.match(path, start)
        if match is None:
            raise JSONPathSyntaxError(f"{path!r}: expected an index, '*' or a quoted key in []")
        end, step = match.end(), int(match.group(1))
    if not path.startswith("]", end):
        raise JSONPathSyntaxError(f"{path!r}: missing ']'")
    return end + 1, step


def _quoted(path: str, start: int) -> tuple[int, str]:
    quote, position, chars = path[start], start + 1, []
    while position < len(path) and path[position] != quote:
        if path[position] == "\\" and position + 1 < len(path):
            position += 1
        chars.append(path[position])
        position += 1
    if position >= len(path):
        raise JSONPathSyntaxError(f"{path!r}: unterminated quoted key")
    return position + 1, "".join(chars)


def is_valid(path: Any) -> bool:
    """Whether ``path`` is a JSONPath this module can read."""
    try:
        parse(path)
    except (JSONPathSyntaxError, TypeError):
        return False
    return True


def has_wildcard(path: str) -> bool:
    return WILDCARD in parse(path)


# -- reading -----------------------------------------------------------------------


def get(document: Any, path: str, *, context: Mapping[str, Any] | None = None) -> Any:
    """The value at ``path``; a wildcard path gives the list of every match.

    With ``context``, ``$._context...`` reads from it instead of the document,
    which is how Flows keeps the run context read-only and always present.
    Raises :class:`PathNotFoundError` naming the first step that is missing.
    """
    root, steps = _root(document, parse(path), context)
    if WILDCARD in steps:
        return _collect(root, steps)
    return _walk(root, steps, path)


def exists(document: Any, path: str, *, context: Mapping[str, Any] | None = None) -> bool:
    """Whether ``path`` leads to a value (a wildcard path always does)."""
    try:
        get(document, path, context=context)
    except PathNotFoundError:
        return False
    return True


def _root(
    document: Any, steps: tuple[Step, ...], context: Mapping[str, Any] | None
) -> tuple[Any, tuple[Step, ...]]:
    if context is not None and steps[:1] == (CONTEXT_KEY,):
        return context, steps[1:]
    return document, steps


def _walk(value: Any, steps: tuple[Step, ...], path: str) -> Any:
    for depth, step in enumerate(steps):
        found, value = _child(value, step)
        if not found:
            where = _render(steps[: depth + 1])
            raise PathNotFoundError(f"the path {path} does not exist: nothing at {where}")
    return value


def _child(value: Any, step: Step) -> tuple[bool, Any]:
    if isinstance(step, str) and isinstance(value, Mapping):
        return (True, value[step]) if step in value else (False, None)
    if isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
        return True, value[step]
    return False, None


def _collect(value: Any, steps: tuple[Step, ...]) -> list[Any]:
    """Every value the steps reach; branches that lead nowhere are skipped."""
    current = [value]
    for step in steps:
        following: list[Any] = []
        for item in current:
            if isinstance(step, Wildcard):
                following.extend(_children(item))
            else:
                found, child = _child(item, step)
                if found:
                    following.append(child)
        current = following
    return current


def _children(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Mapping):
        return list(value.values())
    return []


def _render(steps: tuple[Step, ...]) -> str:
    text = "$"
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text


# -- writing -------------------------------------------------------------------------


def put(document: Any, path: str, value: Any) -> Any:
    """A new document with ``value`` at ``path`` (ResultPath semantics).

    ``$`` replaces the whole document; missing objects along the path are
    created; an existing list element may be replaced but a list is never
    grown. Only the containers on the path are copied. ``$._context`` is
    read-only, and a whole new document never smuggles a ``_context`` in.
    """
    steps = parse(path)
    if WILDCARD in steps:
        raise JSONPathSyntaxError(f"{path}: a ResultPath cannot contain '*'")
    if steps[:1] == (CONTEXT_KEY,):
        raise ContextReadOnlyError(f"{path}: $._context is read-only")
    if not steps:
        return _without_context(value)
    return _put(document, steps, value, path)


def _put(node: Any, steps: tuple[Step, ...], value: Any, path: str) -> Any:
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        if not isinstance(node, dict):
            raise ResultPathError(f"{path}: cannot store into {type(node).__name__} at {step!r}")
        updated = dict(node)
        updated[step] = _put(node.get(step, {}), rest, value, path) if rest else value
        return updated
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise ResultPathError(f"{path}: there is no list element [{step}] to replace")
    replaced = list(node)
    replaced[step] = _put(node[step], rest, value, path) if rest else value
    return replaced


def _without_context(value: Any) -> Any:
    if isinstance(value, dict) and CONTEXT_KEY in value:
        return {k: v for k, v in value.items() if k != CONTEXT_KEY}
    return value


# The names the rest of the package (and the brief) use for reading and writing.
set = put  # noqa: A001 - ``jsonpath.set`` reads naturally beside ``jsonpath.get``

__all__ = [
    "CONTEXT_KEY",
    "WILDCARD",
    "ContextReadOnlyError",
    "JSONPathError",
    "JSONPathSyntaxError",
    "PathNotFoundError",
    "ResultPathError",
    "exists",
    "get",
    "has_wildcard",
    "is_valid",
    "parse",
    "put",
    "set",
]
