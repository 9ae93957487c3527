"""State files: the whole world as data (JSON), never as code.

``serve --state`` and :meth:`Emulator.save_state` write the world here and
:meth:`Emulator.load_state` reads it back. Loading a file only ever builds
plain values and instances of the emulator's own model classes, filled in
attribute by attribute: no constructor, no import, no ``__reduce__``. A
crafted file can at worst describe a strange world; it cannot run anything.

One generic walk covers every service, so a new service's state is saved
as long as it is made of plain objects (dataclasses or classes with a
``__dict__``) in a model module (see :func:`_allowed_class`), holding
JSON-like values, bytes, tuples, sets, deques and ``random.Random``.
Runtime objects (locks, conditions, threads, caches) must not be saved: a
class holding one defines ``__getstate__`` (returning the data to keep)
and ``__setstate__`` (rebuilding the rest), the same hooks copying a world
uses. Anything else the walk meets is refused when saving, naming where.
Each object visited costs microseconds, so the collections that grow
large (a directory's files, Transfer's tasks) pack themselves into
columns in ``state_for_file`` / ``restore_from_file``, which state files
use instead of the copying hooks (copies, by pickle, stay fastest with
objects as they are); lists of plain values, and :class:`Plain` JSON,
are written without visiting each value.

The format (``docs/state-files.md``) is one JSON document::

    {"format": "globus-testkit-state", "version": 3,
     "seed": ..., "spec": {...}, "world": <value>}

where a value is JSON as is (objects whose keys start with ``$`` escaped),
or one of the tagged objects below.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import gc
import json
import math
import os
import random
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT = "globus-testkit-state"
VERSION = 3

# Modules whose classes may appear in a state file (besides World): the
# emulator's core state and every service's model modules. Route and helper
# modules hold no world state and are never allowed.
_CORE_MODULES = frozenset(
    {
        "globus_testkit.agenda",
        "globus_testkit.clock",
        "globus_testkit.ids",
        "globus_testkit.journal",
        "globus_testkit.faults",
    }
)
_NOT_MODELS = frozenset({"routes", "helpers", "client", "mounts"})
_WORLD = "globus_testkit.world:World"

_GETSTATE_DEFAULT = getattr(object, "__getstate__", None)  # 3.11+


class StateFileError(ValueError):
    """A state file that cannot be written or read back, and why."""


@dataclasses.dataclass(frozen=True)
class State:
    """What a state file holds."""

    seed: int | str
    spec: dict[str, Any]
    world: Any


@dataclasses.dataclass(frozen=True)
class Plain:
    """JSON a model's ``state_for_file`` hands over whole (dicts with
    string keys, lists, strings, integers, finite floats, booleans, None),
    so that the walk need not visit each of its values: written as it is,
    and given back to ``restore_from_file`` wrapped again. Nothing inside
    is shared or tagged: tuples come back as lists, and the model checks
    what it gets."""

    value: Any


def pack_column(values: list[Any]) -> Any:
    """A column of a packed state (one field of many rows): the list, or
    when every row holds the same scalar, that one value."""
    kinds = set(map(type, values))
    same = len(kinds) == 1 and kinds <= _JSON_SCALARS and values.count(values[0]) == len(values)
    return values[0] if same and len(values) > 1 else values


def unpack_column(packed: dict[str, Any], name: str, types: tuple[type, ...], count: int) -> Any:
    """Column ``name`` of a packed state as a list of ``count`` values of
    ``types``; StateFileError if it is not one."""
    column = packed.get(name)
    if type(column) in _JSON_SCALARS:
        column = [column] * count  # one scalar for every row (never a container)
    if not isinstance(column, list) or not set(map(type, column)).issubset(types):
        raise StateFileError(f"{name} must be a list of {'/'.join(t.__name__ for t in types)}")
    if len(column) != count:
        raise StateFileError(f"{name} has {len(column)} rows, not {count}")
    return column


# -- writing -------------------------------------------------------------------------


def write_state(path: str | Path, state: State) -> None:
    """Write ``state`` to ``path`` (see :func:`write_text`)."""
    write_text(path, dumps(state))


def write_text(path: str | Path, text: str) -> None:
    """Write a state file's text to ``path`` atomically: a temp file
    created exclusively (random name, O_EXCL) beside it, synced, then
    renamed over. Nothing at a predictable name is opened, so a planted
    symlink is never followed; on any failure the old file stays."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a world is written or read:
    the hundreds of thousands of containers made meanwhile would otherwise
    set off collections that each walk the whole (large) world again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dumps(state: State) -> str:
    """The state file's text for ``state``."""
    with _collector_paused():
        return _dumps(state)


