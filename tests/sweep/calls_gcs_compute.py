"""Arguments for every GCSClient (on the user's own GCS endpoint) and
ComputeClientV2/V3 method."""

from __future__ import annotations

from collections.abc import Callable

import globus_sdk

from globus_testkit.services.compute.workers import compute_sdk_installed

from .world import POSIX, Call, Sweep, call, paged, paged_over

OPAQUE_CODE = "10\n01\n:opaque"


def _gateway_document(name: str = "sweep gateway") -> globus_sdk.StorageGatewayDocument:
    return globus_sdk.StorageGatewayDocument(
        display_name=name,
        connector_id=POSIX,
        allowed_domains=["globusid.org", "example.org"],
        policies=globus_sdk.POSIXStoragePolicies(groups_allow=[], groups_deny=[]),
    )


def _gateway(s: Sweep) -> str:
    return str(s.gcs.create_storage_gateway(_gateway_document())["id"])


def _collection_document(s: Sweep) -> globus_sdk.MappedCollectionDocument:
    return globus_sdk.MappedCollectionDocument(
        storage_gateway_id=_gateway(s), collection_base_path="/", display_name="sweep mapped"
    )


def _collection(s: Sweep) -> str:
    return str(s.gcs.create_collection(_collection_document(s))["id"])


def _principal(s: Sweep) -> str:
    return f"urn:globus:auth:identity:{s.e.auth.add_identity().id}"


def _role_document(s: Sweep) -> globus_sdk.GCSRoleDocument:
    return globus_sdk.GCSRoleDocument(
        collection=_collection(s), principal=_principal(s), role="administrator"
    )


def _role(s: Sweep) -> str:
    return str(s.gcs.create_role(_role_document(s))["id"])


def _credential_document(s: Sweep) -> globus_sdk.UserCredentialDocument:
    return globus_sdk.UserCredentialDocument(
        storage_gateway_id=_gateway(s), identity_id=s.user.id, username="sweeper"
    )


def _credential(s: Sweep) -> str:
    return str(s.gcs.create_user_credential(_credential_document(s))["id"])


def _function(s: Sweep) -> str:
    body = {"function_name": "f", "function_code": OPAQUE_CODE, "meta": {"python_version": "3.11"}}
    return str(s.compute3.register_function(body)["function_uuid"])


def _submitted(s: Sweep) -> dict[str, object]:
    """Tasks queued on an offline endpoint (never run). Submitting through
    the API needs globus-compute-sdk in the emulator's Python; without it,
    the world takes them directly."""
    endpoint = str(s.e.compute.create_endpoint("offline", online=False).id)
    tasks = {_function(s): ["payload"]}
    if compute_sdk_installed():
        return dict(s.compute3.submit(endpoint, {"tasks": tasks}).data)
    with s.e.lock:
        group, created = s.e.world.compute.submit(s.user.id, endpoint, tasks)
    return {"task_group_id": group.id, "tasks": created}


def _task(s: Sweep) -> str:
    tasks = _submitted(s)["tasks"]
    return str(next(iter(tasks.values()))[0])  # type: ignore[attr-defined]


