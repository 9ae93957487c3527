"""The GCS Manager API through globus-sdk's GCSClient and its documents."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import POSIX, grant


def test_info_names_the_endpoint_and_its_connectors(gcs, endpoint):
    info = gcs.get_gcs_info()
    assert info["endpoint_id"] == endpoint.id
    assert info["client_id"] == endpoint.id
    assert info["domain_name"].endswith(".data.globus.org")
    connectors = {d["id"]: d["display_name"] for d in info.full_data["data"][1:]}
    assert {c.connector_id: c.name for c in globus_sdk.ConnectorTable.all_connectors()} == (
        connectors
    )
    assert gcs.endpoint_client_id == endpoint.id


def test_endpoint_update_is_seen_by_gcs_and_transfer(gcs, endpoint, tc):
    gcs.update_endpoint(globus_sdk.EndpointDocument(display_name="Renamed", organization="Lab"))
    document = gcs.get_endpoint()
    assert document["DATA_TYPE"].startswith("endpoint#1.")
    assert (document["display_name"], document["organization"]) == ("Renamed", "Lab")
    assert tc.get_endpoint(endpoint.id)["display_name"] == "Renamed"


def test_storage_gateway_keeps_its_policies_and_mappings(gcs, gateway):
    got = gcs.get_storage_gateway(gateway["id"])
    assert got["DATA_TYPE"].startswith("storage_gateway#1.")
    assert got["connector_id"] == POSIX
    assert got["policies"]["groups_allow"] == ["lab"]
    assert got["identity_mappings"][0]["DATA_TYPE"] == "expression_identity_mapping#1.0.0"
    gcs.update_storage_gateway(
        gateway["id"],
        globus_sdk.StorageGatewayDocument(
            allowed_domains=["lab.example.org"],
            policies=globus_sdk.POSIXStoragePolicies(groups_deny=["guests"]),
        ),
    )
    got = gcs.get_storage_gateway(gateway["id"])
    assert got["allowed_domains"] == ["lab.example.org"]
    assert got["policies"]["groups_deny"] == ["guests"]
    assert got["policies"]["groups_allow"] == ["lab"]
    assert [g["id"] for g in gcs.get_storage_gateway_list()] == [gateway["id"]]


def test_storage_gateway_delete_then_get_is_not_found(gcs, gateway):
    gcs.delete_storage_gateway(gateway["id"])
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.get_storage_gateway(gateway["id"])
    assert caught.value.http_status == 404
    assert caught.value.code == "not_found"
    assert list(gcs.get_storage_gateway_list()) == []


def test_storage_gateway_with_collections_cannot_be_deleted(gcs, gateway, mapped):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.delete_storage_gateway(gateway["id"])
    assert caught.value.http_status == 400
    assert gcs.get_storage_gateway(gateway["id"])["id"] == gateway["id"]


def test_unknown_connector_is_refused_in_gcs_error_format(gcs):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.create_storage_gateway(
            globus_sdk.StorageGatewayDocument(
                display_name="Tape", connector_id="00000000-5f6c-4b47-a07f-8ee90f401d23"
            )
        )
    assert caught.value.http_status == 422
    assert caught.value.raw_json["DATA_TYPE"].startswith("result#")
    assert caught.value.raw_json["http_response_code"] == 422
    assert list(gcs.get_storage_gateway_list()) == []


def test_mapped_collection_round_trip_and_update(gcs, mapped, gateway):
    got = gcs.get_collection(mapped["id"])
    assert got["DATA_TYPE"].startswith("collection#1.")
    assert (got["collection_type"], got["storage_gateway_id"]) == ("mapped", gateway["id"])
    gcs.update_collection(
        mapped["id"], globus_sdk.MappedCollectionDocument(description="raw data", keywords=["x"])
    )
    got = gcs.get_collection(mapped["id"])
    assert (got["description"], got["keywords"]) == ("raw data", ["x"])


def test_collection_list_filters(gcs, mapped, globus_emulator):
    globus_emulator.transfer.write(mapped["id"], "/shared/readme.txt", "hi")
    guest = gcs.create_collection(
        globus_sdk.GuestCollectionDocument(
            display_name="Shared",
            mapped_collection_id=mapped["id"],
            collection_base_path="/shared",
        )
    )
    assert {c["id"] for c in gcs.get_collection_list()} == {mapped["id"], guest["id"]}
    assert [c["id"] for c in gcs.get_collection_list(filter="guest_collections")] == [guest["id"]]
    assert [c["id"] for c in gcs.get_collection_list(filter="mapped_collections")] == [mapped["id"]]
    by_mapped = gcs.get_collection_list(mapped_collection_id=mapped["id"])
    assert [c["id"] for c in by_mapped] == [guest["id"]]


def test_collection_list_pages_with_markers(gcs, mapped, gateway):
    for n in range(3):
        gcs.create_collection(
            globus_sdk.MappedCollectionDocument(
                display_name=f"More {n}", storage_gateway_id=gateway["id"]
            )
        )
    first = gcs.get_collection_list(page_size=2)
    assert len(first["data"]) == 2 and first["has_next_page"]
    rest = gcs.get_collection_list(page_size=2, marker=first["marker"])
    assert len(rest["data"]) == 2 and not rest["has_next_page"]


def test_guest_collection_needs_a_mapped_collection_that_allows_it(gcs, gateway):
    closed = gcs.create_collection(
        globus_sdk.MappedCollectionDocument(display_name="Closed", storage_gateway_id=gateway["id"])
    )
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.create_collection(
            globus_sdk.GuestCollectionDocument(
                display_name="Nope", mapped_collection_id=closed["id"], collection_base_path="/"
            )
        )
    assert caught.value.http_status == 403
    assert caught.value.code == "permission_denied"
    assert [c["id"] for c in gcs.get_collection_list()] == [closed["id"]]


def test_collection_without_required_fields_is_refused(gcs):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.create_collection({"DATA_TYPE": "collection#1.0.0", "collection_type": "mapped"})
    assert caught.value.http_status == 422
    assert caught.value.code == "unprocessable_entity"
    assert caught.value.raw_json["message"] == "Data Validation Error"
    assert "display_name" in caught.value.raw_json["detail"]


def test_other_users_cannot_manage_the_endpoint(gcs_for, globus_emulator, mapped):
    stranger = globus_emulator.auth.add_identity("stranger@example.org")
    theirs = gcs_for(stranger)
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        theirs.delete_collection(mapped["id"])
    assert caught.value.http_status == 403
    assert theirs.get_collection(mapped["id"])["id"] == mapped["id"]  # public: readable


def test_token_without_manage_collections_is_refused(globus_emulator, endpoint, gcs):
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    other = globus_sdk.GCSClient(
        "unused.invalid", authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    other.base_url = gcs.base_url
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        other.get_endpoint()
    assert caught.value.http_status == 401
    assert caught.value.code == "unauthorized"


def test_roles_grant_and_revoke_collection_administration(gcs, gcs_for, globus_emulator, mapped):
    colleague = globus_emulator.auth.add_identity("colleague@example.org")
    role = grant(gcs, mapped["id"], colleague.id, "administrator")
    assert role["DATA_TYPE"].startswith("role#1.")
    assert gcs.get_role(role["id"])["role"] == "administrator"
    listed = gcs.get_role_list(mapped["id"], include="all_roles")
    assert {(r["principal"], r["role"]) for r in listed} == {
        (f"urn:globus:auth:identity:{globus_emulator.user.id}", "administrator"),
        (f"urn:globus:auth:identity:{colleague.id}", "administrator"),
    }
    theirs = gcs_for(colleague)
    theirs.update_collection(mapped["id"], {"DATA_TYPE": "collection#1.0.0", "description": "ok"})
    gcs.delete_role(role["id"])
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        theirs.update_collection(
            mapped["id"], {"DATA_TYPE": "collection#1.0.0", "description": "no"}
        )
    assert caught.value.http_status == 403
    assert gcs.get_collection(mapped["id"])["description"] == "ok"


def test_endpoint_owner_role_is_listed(gcs, globus_emulator):
    roles = list(gcs.get_role_list())
    assert [(r["role"], r["principal"]) for r in roles] == [
        ("owner", f"urn:globus:auth:identity:{globus_emulator.user.id}")
    ]


def test_user_credentials_lifecycle(gcs, gateway, globus_emulator):
    created = gcs.create_user_credential(
        globus_sdk.UserCredentialDocument(
            storage_gateway_id=gateway["id"],
            identity_id=globus_emulator.user.id,
            username="jdoe",
            display_name="jdoe on lab",
        )
    )
    assert created["DATA_TYPE"].startswith("user_credential#1.")
    assert gcs.get_user_credential(created["id"])["username"] == "jdoe"
    gcs.update_user_credential(created["id"], globus_sdk.UserCredentialDocument(username="jd"))
    assert gcs.get_user_credential(created["id"])["username"] == "jd"
    listed = gcs.get_user_credential_list(storage_gateway=gateway["id"])
    assert [c["id"] for c in listed] == [created["id"]]
    gcs.delete_user_credential(created["id"])
    assert list(gcs.get_user_credential_list()) == []


def test_user_credentials_are_private(gcs, gcs_for, gateway, globus_emulator):
    created = gcs.create_user_credential(
        globus_sdk.UserCredentialDocument(storage_gateway_id=gateway["id"], username="jdoe")
    )
    stranger = gcs_for(globus_emulator.auth.add_identity("stranger@example.org"))
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        stranger.get_user_credential(created["id"])
    assert caught.value.http_status == 404
    assert list(stranger.get_user_credential_list()) == []


WORLD = {
    "collections": [
        {
            "display_name": "Cluster scratch",
            "id": "0b4f1e36-2f5e-4c38-9a9b-4bd0c8a3f0a1",
            "files": [{"path": "/scratch/run.log", "content": "ok"}],
        }
    ],
    "gcs_endpoints": [
        {
            "display_name": "Cluster GCS",
            "id": "5d1c9f8e-3a2b-4c7d-8e9f-0a1b2c3d4e5f",
            "domain": "abc123.4def.data.globus.org",
            "storage_gateways": [
                {"display_name": "Cluster POSIX", "id": "7e6d5c4b-3a29-4187-a6b5-c4d3e2f1a0b9"},
                {
                    "display_name": "Campus bucket",
                    "connector_id": "7643e831-5f6c-4b47-a07f-8ee90f401d23",
                    "allowed_domains": ["uchicago.edu"],
                    "high_assurance": True,
                    "authentication_timeout_mins": 30,
                },
            ],
            "mapped_collections": ["0b4f1e36-2f5e-4c38-9a9b-4bd0c8a3f0a1"],
        }
    ],
}


@pytest.mark.globus(world=WORLD)
def test_world_file_endpoints_answer_at_their_domain(globus_emulator, tc):
    from .conftest import gcs_client

    endpoint_id = WORLD["gcs_endpoints"][0]["id"]
    manager_url = tc.get_endpoint(endpoint_id)["gcs_manager_url"]
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, globus_emulator.gcs.scope(endpoint_id)
    )
    gcs = gcs_client(manager_url, token)
    assert gcs.get_gcs_info()["domain_name"] == "abc123.4def.data.globus.org"
    (mapped,) = gcs.get_collection_list()
    assert mapped["storage_gateway_id"] == "7e6d5c4b-3a29-4187-a6b5-c4d3e2f1a0b9"
    assert mapped["allow_guest_collections"] is True
    gateways = {g["display_name"]: g for g in gcs.get_storage_gateway_list()}
    bucket = gateways["Campus bucket"]
    assert bucket["connector_id"] == "7643e831-5f6c-4b47-a07f-8ee90f401d23"
    assert bucket["policies"]["DATA_TYPE"] == "s3_storage_policies#1.0.0"
    assert (bucket["high_assurance"], bucket["authentication_timeout_mins"]) == (True, 30)
    assert gateways["Cluster POSIX"]["connector_id"] == POSIX


@pytest.mark.parametrize(
    ("connector", "policies"),
    [
        (
            globus_sdk.ConnectorTable.POSIX_STAGING,
            globus_sdk.POSIXStagingStoragePolicies(stage_app="/opt/stage", groups_allow=["lab"]),
        ),
        (
            globus_sdk.ConnectorTable.S3,
            globus_sdk.S3StoragePolicies(
                s3_endpoint="https://s3.example.org",
                s3_buckets=["lab"],
                s3_user_credential_required=True,
            ),
        ),
        (
            globus_sdk.ConnectorTable.GOOGLE_DRIVE,
            globus_sdk.GoogleDriveStoragePolicies(
                client_id="gd-client", secret="gd-secret", user_api_rate_quota=100
            ),
        ),
        (
            globus_sdk.ConnectorTable.CEPH,
            globus_sdk.CephStoragePolicies(s3_endpoint="https://ceph.example.org"),
        ),
        (
            globus_sdk.ConnectorTable.ACTIVESCALE,
            globus_sdk.ActiveScaleStoragePolicies(s3_endpoint="https://as.example.org"),
        ),
    ],
    ids=lambda value: getattr(value, "name", None),
)
def test_other_connectors_keep_their_own_policies(gcs, connector, policies):
    created = gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name=connector.name, connector_id=connector.connector_id, policies=policies
        )
    )
    got = gcs.get_storage_gateway(created["id"])
    assert got["connector_id"] == connector.connector_id
    sent = {k: v for k, v in dict(policies).items() if v is not globus_sdk.MISSING}
    assert got["policies"] == sent
    assert [g["id"] for g in gcs.get_storage_gateway_list()] == [created["id"]]


def test_policies_of_another_connector_are_refused(gcs):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.create_storage_gateway(
            globus_sdk.StorageGatewayDocument(
                display_name="Mixed up",
                connector_id=globus_sdk.ConnectorTable.S3.connector_id,
                policies=globus_sdk.POSIXStoragePolicies(groups_allow=["lab"]),
            )
        )
    assert caught.value.http_status == 422
    assert "s3_storage_policies" in caught.value.message
    assert list(gcs.get_storage_gateway_list()) == []


def test_a_gateway_keeps_its_connector(gcs, gateway):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.update_storage_gateway(
            gateway["id"],
            {
                "DATA_TYPE": "storage_gateway#1.2.0",
                "connector_id": globus_sdk.ConnectorTable.S3.connector_id,
            },
        )
    assert caught.value.http_status == 422
    assert gcs.get_storage_gateway(gateway["id"])["connector_id"] == POSIX


def test_s3_user_credentials_carry_their_keys_and_may_be_several(gcs, globus_emulator):
    bucket = gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="bucket",
            connector_id=globus_sdk.ConnectorTable.S3.connector_id,
            policies=globus_sdk.S3StoragePolicies(s3_endpoint="https://s3.example.org"),
        )
    )
    keys = []
    for n in (1, 2):
        keys.append(
            gcs.create_user_credential(
                globus_sdk.UserCredentialDocument(
                    storage_gateway_id=bucket["id"],
                    identity_id=globus_emulator.user.id,
                    policies={
                        "DATA_TYPE": "s3_user_credential_policies#1.0.0",
                        "s3_key_id": f"key{n}",
                        "s3_secret_key": f"secret{n}",
                    },
                )
            )["id"]
        )
    listed = gcs.get_user_credential_list(storage_gateway=bucket["id"])
    assert sorted(c["policies"]["s3_key_id"] for c in listed) == ["key1", "key2"]
    assert {c["connector_id"] for c in listed} == {globus_sdk.ConnectorTable.S3.connector_id}
    gcs.update_user_credential(
        keys[0], {"DATA_TYPE": "user_credential#1.0.0", "policies": {"s3_secret_key": "rotated"}}
    )
    assert gcs.get_user_credential(keys[0])["policies"]["s3_secret_key"] == "rotated"


def test_only_a_subscription_manager_gives_the_endpoint_a_subscription(
    gcs, globus_emulator, tc, endpoint
):
    subscription = "9a4c1f7e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
    colleague = globus_emulator.auth.add_identity("admin@example.org")
    group = globus_emulator.groups.create(
        "Lab subscription", {colleague.id: "admin"}, subscription_id=subscription
    )
    body = {"DATA_TYPE": "endpoint_subscription#1.0.0", "subscription_id": subscription}
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.put("/endpoint/subscription_id", data=body)
    assert caught.value.http_status == 403
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.put("/endpoint/subscription_id", data={**body, "subscription_id": "DEFAULT"})
    assert caught.value.http_status == 422
    assert gcs.get_endpoint()["subscription_id"] is None
    with pytest.raises(globus_sdk.GCSAPIError) as caught:  # refused whole
        gcs.update_endpoint(
            globus_sdk.EndpointDocument(display_name="Renamed", subscription_id=subscription)
        )
    assert caught.value.http_status == 403
    assert gcs.get_endpoint()["display_name"] == "Lab GCS"
    globus_emulator.groups.add_member(group, globus_emulator.user, "admin")
    gcs.put("/endpoint/subscription_id", data=body)
    assert gcs.get_endpoint()["subscription_id"] == subscription
    assert tc.get_endpoint(endpoint.id)["subscription_id"] == subscription
