"""Transfer's task-list ``filter`` expression, parsed and matched. No HTTP here.

``name:value,value/name:value``: ``status``, ``type``, ``task_id`` and
``owner_id`` match any listed value; ``label`` values carry an operator
(``=x`` or bare ``x`` equal, ``~x`` matches ignoring case with ``*`` a
wildcard, ``!x`` not equal, ``!~x`` does not match): the label must match one of the positive
values, if any, and every negative one; ``request_time`` and
``completion_time`` take ``START,END`` (either may be empty), ISO 8601
times in UTC, inclusive.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...clock import parse_iso
from .errors import BadRequest

if TYPE_CHECKING:
    from .tasks import Task

FIELDS = ("status", "type", "task_id", "label", "owner_id", "request_time", "completion_time")
TIMES = ("request_time", "completion_time")


def parse_task_filter(expression: str) -> dict[str, list[str]]:
    """``status:ACTIVE,INACTIVE/type:TRANSFER`` -> {field: values}."""
    parsed: dict[str, list[str]] = {}
    for part in filter(None, expression.split("/")):
        name, sep, values = part.partition(":")
        if not sep or name not in FIELDS:
            raise BadRequest(f"invalid task filter {part!r}; filter on {', '.join(FIELDS)}")
        if name in TIMES:
            bounds = values.split(",")
            if len(bounds) != 2:
                raise BadRequest(f"{name} takes START,END (either may be empty), not {values!r}")
            for bound in filter(None, bounds):
                _time(name, bound)
            parsed[name] = bounds
        else:
            parsed[name] = [v for v in values.split(",") if v]
    return parsed


def matches(task: Task, filters: dict[str, list[str]]) -> bool:
    for name, values in filters.items():
        if name in TIMES:
            if not _within(
                task.request_time if name == TIMES[0] else task.completion_time, name, values
            ):
                return False
        elif name == "label":
            if not _label_matches(task.label or "", values):
                return False
        else:
            value = {
                "status": task.status,
                "type": task.type,
                "task_id": task.id,
                "owner_id": task.owner_id,
            }[name]
            if value not in values and not (name == "task_id" and value.lower() in values):
                return False
    return True


def _label_matches(label: str, clauses: list[str]) -> bool:
    positive: list[str] = []
    negative: list[str] = []
    for clause in clauses:
        (negative if clause.startswith("!") else positive).append(clause.removeprefix("!"))
    return (not positive or any(_label_is(label, c) for c in positive)) and not any(
        _label_is(label, c) for c in negative
    )


def _label_is(label: str, clause: str) -> bool:
    if clause.startswith("~"):
        pattern = ".*".join(re.escape(part) for part in clause[1:].split("*"))
        return re.fullmatch(pattern, label, re.IGNORECASE | re.DOTALL) is not None
    return label == clause.removeprefix("=")


def _within(when: float | None, name: str, bounds: list[str]) -> bool:
    start, end = bounds
    if when is None:
        return False
    return (not start or when >= _time(name, start)) and (not end or when <= _time(name, end))


def _time(name: str, text: str) -> float:
    try:
        return parse_iso(text.strip())
    except ValueError as err:
        raise BadRequest(f"invalid {name} {text!r}") from err