GCS_COMPUTE: dict[str, Callable[[Sweep], Call]] = {
    "GCSClient.create_collection": lambda s: call(s.gcs, _collection_document(s)),
    "GCSClient.create_role": lambda s: call(s.gcs, _role_document(s)),
    "GCSClient.create_storage_gateway": lambda s: call(s.gcs, _gateway_document()),
    "GCSClient.create_user_credential": lambda s: call(s.gcs, _credential_document(s)),
    "GCSClient.delete_collection": lambda s: call(s.gcs, _collection(s)),
    "GCSClient.delete_role": lambda s: call(s.gcs, _role(s)),
    "GCSClient.delete_storage_gateway": lambda s: call(s.gcs, _gateway(s)),
    "GCSClient.delete_user_credential": lambda s: call(s.gcs, _credential(s)),
    "GCSClient.get_collection": lambda s: call(s.gcs, _collection(s)),
    "GCSClient.get_collection_list": lambda s: paged_over(
        s, _collection, call(s.gcs, query_params={"page_size": 1})
    ),
    "GCSClient.get_endpoint": lambda s: call(s.gcs),
    "GCSClient.get_gcs_info": lambda s: call(s.gcs),
    "GCSClient.get_role": lambda s: call(s.gcs, _role(s)),
    # the owner's role and an administrator's, both of the endpoint
    "GCSClient.get_role_list": lambda s: (
        s.gcs.create_role(
            globus_sdk.GCSRoleDocument(principal=_principal(s), role="administrator")
        ),
        paged(2, call(s.gcs, include="all_roles", page_size=1)),
    )[1],
    "GCSClient.get_storage_gateway": lambda s: call(s.gcs, _gateway(s)),
    "GCSClient.get_storage_gateway_list": lambda s: paged_over(
        s, _gateway, call(s.gcs, page_size=1)
    ),
    "GCSClient.get_user_credential": lambda s: call(s.gcs, _credential(s)),
    "GCSClient.get_user_credential_list": lambda s: paged_over(
        s, _credential, call(s.gcs, page_size=1)
    ),
    "GCSClient.update_collection": lambda s: call(
        s.gcs, _collection(s), globus_sdk.MappedCollectionDocument(display_name="renamed")
    ),
    "GCSClient.update_endpoint": lambda s: call(
        s.gcs, globus_sdk.EndpointDocument(display_name="renamed"), include="endpoint"
    ),
    "GCSClient.update_storage_gateway": lambda s: call(
        s.gcs, _gateway(s), _gateway_document("renamed")
    ),
    "GCSClient.update_user_credential": lambda s: call(
        s.gcs, _credential(s), globus_sdk.UserCredentialDocument(username="other")
    ),
    "ComputeClientV2.delete_endpoint": lambda s: call(s.compute, s.compute_endpoint()),
    "ComputeClientV2.delete_function": lambda s: call(s.compute, _function(s)),
    "ComputeClientV2.get_endpoint": lambda s: call(s.compute, s.compute_endpoint()),
    "ComputeClientV2.get_endpoint_status": lambda s: call(s.compute, s.compute_endpoint()),
    "ComputeClientV2.get_endpoints": lambda s: (s.compute_endpoint(), call(s.compute))[1],
    "ComputeClientV2.get_function": lambda s: call(s.compute, _function(s)),
    "ComputeClientV2.get_result_amqp_url": lambda s: call(s.compute),
    "ComputeClientV2.get_task": lambda s: call(s.compute, _task(s)),
    "ComputeClientV2.get_task_batch": lambda s: call(s.compute, [_task(s)]),
    "ComputeClientV2.get_task_group": lambda s: call(s.compute, _submitted(s)["task_group_id"]),
    "ComputeClientV2.get_version": lambda s: call(s.compute),
    "ComputeClientV2.lock_endpoint": lambda s: call(s.compute, s.compute_endpoint()),
    "ComputeClientV2.register_endpoint": lambda s: call(s.compute, {"endpoint_name": "v2"}),
    "ComputeClientV2.register_function": lambda s: call(
        s.compute, {"function_name": "g", "function_code": OPAQUE_CODE}
    ),
    "ComputeClientV2.submit": lambda s: call(
        s.compute,
        {
            "tasks": [
                [
                    _function(s),
                    str(s.e.compute.create_endpoint("idle", online=False).id),
                    "payload",
                ]
            ]
        },
    ),
    "ComputeClientV3.get_endpoint_allowlist": lambda s: call(s.compute3, s.compute_endpoint()),
    "ComputeClientV3.lock_endpoint": lambda s: call(s.compute3, s.compute_endpoint()),
    "ComputeClientV3.register_endpoint": lambda s: call(s.compute3, {"endpoint_name": "v3"}),
    "ComputeClientV3.register_function": lambda s: call(
        s.compute3, {"function_name": "h", "function_code": OPAQUE_CODE}
    ),
    "ComputeClientV3.submit": lambda s: call(
        s.compute3,
        str(s.e.compute.create_endpoint("idle", online=False).id),
        {"tasks": {_function(s): ["payload"]}},
    ),
    "ComputeClientV3.update_endpoint": lambda s: call(
        s.compute3, s.compute_endpoint(), {"display_name": "renamed"}
    ),
}
