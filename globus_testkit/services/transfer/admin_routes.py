"""Transfer's routes for endpoint administrators (``/v0.10/...``): endpoint
roles, ``endpoint_manager/*`` (tasks as a manager sees them, admin cancel,
pause and resume, pause rules, monitored and hosted endpoints) and
subscriptions. They register on Transfer's one routes table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...http import Call, Reply, marker_page, validate
from .access import Principals
from .access_routes import access_list_reply
from .admin import (
    ACTIVITY_MANAGERS,
    ACTIVITY_VIEWERS,
    managed_ends,
    monitored_collections,
    require_manager_role,
    require_task_role,
    task_roles,
)
from .collection import PERSONAL, ROLES, Collection
from .errors import BadRequest, PermissionDenied
from .routes import API, TransferService, _result, routes
from .task_routes import event_list_reply, marker_reply, pause_info
from .tasks import Task, task_document

EM = f"{API}/endpoint_manager"

# -- endpoint roles -------------------------------------------------------------------


def _role_holder(
    svc: TransferService, call: Call, collection_id: str, roles: Any, doing: str
) -> Collection:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    svc.state.require_role(collection, who, roles, doing)
    return collection


@routes.route(f"{API}/endpoint/<collection_id>/role_list", "GET", operation="endpoint_role_list")
def endpoint_role_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    collection = _role_holder(svc, call, collection_id, ROLES, "list roles")
    return Reply(
        {"DATA_TYPE": "role_list", "DATA": [r.to_api() for r in collection.roles.values()]}
    )


@routes.route(f"{API}/endpoint/<collection_id>/role", "POST", operation="add_endpoint_role")
def add_endpoint_role(svc: TransferService, call: Call, collection_id: str) -> Reply:
    collection = _role_holder(svc, call, collection_id, ("administrator",), "manage roles")
    body = call.json_object()
    validate(body, "transfer_role", code="ClientError.BadRequest")
    svc.state.require_roles_assignable(collection)
    record = svc.state.add_role(collection, body["principal_type"], body["principal"], body["role"])
    return Reply(record.to_api(), 201)


ROLE = f"{API}/endpoint/<collection_id>/role/<role_id>"


@routes.route(ROLE, "GET", operation="get_endpoint_role")
def get_endpoint_role(svc: TransferService, call: Call, collection_id: str, role_id: str) -> Reply:
    collection = _role_holder(svc, call, collection_id, ROLES, "view roles")
    return Reply(svc.state.role(collection, role_id).to_api())


@routes.route(ROLE, "DELETE", operation="delete_endpoint_role")
def delete_endpoint_role(
    svc: TransferService, call: Call, collection_id: str, role_id: str
) -> Reply:
    collection = _role_holder(svc, call, collection_id, ("administrator",), "manage roles")
    svc.state.role(collection, role_id)
    svc.state.require_roles_assignable(collection)
    svc.state.remove_role(collection, role_id)
    return _result(call, "result", "Deleted", "Role deleted successfully")


# -- tasks as a manager sees them -----------------------------------------------------


@routes.route(f"{EM}/task_list", "GET", operation="endpoint_manager_task_list")
def endpoint_manager_task_list(svc: TransferService, call: Call) -> Reply:
    """Tasks touching collections the caller manages or monitors, with
    ``last_key`` paging."""
    _, who = svc.caller(call)
    statuses = set(call.arg_csv("filter_status"))
    task_ids = set(call.arg_csv("filter_task_id"))
    endpoint = call.args.get("filter_endpoint")
    use = call.args.get("filter_endpoint_use")
    owner = call.args.get("filter_owner_id")
    min_faults = call.arg_int("filter_min_faults", 0)
    if not (statuses and statuses <= {"ACTIVE", "INACTIVE"}) and not (task_ids or endpoint):
        raise BadRequest(
            "filter_task_id or filter_endpoint is required unless filter_status is "
            "ACTIVE and/or INACTIVE"
        )
    if endpoint:
        candidates: Iterable[Task] = svc.tasks.on_endpoint(endpoint)
    else:  # the tasks on the endpoints the caller monitors, not every task
        monitored = monitored_collections(svc.state, who)
        candidates = svc.tasks.on_endpoints(c.id for c in monitored)

    def wanted(task: Task) -> bool:
        ends = {"source": task.source_id, "destination": task.destination_id}
        if not ACTIVITY_VIEWERS & task_roles(svc.state, task, who):
            return False
        if statuses and task.status not in statuses:
            return False
        if task_ids and task.id not in task_ids:
            return False
        if endpoint and (ends.get(use or "") != endpoint if use else endpoint not in ends.values()):
            return False
        if owner and task.owner_id != owner:
            return False
        return task.counts["faults"] >= min_faults

    limit = call.arg_int("limit", 1000, minimum=1, maximum=1000)
    # drawn lazily: a page costs the tasks up to its end, not all of them
    found = (task for task in candidates if wanted(task))
    page, next_key = marker_page(found, call.args.get("last_key"), limit)
    return Reply(
        {
            "DATA_TYPE": "task_list",
            "DATA": [task_document(t, svc.state) for t in page],
            "has_next_page": next_key is not None,
            "last_key": next_key,
        }
    )


def _managed_task(svc: TransferService, call: Call, task_id: str) -> Task:
    """A task the caller monitors (or manages) an end of."""
    _, who = svc.caller(call)
    task = svc.tasks.get(task_id)
    require_task_role(svc.state, task, who, ACTIVITY_VIEWERS)
    return task


@routes.route(f"{EM}/task/<task_id>", "GET", operation="endpoint_manager_get_task")
def endpoint_manager_get_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    return Reply(svc.tasks.body(_managed_task(svc, call, task_id)))


@routes.route(
    f"{EM}/task/<task_id>/event_list", "GET", operation="endpoint_manager_task_event_list"
)
def endpoint_manager_task_event_list(svc: TransferService, call: Call, task_id: str) -> Reply:
    return event_list_reply(call, _managed_task(svc, call, task_id))


@routes.route(
    f"{EM}/task/<task_id>/pause_info", "GET", operation="endpoint_manager_task_pause_info"
)
def endpoint_manager_task_pause_info(svc: TransferService, call: Call, task_id: str) -> Reply:
    return Reply(pause_info(svc, _managed_task(svc, call, task_id)))


@routes.route(
    f"{EM}/task/<task_id>/successful_transfers",
    "GET",
    operation="endpoint_manager_task_successful_transfers",
)
def endpoint_manager_successful(svc: TransferService, call: Call, task_id: str) -> Reply:
    return marker_reply(call, "successful_transfers", _managed_task(svc, call, task_id).successful)


@routes.route(
    f"{EM}/task/<task_id>/skipped_errors", "GET", operation="endpoint_manager_task_skipped_errors"
)
def endpoint_manager_skipped(svc: TransferService, call: Call, task_id: str) -> Reply:
    return marker_reply(call, "skipped_errors", _managed_task(svc, call, task_id).skipped)


# -- admin cancel, pause and resume ---------------------------------------------------------


def _tasks_to_manage(
    svc: TransferService, call: Call, data_type: str
) -> tuple[list[Task], dict[str, Any], str, Principals]:
    """Every task named, once the caller is found to manage each of them:
    one task they may not touch refuses the whole request."""
    info, who = svc.caller(call)
    body = call.json_object()
    validate(body, "transfer_admin_tasks", code="ClientError.BadRequest")
    if body.get("DATA_TYPE", data_type) != data_type:
        raise BadRequest(f"DATA_TYPE must be {data_type}")
    if data_type != "admin_resume" and not body.get("message"):
        raise BadRequest("a message for the tasks' owners is required")
    tasks = [svc.tasks.get(task_id) for task_id in body["task_id_list"]]
    for task in tasks:
        require_task_role(svc.state, task, who, ACTIVITY_MANAGERS)
    return tasks, body, info.identity_id, who


@routes.route(f"{EM}/admin_cancel", "POST", operation="endpoint_manager_cancel_tasks")
def endpoint_manager_cancel_tasks(svc: TransferService, call: Call) -> Reply:
    tasks, body, identity_id, who = _tasks_to_manage(svc, call, "admin_cancel")
    for task in tasks:
        if not task.done:
            task.canceled_by_admin = managed_ends(svc.state, task, who)
            task.canceled_by_admin_message = body["message"]
            svc.tasks.end(task, f"the task was canceled by an administrator: {body['message']}")
    cancel = svc.tasks.pause_rules.record_cancel(
        identity_id, [t.id for t in tasks], body["message"]
    )
    return Reply(cancel.to_api(), 202)


@routes.route(f"{EM}/admin_cancel/<cancel_id>", "GET", operation="endpoint_manager_cancel_status")
def endpoint_manager_cancel_status(svc: TransferService, call: Call, cancel_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(svc.tasks.pause_rules.cancel_status(cancel_id, info.identity_id).to_api())


@routes.route(f"{EM}/admin_pause", "POST", operation="endpoint_manager_pause_tasks")
def endpoint_manager_pause_tasks(svc: TransferService, call: Call) -> Reply:
    tasks, body, _, who = _tasks_to_manage(svc, call, "admin_pause")
    for task in tasks:
        if not task.done:
            svc.tasks.advance(task)  # do the work owed before the pause
            task.admin_pause_message = body["message"]
            task.admin_paused_by = managed_ends(svc.state, task, who)
            svc.tasks.advance(task)
    return _result(call, "result", "PauseAccepted", f"{len(tasks)} task(s) paused")


@routes.route(f"{EM}/admin_resume", "POST", operation="endpoint_manager_resume_tasks")
def endpoint_manager_resume_tasks(svc: TransferService, call: Call) -> Reply:
    tasks, _, _, _ = _tasks_to_manage(svc, call, "admin_resume")
    for task in tasks:
        task.admin_pause_message = task.admin_paused_by = None
        svc.tasks.advance(task)
    return _result(call, "result", "ResumeAccepted", f"{len(tasks)} task(s) resumed")


# -- pause rules ------------------------------------------------------------------------


def _rule_doc(svc: TransferService, rule: Any) -> dict[str, Any]:
    return dict(rule.to_api(svc.state.collections.get(rule.endpoint_id)))


@routes.route(f"{EM}/pause_rule_list", "GET", operation="endpoint_manager_pause_rule_list")
def endpoint_manager_pause_rule_list(svc: TransferService, call: Call) -> Reply:
    _, who = svc.caller(call)
    rules = svc.tasks.pause_rules.visible(who, call.args.get("filter_endpoint"))
    return Reply({"DATA_TYPE": "pause_rule_list", "DATA": [_rule_doc(svc, r) for r in rules]})


@routes.route(f"{EM}/pause_rule", "POST", operation="endpoint_manager_create_pause_rule")
def endpoint_manager_create_pause_rule(svc: TransferService, call: Call) -> Reply:
    info, who = svc.caller(call)
    body = call.json_object()
    validate(body, "transfer_pause_rule", code="ClientError.BadRequest")
    # work done before the rule stands
    svc.tasks.bring_up_to_date(svc.state.collection(body["endpoint_id"]).id)
    rule = svc.tasks.pause_rules.create(info.identity_id, who, body)
    return Reply(_rule_doc(svc, rule))


PAUSE_RULE = f"{EM}/pause_rule/<rule_id>"


@routes.route(PAUSE_RULE, "GET", operation="endpoint_manager_get_pause_rule")
def endpoint_manager_get_pause_rule(svc: TransferService, call: Call, rule_id: str) -> Reply:
    _, who = svc.caller(call)
    rule = svc.tasks.pause_rules.get(rule_id, who, manage=False)
    return Reply(_rule_doc(svc, rule))


@routes.route(PAUSE_RULE, "PUT", operation="endpoint_manager_update_pause_rule")
def endpoint_manager_update_pause_rule(svc: TransferService, call: Call, rule_id: str) -> Reply:
    info, who = svc.caller(call)
    rule = svc.tasks.pause_rules.get(rule_id, who, manage=True)
    body = call.json_object()
    validate(body, "transfer_pause_rule_update", code="ClientError.BadRequest")
    if body.get("endpoint_id") not in (None, rule.endpoint_id):
        raise BadRequest("a pause rule's endpoint_id cannot be changed")
    svc.tasks.bring_up_to_date(rule.endpoint_id)
    rule.update(body)
    rule.modified_by = info.identity_id
    return Reply(_rule_doc(svc, rule))


@routes.route(PAUSE_RULE, "DELETE", operation="endpoint_manager_delete_pause_rule")
def endpoint_manager_delete_pause_rule(svc: TransferService, call: Call, rule_id: str) -> Reply:
    _, who = svc.caller(call)
    rule = svc.tasks.pause_rules.get(rule_id, who, manage=True)
    svc.tasks.bring_up_to_date(rule.endpoint_id)
    svc.tasks.pause_rules.delete(rule)
    return _result(call, "result", "Deleted", "Pause rule deleted successfully")


@routes.route(
    f"{API}/endpoint/<collection_id>/my_effective_pause_rule_list",
    "GET",
    operation="my_effective_pause_rule_list",
)
def my_effective_pause_rule_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    rules = svc.tasks.pause_rules.effective_for(who, collection.id)
    return Reply({"DATA_TYPE": "pause_rule_list", "DATA": [r.limited() for r in rules]})


# -- endpoints as a manager sees them ------------------------------------------------------


def _monitored(svc: TransferService, call: Call, collection_id: str) -> Collection:
    _, who = svc.caller(call)
    collection = svc.state.collection(collection_id)
    require_manager_role(svc.state, collection, who, ACTIVITY_VIEWERS, "monitor")
    return collection


def _endpoint_list(collections: list[Collection]) -> Reply:
    return Reply(
        {
            "DATA_TYPE": "endpoint_list",
            "DATA": [c.to_api() for c in collections],
            "length": len(collections),
            "has_next_page": False,
        }
    )


@routes.route(f"{EM}/monitored_endpoints", "GET", operation="endpoint_manager_monitored_endpoints")
def endpoint_manager_monitored_endpoints(svc: TransferService, call: Call) -> Reply:
    _, who = svc.caller(call)
    monitored = monitored_collections(svc.state, who)
    return _endpoint_list(sorted(monitored, key=lambda c: (c.display_name.lower(), c.id)))


@routes.route(f"{EM}/endpoint/<collection_id>", "GET", operation="endpoint_manager_get_endpoint")
def endpoint_manager_get_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    return Reply(_monitored(svc, call, collection_id).to_api())


@routes.route(
    f"{EM}/endpoint/<collection_id>/hosted_endpoint_list",
    "GET",
    operation="endpoint_manager_hosted_endpoint_list",
)
def endpoint_manager_hosted_endpoint_list(
    svc: TransferService, call: Call, collection_id: str
) -> Reply:
    host = _monitored(svc, call, collection_id)
    hosted = svc.state.hosted_on(host.id)
    return _endpoint_list(sorted(hosted, key=lambda c: (c.display_name.lower(), c.id)))


@routes.route(
    f"{EM}/endpoint/<collection_id>/access_list", "GET", operation="endpoint_manager_acl_list"
)
def endpoint_manager_acl_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    return access_list_reply(_monitored(svc, call, collection_id))


# -- subscriptions ------------------------------------------------------------------------


@routes.route(
    f"{API}/endpoint/<collection_id>/subscription", "PUT", operation="set_subscription_id"
)
def set_subscription_id(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    body = call.json_object()
    validate(body, "transfer_subscription", code="ClientError.BadRequest")
    change = subscription_change(svc, collection, who, body)
    apply_subscription_change(collection, change)
    return _result(call, "result", "Updated", "Endpoint updated successfully")


@routes.route(
    f"{API}/endpoint/<collection_id>/subscription_admin_verified",
    "PUT",
    operation="set_subscription_admin_verified",
)
def set_subscription_admin_verified(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    body = call.json_object()
    validate(body, "transfer_subscription_admin_verified", code="ClientError.BadRequest")
    change = subscription_change(svc, collection, who, body)
    apply_subscription_change(collection, change)
    return _result(call, "result", "Updated", "Endpoint updated successfully")


def subscription_change(
    svc: TransferService,
    collection: Collection,
    who: Principals,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """Check a change of ``subscription_id`` and/or
    ``subscription_admin_verified`` (from their own routes or an endpoint
    update) and return it resolved, changing nothing yet.

    Members of a subscription's group may put a collection they administer
    under it (``DEFAULT``: their only subscription); the subscription's
    admins grant or revoke verification of a Globus Connect Personal
    collection, its administrators may only revoke."""
    change: dict[str, Any] = {}
    administers = "administrator" in collection.effective_roles(who)
    subscription = collection.subscription_id
    if "subscription_id" in fields:
        if not administers:
            raise PermissionDenied(f"you may not set the subscription of {collection.display_name}")
        if collection.entity_type in ("GCSv5_guest_collection", "GCP_guest_collection"):
            raise BadRequest("guest collections take their mapped collection's subscription")
        subscription = fields["subscription_id"]
        if subscription is not None:
            mine = svc.subscriptions_of(who, admin=False)
            if subscription == "DEFAULT":
                if len(mine) != 1:
                    raise BadRequest(
                        f"DEFAULT needs exactly one subscription; you have {len(mine)}"
                    )
                (subscription,) = mine
            elif subscription not in mine:
                raise PermissionDenied(f"you are not a member of subscription {subscription}")
        change["subscription_id"] = subscription
        if subscription != collection.subscription_id:
            change["subscription_admin_verified"] = False
    if "subscription_admin_verified" in fields:
        verified = fields["subscription_admin_verified"]
        if collection.entity_type != PERSONAL:
            raise BadRequest("only Globus Connect Personal mapped collections are verified")
        if subscription is None:
            raise BadRequest("the collection has no subscription to be verified for")
        subscription_admin = subscription in svc.subscriptions_of(who, admin=True)
        if not (subscription_admin or (administers and not verified)):
            raise PermissionDenied(
                "only the subscription's administrators may verify the collection"
            )
        change["subscription_admin_verified"] = verified
    return change


def apply_subscription_change(collection: Collection, change: dict[str, Any]) -> None:
    for key, value in change.items():
        setattr(collection, key, value)
