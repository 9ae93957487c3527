"""Transfer for endpoint administrators: pause rules, admin pauses and
admin cancels, and which roles a caller holds on a task. No HTTP here.

A task is paused while an admin paused it or a pause rule matches it: the
rule's endpoint is one of the task's ends in the direction the rule pauses
(``pause_task_transfer_read`` on a source, ``_write`` on a destination,
``pause_task_delete`` on a delete's endpoint), the rule names the task's
owner or nobody, its ``start_time`` has come, and either it
``modify_existing`` or the task was submitted after the rule was made.

Endpoint management needs a managed endpoint: activity roles (and an
administrator's) count here only on a collection under a subscription (or
a guest collection whose host is), as Transfer's advanced endpoint
management is for subscribers.

A rule in force also refuses the file operations it names to the
identities it applies to: ``pause_ls`` (ls and stat), ``pause_mkdir``,
``pause_rename`` and ``pause_symlink``, each answered 403 PermissionDenied
with the rule's message until the rule is lifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...clock import iso, parse_iso
from ...derived import KeepsDerived
from ...principal_index import PrincipalIndex
from .access import Principals
from .collection import Collection
from .errors import BadRequest, NotFound, PermissionDenied
from .models import TransferState

if TYPE_CHECKING:
    from .tasks import Task

PAUSE_FLAGS = (
    "pause_ls",
    "pause_mkdir",
    "pause_symlink",
    "pause_rename",
    "pause_task_delete",
    "pause_task_transfer_write",
    "pause_task_transfer_read",
)
ACTIVITY_MANAGERS = frozenset({"activity_manager"})  # administrators hold it too
ACTIVITY_VIEWERS = frozenset({"activity_monitor"})  # and so do activity managers


@dataclass
class PauseRule:
    id: str
    endpoint_id: str
    modified_by: str  # the identity that made or last changed the rule
    create_time: float
    identity_id: str | None = None
    message: str | None = None
    start_time: float | None = None
    modify_existing: bool = True
    flags: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PAUSE_FLAGS, True))

    def to_api(self, collection: Collection | None) -> dict[str, Any]:
        return {
            "DATA_TYPE": "pause_rule",
            "id": self.id,
            "endpoint_id": self.endpoint_id,
            "endpoint_display_name": collection.display_name if collection else None,
            "identity_id": self.identity_id,
            "message": self.message,
            "start_time": iso(self.start_time) if self.start_time is not None else None,
            "modify_existing": self.modify_existing,
            "modified_by_id": self.modified_by,
            "created_by_host_manager": False,
            "editable": True,
            **self.flags,
        }

    def limited(self) -> dict[str, Any]:
        """What a task's owner sees of the rule."""
        return {
            "DATA_TYPE": "pause_rule_limited",
            "id": self.id,
            "endpoint_id": self.endpoint_id,
            "identity_id": self.identity_id,
            "message": self.message,
            "start_time": iso(self.start_time) if self.start_time is not None else None,
            "modify_existing": self.modify_existing,
            **self.flags,
        }

    def in_force(self, now: float) -> bool:
        return self.start_time is None or self.start_time <= now

    def applies_to(self, who: Principals) -> bool:
        """A rule naming an identity holds every identity set it is part of."""
        return self.identity_id is None or self.identity_id in who.identities

    def pauses(self, task: Task, now: float) -> bool:
        if not self.in_force(now) or not self.applies_to(task.principals):
            return False
        if not self.modify_existing and task.request_time < self.create_time:
            return False
        if task.type == "DELETE":
            return self.flags["pause_task_delete"] and task.source_id == self.endpoint_id
        return (self.flags["pause_task_transfer_read"] and task.source_id == self.endpoint_id) or (
            self.flags["pause_task_transfer_write"] and task.destination_id == self.endpoint_id
        )

    def update(self, fields: dict[str, Any]) -> None:
        for key in PAUSE_FLAGS:
            if key in fields:
                self.flags[key] = fields[key]
        if "identity_id" in fields:
            self.identity_id = fields["identity_id"]
        if "message" in fields:
            self.message = fields["message"]
        if "modify_existing" in fields:
            self.modify_existing = fields["modify_existing"]
        if "start_time" in fields:
            self.start_time = _time(fields["start_time"])


@dataclass
class AdminCancel:
    id: int
    requested_by: str
    task_ids: list[str]
    message: str
    create_time: float

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "admin_cancel",
            "id": self.id,
            "done": True,  # the emulator cancels at once
            "task_id_list": self.task_ids,
            "message": self.message,
            "start_time": iso(self.create_time),
        }


