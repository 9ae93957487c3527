"""Arguments for every TransferClient method, on the user's own managed
collections (lab, scratch) and the tutorial collections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import globus_sdk
from globus_sdk.services.transfer.data.tunnel_data import CreateTunnelData

from globus_testkit.services.transfer.collection import PERSONAL

from .world import MANAGED, TUTORIAL_1, Call, Sweep, call, paged_over


def _active_task(s: Sweep) -> str:
    """A task still running (the clock does not move by itself)."""
    s.e.transfer.set_progress("timed", bytes_per_second=1)
    return s.monitored_task()


def _acl(s: Sweep) -> tuple[str, str]:
    guest = _guest(s)
    rule = s.transfer.add_endpoint_acl_rule(guest, _rule(s))
    return guest, str(rule["access_id"])


def _rule(s: Sweep) -> dict[str, Any]:
    other = s.e.auth.add_identity()
    return {
        "DATA_TYPE": "access",
        "principal_type": "identity",
        "principal": other.id,
        "path": "/",
        "permissions": "r",
    }


def _guest(s: Sweep) -> str:
    return str(s.transfer.create_shared_endpoint(_shared(s))["id"])


def _shared(s: Sweep) -> dict[str, str]:
    return {
        "DATA_TYPE": "shared_endpoint",
        "host_endpoint": s.lab.id,
        "host_path": "/data/",
        "display_name": "Sweep guest",
    }


def _role_data(s: Sweep) -> dict[str, str]:
    return {
        "DATA_TYPE": "role",
        "principal_type": "identity",
        "principal": s.e.auth.add_identity().id,
        "role": "access_manager",
    }


def _role(s: Sweep) -> tuple[str, str]:
    """A role on a personal collection (GCS collections' are their endpoint's)."""
    personal = _personal(s)
    return personal, str(s.transfer.add_endpoint_role(personal, _role_data(s))["id"])


def _personal(s: Sweep) -> str:
    """A Globus Connect Personal collection of the user's, managed."""
    made = s.e.transfer.add_collection(
        "Laptop", owner=s.user, entity_type=PERSONAL, subscription_id=MANAGED
    )
    return str(made.id)


def _bookmark(s: Sweep) -> str:
    return str(s.transfer.create_bookmark(_bookmark_data(s))["id"])


def _bookmark_data(s: Sweep) -> dict[str, str]:
    return {"endpoint_id": s.lab.id, "path": "/data/", "name": "sweep mark"}


def _pause_rule_data(s: Sweep) -> dict[str, Any]:
    return {
        "DATA_TYPE": "pause_rule",
        "endpoint_id": s.scratch.id,
        "message": "maintenance",
        "pause_task_transfer_write": True,
    }


def _pause_rule(s: Sweep) -> str:
    _manage(s)
    return str(s.transfer.endpoint_manager_create_pause_rule(_pause_rule_data(s))["id"])


def _manage(s: Sweep) -> None:
    s.manage()


def _points(s: Sweep) -> tuple[str, str]:
    initiator = s.e.transfer.add_stream_access_point("Initiator", owner=s.user)
    listener = s.e.transfer.add_stream_access_point("Listener", owner=s.user)
    return initiator.id, listener.id


def _tunnel(s: Sweep) -> str:
    return str(s.transfer.create_tunnel(CreateTunnelData(*_points(s)))["data"]["id"])


def _delete(s: Sweep) -> globus_sdk.DeleteData:
    data = globus_sdk.DeleteData(endpoint=s.lab.id)
    data.add_item("/data/b.dat")
    return data


def _transfer(s: Sweep) -> globus_sdk.TransferData:
    data = globus_sdk.TransferData(source_endpoint=s.lab.id, destination_endpoint=s.scratch.id)
    data.add_item("/data/a.dat", "/copied.dat")
    return data


def _server(s: Sweep) -> Call:
    first = next(iter(s.transfer.endpoint_server_list(s.lab.id)))
    return call(s.transfer, s.lab.id, first["id"])


def _managed_task(s: Sweep) -> str:
    _manage(s)
    return s.task()


