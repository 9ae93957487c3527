"""Globus Timers' HTTP surface: ``/v2/timer`` and the ``/jobs`` API.

Errors are ``{"error": {"code", "detail", "status"}}``, validation errors
422 ``{"detail": [{"loc", "msg", "type"}]}`` (the two shapes TimersAPIError
reads), and a missing consent is a 403 carrying ``authorization_parameters``
that clients turn into a login. Timers run from the world's agenda.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...agenda import DueEntry
from ...clock import parse_iso
from ...http import ApiError, Call, NotFound, Reply, marker_page, validate
from ..auth.models import Dependency
from ..base import Routes, Service
from ..transfer import TRANSFER_ALL
from .models import (
    FLOWS_URL,
    RUNNABLE,
    TIMER_SCOPE,
    TIMERS_CLIENT_ID,
    TRANSFER_ACTION_URL,
    Schedule,
    ScheduleError,
    Timer,
    TimersState,
)
from .runs import fire, take_grant

if TYPE_CHECKING:
    from ...emulator import World
    from ..auth.models import TokenInfo

routes = Routes()

RESULTS_PAGE = 10
STATUS_GROUPS = {"active", "inactive", "ended"}


class TimersService(Service):
    name = "timer"
    hosts = ("timer.automate.globus.org",)
    resource_server = TIMERS_CLIENT_ID
    routes = routes

    @classmethod
    def seed_world(cls, world: World) -> None:
        # Timers' scope lets it call Transfer for its owner (collections'
        # data_access and flows' own scopes are consented beneath it as needed).
        auth = world.auth
        timer_scope = auth.scope_by_string(TIMER_SCOPE)
        transfer = auth.scope_by_string(TRANSFER_ALL)
        if timer_scope is not None and transfer is not None:
            timer_scope.dependencies = [Dependency(transfer.id)]

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        if err.status == 422:
            loc = err.extra.get("loc", ["body"])
            return {"detail": [{"loc": loc, "msg": err.message, "type": err.code}]}
        body: dict[str, Any] = {
            "error": {"code": err.code, "detail": err.message, "status": err.status}
        }
        if "authorization_parameters" in err.extra:
            body["code"] = "AuthorizationRequired"
        body.update({k: v for k, v in err.extra.items() if k != "loc"})
        return body

    @property
    def state(self) -> TimersState:
        return self.world.timers

    def caller(self, call: Call) -> TokenInfo:
        return self.authenticate(call, scope=TIMER_SCOPE)

    def owned(self, call: Call, timer_id: str) -> tuple[TokenInfo, Timer]:
        info = self.caller(call)
        timer = self.state.owned(timer_id, info.identity_id)
        if timer is None:
            raise NotFound(f"no timer {timer_id}", code="NOT_FOUND")
        return info, timer

    def schedule(self, timer: Timer) -> None:
        """Put the timer's next run on the world's agenda."""
        if timer.next_run is not None and timer.status in RUNNABLE:
            timer.due_seq = self.world.agenda.schedule(timer.next_run, self.name, timer.id).seq

    def run_due(self, entry: DueEntry) -> None:
        timer = self.state.timers.get(entry.key)
        if timer is None or timer.due_seq != entry.seq or timer.status not in RUNNABLE:
            return  # deleted, paused or rescheduled since
        fire(self, timer, entry.when)
        self.schedule(timer)


def _unprocessable(message: str, *loc: str) -> ApiError:
    return ApiError(422, "value_error", message, loc=["body", *loc])


def _validated(document: Any, schema: str, *loc: str) -> None:
    """Timers' 422 for a document off its schema, ``loc`` naming the part."""
    validate(document, schema, error=lambda message: _unprocessable(message, *loc))


def _schedule(doc: dict[str, Any], now: float) -> Schedule:
    try:
        return Schedule.parse(doc, now)
    except ScheduleError as err:
        raise _unprocessable(str(err), "timer", "schedule") from err


def _create(
    svc: TimersService,
    info: TokenInfo,
    timer_type: str,
    body: dict[str, Any],
    schedule: Schedule,
    name: str | None,
    flow_id: str | None,
) -> Timer:
    grant = take_grant(svc, info, timer_type, body, flow_id)
    timer = svc.state.add(
        info.identity_id, info.client_id, timer_type, body, schedule, name=name, flow_id=flow_id
    )
    timer.refresh_tokens = grant
    svc.schedule(timer)
    return timer


@routes.route("/v2/timer", "POST", operation="create_timer")
def create_timer(svc: TimersService, call: Call) -> Reply:
    info = svc.caller(call)
    document = call.json_object()
    _validated(document, "timers_timer")
    spec = document["timer"]
    body = dict(spec["body"])
    if spec["timer_type"] == "transfer":
        # Timers makes its own submission for each run.
        body.pop("submission_id", None)
        body.pop("skip_activation_check", None)
        body.setdefault("DATA_TYPE", "transfer")
        _validated(body, "timers_transfer_body", "timer", "body")
    elif "flow_id" not in spec:
        raise _unprocessable("a flow timer needs a flow_id", "timer", "flow_id")
    else:
        _validated(body, "timers_flow_body", "timer", "body")
    schedule = _schedule(spec["schedule"], svc.world.clock.now())
    timer = _create(
        svc, info, spec["timer_type"], body, schedule, spec.get("name"), spec.get("flow_id")
    )
    return Reply({"timer": timer.to_timer()}, 201)


