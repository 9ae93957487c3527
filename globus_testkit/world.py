"""The world: everything that can change, one piece per service, and the
one table of services (``SERVICE_CLASSES``) that plugs each in.

A new service adds its state here (an attribute of :class:`World`) and its
class to ``SERVICE_CLASSES``; the emulator routes to it by its hosts and its
name, and world files reach it through its ``world_schema``/``load_spec``.
"""

from __future__ import annotations

import datetime
import enum
import graphlib
import io
import json
import pickle
import threading
import time
import types
import uuid
from typing import TYPE_CHECKING, Any

from .agenda import Agenda
from .clock import Clock
from .faults import Faults
from .ids import Ids
from .journal import Journal
from .services.actions.hosted import ActionsService, ActionsState
from .services.auth.builtin import register_builtin
from .services.auth.models import CONFIDENTIAL, PUBLIC, AuthState
from .services.auth.routes import AuthService
from .services.base import Service
from .services.compute.models import ComputeState
from .services.compute.routes import ComputeService
from .services.exchange.models import ExchangeState
from .services.exchange.routes import ExchangeService
from .services.flows.models import FlowsState
from .services.flows.routes import FlowsService
from .services.gcs.models import GCSState
from .services.gcs.routes import GCSService
from .services.groups.models import GroupsState
from .services.groups.routes import GroupsService
from .services.search.models import SearchState
from .services.search.routes import SearchService
from .services.timers.models import TimersState
from .services.timers.routes import TimersService
from .services.transfer.models import TransferState
from .services.transfer.routes import TransferService
from .services.transfer.streams import Streams
from .services.transfer.tasks import Tasks
from .worlds import WorldSpec

GLOBUS_DOMAINS = (".globus.org", ".globusonline.org", ".globuscs.info")
SERVICE_CLASSES: list[type[Service]] = [
    AuthService,
    GroupsService,
    TransferService,
    ActionsService,
    FlowsService,
    ExchangeService,
    SearchService,
    TimersService,
    GCSService,
    ComputeService,
]
# Services globus-sdk knows by name; on the loopback server those the
# emulator lacks answer 501 rather than 404, like their hosts in-process.
KNOWN_SERVICE_SLUGS = frozenset(
    ("auth", "transfer", "flows", "groups", "timer", "search", "compute", "actions", "app")
)


def is_globus_host(hostname: str) -> bool:
    return hostname.endswith(GLOBUS_DOMAINS) or hostname in ("globus.org",)


class World:
    """Everything that can change, in one object that is cheap to copy."""

    def __init__(self, seed: int | str = 0) -> None:
        self.seed = seed
        self.clock = Clock()
        self.agenda = Agenda(self.clock)
        self.ids = Ids(seed)
        self.journal = Journal()
        self.faults = Faults(seed)
        self.auth = AuthState(self.clock, self.ids)
        self.groups = GroupsState(self.ids, self.clock)
        self.transfer = TransferState(self.clock, self.ids)
        self.tasks = Tasks(self.clock, self.ids, self.transfer)
        self.streams = Streams(self.clock, self.ids)
        self.flows = FlowsState(self.clock, self.ids)
        self.actions = ActionsState(self.clock)
        self.exchange = ExchangeState(self.clock)
        self.search = SearchState(self.clock, self.ids)
        self.timers = TimersState(self.clock, self.ids)
        self.gcs = GCSState(self.clock, self.ids)
        self.compute = ComputeState(self.clock, self.ids)
        # The default actors, filled in by build_world
        self.user_id = ""
        self.service_account_id = ""
        self.native_client_id = ""

    if not TYPE_CHECKING:  # (typed attributes stay typed: mypy never sees this)

        def __getattr__(self, name: str) -> Any:
            # Only called for attributes not in __dict__: a part of a fresh
            # world still pickled (see _Template), unpickled on first use.
            parts = self.__dict__.get("_parts")
            if parts is None:
                raise AttributeError(name)
            return parts.load(self, name)

    def __getstate__(self) -> dict[str, Any]:
        """Every part, unpickled (for state files and copies)."""
        parts: _Parts | None = self.__dict__.get("_parts")
        if parts is not None:
            parts.load_all(self)
        return {name: value for name, value in self.__dict__.items() if name != "_parts"}


_SCALARS = (type(None), bool, int, float, str, bytes)
# Values pickled as themselves, never as references: sharing them between
# parts changes nothing, because no one can change them.
_IMMUTABLE = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    tuple,
    frozenset,
    range,
    type,
    enum.Enum,
    types.FunctionType,
    types.BuiltinFunctionType,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
)