def _dumps(state: State) -> str:
    try:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "seed": state.seed,
            "spec": _Encoder(state.spec).value(state.spec, "spec"),
            "world": _Encoder(state.world).value(state.world, "world"),
        }
        return json.dumps(document, allow_nan=False, separators=(",", ":"))
    except RecursionError as err:
        raise StateFileError("the world is nested too deeply to save") from err
    except (TypeError, ValueError) as err:  # a Plain value that is not JSON
        raise StateFileError(f"cannot save the world: {err}") from err


class _Encoder:
    """Turns a graph of objects into JSON values. Objects and containers
    reached more than once are written once and referred to by number, so
    shared objects (the one clock every model holds) stay shared."""

    def __init__(self, root: Any) -> None:
        self.seen: dict[int, int] = {}  # id(obj) -> times reached
        self.keep: list[Any] = []  # keeps counted objects alive while walking
        self.states: dict[int, Any] = {}  # id(obj) -> its state, taken once
        self._count(root)
        self.numbers: dict[int, int] = {}

    def _count(self, root: Any) -> None:
        stack = [root]
        seen = self.seen
        while stack:
            obj = stack.pop()
            if not _is_shareable(obj) or type(obj) is Plain:
                continue
            times = seen.get(id(obj), 0)
            seen[id(obj)] = times + 1
            if times:
                continue
            self.keep.append(obj)
            if isinstance(obj, dict):
                if not _all_scalars(obj):
                    stack.extend(obj.keys())
                if not _all_scalars(obj.values()):
                    stack.extend(obj.values())
            elif type(obj) in _SEQUENCES:
                if not _all_scalars(obj):
                    stack.extend(obj)
            elif type(obj) is not random.Random:
                stack.append(self._state(obj, None))

    def _state(self, obj: Any, where: str | None) -> Any:
        """A model object's state (taken once: its ``__getstate__`` may pack)."""
        state = self.states.get(id(obj), _MISSING)
        if state is _MISSING:
            kind = _kind(type(obj))
            if not kind.allowed:
                place = f" (in {where})" if where else ""
                raise StateFileError(f"cannot save {kind.name}{place}: not a world model class")
            state = self.states[id(obj)] = _object_state(obj, kind)
        return state

    def value(self, obj: Any, where: str) -> Any:
        if obj is None or isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if isinstance(obj, bytes):
            return {"$bytes": base64.b64encode(obj).decode("ascii")}
        if type(obj) is Plain:
            return {"$plain": obj.value}
        number = self.numbers.get(id(obj))
        if number is not None:
            return {"$ref": number}
        if self.seen.get(id(obj), 0) > 1:
            number = self.numbers[id(obj)] = len(self.numbers) + 1
            return {"$id": number, **self._tagged(obj, where)}
        # The common cases stay plain JSON (and one frame a level deep); a
        # list of plain scalars (a packed column) is written as it is.
        if type(obj) is list:
            if _plain_scalars(obj):
                return obj
            return [self.value(v, where) for v in obj]
        if type(obj) is dict and all(type(k) is str and k[:1] != "$" for k in obj):
            return {k: self.value(v, where) for k, v in obj.items()}
        return self._tagged(obj, where)

    def _tagged(self, obj: Any, where: str) -> dict[str, Any]:
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj):
                return {"$dict": {k: self.value(v, where) for k, v in obj.items()}}
            return {"$map": [[self.value(k, where), self.value(v, where)] for k, v in obj.items()]}
        if type(obj) in _SEQUENCES:
            encoded: dict[str, Any] = {_SEQUENCES[type(obj)]: [self.value(v, where) for v in obj]}
            if isinstance(obj, deque) and obj.maxlen is not None:
                encoded["maxlen"] = obj.maxlen
            return encoded
        if type(obj) is random.Random:
            version, internal, gauss = obj.getstate()
            return {"$random": [version, list(internal), gauss]}
        name = _kind(type(obj)).name
        return {"$object": name, "state": self.value(self._state(obj, where), name)}


