"""A flow as an action provider: the paths globus-automate-client uses
(``/flows/{flow_id}/{run_id}/status|log|cancel|resume|release``), each a
run seen as an ActionStatus."""

from __future__ import annotations

from typing import Any

from ...http import Call, NotFound, Reply
from ..auth.models import identity_urn
from .models import Run
from .routes import RUN_MANAGE, RUN_STATUS, FlowsService, _log_page, _release, routes


def _flow_run(svc: FlowsService, call: Call, flow_id: str, run_id: str, manage: bool) -> Run:
    _, principals = svc.flow_or_caller(call, flow_id, RUN_MANAGE if manage else RUN_STATUS)
    run = svc.run_for(run_id, principals, manage=manage)
    if run.flow_id != flow_id:
        raise NotFound(f"no run {run_id} of flow {flow_id}")
    return run


def _as_action(run: Run) -> dict[str, Any]:
    """A run as an ActionStatus, the shape a provider answers."""
    document = run.to_api(set(), None)
    return {
        "action_id": run.id,
        "status": "SUCCEEDED"
        if run.status == "SUCCEEDED"
        else ("FAILED" if run.status in ("FAILED", "ENDED") else run.status),
        "display_status": run.display_status,
        "creator_id": identity_urn(run.owner_id),
        "details": run.details,
        "label": run.label,
        "manage_by": list(run.run_managers),
        "monitor_by": list(run.run_monitors),
        "start_time": document["start_time"],
        "completion_time": document["completion_time"],
        "release_after": "P30D",
    }


@routes.route("/flows/<flow_id>/<run_id>/status", "GET", operation="flow_action_status")
def flow_action_status(svc: FlowsService, call: Call, flow_id: str, run_id: str) -> Reply:
    return Reply(_as_action(_flow_run(svc, call, flow_id, run_id, False)))


@routes.route("/flows/<flow_id>/<run_id>/log", "GET", operation="flow_action_log")
def flow_action_log(svc: FlowsService, call: Call, flow_id: str, run_id: str) -> Reply:
    return _log_page(call, _flow_run(svc, call, flow_id, run_id, False))


@routes.route("/flows/<flow_id>/<run_id>/cancel", "POST", operation="flow_action_cancel")
def flow_action_cancel(svc: FlowsService, call: Call, flow_id: str, run_id: str) -> Reply:
    run = _flow_run(svc, call, flow_id, run_id, True)
    svc.runner().cancel(run)
    return Reply(_as_action(run))


@routes.route("/flows/<flow_id>/<run_id>/resume", "POST", operation="flow_action_resume")
def flow_action_resume(svc: FlowsService, call: Call, flow_id: str, run_id: str) -> Reply:
    run = _flow_run(svc, call, flow_id, run_id, True)
    svc.runner().resume(run)
    return Reply(_as_action(run))


@routes.route("/flows/<flow_id>/<run_id>/release", "POST", operation="flow_action_release")
def flow_action_release(svc: FlowsService, call: Call, flow_id: str, run_id: str) -> Reply:
    return Reply(_as_action(_release(svc, _flow_run(svc, call, flow_id, run_id, True))))
