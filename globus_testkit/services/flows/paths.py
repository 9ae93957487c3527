"""JSONPath in flow definitions: ``.$`` parameters, InputPath, ResultPath,
SecondsPath/TimestampPath and Choice ``Variable``s.

Plain reference paths (``$.a.b[0]``, ``$['x y']``), by far the most common,
are walked directly: a state costs microseconds. Everything else in the
dialect Flows accepts (filters ``[?(@.size > 0)]``, wildcards, slices
``[1:]``, recursive descent ``$..name``) is handed to jsonpath-ng's
extended parser, compiled once per path and cached. Such a path names
many values, so it reads as the list of what it matched.

jsonpath-ng was chosen because it is maintained, pure Python with no
dependencies, implements the Goessner dialect Flows documents (with
filters and slices in its ``ext`` parser), and parses once into an
expression object we can cache and reuse across threads.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from .errors import LanguageError

# The run's private context in its state: readable where a path names
# it, never part of what a path selecting the whole state gives.
CONTEXT = "_context"
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
# ply's parser tables are shared state: compile one path at a time.
_compile_lock = threading.Lock()

Steps = tuple["str | int", ...]


@lru_cache(maxsize=4096)
def _simple_steps(path: str) -> Steps | None:
    """The steps of a plain reference path, or None if it is not one."""
    steps: list[str | int] = []
    rest = path[1:]
    while rest:
        match = _STEP.match(rest)
        if match is None:
            return None
        name, index, quoted, double = match.groups()
        steps.append(int(index) if index is not None else (name or quoted or double or ""))
        rest = rest[match.end() :]
    return tuple(steps)


@lru_cache(maxsize=1024)
def _compiled(path: str) -> Any:
    # jsonpath-ng (and its parser tables) loads with the first path that
    # needs it: most flows only use simple paths (_simple_steps)
    from jsonpath_ng.ext.parser import parse

    with _compile_lock:
        try:
            return parse(path)
        except Exception as err:  # jsonpath-ng's lexer/parser errors, and others
            raise LanguageError(
                "States.Runtime", f"cannot read the JSONPath {path!r}: {err}"
            ) from err


def _checked(path: Any) -> str:
    if not isinstance(path, str) or not path.startswith("$"):
        raise LanguageError("States.Runtime", f"{path!r} is not a JSONPath starting with $")
    return path


def path_steps(path: str) -> list[str | int]:
    """The steps of a reference path (one that names a single place)."""
    steps = _simple_steps(_checked(path))
    if steps is None:
        raise LanguageError(
            "States.Runtime", f"{path!r} must name one place (no filters, wildcards or slices)"
        )
    return list(steps)


def get_path(document: Any, path: str) -> Any:
    steps = _simple_steps(_checked(path))
    if steps is None:
        found = [match.value for match in _compiled(path).find(document)]
        if not found and not _is_query(path):
            raise LanguageError("States.JsonPathMissing", f"{path} does not exist in the state")
        return found
    value = document
    for step in steps:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError) as err:
            raise LanguageError(
                "States.JsonPathMissing", f"{path} does not exist in the state"
            ) from err
    return value


def visible(state: dict[str, Any]) -> dict[str, Any]:
    """The run's state as the flow's input and output show it: without
    its private ``$._context``."""
    return {k: v for k, v in state.items() if k != CONTEXT}


def select(state: Any, path: str) -> Any:
    """What a path selects from a run's state for a state's input (its
    InputPath, its Parameters' ``.$`` values): ``$`` and queries read the
    visible state, so ``$._context`` travels only where a path names it."""
    steps = _simple_steps(_checked(path))
    if steps or not isinstance(state, dict):  # names a key, the context's too
        return get_path(state, path)
    return get_path(visible(state), path)


def _is_query(path: str) -> bool:
    """A path that selects (filter, wildcard, slice, descent) may select
    nothing: that is an empty list, not a missing value."""
    return any(mark in path for mark in ("?", "*", ":", ".."))


def has_path(document: Any, path: str) -> bool:
    try:
        get_path(document, path)
    except LanguageError:
        return False
    return True


def set_path(document: dict[str, Any], path: str | None, value: Any) -> dict[str, Any]:
    """A new state with ``value`` at ``path`` ("$" replaces the state; None
    discards the value). ``$._context`` is read-only."""
    if path is None:
        return document
    steps = path_steps(path)
    if steps[:1] == [CONTEXT]:
        raise LanguageError("States.Runtime", "$._context is read-only")
    if not steps:
        if not isinstance(value, dict):
            value = {"value": value}
        context = document.get(CONTEXT)
        return {**value, CONTEXT: context} if context is not None else dict(value)
    updated = dict(document)
    cursor: Any = updated
    try:
        for step in steps[:-1]:
            child = cursor[step] if _has(cursor, step) else None
            # Copy on the way down: earlier states' values stay as they were.
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                child = {}
            cursor[step] = child
            cursor = child
        cursor[steps[-1]] = value
    except (IndexError, TypeError) as err:
        raise LanguageError("States.Runtime", f"{path}: no such list position") from err
    return updated


def _has(container: Any, step: str | int) -> bool:
    if isinstance(container, dict):
        return step in container
    return (
        isinstance(container, list)
        and isinstance(step, int)
        and -len(container) <= step < len(container)
    )
