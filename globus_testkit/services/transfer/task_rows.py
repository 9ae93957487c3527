"""Transfer's tasks as columns, for state files and copies of a world.

A long session leaves thousands of finished tasks, each a dozen small
dicts and lists; walked one by one they would make saving a world take
seconds. Packed here, all of them are one :class:`Plain` value of
columns (one list per field, a task's plan as columns too), which the
state file writes as it is. Unpacking checks every column, since a state
file may be corrupt or crafted, and refuses what does not describe tasks
with StateFileError. A task's document (the JSON it was submitted with)
and the events, counts and lists it gathers are JSON, so they keep their
values; the finished-document cache is derived and never packed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from operator import attrgetter
from typing import Any

from ...statefile import Plain, StateFileError, pack_column, unpack_column
from .access import Principals
from .task_model import OP_KINDS, Op, Task

NUMBER = (int, float)
TEXT_OR_NONE = (str, type(None))
NUMBER_OR_NONE = (int, float, type(None))

# What each packed field of a task may hold, as JSON gives it back.
_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "type": (str,),
    "owner_id": (str,),
    "owner_string": (str,),
    "principals": (list,),
    "request_time": NUMBER,
    "submission_id": (str,),
    "source_id": (str,),
    "destination_id": TEXT_OR_NONE,
    "document": (dict,),
    "label": TEXT_OR_NONE,
    "deadline": NUMBER_OR_NONE,
    "status": (str,),
    "nice_status": TEXT_OR_NONE,
    "completion_time": NUMBER_OR_NONE,
    "fatal_error": (dict, type(None)),
    "plan": (int, type(None)),  # its number of steps
    "next_op": (int,),
    "started_at": NUMBER,
    "counts": (dict,),
    "events": (list,),
    "successful": (list,),
    "skipped": (list,),
    "admin_pause_message": TEXT_OR_NONE,
    "admin_paused_by": TEXT_OR_NONE,
    "is_paused": (bool,),
    "paused_since": NUMBER_OR_NONE,
    "canceled_by_admin": TEXT_OR_NONE,
    "canceled_by_admin_message": TEXT_OR_NONE,
}
# Every field of Task but the derived cache (a field added to Task needs
# its line above, or it would be lost when saved).
_FIELDS = tuple(f.name for f in fields(Task) if f.name != "finished_document")
assert set(_FIELDS) == set(_TYPES), "every Task field needs its JSON types in _TYPES"
assert fields(Task)[-1].name == "finished_document", "Task(*row) fills the fields before it"

_STEP_TYPES: dict[str, tuple[type, ...]] = {
    "kinds": (str,),
    "sources": (str,),
    "destinations": (str,),
    "sizes": (int,),
}


def pack_tasks(tasks: Iterable[Task]) -> Plain:
    """Tasks as columns of JSON values; a task's plan is its number of
    steps, the steps of every plan being columns of their own."""
    rows = list(map(attrgetter(*_FIELDS), tasks))
    columns = zip(*rows, strict=True) if rows else [()] * len(_FIELDS)
    packed = {name: list(column) for name, column in zip(_FIELDS, columns, strict=True)}
    packed["principals"] = [[*p.identities, None, *p.groups] for p in packed["principals"]]
    plans = packed["plan"]
    packed["plan"] = [None if plan is None else len(plan) for plan in plans]
    steps = [op for plan in plans if plan is not None for op in plan]
    return Plain(
        {
            "count": len(rows),
            **{name: pack_column(column) for name, column in packed.items()},
            "steps": {
                "kinds": pack_column([op.kind for op in steps]),
                "sources": pack_column([op.source for op in steps]),
                "destinations": pack_column([op.destination for op in steps]),
                "sizes": pack_column([op.size for op in steps]),
            },
        }
    )


def unpack_tasks(packed: Any) -> dict[str, Task]:
    """Tasks by id, from :func:`pack_tasks`'s columns."""
    columns = packed.value if isinstance(packed, Plain) else None
    if not isinstance(columns, dict) or set(columns) != {"count", "steps", *_FIELDS}:
        raise StateFileError("transfer tasks must be columns of every task field")
    count = columns["count"]
    if type(count) is not int or count < 0:
        raise StateFileError("transfer tasks must be counted")
    values = {name: unpack_column(columns, name, _TYPES[name], count) for name in _FIELDS}
    if len(set(values["id"])) != count:
        raise StateFileError("transfer tasks must have distinct ids")
    values["principals"] = _principals(values["principals"])
    values["plan"] = _plans(values["plan"], columns["steps"])
    rows = zip(*values.values(), strict=True)
    tasks = (Task(*row) for row in rows)  # _FIELDS are Task's fields, in order
    return {task.id: task for task in tasks}


def _principals(column: list[list[Any]]) -> list[Principals]:
    """Each task's Principals, packed as their identities, None, then their
    groups; one object for each distinct set (they never change)."""
    made: dict[tuple[Any, ...], Principals] = {}
    for packed in map(tuple, column):
        if packed not in made:
            ids = [p for p in packed if p is not None]
            if len(ids) != len(packed) - 1 or not all(isinstance(i, str) for i in ids):
                raise StateFileError("a task's principals must be ids around one null")
            split = packed.index(None)
            made[packed] = Principals(frozenset(packed[:split]), frozenset(packed[split + 1 :]))
    return [made[tuple(packed)] for packed in column]


def _plans(lengths: list[int | None], steps: Any) -> list[list[Op] | None]:
    """Each task's plan (or None), from its number of steps and the steps."""
    known = [n for n in lengths if n is not None]
    if min(known, default=0) < 0 or not isinstance(steps, dict):
        raise StateFileError("a task's plan must be a number of steps")
    kinds, sources, destinations, sizes = (
        unpack_column(steps, name, types, sum(known)) for name, types in _STEP_TYPES.items()
    )
    if not set(kinds).issubset(OP_KINDS) or min(sizes, default=0) < 0:
        raise StateFileError("a task's plan holds an unknown step or a negative size")
    ops = list(map(Op, kinds, sources, destinations, sizes))
    plans: list[list[Op] | None] = []
    at = 0
    for length in lengths:
        plans.append(None if length is None else ops[at : at + length])
        at += length or 0
    return plans