@routes.route("/jobs/", "POST", operation="create_job")
def create_job(svc: TimersService, call: Call) -> Reply:
    """The legacy API: a TimerJob calling the Transfer action provider or a flow."""
    info = svc.caller(call)
    document = call.json_object()
    _validated(document, "timers_job")
    url = document["callback_url"].rstrip("/")
    if url.startswith(f"{FLOWS_URL}/flows/") and url.endswith("/run"):
        timer_type, flow_id = "flow", url.split("/")[-2]
        body = dict(document["callback_body"])
    elif url in (TRANSFER_ACTION_URL, "https://actions.automate.globus.org/transfer/transfer/run"):
        timer_type, flow_id = "transfer", None
        body = _transfer_document(document["callback_body"]["body"])
    else:
        raise _unprocessable(f"globus-testkit's Timers cannot call {url}", "callback_url")
    schedule = _legacy_schedule(document)
    timer = _create(svc, info, timer_type, body, schedule, document.get("name"), flow_id)
    return Reply(timer.to_job(timer.results[:RESULTS_PAGE], None), 201)


def _legacy_schedule(document: dict[str, Any]) -> Schedule:
    try:
        start = parse_iso(document["start"])
        end_time = parse_iso(document["stop_after"]) if document.get("stop_after") else None
    except ValueError as err:
        raise _unprocessable(f"not a date and time: {err}", "start") from err
    runs, interval = document.get("stop_after_n"), document.get("interval")
    if runs == 1 or not interval:
        return Schedule("once", start)
    schedule = _schedule({"type": "recurring", "interval_seconds": interval}, start)
    schedule.start, schedule.end_time, schedule.end_count = start, end_time, runs
    return schedule


# The Transfer action provider's names for the task document's fields.
_ACTION_FIELDS = {
    "source_endpoint_id": "source_endpoint",
    "destination_endpoint_id": "destination_endpoint",
}


def _transfer_document(action_body: dict[str, Any]) -> dict[str, Any]:
    """The Transfer action provider's body as the Transfer task it submits."""
    document: dict[str, Any] = {"DATA_TYPE": "transfer"}
    for key, value in action_body.items():
        if key == "transfer_items":
            document["DATA"] = [{"DATA_TYPE": "transfer_item", **item} for item in value]
        else:
            document[_ACTION_FIELDS.get(key, key)] = value
    return document


@routes.route("/jobs/", "GET", operation="list_jobs")
def list_jobs(svc: TimersService, call: Call) -> Reply:
    info = svc.caller(call)
    statuses = set(call.arg_csv("filter_status")) or STATUS_GROUPS
    if statuses - STATUS_GROUPS:
        raise _unprocessable(f"filter_status must name {sorted(STATUS_GROUPS)}")
    if call.args.get("filter_active", "") != "":
        # true: only timers that still run; false: only those that do not
        active = call.arg_bool("filter_active")
        statuses = statuses & ({"active"} if active else STATUS_GROUPS - {"active"})
    order = call.args.get("order", "submitted_at asc")
    results = call.arg_int("result_count", RESULTS_PAGE, minimum=0, maximum=100)
    timers = svc.state.listed(info.identity_id, statuses, order)
    name = call.args.get("filter_name", "").lower()
    jobs = [t.to_job(t.results[-results:] if results else [], None) for t in timers]
    return Reply({"jobs": [j for j in jobs if name in j["name"].lower()]})


@routes.route("/jobs/<timer_id>", "GET", operation="get_job")
def get_job(svc: TimersService, call: Call, timer_id: str) -> Reply:
    _, timer = svc.owned(call, timer_id)
    size = call.arg_int("page_size", RESULTS_PAGE, minimum=1, maximum=100)
    page, marker = marker_page(timer.results, call.args.get("results_pt"), size)
    return Reply(timer.to_job(page, marker))


@routes.route("/jobs/<timer_id>", "PATCH", operation="update_job")
def update_job(svc: TimersService, call: Call, timer_id: str) -> Reply:
    _, timer = svc.owned(call, timer_id)
    changes = call.json_object()
    _validated(changes, "timers_job_update")
    if "name" in changes:
        timer.name = changes["name"]
    return Reply(timer.to_job(timer.results[:RESULTS_PAGE], None))


@routes.route("/jobs/<timer_id>", "DELETE", operation="delete_job")
def delete_job(svc: TimersService, call: Call, timer_id: str) -> Reply:
    _, timer = svc.owned(call, timer_id)
    svc.state.delete(timer)
    return Reply(timer.to_job([], None))


@routes.route("/jobs/<timer_id>/pause", "POST", operation="pause_job")
def pause_job(svc: TimersService, call: Call, timer_id: str) -> Reply:
    _, timer = svc.owned(call, timer_id)
    if timer.status == "ended":
        raise ApiError(409, "CONFLICT", f"timer {timer_id} has ended")
    svc.state.deactivate(timer, "user", None)
    return Reply({"message": f"Successfully paused job {timer_id}."})


@routes.route("/jobs/<timer_id>/resume", "POST", operation="resume_job")
def resume_job(svc: TimersService, call: Call, timer_id: str) -> Reply:
    info, timer = svc.owned(call, timer_id)
    if timer.status != "inactive":
        raise ApiError(409, "CONFLICT", f"timer {timer_id} is not inactive")
    body = call.json(required=False) or {}
    update = body.get("update_credentials") if isinstance(body, dict) else None
    if update is None:
        update = call.arg_bool(
            "update_credentials",
            (timer.inactive_reason or {}).get("cause") == "globus_auth_requirements",
        )
    if update:
        # The caller's grant replaces the old one (or the 403 says what is missing).
        timer.refresh_tokens = take_grant(svc, info, timer.timer_type, timer.body, timer.flow_id)
        timer.client_id = info.client_id
    svc.state.reactivate(timer)
    svc.schedule(timer)
    return Reply({"message": f"Successfully resumed job {timer_id}."})
