"""A small action provider written with globus-action-provider-tools, in
the style of its Flask helpers: the provider authors' code under test.

It greets whoever it is asked to (``{"name": ...}``); ``{"name": ...,
"slow": true}`` stays ACTIVE until asked twice for its status, so release
while running can be seen.
"""

from __future__ import annotations

import datetime
import uuid

from flask import Flask
from globus_action_provider_tools.authorization import (
    authorize_action_access_or_404,
    authorize_action_management_or_404,
)
from globus_action_provider_tools.data_types import (
    ActionProviderDescription,
    ActionRequest,
    ActionStatus,
    ActionStatusValue,
)
from globus_action_provider_tools.flask import ActionProviderBlueprint
from globus_action_provider_tools.flask.exceptions import ActionConflict, ActionNotFound
from globus_action_provider_tools.flask.helpers import assign_json_provider

INPUT_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "slow": {"type": "boolean"}},
    "required": ["name"],
    "additionalProperties": False,
}


def make_app(client_id: str, client_secret: str, scope: str) -> Flask:
    description = ActionProviderDescription(
        globus_auth_scope=scope,
        title="Greeter",
        admin_contact="greeter@example.org",
        synchronous=False,
        input_schema=INPUT_SCHEMA,
        api_version="1.0",
        log_supported=False,
        visible_to=["public"],
        runnable_by=["all_authenticated_users"],
    )
    blueprint = ActionProviderBlueprint(
        name="greeter", import_name=__name__, url_prefix="", provider_description=description
    )
    actions: dict[str, ActionStatus] = {}
    polls: dict[str, int] = {}
    by_request: dict[tuple[str, str], str] = {}  # (caller, request_id) -> action

    def now() -> str:
        return datetime.datetime.now(datetime.timezone.utc).isoformat()

    def lookup(action_id: str, auth) -> ActionStatus:  # type: ignore[no-untyped-def]
        action = actions.get(action_id)
        if action is None:
            raise ActionNotFound(f"no action {action_id}")
        authorize_action_access_or_404(action, auth)
        return action

    @blueprint.action_run
    def run(request: ActionRequest, auth) -> ActionStatus:  # type: ignore[no-untyped-def]
        repeated = by_request.get((auth.effective_identity, request.request_id))
        if repeated in actions:
            return actions[repeated]  # the interface: same request, same action
        slow = bool(request.body.get("slow"))
        action = ActionStatus(
            action_id=str(uuid.uuid4()),
            status=ActionStatusValue.ACTIVE if slow else ActionStatusValue.SUCCEEDED,
            creator_id=auth.effective_identity,
            label=request.label,
            monitor_by=request.monitor_by or [auth.effective_identity],
            manage_by=request.manage_by or [auth.effective_identity],
            start_time=now(),
            completion_time=None if slow else now(),
            details={"greeting": f"Hello, {request.body['name']}!"},
        )
        actions[action.action_id] = action
        polls[action.action_id] = 0
        by_request[(auth.effective_identity, request.request_id)] = action.action_id
        return action

    @blueprint.action_status
    def status(action_id: str, auth) -> ActionStatus:  # type: ignore[no-untyped-def]
        action = lookup(action_id, auth)
        polls[action_id] += 1
        if action.status == ActionStatusValue.ACTIVE and polls[action_id] >= 2:
            action.status = ActionStatusValue.SUCCEEDED
            action.completion_time = now()
        return action

    @blueprint.action_cancel
    def cancel(action_id: str, auth) -> ActionStatus:  # type: ignore[no-untyped-def]
        action = lookup(action_id, auth)
        authorize_action_management_or_404(action, auth)
        if action.status == ActionStatusValue.ACTIVE:
            action.status = ActionStatusValue.FAILED
            action.details = {"canceled": True}
        return action

    @blueprint.action_release
    def release(action_id: str, auth) -> ActionStatus:  # type: ignore[no-untyped-def]
        action = lookup(action_id, auth)
        authorize_action_management_or_404(action, auth)
        if action.status in (ActionStatusValue.ACTIVE, ActionStatusValue.INACTIVE):
            raise ActionConflict("the action is still running")
        return actions.pop(action_id)

    app = Flask(__name__)
    assign_json_provider(app)  # the toolkit's models serialise through it
    app.config["CLIENT_ID"] = client_id
    app.config["CLIENT_SECRET"] = client_secret
    app.register_blueprint(blueprint)
    return app