_SEQUENCES: dict[type, str] = {
    list: "$list",
    tuple: "$tuple",
    set: "$set",
    frozenset: "$frozenset",
    deque: "$deque",
}
_MISSING = object()
# Values that are never shared containers, and those JSON writes as they are.
_SCALARS = frozenset({str, int, float, bool, type(None), bytes})
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_shareable(obj: Any) -> bool:
    return not (obj is None or isinstance(obj, (bool, int, float, str, bytes)))


def _all_scalars(items: Iterable[Any]) -> bool:
    """Whether ``items`` are all scalars (nothing to walk into): a check at
    C speed, so a column of 100,000 values costs next to nothing."""
    return _SCALARS.issuperset(map(type, items))


def _plain_scalars(items: list[Any]) -> bool:
    """Whether a list is plain JSON as it is: strings, integers, booleans,
    None and finite floats only."""
    kinds = set(map(type, items))
    if not _JSON_SCALARS.issuperset(kinds):
        return False
    return float not in kinds or all(math.isfinite(v) for v in items if type(v) is float)


@dataclasses.dataclass(frozen=True)
class _Kind:
    """What saving needs to know of a class, worked out once per class."""

    name: str
    allowed: bool
    getstate: Any  # the hook giving its state: state_for_file, its own __getstate__, or None


def _kind(cls: type) -> _Kind:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = _new_kind(cls)
    return kind


_KINDS: dict[type, _Kind] = {}


def _new_kind(cls: type) -> _Kind:
    getstate = getattr(cls, "state_for_file", None) or getattr(cls, "__getstate__", None)
    if getstate is _GETSTATE_DEFAULT:
        getstate = None
    return _Kind(_class_name(cls), _allowed_class(cls), getstate)


def _object_state(obj: Any, kind: _Kind) -> Any:
    if kind.getstate is not None:
        return kind.getstate(obj)
    try:
        return dict(vars(obj))
    except TypeError as err:
        raise StateFileError(
            f"cannot save {kind.name}: it has no __dict__ or __getstate__"
        ) from err


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _allowed_class(cls: type) -> bool:
    """Whether instances of ``cls`` may be saved and rebuilt: World, and
    classes defined in the core state modules or a service's model
    modules (``services/<name>/models.py`` and the like), except
    exceptions and the services themselves."""
    from .services.base import Service

    if issubclass(cls, (BaseException, Service)):
        return False
    if _class_name(cls) == _WORLD:
        return True
    module = cls.__module__
    if module in _CORE_MODULES:
        return True
    parts = module.split(".")
    return (
        len(parts) == 4
        and parts[:2] == ["globus_testkit", "services"]
        and parts[3] not in _NOT_MODELS
    )


# -- reading -------------------------------------------------------------------------


def read_state(path: str | Path) -> State:
    """The state in ``path``; StateFileError naming the problem if it is
    missing, empty, truncated, foreign, corrupt or of another version."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise StateFileError(f"cannot read state file {path}: {err.strerror or err}") from err
    return loads(raw, str(path))


def loads(raw: bytes, name: str = "state file") -> State:
    """The state in a state file's bytes."""
    with _collector_paused():
        return _loads(raw, name)


