"""GCS Manager answers have the shapes globus-sdk recorded (its
``globus_connect_server.*`` sets). Known deviations live, with reasons,
in fixtures/parity/deviations.json."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit import parity

# globus-sdk 3.x has no public globus_sdk.testing: these run with 4.x
pytest.importorskip("globus_sdk.testing")

POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
S3 = "7643e831-5f6c-4b47-a07f-8ee90f401d23"


def manager(e, endpoint=None, identity=None):
    """A GCSClient for ``identity`` (the user) on ``endpoint`` (a new one
    the user owns), at its manager URL (its host in-process, its path on
    the loopback server)."""
    endpoint = endpoint or e.gcs.add_endpoint("Parity GCS")
    token = e.auth.issue_token(identity or e.user, e.gcs.scope(endpoint))
    client = globus_sdk.GCSClient(
        "unused.invalid", authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    client.base_url = e.gcs.manager_url(endpoint).rstrip("/") + "/api/"
    return client


def gateway(client):
    document = globus_sdk.StorageGatewayDocument(
        display_name="example gateway 1",
        connector_id=POSIX,
        allowed_domains=["globusid.org"],
        users_allow=["user1"],
        users_deny=["user2"],
        policies=globus_sdk.POSIXStoragePolicies(
            groups_allow=["globus"], groups_deny=["nonglobus"]
        ),
    )
    document["restrict_paths"] = {"DATA_TYPE": "path_restrictions#1.0.0", "read": ["/"]}
    return client.create_storage_gateway(document)


def with_gateway(e):
    client = manager(e)
    return client, gateway(client)["id"]


def with_gateways(e):
    """The recording's two gateways: the second with no restrictions."""
    client, _ = with_gateway(e)
    client.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="example gateway 2",
            connector_id=POSIX,
            allowed_domains=["globusid.org"],
            users_allow=[],
            users_deny=[],
            policies=globus_sdk.POSIXStoragePolicies(groups_allow=[], groups_deny=[]),
        )
    )
    return client


def with_credentials(e):
    """The recording's POSIX and S3 credentials of one identity."""
    client, _ = with_credential(e)
    bucket = client.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="bucket",
            connector_id=S3,
            policies=globus_sdk.S3StoragePolicies(s3_endpoint="https://s3.example.org"),
        )
    )
    client.create_user_credential(
        globus_sdk.UserCredentialDocument(
            storage_gateway_id=bucket["id"],
            identity_id=e.user.id,
            username="testuser",
            display_name="s3_credential",
            policies={
                "DATA_TYPE": "s3_user_credential_policies#1.0.0",
                "s3_key_id": "key_id",
                "s3_secret_key": "key_secret",
            },
        )
    )
    return client


def with_credential(e):
    client, gateway_id = with_gateway(e)
    credential = client.create_user_credential(
        globus_sdk.UserCredentialDocument(
            storage_gateway_id=gateway_id,
            identity_id=e.user.id,
            username="testuser",
            display_name="posix_credential",
        )
    )
    return client, credential["id"]


def with_collections(e):
    client, gateway_id = with_gateway(e)
    mapped = client.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="Mapped",
            storage_gateway_id=gateway_id,
            allow_guest_collections=True,
        )
    )
    client.create_collection(
        globus_sdk.GuestCollectionDocument(
            display_name="Guest", mapped_collection_id=mapped["id"], collection_base_path="/"
        )
    )
    return client


def answer(response):
    """The whole envelope, as recorded (GCSClient unpacks some answers)."""
    return getattr(response, "full_data", response.data)


OPERATIONS = {
    "get_gcs_info": lambda e: answer(manager(e).get_gcs_info()),
    "get_endpoint": lambda e: answer(manager(e).get_endpoint()),
    "update_endpoint": lambda e: answer(
        manager(e).update_endpoint(globus_sdk.EndpointDocument(display_name="Renamed"))
    ),
    "create_storage_gateway": lambda e: answer(gateway(manager(e))),
    "get_storage_gateway": lambda e: (lambda c, g: answer(c.get_storage_gateway(g)))(
        *with_gateway(e)
    ),
    "get_storage_gateway_list": lambda e: answer(with_gateways(e).get_storage_gateway_list()),
    "update_storage_gateway": lambda e: (
        lambda c, g: answer(
            c.update_storage_gateway(g, globus_sdk.StorageGatewayDocument(display_name="New"))
        )
    )(*with_gateway(e)),
    "delete_storage_gateway": lambda e: (lambda c, g: answer(c.delete_storage_gateway(g)))(
        *with_gateway(e)
    ),
    "create_user_credential": lambda e: (
        lambda c, g: answer(
            c.create_user_credential(
                globus_sdk.UserCredentialDocument(
                    storage_gateway_id=g, identity_id=e.user.id, username="testuser"
                )
            )
        )
    )(*with_gateway(e)),
    "get_user_credential": lambda e: (lambda c, cr: answer(c.get_user_credential(cr)))(
        *with_credential(e)
    ),
    "get_user_credential_list": lambda e: answer(with_credentials(e).get_user_credential_list()),
    "update_user_credential": lambda e: (
        lambda c, cr: answer(
            c.update_user_credential(cr, globus_sdk.UserCredentialDocument(display_name="new"))
        )
    )(*with_credential(e)),
    "delete_user_credential": lambda e: (lambda c, cr: answer(c.delete_user_credential(cr)))(
        *with_credential(e)
    ),
    "get_collection_list": lambda e: answer(with_collections(e).get_collection_list()),
}


def refused(call):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        call()
    return caught.value.raw_json


def not_an_admin(e):
    """The endpoint owner's gateway, and a GCSClient for someone else."""
    endpoint = e.gcs.add_endpoint("Parity GCS")
    gateway = e.gcs.add_storage_gateway(endpoint, "example gateway 1")
    stranger = e.auth.add_identity("stranger@example.org")
    return manager(e, endpoint, stranger), gateway.id


ERRORS = {
    "create_storage_gateway/validation_error": lambda e: refused(
        lambda: manager(e).create_storage_gateway({"DATA_TYPE": "storage_gateway#1.2.0"})
    ),
    "delete_storage_gateway/permission_denied_error": lambda e: (
        lambda c, g: refused(lambda: c.delete_storage_gateway(g))
    )(*not_an_admin(e)),
}


@pytest.mark.parametrize("operation", sorted(ERRORS))
def test_gcs_refusal_has_the_recorded_shape(operation, globus_emulator):
    name, _, case = operation.partition("/")
    set_id = f"globus_connect_server.{name}"
    got = ERRORS[operation](globus_emulator)
    assert parity.check(set_id, got, case) == []
    assert parity.stale_deviations(set_id, got, case) == []


def test_every_emulated_gcs_recording_is_compared():
    emulated = {
        r.set_id.removeprefix("globus_connect_server.")
        for r in parity.recordings()
        if r.set_id.startswith("globus_connect_server.")
        and parity.emulated(r.service, r.method, r.path)
    }
    assert emulated == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_gcs_answer_has_the_recorded_shape(operation, globus_emulator):
    set_id = f"globus_connect_server.{operation}"
    got = OPERATIONS[operation](globus_emulator)
    assert parity.check(set_id, got) == []
    assert parity.stale_deviations(set_id, got) == []
