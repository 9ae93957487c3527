"""Transfer's tasks as columns, for state files and copies of a world.

A long session leaves thousands of finished tasks, each a dozen small
dicts and lists; walked one by one they would make saving a world take
seconds. Packed here, all of them are one :class:`Plain` value of
columns (one list per field, a task's plan as columns too), which the
state file writes as it is. Unpacking checks every column, since a state
file may be corrupt or crafted, and refuses what does not describe tasks
with StateFileError. A task's document (the JSON it was submitted with)
and the events and lists it gathers are JSON objects, packed as records
(:func:`pack_records`: columns by key, each object naming its keys by
one number), its counts as one column per count; the finished-document
cache is derived and never packed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import fields
from itertools import islice, repeat
from operator import attrgetter
from typing import Any

from ...statefile import Plain, StateFileError, pack_column, unpack_column
from .access import Principals
from .task_model import COUNT_KEYS, OP_KINDS, Op, Task

NUMBER = (int, float)
TEXT_OR_NONE = (str, type(None))
NUMBER_OR_NONE = (int, float, type(None))
ANY_JSON = (str, int, float, bool, type(None), list, dict)

# What each field of a task packed as a plain column may hold, as JSON
# gives it back.
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
    "label": TEXT_OR_NONE,
    "deadline": NUMBER_OR_NONE,
    "status": (str,),
    "nice_status": TEXT_OR_NONE,
    "completion_time": NUMBER_OR_NONE,
    "fatal_error": (dict, type(None)),
    "plan": (int, type(None)),  # its number of steps
    "next_op": (int,),
    "started_at": NUMBER,
    "admin_pause_message": TEXT_OR_NONE,
    "admin_paused_by": TEXT_OR_NONE,
    "is_paused": (bool,),
    "paused_since": NUMBER_OR_NONE,
    "canceled_by_admin": TEXT_OR_NONE,
    "canceled_by_admin_message": TEXT_OR_NONE,
}
# The fields of JSON objects, packed as columns of their own.
_RECORDS = ("events", "successful", "skipped")
_APART = ("document", "counts", *_RECORDS)
# Every field of Task but the derived cache (a field added to Task needs
# its line above, or it would be lost when saved).
_FIELDS = tuple(f.name for f in fields(Task) if f.name != "finished_document")
assert set(_FIELDS) == {*_TYPES, *_APART}, "every Task field needs its JSON types in _TYPES"
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
            **{name: pack_column(packed[name]) for name in _TYPES},
            "document": _pack_documents(packed["document"]),
            "counts": {key: pack_column([c[key] for c in packed["counts"]]) for key in COUNT_KEYS},
            **{name: pack_records(packed[name]) for name in _RECORDS},
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
    values = {name: unpack_column(columns, name, types, count) for name, types in _TYPES.items()}
    if len(set(values["id"])) != count:
        raise StateFileError("transfer tasks must have distinct ids")
    values["principals"] = _principals(values["principals"])
    values["plan"] = _plans(values["plan"], columns["steps"])
    values["document"] = _documents(columns["document"], count)
    values["counts"] = _counts(columns["counts"], count)
    for name in _RECORDS:
        values[name] = unpack_records(columns[name], name, count)
    rows = zip(*(values[name] for name in _FIELDS), strict=True)
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


def _pack_documents(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The tasks' documents as objects, their DATA items (a list in every
    submitted document) as records of their own."""
    if not all(isinstance(d.get("DATA"), list) for d in documents):
        raise StateFileError("a transfer task's document has no DATA list")
    return {
        "documents": pack_objects([{**d, "DATA": None} for d in documents]),
        "items": pack_records([d["DATA"] for d in documents]),
    }


def _documents(packed: Any, count: int) -> list[dict[str, Any]]:
    if not isinstance(packed, dict) or set(packed) != {"documents", "items"}:
        raise StateFileError("the tasks' documents must be packed with their items apart")
    documents = unpack_objects(packed["documents"], "document", count)
    if any(document.get("DATA", 0) is not None for document in documents):
        raise StateFileError("each task's document must have its DATA packed apart")
    items = unpack_records(packed["items"], "DATA", count)
    for document, data in zip(documents, items, strict=True):
        document["DATA"] = data
    return documents