def _loads(raw: bytes, name: str) -> State:
    if not raw.strip():
        raise StateFileError(f"{name} is empty")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise StateFileError(f"{name} is not a globus-testkit state file (not JSON text)") from err
    except RecursionError as err:
        raise StateFileError(f"{name} is nested too deeply") from err
    except ValueError as err:
        raise StateFileError(
            f"{name} is truncated or corrupt (invalid JSON at byte {getattr(err, 'pos', '?')})"
        ) from err
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f"{name} is not a globus-testkit state file")
    if document.get("version") != VERSION:
        raise StateFileError(
            f"{name} is a version {document.get('version')!r} state file; "
            f"this globus-testkit reads version {VERSION}"
        )
    seed = document.get("seed")
    if not isinstance(seed, (int, str)) or isinstance(seed, bool):
        raise StateFileError(f"{name} is corrupt: seed must be an integer or a string")
    try:
        spec = _Decoder().value(document.get("spec"))
        world = _Decoder().value(document.get("world"))
    except StateFileError as err:
        raise StateFileError(f"{name} is corrupt: {err}") from err
    except RecursionError as err:
        raise StateFileError(f"{name} is nested too deeply") from err
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise StateFileError(f"{name} is corrupt: {type(err).__name__}: {err}") from err
    if not isinstance(spec, dict):
        raise StateFileError(f"{name} is corrupt: spec must be an object")
    if _class_name(type(world)) != _WORLD:
        raise StateFileError(f"{name} is corrupt: it holds no world")
    return State(seed, spec, world)