def _time(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return parse_iso(str(value))
    except ValueError as err:
        raise BadRequest(f"invalid start_time {value!r}") from err


def manager_roles(state: TransferState, collection: Collection, who: Principals) -> frozenset[str]:
    """The roles that count for endpoint management: the caller's effective
    roles on a managed collection, none on one without a subscription."""
    return collection.effective_roles(who) if state.managed(collection) else frozenset()


def monitored_collections(state: TransferState, who: Principals) -> list[Collection]:
    """The collections whose activity the caller may monitor, in the
    world's order: sought among those they may hold a role on, not among
    every collection."""
    return [c for c in state.held_by(who) if ACTIVITY_VIEWERS & manager_roles(state, c, who)]


def require_manager_role(
    state: TransferState, collection: Collection, who: Principals, roles: frozenset[str], doing: str
) -> None:
    if not state.managed(collection):
        raise PermissionDenied(
            f"you may not {doing} on {collection.display_name}: it is not managed "
            "(it has no subscription)"
        )
    state.require_role(collection, who, roles, doing)


def task_roles(state: TransferState, task: Task, who: Principals) -> frozenset[str]:
    """The management roles the caller holds on either end of a task."""
    held: frozenset[str] = frozenset()
    for collection_id in (task.source_id, task.destination_id):
        collection = state.collections.get(collection_id or "")
        if collection is not None:
            held |= manager_roles(state, collection, who)
    return held


def managed_ends(state: TransferState, task: Task, who: Principals) -> str:
    """Which end(s) of a task the caller manages: SOURCE, DESTINATION or BOTH
    (what an admin cancel or pause reports)."""
    ends = [
        end
        for end, collection_id in (("SOURCE", task.source_id), ("DESTINATION", task.destination_id))
        if collection_id in state.collections
        and ACTIVITY_MANAGERS & manager_roles(state, state.collections[collection_id], who)
    ]
    return "BOTH" if len(ends) == 2 else ends[0]


class PauseRules(KeepsDerived):
    """Every pause rule, by id, and the admin cancels that were asked for."""

    # rule ids by endpoint, in the order the rules were made, so the rules
    # an ls or a task meets cost what its endpoints' rules cost, not what
    # every rule in the world costs; None until first asked
    DERIVED = ("_by_endpoint",)
    _by_endpoint: PrincipalIndex | None = None

    def __init__(self, state: TransferState) -> None:
        self.state = state
        self.rules: dict[str, PauseRule] = {}
        self.cancels: dict[int, AdminCancel] = {}

    def _on(self, *endpoint_ids: str | None) -> list[PauseRule]:
        """The rules on any of these endpoints (an endpoint's rules never
        move: a rule's endpoint_id cannot be changed)."""
        if self._by_endpoint is None:
            self._by_endpoint = PrincipalIndex.of(self.rules, lambda rule: (rule.endpoint_id,))
        on = self._by_endpoint.held_by(e for e in endpoint_ids if e)
        return [self.rules[rule_id] for rule_id in on]

    def create(self, identity_id: str, who: Principals, fields: dict[str, Any]) -> PauseRule:
        collection = self.state.collection(fields["endpoint_id"])
        require_manager_role(self.state, collection, who, ACTIVITY_MANAGERS, "create pause rules")
        rule = PauseRule(
            id=self.state.ids.uuid(),
            endpoint_id=collection.id,
            modified_by=identity_id,
            create_time=self.state.clock.now(),
        )
        rule.update({"modify_existing": True, **fields})
        self.rules[rule.id] = rule
        if self._by_endpoint is not None:
            self._by_endpoint.put(rule.id, (rule.endpoint_id,))
        return rule

    def get(self, rule_id: str, who: Principals, *, manage: bool) -> PauseRule:
        rule = self.rules.get(rule_id)
        if rule is None:
            raise NotFound(f"no pause rule {rule_id}", code="PauseRuleNotFound")
        needed = ACTIVITY_MANAGERS if manage else ACTIVITY_VIEWERS
        collection = self.state.collection(rule.endpoint_id)
        require_manager_role(self.state, collection, who, needed, "see this pause rule")
        return rule

    def delete(self, rule: PauseRule) -> None:
        """Lift a rule: the tasks it paused go on at their next update."""
        if self.rules.pop(rule.id, None) is not None and self._by_endpoint is not None:
            self._by_endpoint.remove(rule.id)

    def visible(self, who: Principals, endpoint_id: str | None) -> list[PauseRule]:
        """The rules on endpoints whose activity the caller may see (on
        ``endpoint_id`` only, if given): sought on the caller's monitored
        endpoints, not among every rule."""
        if endpoint_id:
            on = self._on(endpoint_id.lower())
        else:
            on = self._on(*(c.id for c in monitored_collections(self.state, who)))
        found = []
        for rule in on:
            collection = self.state.collections.get(rule.endpoint_id)
            if collection is None:
                continue
            if ACTIVITY_VIEWERS & manager_roles(self.state, collection, who):
                found.append(rule)
        return found

    def effective_for(self, who: Principals, endpoint_id: str) -> list[PauseRule]:
        """The rules in force on an endpoint that apply to the caller."""
        now = self.state.clock.now()
        return [r for r in self._on(endpoint_id) if r.in_force(now) and r.applies_to(who)]

    def refuse(self, collection: Collection, who: Principals, flag: str) -> None:
        """Refuse a file operation a rule in force pauses for the caller."""
        held = [r for r in self.effective_for(who, collection.id) if r.flags[flag]]
        if held:
            messages = "; ".join(r.message for r in held if r.message)
            raise PermissionDenied(
                f"{flag.removeprefix('pause_')} on {collection.display_name} is paused by "
                f"an activity manager{': ' + messages if messages else ''}"
            )

    def pausing(self, task: Task) -> list[PauseRule]:
        now = self.state.clock.now()
        return [r for r in self._on(task.source_id, task.destination_id) if r.pauses(task, now)]

    def record_cancel(self, identity_id: str, task_ids: list[str], message: str) -> AdminCancel:
        cancel = AdminCancel(
            len(self.cancels) + 1, identity_id, task_ids, message, self.state.clock.now()
        )
        self.cancels[cancel.id] = cancel
        return cancel

    def cancel_status(self, cancel_id: str, identity_id: str) -> AdminCancel:
        """An admin cancel, for the identity who asked for it only."""
        found = self.cancels.get(int(cancel_id)) if cancel_id.isdigit() else None
        if found is None or found.requested_by != identity_id:
            raise NotFound(f"no admin cancel {cancel_id}")
        return found


def require_task_role(
    state: TransferState, task: Task, who: Principals, roles: frozenset[str]
) -> None:
    if not roles & task_roles(state, task, who):
        doing = "manage" if roles == ACTIVITY_MANAGERS else "monitor"
        raise PermissionDenied(f"you do not {doing} either endpoint of task {task.id}")
