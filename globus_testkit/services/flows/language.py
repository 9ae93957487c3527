"""The Flows definition language: JSONPath, Parameters, expressions and
Choice rules, evaluated safely. No HTTP and no Python ``eval`` here.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable
from typing import Any

from ...clock import parse_iso
from ...patterns import user_wildcard
from .errors import LanguageError
from .expressions import evaluate
from .paths import get_path, has_path, path_steps, select, set_path

__all__ = [
    "LanguageError",
    "check_definition",
    "evaluate",
    "get_path",
    "has_path",
    "path_steps",
    "resolve",
    "rule_matches",
    "set_path",
]


# -- Parameters ------------------------------------------------------------------------


def resolve(template: Any, state: dict[str, Any]) -> Any:
    """A Parameters template with ``"k.$"`` paths and ``"k.="`` expressions
    filled in from the state (a path's selection as :func:`select` gives it)."""
    if isinstance(template, dict):
        resolved: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = copy.deepcopy(select(state, value))
            elif key.endswith(".="):
                resolved[key[:-2]] = evaluate(value, state)
            else:
                resolved[key] = resolve(value, state)
        return resolved
    if isinstance(template, list):
        return [resolve(item, state) for item in template]
    return template


# -- Choice rules --------------------------------------------------------------------------

_OPS = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS: dict[str, Callable[[Any], bool]] = {
    "String": lambda v: isinstance(v, str),
    "Numeric": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "Timestamp": lambda v: isinstance(v, str) and _is_timestamp(v),
}


def _is_timestamp(value: str) -> bool:
    try:
        parse_iso(value)
    except ValueError:
        return False
    return True


def rule_matches(rule: dict[str, Any], state: dict[str, Any]) -> bool:
    if "And" in rule:
        return all(rule_matches(r, state) for r in rule["And"])
    if "Or" in rule:
        return any(rule_matches(r, state) for r in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], state)
    variable = rule["Variable"]
    if "IsPresent" in rule:
        return has_path(state, variable) == bool(rule["IsPresent"])
    if not has_path(state, variable):
        return False
    value = get_path(state, variable)
    for test in ("IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        if test in rule:
            kind = test[2:]
            actual = value is None if kind == "Null" else _KINDS[kind](value)
            return actual == bool(rule[test])
    if "StringMatches" in rule:
        matcher = user_wildcard(rule["StringMatches"])
        return isinstance(value, str) and matcher.fullmatch(value) is not None
    for kind, is_kind in _KINDS.items():
        for name, op in _OPS.items():
            for suffix in ("", "Path"):
                key = f"{kind}{name}{suffix}"
                if key in rule:
                    other = get_path(state, rule[key]) if suffix else rule[key]
                    if not (is_kind(value) and is_kind(other)):
                        return False
                    if kind == "Timestamp":
                        value, other = parse_iso(value), parse_iso(other)
                    return bool(op(value, other))
    raise LanguageError("States.Runtime", f"unknown Choice rule {sorted(rule)}")


# -- definitions ------------------------------------------------------------------------------

STATE_TYPES = (
    "Action",
    "Pass",
    "Choice",
    "Wait",
    "Fail",
    "ExpressionEval",
    "CreateWebInput",
    "AwaitWebInput",
)


def check_definition(definition: Any) -> list[str]:
    """Problems with a flow definition beyond its JSON Schema: every name
    resolves, every state is reachable, non-terminal states go somewhere."""
    states = definition.get("States", {})
    problems: list[str] = []
    start = definition.get("StartAt")
    if start not in states:
        problems.append(f"StartAt names {start!r}, which is not a state")
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        kind = state.get("Type")
        targets = [state["Next"]] if "Next" in state else []
        if kind == "Choice":
            targets += [c.get("Next") for c in state.get("Choices", [])]
            targets += [state["Default"]] if "Default" in state else []
        targets += [c.get("Next") for c in state.get("Catch", [])]
        for target in targets:
            if target not in states:
                problems.append(f"$.States.{name}: next state {target!r} does not exist")
        if kind not in ("Choice", "Fail") and not state.get("End") and "Next" not in state:
            problems.append(f"$.States.{name}: needs Next or End")
        if state.get("End") and "Next" in state:
            problems.append(f"$.States.{name}: cannot have both Next and End")
        if kind == "Action" and "Handler" in state:
            both = [k for k in ("ActionUrl", "ActionScope") if k in state]
            if both:
                problems.append(f"$.States.{name}: Handler and {both[0]} are mutually exclusive")
        for exclusive in ("Error", "Cause"):
            if exclusive in state and f"{exclusive}Path" in state:
                problems.append(
                    f"$.States.{name}: {exclusive} and {exclusive}Path are mutually exclusive"
                )
        if kind == "Wait":
            given = [
                k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in state
            ]
            if len(given) != 1:
                problems.append(
                    f"$.States.{name}: a Wait needs exactly one of Seconds, "
                    "SecondsPath, Timestamp, TimestampPath"
                )
        edges[name] = [t for t in targets if t in states]
    seen: set[str] = set()
    stack = [start] if start in states else []
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges.get(name, []))
    for name in states:
        if name not in seen and start in states:
            problems.append(f"$.States.{name}: is not reachable from StartAt")
    return problems
