"""Patterns from users, matched in linear time.

A flow's ``input_schema`` may hold any regular expression, and Python's
``re`` backtracks: ``^(a+)+$`` against 30 characters takes seconds, and
the world waited meanwhile. Every pattern a user supplies (JSON Schema
``pattern`` and ``patternProperties``, Transfer's filter globs, the States
Language's ``StringMatches``) is matched here, by RE2 (google-re2), whose
matching time is linear in the input whatever the pattern. RE2 has no
backreferences or lookaround: a user schema needing them is refused when
it is deployed (:func:`schema_pattern_problems`), as Globus refuses
schemas it cannot use.

Our own schemas and code keep ``re``: their patterns are ours.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the caller, not to stderr


class PatternError(ValueError):
    """A user's pattern RE2 cannot run (backreferences, lookaround, ...)."""


@lru_cache(maxsize=1024)
def user_pattern(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (``.search``/``.fullmatch`` as in ``re``)."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as err:
        reason = err.args[0] if err.args else err
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"pattern {pattern!r} is not supported: {reason}") from err


@lru_cache(maxsize=1024)
def user_glob(glob: str) -> Any:
    """A shell-style glob (``*``, ``?``, ``[seq]``, ``[!seq]``, as
    ``fnmatch``) compiled by RE2; use ``.fullmatch``."""
    return user_pattern("(?s)" + _glob_regex(glob))


def glob_matches(glob: str, name: str) -> bool:
    """``fnmatch.fnmatchcase(name, glob)``, in linear time. A glob RE2
    cannot compile (a reversed range) matches only itself."""
    try:
        return user_glob(glob).fullmatch(name) is not None
    except PatternError:
        return name == glob


@lru_cache(maxsize=1024)
def user_wildcard(pattern: str) -> Any:
    """The States Language's ``StringMatches``: ``*`` matches any run of
    characters, ``\\*`` a star and ``\\\\`` a backslash; nothing else is
    special. Use ``.fullmatch``."""
    parts = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(".*")
        else:
            parts.append(re.escape(char))
    if escaped:
        parts.append(re.escape("\\"))
    return user_pattern("(?s)" + "".join(parts))


def _glob_regex(glob: str) -> str:
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        i += 1
        if char == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = i + (1 if i < n and glob[i] == "!" else 0)
            end += 1 if end < n and glob[end] == "]" else 0
            while end < n and glob[end] != "]":
                end += 1
            if end >= n:
                out.append(re.escape("["))
                continue
            members, i = glob[i:end], end + 1
            negate = members.startswith("!")
            out.append(_class_regex(members[1:] if negate else members, negate))
        else:
            out.append(re.escape(char))
    return "".join(out)


def _class_regex(members: str, negate: bool) -> str:
    """A glob's ``[...]`` as RE2: single characters and ``x-y`` ranges; a
    reversed range takes both its ends out, as fnmatch does."""
    items: list[str] = []
    k = 0
    while k < len(members):
        if k + 2 < len(members) and members[k + 1] == "-":
            low, high = members[k], members[k + 2]
            if low <= high:
                items.append(f"{_class_char(low)}-{_class_char(high)}")
            k += 3
        else:
            items.append(_class_char(members[k]))
            k += 1
    if not items:
        return "." if negate else "[^\\x00-\\x{10FFFF}]"  # anything / nothing
    return ("[^" if negate else "[") + "".join(items) + "]"


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\^[]-" else char


# -- JSON Schema -------------------------------------------------------------------

# Keywords whose value is a subschema, a list of them, or a map of them.
_ONE = (
    *("additionalProperties", "items", "contains", "not", "if", "then", "else"),
    *("propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"),
)
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def schema_patterns(schema: Any) -> Iterator[str]:
    """Every regular expression in a JSON Schema: ``pattern`` values and
    ``patternProperties`` keys, in every subschema (not in ``enum``,
    ``const``, ``default`` or other data)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        patterned = node.get("patternProperties")
        if isinstance(patterned, dict):
            yield from patterned
        for key in _ONE:
            stack.append(node.get(key))
        for key in _LIST:
            if isinstance(node.get(key), list):
                stack.extend(node[key])
        for key in _MAP:
            if isinstance(node.get(key), dict):
                stack.extend(node[key].values())


def schema_pattern_problems(schema: Any) -> list[str]:
    """Why each pattern in a user's schema cannot be used (none: usable)."""
    problems = []
    for pattern in schema_patterns(schema):
        try:
            user_pattern(pattern)
        except PatternError as err:
            problems.append(str(err))
    return problems


_validators: OrderedDict[str, Any] = OrderedDict()
_validators_lock = threading.Lock()
_KEEP_VALIDATORS = 256


def user_schema_validator(schema: dict[str, Any]) -> Any:
    """A jsonschema validator for a user's schema whose ``pattern``,
    ``patternProperties`` and ``additionalProperties`` match by RE2. The
    latest few are kept (a bounded cache: users deploy many schemas)."""
    key = json.dumps(schema, sort_keys=True)
    with _validators_lock:
        validator = _validators.get(key)
        if validator is not None:
            _validators.move_to_end(key)
            return validator
    import jsonschema

    validator = _linear_class(jsonschema.validators.validator_for(schema))(schema)
    with _validators_lock:
        _validators[key] = validator
        while len(_validators) > _KEEP_VALIDATORS:
            _validators.popitem(last=False)
    return validator


@cache
def _linear_class(base: Any) -> Any:
    import jsonschema

    return jsonschema.validators.extend(
        base,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


def _error(message: str) -> Any:
    from jsonschema.exceptions import ValidationError

    return ValidationError(message)


def _searches(pattern: str, text: str) -> bool:
    try:
        return user_pattern(pattern).search(text) is not None
    except PatternError:
        return False  # refused at deploy; a schema from elsewhere just never matches


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _searches(pattern, instance):
        yield _error(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterned: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterned.items():
        for name, value in instance.items():
            if _searches(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        name
        for name in instance
        if name not in known and not any(_searches(p, name) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif additional is False and extras:
        listed = ", ".join(repr(name) for name in sorted(extras))
        verb = "was" if len(extras) == 1 else "were"
        yield _error(f"Additional properties are not allowed ({listed} {verb} unexpected)")