class _Decoder:
    """Rebuilds values written by _Encoder; only ever creates plain values
    and instances of allowed classes (without calling their __init__)."""

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        # name -> class, its declared fields and its restoring hook (or None)
        self.classes: dict[str, tuple[type, tuple[str, ...], Any]] = {}

    def value(self, data: Any) -> Any:
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if type(data) is list:
            if _JSON_SCALARS.issuperset(map(type, data)):
                return data  # a fresh list from json.loads, of plain values only
            return [self.value(v) for v in data]
        if not any(k[:1] == "$" for k in data):
            return {k: self.value(v) for k, v in data.items()}
        return self._tagged(data)

    def _tagged(self, data: dict[str, Any]) -> Any:
        number = data.get("$id")
        if "$ref" in data:
            ref = data["$ref"]
            if ref not in self.objects:
                raise StateFileError(f"reference to unknown object {ref!r}")
            return self.objects[ref]
        if number is not None and (not isinstance(number, int) or number in self.objects):
            raise StateFileError(f"bad object number {number!r}")
        tags = [k for k in data if k not in ("$id", "state", "maxlen")]
        if len(tags) != 1:
            raise StateFileError(f"unknown value with keys {sorted(data)[:5]}")
        tag = tags[0]
        builder = _BUILDERS.get(tag)
        if builder is None:
            raise StateFileError(f"unknown tag {tag!r}")
        return builder(self, data, number)

    def _remember(self, number: int | None, obj: Any) -> Any:
        if number is not None:
            self.objects[number] = obj
        return obj

    def _float(self, data: dict[str, Any], number: int | None) -> Any:
        text = data["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise StateFileError(f"bad float {text!r}")
        return float(text)

    def _bytes(self, data: dict[str, Any], number: int | None) -> Any:
        return self._remember(number, base64.b64decode(data["$bytes"], validate=True))

    def _dict(self, data: dict[str, Any], number: int | None) -> Any:
        items = _expect(data["$dict"], dict)
        result: dict[Any, Any] = self._remember(number, {})
        for key, value in items.items():
            result[key] = self.value(value)
        return result

    def _map(self, data: dict[str, Any], number: int | None) -> Any:
        result: dict[Any, Any] = self._remember(number, {})
        for pair in _expect(data["$map"], list):
            key, value = _expect(pair, list)
            key = self.value(key)  # first: it may be what the value refers back to
            result[key] = self.value(value)
        return result

    def _list(self, data: dict[str, Any], number: int | None) -> Any:
        result: list[Any] = self._remember(number, [])
        result.extend(self._items(data["$list"]))
        return result

    def _deque(self, data: dict[str, Any], number: int | None) -> Any:
        maxlen = data.get("maxlen")
        if maxlen is not None and (not isinstance(maxlen, int) or maxlen < 0):
            raise StateFileError(f"bad deque maxlen {maxlen!r}")
        result: deque[Any] = self._remember(number, deque(maxlen=maxlen))
        result.extend(self._items(data["$deque"]))
        return result

    def _tuple(self, data: dict[str, Any], number: int | None) -> Any:
        return self._remember(number, tuple(self._items(data["$tuple"])))

    def _set(self, data: dict[str, Any], number: int | None) -> Any:
        return self._remember(number, set(self._items(data["$set"])))

    def _frozenset(self, data: dict[str, Any], number: int | None) -> Any:
        return self._remember(number, frozenset(self._items(data["$frozenset"])))

    def _items(self, items: Any) -> list[Any]:
        return [self.value(v) for v in _expect(items, list)]

    def _plain(self, data: dict[str, Any], number: int | None) -> Any:
        return Plain(data["$plain"])

    def _random(self, data: dict[str, Any], number: int | None) -> Any:
        version, internal, gauss = _expect(data["$random"], list)
        if not all(isinstance(i, int) for i in _expect(internal, list)):
            raise StateFileError("bad random state")
        rng = random.Random()
        rng.setstate((version, tuple(internal), gauss))
        return self._remember(number, rng)

    def _object(self, data: dict[str, Any], number: int | None) -> Any:
        name = _expect(data["$object"], str)
        known = self.classes.get(name)
        if known is None:
            cls = _resolve_class(name)
            declared = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
            setstate = getattr(cls, "restore_from_file", None) or getattr(cls, "__setstate__", None)
            known = self.classes[name] = (cls, tuple(f.name for f in declared), setstate)
        cls, fields, setstate = known
        obj: Any = object.__new__(cls)
        self._remember(number, obj)
        state = self.value(data.get("state"))
        if setstate is not None:
            setstate(obj, state)
        elif isinstance(state, dict) and all(isinstance(k, str) for k in state):
            obj.__dict__.update(state)
        else:
            raise StateFileError(f"bad state for {data['$object']}")
        missing = [field for field in fields if not hasattr(obj, field)]
        if missing:
            raise StateFileError(f"{name} lacks {', '.join(missing)}")
        return obj


_BUILDERS: dict[str, Any] = {
    "$float": _Decoder._float,
    "$bytes": _Decoder._bytes,
    "$dict": _Decoder._dict,
    "$map": _Decoder._map,
    "$list": _Decoder._list,
    "$deque": _Decoder._deque,
    "$tuple": _Decoder._tuple,
    "$set": _Decoder._set,
    "$frozenset": _Decoder._frozenset,
    "$random": _Decoder._random,
    "$plain": _Decoder._plain,
    "$object": _Decoder._object,
}


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise StateFileError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _resolve_class(name: str) -> type:
    """The allowed class ``module:qualname`` names, looked up among modules
    already imported (loading a state file never imports anything)."""
    module_name, _, qualname = name.partition(":")
    module = sys.modules.get(module_name) if module_name.startswith("globus_testkit.") else None
    found: Any = module
    for part in qualname.split(".") if module is not None else ():
        if part.startswith("_") and part != "_":
            found = None
            break
        found = getattr(found, part, None)
    if not isinstance(found, type) or _class_name(found) != name or not _allowed_class(found):
        raise StateFileError(f"class {name!r} is not a world model class")
    return found
