"""Arguments for every GroupsClient, TimersClient and SearchClient method."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import globus_sdk

from .world import TUTORIAL_1, TUTORIAL_2, Call, Sweep, call, paged

SUBSCRIPTION = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"


def _subscribed_group(s: Sweep) -> str:
    group = s.e.world.groups.create(
        "Subscribed", {s.user.id: "admin"}, subscription_id=SUBSCRIPTION
    )
    return str(group.id)


def _policies() -> globus_sdk.GroupPolicies:
    return globus_sdk.GroupPolicies(
        is_high_assurance=False,
        group_visibility="private",
        group_members_visibility="managers",
        join_requests=False,
        signup_fields=["department"],
    )


def _fields_group(s: Sweep) -> str:
    group = s.group()
    s.groups.set_group_policies(group, _policies())
    return group


def _add_member(s: Sweep) -> Call:
    actions = globus_sdk.BatchMembershipActions().add_members([s.e.auth.add_identity().id])
    return call(s.groups, s.group(), actions)


def _tutorial_copy() -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_1, destination_endpoint=TUTORIAL_2)
    data.add_item("/home/share/godata/file1.txt", "/~/file1.txt")
    return data


def _timer() -> globus_sdk.TransferTimer:
    return globus_sdk.TransferTimer(
        name="sweep", schedule=globus_sdk.RecurringTimerSchedule(3600), body=_tutorial_copy()
    )


def _job(s: Sweep) -> str:
    return str(s.timers.create_timer(_timer())["timer"]["job_id"])


def _legacy_job(s: Sweep) -> globus_sdk.TimerJob:
    """A job in the form timers took before create_timer: the Transfer
    action provider's URL and body."""
    start = dt.datetime.fromtimestamp(s.e.clock.now() + 60, tz=dt.timezone.utc)
    item = {"source_path": "/home/share/godata/file1.txt", "destination_path": "/~/f.txt"}
    body = {
        "source_endpoint_id": TUTORIAL_1,
        "destination_endpoint_id": TUTORIAL_2,
        "transfer_items": [item],
    }
    return globus_sdk.TimerJob(
        "https://transfer.actions.globus.org/transfer/run",
        {"body": body},
        start,
        dt.timedelta(hours=1),
        name="legacy",
        stop_after_n=1,
    )


ENTRY = {"subject": "https://example.org/one", "visible_to": ["public"], "content": {"n": 1}}


def _gmeta(*subjects: str) -> dict[str, Any]:
    entries = [dict(ENTRY, subject=subject) for subject in subjects or (ENTRY["subject"],)]
    return {"ingest_type": "GMetaList", "ingest_data": {"gmeta": entries}}


def _filled(s: Sweep, *subjects: str) -> str:
    index = s.index()
    s.search.ingest(index, _gmeta(*subjects))
    return index


def _role(s: Sweep) -> tuple[str, str]:
    index = s.index()
    made = s.search.create_role(index, _role_data(s))
    return index, str(made["id"])


def _role_data(s: Sweep) -> dict[str, str]:
    return {
        "role_name": "writer",
        "principal": f"urn:globus:auth:identity:{s.e.auth.add_identity().id}",
    }


def _deleted_index(s: Sweep) -> str:
    index = s.index()
    s.search.delete_index(index)
    return index


SERVICES: dict[str, Callable[[Sweep], Call]] = {
    "GroupsClient.batch_membership_action": _add_member,
    "GroupsClient.create_group": lambda s: call(s.groups, {"name": "Made"}),
    "GroupsClient.delete_group": lambda s: call(s.groups, s.group()),
    "GroupsClient.get_group": lambda s: call(s.groups, s.group(), include="memberships"),
    "GroupsClient.get_group_by_subscription_id": lambda s: (
        _subscribed_group(s),
        call(s.groups, SUBSCRIPTION),
    )[1],
    "GroupsClient.get_group_policies": lambda s: call(s.groups, s.group()),
    "GroupsClient.get_identity_preferences": lambda s: call(s.groups),
    "GroupsClient.get_membership_fields": lambda s: call(s.groups, _fields_group(s)),
    "GroupsClient.get_my_groups": lambda s: (s.group(), call(s.groups))[1],
    "GroupsClient.set_group_policies": lambda s: call(s.groups, s.group(), _policies()),
    "GroupsClient.set_identity_preferences": lambda s: call(s.groups, {"allow_add": False}),
    "GroupsClient.set_membership_fields": lambda s: call(
        s.groups, _fields_group(s), {"department": "Physics"}
    ),
    "GroupsClient.set_subscription_admin_verified": lambda s: call(
        s.groups, _subscribed_group(s), SUBSCRIPTION
    ),
    "GroupsClient.update_group": lambda s: call(s.groups, s.group(), {"name": "Renamed"}),
    "TimersClient.create_job": lambda s: call(s.timers, _legacy_job(s)),
    "TimersClient.create_timer": lambda s: call(s.timers, _timer()),
    "TimersClient.delete_job": lambda s: call(s.timers, _job(s)),
    "TimersClient.get_job": lambda s: call(s.timers, _job(s)),
    "TimersClient.list_jobs": lambda s: (_job(s), call(s.timers))[1],
    "TimersClient.pause_job": lambda s: call(s.timers, _job(s)),
    "TimersClient.resume_job": lambda s: (
        (job := _job(s)),
        s.timers.pause_job(job),
        call(s.timers, job),
    )[2],
    "TimersClient.update_job": lambda s: call(s.timers, _job(s), {"name": "renamed"}),
    "SearchClient.batch_delete_by_subject": lambda s: call(
        s.search, _filled(s), [ENTRY["subject"]]
    ),
    "SearchClient.create_index": lambda s: call(s.search, "Made", "made"),
    "SearchClient.create_role": lambda s: call(s.search, s.index(), _role_data(s)),
    "SearchClient.delete_by_query": lambda s: call(s.search, _filled(s), {"q": "*"}),
    "SearchClient.delete_entry": lambda s: call(s.search, _filled(s), ENTRY["subject"]),
    "SearchClient.delete_index": lambda s: call(s.search, s.index()),
    "SearchClient.delete_role": lambda s: call(s.search, *_role(s)),
    "SearchClient.delete_subject": lambda s: call(s.search, _filled(s), ENTRY["subject"]),
    "SearchClient.get_entry": lambda s: call(s.search, _filled(s), ENTRY["subject"]),
    "SearchClient.get_index": lambda s: call(s.search, s.index()),
    "SearchClient.get_role_list": lambda s: call(s.search, _role(s)[0]),
    "SearchClient.get_subject": lambda s: call(s.search, _filled(s), ENTRY["subject"]),
    "SearchClient.get_task": lambda s: call(
        s.search, s.search.ingest(s.index(), _gmeta())["task_id"]
    ),
    "SearchClient.get_task_list": lambda s: call(s.search, _filled(s)),
    "SearchClient.index_list": lambda s: (s.index(), call(s.search))[1],
    "SearchClient.ingest": lambda s: call(s.search, s.index(), _gmeta()),
    "SearchClient.post_search": lambda s: call(s.search, _filled(s, "a", "b"), {"q": "*"}),
    "SearchClient.reopen_index": lambda s: call(s.search, _deleted_index(s)),
    "SearchClient.scroll": lambda s: paged(
        2, call(s.search, _filled(s, "a", "b"), {"q": "*", "limit": 1})
    ),
    "SearchClient.search": lambda s: call(s.search, _filled(s, "a", "b"), "*"),
    "SearchClient.update_index": lambda s: call(s.search, s.index(), display_name="Renamed"),
}
