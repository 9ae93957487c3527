"""Choice rules, as in the Amazon States Language that Flows adopts.

A rule is ``And``/``Or`` (lists of rules), ``Not`` (one rule), or a
``Variable`` (a JSONPath) with one comparator:

- ``{String,Numeric,Timestamp}{Equals,LessThan,GreaterThan,LessThanEquals,
  GreaterThanEquals}`` and ``BooleanEquals``, each also as ``...Path`` (the
  other side read from the state);
- ``StringMatches`` (``*`` matches any run of characters; ``\\*`` is a
  literal star and ``\\\\`` a literal backslash);
- ``IsNull``, ``IsPresent``, ``IsNumeric``, ``IsString``, ``IsBoolean``,
  ``IsTimestamp`` (each true or false).

A comparison between values of the wrong type is simply false. A Variable
that is not in the state is an error (``States.Runtime``), except for
``IsPresent``, which exists to ask exactly that.
"""

from __future__ import annotations

import datetime as _dt
import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import jsonpath
from .errors import FlowsError


class NoChoiceMatched(FlowsError):
    """No rule matched and the Choice state has no Default."""

    default_error = "States.NoChoiceMatched"


class ChoiceRuleError(FlowsError):
    """A rule that cannot be evaluated as written."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_KINDS: dict[str, Callable[[Any], bool]] = {
    "String": lambda value: isinstance(value, str),
    "Numeric": _is_number,
    "Boolean": lambda value: isinstance(value, bool),
    "Timestamp": lambda value: is_timestamp(value),
}
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _comparators() -> dict[str, tuple[str, Callable[[Any, Any], bool], bool]]:
    """name -> (kind, comparison, other side is a path)."""
    table = {}
    for kind in _KINDS:
        # Booleans have no order; the States Language offers only BooleanEquals.
        names = ["Equals"] if kind == "Boolean" else list(_ORDERINGS)
        for name in names:
            table[f"{kind}{name}"] = (kind, _ORDERINGS[name], False)
            table[f"{kind}{name}Path"] = (kind, _ORDERINGS[name], True)
    return table


COMPARATORS = _comparators()
TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": lambda value: is_timestamp(value),
}
OTHER_TESTS = ("IsPresent", "StringMatches")
TESTS = frozenset([*COMPARATORS, *TYPE_TESTS, *OTHER_TESTS])
COMBINATORS = ("And", "Or", "Not")


# -- timestamps --------------------------------------------------------------------

# RFC 3339, the profile of ISO 8601 the States Language requires: a date, a
# 'T', a time, optional fractions, and an offset (Z or +hh:mm).
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)


def parse_timestamp(text: str) -> float:
    """Epoch seconds of an RFC 3339 timestamp; ValueError if it is not one."""
    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 timestamp")
    date, time, fraction, offset = match.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset
    # fromisoformat in Python 3.10 wants exactly 3 or 6 fractional digits.
    micro = f".{(fraction or '')[:6]:0<6}"
    return _dt.datetime.fromisoformat(f"{date}T{time}{micro}{offset}").timestamp()


def is_timestamp(value: Any) -> bool:
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


# -- StringMatches -------------------------------------------------------------------

_STAR = object()


@functools.lru_cache(maxsize=1024)
def _pattern_tokens(pattern: str) -> tuple[object, ...]:
    """The pattern as literal characters and stars (escapes resolved)."""
    tokens: list[object] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern) and pattern[position + 1] in "*\\":
            tokens.append(pattern[position + 1])
            position += 2
            continue
        tokens.append(_STAR if char == "*" else char)
        position += 1
    return tuple(tokens)


def string_matches(value: str, pattern: str) -> bool:
    """Whether ``value`` matches the wildcard ``pattern``.

    A two-pointer match that backtracks only to the last star: linear-ish
    and never exponential, unlike translating to a regular expression.
    """
    tokens = _pattern_tokens(pattern)
    t = v = 0
    star_token, star_value = -1, 0
    while v < len(value):
        if t < len(tokens) and tokens[t] is not _STAR and tokens[t] == value[v]:
            t, v = t + 1, v + 1
        elif t < len(tokens) and tokens[t] is _STAR:
            star_token, star_value = t, v
            t += 1
        elif star_token >= 0:
            star_value += 1
            t, v = star_token + 1, star_value
        else:
            return False
    while t < len(tokens) and tokens[t] is _STAR:
        t += 1
    return t == len(tokens)


# -- rules ----------------------------------------------------------------------------


def choose(
    state_def: Mapping[str, Any], document: Any, context: Mapping[str, Any] | None = None
) -> str:
    """The name of the state a Choice state goes to next."""
    for rule in state_def.get("Choices", []):
        if rule_matches(rule, document, context):
            return str(rule["Next"])
    if "Default" in state_def:
        return str(state_def["Default"])
    raise NoChoiceMatched("no Choice rule matched and there is no Default")


def rule_matches(
    rule: Mapping[str, Any], document: Any, context: Mapping[str, Any] | None = None
) -> bool:
    """Whether one rule (and everything nested in it) holds for ``document``."""
    if not isinstance(rule, Mapping):
        raise ChoiceRuleError(f"a Choice rule must be an object, not {rule!r}")
    if "And" in rule:
        return all(rule_matches(r, document, context) for r in _rules(rule, "And"))
    if "Or" in rule:
        return any(rule_matches(r, document, context) for r in _rules(rule, "Or"))
    if "Not" in rule:
        return not rule_matches(rule["Not"], document, context)
    return _test(rule, document, context)


def _rules(rule: Mapping[str, Any], key: str) -> list[Any]:
    rules = rule[key]
    if not isinstance(rules, list) or not rules:
        raise ChoiceRuleError(f"{key} must be a non-empty list of rules")
    return rules


def _test(rule: Mapping[str, Any], document: Any, context: Mapping[str, Any] | None) -> bool:
    if "Variable" not in rule:
        raise ChoiceRuleError(f"a Choice rule needs And, Or, Not or Variable: {sorted(rule)}")
    variable = rule["Variable"]
    tests = [name for name in rule if name in TESTS]
    if len(tests) != 1:
        raise ChoiceRuleError(f"a Choice rule needs exactly one test, found {tests or 'none'}")
    name, expected = tests[0], rule[tests[0]]
    if name == "IsPresent":
        return jsonpath.exists(document, variable, context=context) == bool(expected)
    value = jsonpath.get(document, variable, context=context)
    if name in TYPE_TESTS:
        return TYPE_TESTS[name](value) == bool(expected)
    if name == "StringMatches":
        return isinstance(value, str) and string_matches(value, str(expected))
    return _compare(name, value, expected, document, context)


def _compare(
    name: str, value: Any, expected: Any, document: Any, context: Mapping[str, Any] | None
) -> bool:
    kind, compare, other_is_path = COMPARATORS[name]
    other = jsonpath.get(document, expected, context=context) if other_is_path else expected
    is_kind = _KINDS[kind]
    if not (is_kind(value) and is_kind(other)):
        return False
    if kind == "Timestamp":
        value, other = parse_timestamp(value), parse_timestamp(other)
    return bool(compare(value, other))


__all__ = [
    "COMBINATORS",
    "COMPARATORS",
    "TESTS",
    "TYPE_TESTS",
    "ChoiceRuleError",
    "NoChoiceMatched",
    "choose",
    "is_timestamp",
    "parse_timestamp",
    "rule_matches",
    "string_matches",
]
