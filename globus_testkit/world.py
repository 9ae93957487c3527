"""The world: everything that can change, one piece per service, and the
one table of services (``SERVICE_CLASSES``) that plugs each in.

A new service adds its state here (an attribute of :class:`World`) and its
class to ``SERVICE_CLASSES``; the emulator routes to it by its hosts and its
name, and world files reach it through its ``world_schema``/``load_spec``.
"""

from __future__ import annotations

import json
import pickle
import threading
import time

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


_templates: dict[str, bytes] = {}
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
            template = _templates[key] = pickle.dumps(build_world(seed, spec), protocol=5)
    # Unpickling is several times faster than deepcopy, and like it keeps
    # shared objects shared: every model gets the copy's own clock. Pickle is
    # safe here: the template is built by this process, in memory, and never
    # read from anywhere else (state files are JSON: statefile.py).
    world: World = pickle.loads(template)
    world.clock.set(time.time())
    return world