def _counts(packed: Any, count: int) -> list[dict[str, int]]:
    if not isinstance(packed, dict) or set(packed) != set(COUNT_KEYS):
        raise StateFileError("the tasks' counts must be one column per count")
    columns = [unpack_column(packed, key, (int,), count) for key in COUNT_KEYS]
    return list(map(dict, map(zip, repeat(COUNT_KEYS), zip(*columns, strict=True))))


def pack_records(lists: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Each row's list of JSON objects: how many each row has
    (``lengths``), then all of them as :func:`pack_objects` packs them."""
    return {
        "lengths": pack_column([len(row) for row in lists]),
        **pack_objects([record for row in lists for record in row]),
    }


def unpack_records(packed: Any, name: str, count: int) -> list[list[dict[str, Any]]]:
    """The ``count`` rows' lists of objects from :func:`pack_records`."""
    if not isinstance(packed, dict) or "lengths" not in packed:
        raise StateFileError(f"{name} must be packed records")
    lengths = unpack_column(packed, "lengths", (int,), count)
    if min(lengths, default=0) < 0:
        raise StateFileError(f"{name} must be counted records")
    objects = {key: value for key, value in packed.items() if key != "lengths"}
    records = unpack_objects(objects, name, sum(lengths))
    first = lengths[0] if lengths else 0
    if lengths.count(first) == len(lengths):  # as many in every row
        if first == 0:
            return [[] for _ in lengths]
        return list(map(list, zip(*[iter(records)] * first, strict=True)))
    every = iter(records)
    return [list(islice(every, length)) for length in lengths]


def pack_objects(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """JSON objects in groups of those with the same keys (``groups``, one
    column per key), with each object's group (``shape``)."""
    keys_of = list(map(tuple, objects))
    shapes = {keys: index for index, keys in enumerate(dict.fromkeys(keys_of))}
    if len(shapes) == 1:
        shape: list[int] = [0] * len(objects)
        groups = [objects]
    else:
        shape = list(map(shapes.__getitem__, keys_of))
        groups = [[] for _ in shapes]
        for record, index in zip(objects, shape, strict=True):
            groups[index].append(record)
    return {
        "shape": pack_column(shape),
        "groups": [
            {key: pack_column([record[key] for record in group]) for key in keys}
            for keys, group in zip(shapes, groups, strict=True)
        ],
    }


def unpack_objects(packed: Any, name: str, count: int) -> list[dict[str, Any]]:
    """``count`` objects from :func:`pack_objects`."""
    if not isinstance(packed, dict) or set(packed) != {"shape", "groups"}:
        raise StateFileError(f"{name} must be packed records")
    groups = packed["groups"]
    if not isinstance(groups, list):
        raise StateFileError(f"{name} must be records in groups")
    shape = unpack_column(packed, "shape", (int,), count)
    if not set(shape).issubset(range(len(groups))):
        raise StateFileError(f"{name}'s records name unknown groups")
    sizes = Counter(shape)
    made = [_group(group, name, sizes[index]) for index, group in enumerate(groups)]
    if len(made) == 1:
        return made[0]
    each = [iter(group) for group in made]
    return [next(each[index]) for index in shape]


def _group(group: Any, name: str, size: int) -> list[dict[str, Any]]:
    """``size`` objects from a group's columns (one per key)."""
    if not isinstance(group, dict):
        raise StateFileError(f"{name}'s groups must be columns by key")
    if not group:
        return [{} for _ in range(size)]
    columns = [unpack_column(group, key, ANY_JSON, size) for key in group]
    # (each column has ``size`` rows: unpack_column checked)
    return list(map(dict, map(zip, repeat(list(group)), zip(*columns, strict=True))))
