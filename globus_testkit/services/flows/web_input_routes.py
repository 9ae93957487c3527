"""Flows' web inputs over HTTP: list, get, respond (``/web_inputs``).

Who sees what is the web input's roles (viewers, respondents; identities
or groups); to anyone else a web input does not exist (404, Flows'
``No Web Input exists with id value ...``). A viewer who tries to answer
is refused (403 FORBIDDEN); an answer to a closed input is a 409; an answer
that is not one of the options' ids is a 422; none of them changes
anything. A flow with an authentication policy demands it of viewers and
respondents too: a 403 GARE carrying the input's summary, as recorded.
"""

from __future__ import annotations

from typing import Any

from ...http import (
    ApiError,
    Call,
    Forbidden,
    NotFound,
    Reply,
    SessionRequired,
    marker_page,
    validate,
)
from ..auth.models import identity_urn
from .listing import csv_filter, ordered
from .routes import SCOPE, FlowsService, routes
from .web_inputs import WebInput

# Flows does not say which of its scopes these routes take: any that lets
# a user see runs or act on them.
WEB_INPUTS = {SCOPE + "all", SCOPE + "run", SCOPE + "run_status", SCOPE + "run_manage"}
ORDER_KEYS = {
    "created_timestamp": lambda w: w.created_at,
    "edited_timestamp": lambda w: w.edited_at or w.created_at,
    "closed_timestamp": lambda w: w.closed_at,
}


def _visible(svc: FlowsService, web_input_id: str, principals: set[str]) -> WebInput:
    web_input = svc.state.web_inputs.items.get(web_input_id)
    if web_input is None or not web_input.user_roles(principals):
        raise NotFound(f"No Web Input exists with id value {web_input_id}", code="NOT_FOUND")
    return web_input


def _require_policy(svc: FlowsService, call: Call, web_input: WebInput, respond: bool) -> None:
    """The web input's flow's authentication policy, met by the caller's
    session, or the 403 GARE Flows gives (with the input's summary)."""
    flow = svc.state.flows.get(web_input.flow_id)
    if flow is None or not flow.authentication_policy_id or call.token is None:
        return
    demanded = svc.world.auth.session_problems(
        call.token,
        policy_ids=[flow.authentication_policy_id],
        message="Globus Flows detected an unsatisfied session policy for this web input.",
    )
    if demanded is not None:
        permission = "the respondent role on" if respond else "permission to view"
        raise SessionRequired(
            demanded,
            code="AUTHENTICATION_POLICY_REQUIRED",
            message="None of the identities in the session meet the authentication policy of "
            f"this web input's flow. Authenticate again as an identity with {permission} "
            "this web input that meets the policy.",
            web_input_summary=web_input.summary(svc.principals(call.token)),
        )


def _advance_active_runs(svc: FlowsService) -> None:
    """Runs move when read; web inputs are made by runs, so bring every
    running run up to now before answering about them."""
    runner = svc.runner()
    for run in svc.state.unfinished_runs():
        if run.status == "ACTIVE":
            runner.advance(run)


@routes.route("/web_inputs", "GET", operation="list_web_inputs")
def list_web_inputs(svc: FlowsService, call: Call) -> Reply:
    _, principals = svc.caller(call, WEB_INPUTS)
    roles = csv_filter(call, "filter_roles", ("viewer", "respondent"))
    states = csv_filter(call, "filter_states", ("open", "closed")) or {"open"}
    flow_ids = csv_filter(call, "filter_flow_ids", most=10)
    run_ids = csv_filter(call, "filter_run_ids", most=10)
    _advance_active_runs(svc)
    found = []
    for web_input in svc.state.web_inputs.items.values():
        mine = set(web_input.user_roles(principals))
        if not mine or (roles and not roles & mine):
            continue
        if ("open" if web_input.open else "closed") not in states:
            continue
        if (flow_ids and web_input.flow_id not in flow_ids) or (
            run_ids and web_input.run_id not in run_ids
        ):
            continue
        found.append(web_input)
    found = ordered(found, call, ORDER_KEYS, "created_timestamp DESC")
    limit = call.arg_int("per_page", 20, minimum=1, maximum=100)
    page, marker = marker_page(found, call.args.get("marker"), limit)
    return Reply({"web_input_summaries": [w.summary(principals) for w in page], "marker": marker})


@routes.route("/web_inputs/<web_input_id>", "GET", operation="get_web_input")
def get_web_input(svc: FlowsService, call: Call, web_input_id: str) -> Reply:
    _, principals = svc.caller(call, WEB_INPUTS)
    _advance_active_runs(svc)
    web_input = _visible(svc, web_input_id, principals)
    _require_policy(svc, call, web_input, respond=False)
    return Reply(web_input.to_api(principals))


@routes.route("/web_inputs/<web_input_id>/respond", "POST", operation="respond_to_web_input")
def respond_to_web_input(svc: FlowsService, call: Call, web_input_id: str) -> Reply:
    info, principals = svc.caller(call, WEB_INPUTS)
    web_input = _visible(svc, web_input_id, principals)
    if "respondent" not in web_input.user_roles(principals):
        raise Forbidden(
            f"User does not have respondent role on web input {web_input_id}", code="FORBIDDEN"
        )
    _require_policy(svc, call, web_input, respond=True)
    if not web_input.open:
        raise ApiError(409, "STATE_CONFLICT", f"Web Input {web_input_id} is already closed.")
    body = call.json_object()
    validate(body, "flows_web_input_response", code="UNPROCESSABLE_ENTITY", status=422)
    value: Any = body["response"]["value"]
    if web_input.option(value) is None:
        raise ApiError(
            422,
            "UNPROCESSABLE_ENTITY",
            f"{value!r} is not a registered option id for this input.",
        )
    svc.state.web_inputs.answer(web_input, value, identity_urn(info.identity_id))
    run = svc.state.runs.get(web_input.run_id)
    if run is not None:
        svc.runner().advance(run)
    return Reply({"status": "ok"})
