"""Flows and runs: state and role rules. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, iso
from ...derived import KeepsDerived
from ...ids import Ids
from ...principal_index import PrincipalIndex
from ..auth.models import identity_urn

FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"
FINISHED = ("SUCCEEDED", "FAILED", "ENDED")


def flow_scope(flow_id: str, role: str = "user") -> str:
    """The flow's own scope (``user``), or the scope of a RunAs role."""
    return f"https://auth.globus.org/scopes/{flow_id}/flow_{flow_id.replace('-', '_')}_{role}"


def handler(state: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """What an Action state calls, as Flows reads it: ``("provider", url,
    scope)`` for ``ActionUrl`` (with ``ActionScope``) or an ActionProvider
    Handler; ``("registered_api", id, None)`` for a RegisteredAPI Handler;
    ``("handle", urn, None)`` for a hosted registered API's handle URN."""
    given = state.get("Handler")
    if isinstance(given, str):
        return "handle", given, None
    if isinstance(given, dict) and given.get("Type") == "RegisteredAPI":
        return "registered_api", str(given.get("Id")), None
    if isinstance(given, dict):
        return "provider", given.get("Url"), given.get("Scope")
    return "provider", state.get("ActionUrl"), state.get("ActionScope")


def action_handlers(definition: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """What each Action state of a definition calls (:func:`handler`)."""
    return [
        handler(state)
        for state in definition.get("States", {}).values()
        if state.get("Type") == "Action"
    ]


def run_as_roles(definition: dict[str, Any]) -> list[str]:
    """The role names Action states run as, besides the run's user and the
    flow itself: each needs a token of its own in the run's ``_tokens``."""
    roles = {
        state.get("RunAs")
        for state in definition.get("States", {}).values()
        if state.get("Type") == "Action"
    }
    return sorted(r for r in roles if isinstance(r, str) and r not in ("User", "Flow"))


# A flow's role lists, strongest first.
ROLE_LISTS = (
    "flow_administrators",
    "flow_starters",
    "flow_viewers",
    "run_managers",
    "run_monitors",
)


@dataclass
class Flow:
    id: str
    title: str
    definition: dict[str, Any]
    owner_id: str
    created_at: float
    updated_at: float
    input_schema: dict[str, Any] = field(default_factory=dict)
    subtitle: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    flow_viewers: list[str] = field(default_factory=list)
    flow_starters: list[str] = field(default_factory=list)
    flow_administrators: list[str] = field(default_factory=list)
    run_managers: list[str] = field(default_factory=list)
    run_monitors: list[str] = field(default_factory=list)
    subscription_id: str | None = None
    # an Auth policy every run's caller must satisfy (high assurance flows)
    authentication_policy_id: str | None = None

    @property
    def scope(self) -> str:
        return flow_scope(self.id)

    @property
    def role_scopes(self) -> dict[str, str]:
        return {role: flow_scope(self.id, role) for role in run_as_roles(self.definition)}

    @property
    def principals(self) -> set[str]:
        """Every principal holding a role on the flow (its owner's identity
        URN, and whatever its role lists name)."""
        return {identity_urn(self.owner_id)}.union(*(getattr(self, r) for r in ROLE_LISTS))

    def roles_of(self, principals: set[str]) -> list[str]:
        roles = []
        if identity_urn(self.owner_id) in principals:
            roles.append("flow_owner")
        for role in ROLE_LISTS:
            members = set(getattr(self, role))
            if members & principals or (
                "all_authenticated_users" in members and role in ("flow_starters", "flow_viewers")
            ):
                roles.append(role.rstrip("s") if role.startswith("flow") else role)
        return roles

    def to_api(self, principals: set[str]) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "description": self.description,
            "keywords": list(self.keywords),
            "definition": self.definition,
            "input_schema": self.input_schema,
            "globus_auth_scope": self.scope,
            "globus_auth_username": f"{self.id}@clients.auth.globus.org",
            "flow_owner": identity_urn(self.owner_id),
            "created_by": identity_urn(self.owner_id),
            "principal_urn": identity_urn(self.id),
            "flow_url": f"https://flows.automate.globus.org/flows/{self.id}",
            "flow_viewers": list(self.flow_viewers),
            "flow_starters": list(self.flow_starters),
            "flow_administrators": list(self.flow_administrators),
            "run_managers": list(self.run_managers),
            "run_monitors": list(self.run_monitors),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "user_role": _best_role(self.roles_of(principals)),
            "action_url": f"https://flows.automate.globus.org/flows/{self.id}",
            "synchronous": False,
            "log_supported": True,
            "types": ["Action"],
            **({"subscription_id": self.subscription_id} if self.subscription_id else {}),
            **(
                {"authentication_policy_id": self.authentication_policy_id}
                if self.authentication_policy_id
                else {}
            ),
            # only flows with RunAs roles have it (the recorded flows have none)
            **({"globus_auth_scopes_by_RunAs": self.role_scopes} if self.role_scopes else {}),
            "api_version": "1.0",
            "administered_by": [],
            "runnable_by": list(self.flow_starters),
            "visible_to": list(self.flow_viewers),
        }


# The roles one can hold on a flow, strongest first (the Flows API's
# vocabulary for a flow's ``user_role`` and list_flows' ``filter_roles``).
FLOW_ROLES = (
    "flow_owner",
    "flow_administrator",
    "flow_starter",
    "flow_viewer",
    "run_manager",
    "run_monitor",
)


def _best_role(roles: list[str]) -> str | None:
    ranked = [r for r in FLOW_ROLES if r in roles]
    return ranked[0] if ranked else None


@dataclass
class PendingAction:
    url: str
    scope: str
    action_id: str
    identity_id: str
    started_at: float
    timeout_at: float
    poll_at: float
    backoff: float = 1.0


@dataclass
class Run:
    id: str
    flow_id: str
    flow_title: str
    owner_id: str
    owner_username: str
    start_time: float
    state: dict[str, Any]
    current: str
    label: str = ""
    tags: list[str] = field(default_factory=list)
    run_managers: list[str] = field(default_factory=list)
    run_monitors: list[str] = field(default_factory=list)
    status: str = "ACTIVE"
    display_status: str = "ACTIVE"
    details: dict[str, Any] = field(default_factory=dict)
    completion_time: float | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    action: PendingAction | None = None
    waiting_until: float | None = None
    definition: dict[str, Any] = field(default_factory=dict)
    # RunAs role -> the identity whose token the run was given for it
    run_as: dict[str, str] = field(default_factory=dict)
    # the web input an AwaitWebInput state is waiting on
    web_input_id: str | None = None

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    def roles_of(self, principals: set[str], flow: Flow | None) -> list[str]:
        roles = []
        if identity_urn(self.owner_id) in principals:
            roles.append("run_owner")
        if set(self.run_managers) & principals or (flow and set(flow.run_managers) & principals):
            roles.append("run_manager")
        if set(self.run_monitors) & principals or (flow and set(flow.run_monitors) & principals):
            roles.append("run_monitor")
        return roles

    def listing_roles(self, principals: set[str], flow: Flow | None) -> set[str]:
        """The roles ``GET /runs?filter_roles=`` selects on: unlike
        :meth:`roles_of`, a manager or monitor named on the flow (rather than
        on the run) holds ``flow_run_manager`` / ``flow_run_monitor``."""
        roles = set()
        if identity_urn(self.owner_id) in principals:
            roles.add("run_owner")
        for name, own, inherited in (
            ("run_manager", self.run_managers, flow.run_managers if flow else ()),
            ("run_monitor", self.run_monitors, flow.run_monitors if flow else ()),
        ):
            if set(own) & principals:
                roles.add(name)
            if set(inherited) & principals:
                roles.add(f"flow_{name}")
        return roles

    def to_api(self, principals: set[str], flow: Flow | None) -> dict[str, Any]:
        roles = self.roles_of(principals, flow)
        return {
            "run_id": self.id,
            "action_id": self.id,
            "flow_id": self.flow_id,
            "flow_title": self.flow_title,
            "flow_last_updated": iso(flow.updated_at) if flow else None,
            "status": self.status,
            "display_status": self.display_status,
            "details": self.details,
            "start_time": iso(self.start_time),
            "completion_time": iso(self.completion_time) if self.completion_time else None,
            "label": self.label,
            "tags": list(self.tags),
            "run_owner": identity_urn(self.owner_id),
            "created_by": identity_urn(self.owner_id),
            "user_role": roles[0] if roles else None,
            "run_managers": list(self.run_managers),
            "run_monitors": list(self.run_monitors),
            "manage_by": list(self.run_managers),
            "monitor_by": list(self.run_monitors),
            "blocking_web_input_id": self.web_input_id,
        }


def _flow_key(flow_id: str) -> str:
    """How a run's flow is named among its principals (its flow's run
    managers and monitors hold a role on it)."""
    return f"flow:{flow_id}"


def _run_principals(run: Run) -> set[str]:
    return {
        identity_urn(run.owner_id),
        *run.run_managers,
        *run.run_monitors,
        _flow_key(run.flow_id),
    }


class FlowsState(KeepsDerived):
    # the ids of the runs not yet ended, in creation order, built when
    # first asked (see unfinished_runs); the flows each principal holds a
    # role on, and the runs (see runs_held), built when first asked
    DERIVED = ("_unfinished", "_by_principal", "_runs_by_principal")
    _unfinished: dict[str, None] | None = None
    _by_principal: PrincipalIndex | None = None
    _runs_by_principal: PrincipalIndex | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.flows: dict[str, Flow] = {}
        self.runs: dict[str, Run] = {}
        self.run_order: list[str] = []
        from .registered_apis import RegisteredApis
        from .web_inputs import WebInputs  # it builds on Run: imported once Run exists

        self.web_inputs = WebInputs(clock, ids)
        self.registered_apis = RegisteredApis(clock, ids)

    def add_flow(
        self, owner_id: str, fields: dict[str, Any], *, flow_id: str | None = None
    ) -> Flow:
        if flow_id is not None and flow_id in self.flows:
            raise ValueError(f"flow {flow_id} already exists")
        now = self.clock.now()
        flow = Flow(
            id=flow_id or self.ids.uuid(),
            title=fields["title"],
            definition=fields["definition"],
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
            **{k: v for k, v in fields.items() if k not in ("title", "definition")},
        )
        self.flows[flow.id] = flow
        self._reindex(flow)
        return flow

    def update_flow(self, flow: Flow, fields: dict[str, Any]) -> None:
        """Change a flow's fields (its role lists among them)."""
        for key, value in fields.items():
            setattr(flow, key, value)
        flow.updated_at = self.clock.now()
        self._reindex(flow)

    def delete_flow(self, flow: Flow) -> None:
        del self.flows[flow.id]
        if self._by_principal is not None:
            self._by_principal.remove(flow.id)

    def _reindex(self, flow: Flow) -> None:
        if self._by_principal is not None:
            self._by_principal.put(flow.id, flow.principals)

    def flows_held(self, principals: set[str]) -> list[Flow]:
        """The flows where ``principals`` hold a role, in the world's order:
        read from an index by principal, so a listing costs the caller's
        flows, not the world's."""
        if self._by_principal is None:
            self._by_principal = PrincipalIndex.of(self.flows, lambda flow: flow.principals)
        # a starter or viewer list naming every signed-in user names them too
        asked = principals | {"all_authenticated_users"}
        return [
            flow
            for flow_id in self._by_principal.held_by(asked)
            if (flow := self.flows[flow_id]).roles_of(principals)
        ]

    def add_run(
        self,
        flow: Flow,
        owner_id: str,
        username: str,
        body: dict[str, Any],
        options: dict[str, Any],
        run_as: dict[str, str] | None = None,
        caller: dict[str, Any] | None = None,
    ) -> Run:
        """A new run; ``caller`` adds what the run's context says of who
        started it (``email``, ``identities``, ``token_info``)."""
        run_id = self.ids.uuid()
        context = {
            "flow_id": flow.id,
            "run_id": run_id,
            "user_id": identity_urn(owner_id),
            "username": username,
            "email": username,
            **(caller or {}),
        }
        run = Run(
            id=run_id,
            flow_id=flow.id,
            flow_title=flow.title,
            owner_id=owner_id,
            owner_username=username,
            start_time=self.clock.now(),
            state={**body, "_context": context},
            current=flow.definition["StartAt"],
            label=options.get("label") or "",
            tags=list(options.get("tags") or []),
            run_managers=list(options.get("run_managers") or options.get("manage_by") or []),
            run_monitors=list(options.get("run_monitors") or options.get("monitor_by") or []),
            definition=flow.definition,
            run_as=dict(run_as or {}),
        )
        self.runs[run.id] = run
        self.run_order.append(run.id)
        if self._unfinished is not None:
            self._unfinished[run.id] = None
        self._reindex_run(run)
        return run

    def update_run(self, run: Run, fields: dict[str, Any]) -> None:
        """Change a run's fields (its role lists among them)."""
        for key, value in fields.items():
            setattr(run, key, value)
        self._reindex_run(run)

    def release_run(self, run: Run) -> None:
        """Forget a run (its ending already checked)."""
        del self.runs[run.id]
        self._reindex_run(run)

    def _reindex_run(self, run: Run) -> None:
        """Keep a built index up with a run made, changed or forgotten."""
        index = self._runs_by_principal
        if index is not None and run.id in self.runs:
            index.put(run.id, _run_principals(run))
        elif index is not None:
            index.remove(run.id)

    def runs_held(self, principals: set[str]) -> list[str]:
        """The ids of the runs where ``principals`` may hold a role (as
        ``Run.roles_of`` has it: on the run, or as a run manager or monitor
        of its flow), oldest first: read from an index by principal, so a
        listing costs the caller's runs, not the world's."""
        if self._runs_by_principal is None:
            self._runs_by_principal = PrincipalIndex.of(self.runs, _run_principals)
        flows = [
            _flow_key(flow.id)
            for flow in self.flows_held(principals)
            if {*flow.run_managers, *flow.run_monitors} & principals
        ]
        return self._runs_by_principal.held_by([*principals, *flows])

    def unfinished_runs(self) -> list[Run]:
        """The runs not yet ended, oldest first: what a request that brings
        every run up to now walks, instead of every run ever. A run that
        ended (or was released) never runs again: it leaves the index here,
        when first seen so."""
        if self._unfinished is None:
            self._unfinished = dict.fromkeys(r.id for r in self.runs.values() if not r.done)
        found = []
        for run_id in list(self._unfinished):
            run = self.runs.get(run_id)
            if run is None or run.done:
                del self._unfinished[run_id]
            else:
                found.append(run)
        return found