TRANSFER: dict[str, Callable[[Sweep], Call]] = {
    "TransferClient.add_endpoint_acl_rule": lambda s: call(s.transfer, _guest(s), _rule(s)),
    "TransferClient.add_endpoint_role": lambda s: call(s.transfer, _personal(s), _role_data(s)),
    "TransferClient.bookmark_list": lambda s: (_bookmark(s), call(s.transfer))[1],
    "TransferClient.cancel_task": lambda s: call(s.transfer, _active_task(s)),
    "TransferClient.create_bookmark": lambda s: call(s.transfer, _bookmark_data(s)),
    "TransferClient.create_shared_endpoint": lambda s: call(s.transfer, _shared(s)),
    "TransferClient.create_tunnel": lambda s: call(s.transfer, CreateTunnelData(*_points(s))),
    "TransferClient.delete_bookmark": lambda s: call(s.transfer, _bookmark(s)),
    "TransferClient.delete_endpoint": lambda s: call(s.transfer, _guest(s)),
    "TransferClient.delete_endpoint_acl_rule": lambda s: call(s.transfer, *_acl(s)),
    "TransferClient.delete_endpoint_role": lambda s: call(s.transfer, *_role(s)),
    "TransferClient.delete_tunnel": lambda s: call(s.transfer, _tunnel(s)),
    "TransferClient.endpoint_acl_list": lambda s: call(s.transfer, _acl(s)[0]),
    "TransferClient.endpoint_manager_acl_list": lambda s: (
        _manage(s),
        call(s.transfer, _acl(s)[0]),
    )[1],
    "TransferClient.endpoint_manager_cancel_status": lambda s: call(
        s.transfer,
        s.transfer.endpoint_manager_cancel_tasks([_active_task(s)], "stop")["id"],
    ),
    "TransferClient.endpoint_manager_cancel_tasks": lambda s: (
        _manage(s),
        call(s.transfer, [_active_task(s)], "stop"),
    )[1],
    "TransferClient.endpoint_manager_create_pause_rule": lambda s: (
        _manage(s),
        call(s.transfer, _pause_rule_data(s)),
    )[1],
    "TransferClient.endpoint_manager_delete_pause_rule": lambda s: call(s.transfer, _pause_rule(s)),
    "TransferClient.endpoint_manager_get_endpoint": lambda s: (
        _manage(s),
        call(s.transfer, s.lab.id),
    )[1],
    "TransferClient.endpoint_manager_get_pause_rule": lambda s: call(s.transfer, _pause_rule(s)),
    "TransferClient.endpoint_manager_get_task": lambda s: call(s.transfer, _managed_task(s)),
    "TransferClient.endpoint_manager_hosted_endpoint_list": lambda s: (
        _manage(s),
        _guest(s),
        call(s.transfer, s.lab.id),
    )[2],
    "TransferClient.endpoint_manager_monitored_endpoints": lambda s: (
        _manage(s),
        call(s.transfer),
    )[1],
    "TransferClient.endpoint_manager_pause_rule_list": lambda s: (
        _pause_rule(s),
        call(s.transfer),
    )[1],
    "TransferClient.endpoint_manager_pause_tasks": lambda s: (
        _manage(s),
        call(s.transfer, [_active_task(s)], "hold"),
    )[1],
    "TransferClient.endpoint_manager_resume_tasks": lambda s: (
        _manage(s),
        (task := _active_task(s)),
        s.transfer.endpoint_manager_pause_tasks([task], "hold"),
        call(s.transfer, [task]),
    )[3],
    "TransferClient.endpoint_manager_task_event_list": lambda s: call(s.transfer, _managed_task(s)),
    "TransferClient.endpoint_manager_task_list": lambda s: (
        _managed_task(s),
        _managed_task(s),
        call(s.transfer, filter_endpoint=s.scratch.id),
    )[2],
    "TransferClient.endpoint_manager_task_pause_info": lambda s: call(s.transfer, _managed_task(s)),
    "TransferClient.endpoint_manager_task_skipped_errors": lambda s: call(
        s.transfer, _managed_task(s)
    ),
    "TransferClient.endpoint_manager_task_successful_transfers": lambda s: call(
        s.transfer, _managed_task(s)
    ),
    "TransferClient.endpoint_manager_update_pause_rule": lambda s: call(
        s.transfer, _pause_rule(s), {"DATA_TYPE": "pause_rule", "message": "longer"}
    ),
    "TransferClient.endpoint_role_list": lambda s: call(s.transfer, s.lab.id),
    "TransferClient.endpoint_search": lambda s: call(s.transfer, "Tutorial", limit=1),
    "TransferClient.endpoint_server_list": lambda s: call(s.transfer, s.lab.id),
    "TransferClient.get_bookmark": lambda s: call(s.transfer, _bookmark(s)),
    "TransferClient.get_endpoint": lambda s: call(s.transfer, TUTORIAL_1),
    "TransferClient.get_endpoint_acl_rule": lambda s: call(s.transfer, *_acl(s)),
    "TransferClient.get_endpoint_role": lambda s: call(s.transfer, *_role(s)),
    "TransferClient.get_endpoint_server": _server,
    "TransferClient.get_shared_endpoint_list": lambda s: paged_over(
        s, _guest, call(s.transfer, s.lab.id, max_results=1)
    ),
    "TransferClient.get_stream_access_point": lambda s: call(s.transfer, _points(s)[0]),
    "TransferClient.get_submission_id": lambda s: call(s.transfer),
    "TransferClient.get_task": lambda s: call(s.transfer, s.task()),
    "TransferClient.get_tunnel": lambda s: call(s.transfer, _tunnel(s)),
    "TransferClient.get_tunnel_events": lambda s: call(s.transfer, _tunnel(s)),
    "TransferClient.list_tunnels": lambda s: (_tunnel(s), call(s.transfer))[1],
    "TransferClient.my_effective_pause_rule_list": lambda s: (
        _pause_rule(s),
        call(s.transfer, s.scratch.id),
    )[1],
    "TransferClient.my_shared_endpoint_list": lambda s: (
        _guest(s),
        call(s.transfer, s.lab.id),
    )[1],
    "TransferClient.operation_ls": lambda s: call(s.transfer, s.lab.id, path="/data/"),
    "TransferClient.operation_mkdir": lambda s: call(s.transfer, s.lab.id, "/data/new"),
    "TransferClient.operation_rename": lambda s: call(
        s.transfer, s.lab.id, "/data/a.dat", "/data/c.dat"
    ),
    "TransferClient.operation_stat": lambda s: call(s.transfer, s.lab.id, "/data/a.dat"),
    # its administrator may revoke verification (granting is the subscription admins')
    "TransferClient.set_subscription_admin_verified": lambda s: call(
        s.transfer, _personal(s), False
    ),
    "TransferClient.set_subscription_id": lambda s: call(s.transfer, s.lab.id, None),
    "TransferClient.submit_delete": lambda s: call(s.transfer, _delete(s)),
    "TransferClient.submit_transfer": lambda s: call(s.transfer, _transfer(s)),
    "TransferClient.task_event_list": lambda s: call(s.transfer, s.task(), limit=1),
    "TransferClient.task_list": lambda s: (
        s.task(),
        s.task(),
        call(s.transfer),
    )[2],
    "TransferClient.task_pause_info": lambda s: call(s.transfer, s.task()),
    "TransferClient.task_skipped_errors": lambda s: call(s.transfer, s.task()),
    "TransferClient.task_successful_transfers": lambda s: call(s.transfer, s.task()),
    "TransferClient.task_wait": lambda s: call(s.transfer, s.task(), timeout=1, polling_interval=1),
    "TransferClient.update_bookmark": lambda s: call(s.transfer, _bookmark(s), {"name": "moved"}),
    "TransferClient.update_endpoint": lambda s: call(
        s.transfer, s.lab.id, {"description": "swept"}
    ),
    "TransferClient.update_endpoint_acl_rule": lambda s: (
        (acl := _acl(s)),
        call(s.transfer, *acl, {"DATA_TYPE": "access", "permissions": "rw"}),
    )[1],
    "TransferClient.update_task": lambda s: call(s.transfer, _active_task(s), {"label": "renamed"}),
    "TransferClient.update_tunnel": lambda s: call(
        s.transfer,
        _tunnel(s),
        {"data": {"type": "Tunnel", "attributes": {"state": "STOPPING"}}},
    ),
}
