"""The GCS Manager's user credential routes (``/api/user_credentials``).
They register on GCS's one routes table."""

from __future__ import annotations

from ...http import Call, Reply
from ..auth.models import TokenInfo
from .documents import Endpoint, UserCredential
from .routes import API, GCSService, _page, _result, _valid, routes

CREDENTIAL = f"{API}/user_credentials/<credential_id>"


def _own(
    svc: GCSService, call: Call, credential_id: str
) -> tuple[Endpoint, TokenInfo, UserCredential]:
    """The credential asked about, if the caller's or they administer the
    endpoint (others' are not found)."""
    endpoint, info = svc.caller(call)
    admin = svc.state.is_endpoint_admin(endpoint, info.identity_id)
    return (
        endpoint,
        info,
        svc.state.credentials.get(endpoint, info.identity_id, admin, credential_id),
    )


@routes.route(f"{API}/user_credentials", "GET", operation="get_user_credential_list")
def list_credentials(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    gateway = call.args.get("storage_gateway") or None
    found = svc.state.credentials.of(endpoint.id, info.identity_id, gateway)
    return _page(call, [c.to_api() for c in found])


@routes.route(f"{API}/user_credentials", "POST", operation="create_user_credential")
def create_credential(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = _valid(call.json_object(), "gcs_user_credential")
    gateway = svc.state.gateway(endpoint, body["storage_gateway_id"])
    svc.require_session(info, gateway, creating=True)
    admin = svc.state.is_endpoint_admin(endpoint, info.identity_id)
    credential = svc.state.credentials.create(gateway, info.identity_id, admin, body)
    return _result([credential.to_api()], message=f"Created User Credential {credential.id}")


@routes.route(CREDENTIAL, "GET", operation="get_user_credential")
def get_credential(svc: GCSService, call: Call, credential_id: str) -> Reply:
    _, _, credential = _own(svc, call, credential_id)
    return _result([credential.to_api()])


@routes.route(CREDENTIAL, "PATCH", operation="update_user_credential")
def update_credential(svc: GCSService, call: Call, credential_id: str) -> Reply:
    _, info, credential = _own(svc, call, credential_id)
    body = _valid(call.json_object(), "gcs_user_credential_update")
    svc.require_session(info, svc.state.gateways[credential.storage_gateway_id])
    svc.state.credentials.update(credential, body)
    return _result([credential.to_api()], message=f"Updated User Credential {credential.id}")


@routes.route(CREDENTIAL, "DELETE", operation="delete_user_credential")
def delete_credential(svc: GCSService, call: Call, credential_id: str) -> Reply:
    _, _, credential = _own(svc, call, credential_id)
    svc.state.credentials.delete(credential)
    return _result([], message=f"Deleted User Credential {credential.id}")