class _Template:
    """A world pickled part by part (its clock, its Auth state, its Transfer
    state...), so a copy unpickles only the parts a test uses: what a fresh
    world costs then grows with the services a test touches, not with those
    the kit has. A part holding another part pickles a reference to it, so
    the copy's parts share one clock, one ids... as the template's do. If
    anything else is shared between parts (which a copy would split in two),
    or two parts refer to each other (neither could be unpickled first),
    the world is pickled whole instead."""

    def __init__(self, world: World) -> None:
        state = world.__getstate__()
        # Plain values (the seed, the actors' ids) go into every copy as
        # they are; anything else (a tuple may hold a list) is a part.
        self.values = {k: v for k, v in state.items() if isinstance(v, _SCALARS)}
        parts = {k: v for k, v in state.items() if k not in self.values}
        self.parts: dict[str, bytes] = {}
        self.whole = b""
        by_id = {id(value): name for name, value in parts.items()}
        owner: dict[int, str] = {}
        held: list[object] = []  # alive until all is checked, so no id is reused
        refers: dict[str, set[str]] = {}
        for name, value in parts.items():
            pickled = _pickle_part(value, {i: n for i, n in by_id.items() if n != name}, held)
            if pickled is None or any(owner.setdefault(i, name) != name for i in pickled[1]):
                break
            self.parts[name], refers[name] = pickled[0], pickled[2]
        else:
            if not _has_cycle(refers):
                return
        self.whole = pickle.dumps(world, protocol=5)
        self.parts = {}

    def copy(self) -> World:
        if self.whole:
            world: World = pickle.loads(self.whole)
            return world
        world = World.__new__(World)
        world.__dict__.update(self.values)
        world.__dict__["_parts"] = _Parts(self.parts)
        return world


def _pickle_part(
    value: object, others: dict[int, str], held: list[object]
) -> tuple[bytes, set[int], set[str]] | None:
    """``value`` pickled with the other parts as references, the ids of
    the changeable objects it holds (added to ``held``) and the names of the
    parts it refers to; None if it cannot be pickled so."""
    start = len(held)
    buffer = io.BytesIO()
    referred: set[str] = set()

    def persistent_id(obj: object) -> str | None:
        if obj is value:
            return None
        name = others.get(id(obj))
        if name is None and not isinstance(obj, _IMMUTABLE):
            held.append(obj)
        elif name is not None:
            referred.add(name)
        return name

    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.persistent_id = persistent_id  # type: ignore[method-assign]
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return buffer.getvalue(), {id(obj) for obj in held[start:]}, referred


def _has_cycle(refers: dict[str, set[str]]) -> bool:
    """Whether some part refers, directly or through others, to itself."""
    try:
        graphlib.TopologicalSorter(refers).prepare()
    except graphlib.CycleError:
        return True
    return False


class _Parts:
    """The parts of one fresh world not yet unpickled."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self.pickled = dict(parts)
        # Reentrant: unpickling a part unpickles the parts it refers to.
        self.lock = threading.RLock()

    def load(self, world: World, name: str) -> Any:
        with self.lock:
            if name in world.__dict__:  # another thread was first
                return world.__dict__[name]
            if name not in self.pickled:
                raise AttributeError(name)
            unpickler = pickle.Unpickler(io.BytesIO(self.pickled.pop(name)))
            unpickler.persistent_load = lambda ref: getattr(world, ref)  # type: ignore[method-assign]
            value = world.__dict__[name] = unpickler.load()
            return value

    def load_all(self, world: World) -> None:
        with self.lock:
            for name in list(self.pickled):
                self.load(world, name)


_templates: dict[str, _Template] = {}
_templates_lock = threading.Lock()


def build_world(seed: int | str, spec: WorldSpec) -> World:
    """Build a world from scratch: built-in services, default actors, spec."""
    world = World(seed)
    register_builtin(world.auth)
    for service in SERVICE_CLASSES:
        service.seed_world(world)
    # High-assurance groups measure sign-ins against Auth's sessions.
    world.groups.sessions = world.auth
    actors = spec.get("default_actors", {})
    user = world.auth.add_identity(
        actors.get("user", {}).get("username"),
        name=actors.get("user", {}).get("name"),
    )
    world.user_id = world.auth.default_user_id = user.id
    world.service_account_id = world.auth.register_client(
        "globus-testkit service account", client_type=CONFIDENTIAL
    ).id
    world.native_client_id = world.auth.register_client(
        "globus-testkit native app", client_type=PUBLIC
    ).id
    for service in SERVICE_CLASSES:
        service.load_spec(world, spec)
    return world


def fresh_world(seed: int | str, spec: WorldSpec) -> World:
    """A private copy of the world for (seed, spec): built once per process,
    then copied, because building is slow and copying is cheap."""
    key = json.dumps([seed, spec], sort_keys=True, default=str)
    with _templates_lock:
        template = _templates.get(key)
        if template is None:
            template = _templates[key] = _Template(build_world(seed, spec))
    # Unpickling is several times faster than deepcopy, and like it keeps
    # shared objects shared: every model gets the copy's own clock. Pickle is
    # safe here: the template is built by this process, in memory, and never
    # read from anywhere else (state files are JSON: statefile.py).
    world = template.copy()
    world.clock.set(time.time())
    return world
