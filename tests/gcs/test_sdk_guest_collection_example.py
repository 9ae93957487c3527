"""globus-sdk's guest-collection usage pattern (``create_guest_collection_*``
in its user guide) against the seeded tutorial endpoint: the example's own
host, storage gateway and mapped collection, the same calls in order."""

from __future__ import annotations

import globus_sdk
import pytest

from conftest import SDK_MAJOR

# The example is written for globus-sdk 4 (clients as context managers,
# Scope objects with with_dependency / with_optional).
pytestmark = pytest.mark.skipif(SDK_MAJOR < 4, reason="globus-sdk 4's example")

# The example's constants, which the seeded world honours.
ENDPOINT_HOSTNAME = "https://b7a4f1.75bc.data.globus.org"
STORAGE_GATEWAY_ID = "947460f6-3fcd-4acc-9683-d71e14e5ace1"
MAPPED_COLLECTION_ID = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


def run_example_steps(gcs_client: globus_sdk.GCSClient) -> str:
    # attach data_access (optional) beneath the endpoint's manage_collections
    endpoint_scopes = gcs_client.get_gcs_endpoint_scopes(gcs_client.endpoint_client_id)
    data_access = gcs_client.get_gcs_collection_scopes(MAPPED_COLLECTION_ID).data_access
    gcs_client.add_app_scope(
        endpoint_scopes.manage_collections.with_dependency(data_access.with_optional(True))
    )
    # ensure a user credential, a 409 meaning one exists already
    for _ in range(2):
        try:
            gcs_client.create_user_credential(
                globus_sdk.UserCredentialDocument(storage_gateway_id=STORAGE_GATEWAY_ID)
            )
        except globus_sdk.GCSAPIError as err:
            if err.http_status != 409:
                raise
    collection = gcs_client.create_collection(
        globus_sdk.GuestCollectionDocument(
            public=True,
            collection_base_path="/",
            display_name="example_guest_collection",
            mapped_collection_id=MAPPED_COLLECTION_ID,
        )
    )
    return str(collection["id"])


@pytest.mark.parametrize("app_fixture", ["globus_user_app", "globus_client_app"])
def test_guest_collection_example_runs_and_the_collection_is_in_transfer(
    app_fixture, request, globus_emulator
):
    app = request.getfixturevalue(app_fixture)
    with globus_sdk.GCSClient(ENDPOINT_HOSTNAME, app=app) as gcs_client:
        collection_id = run_example_steps(gcs_client)
        assert len(list(gcs_client.get_user_credential_list())) == 1
        endpoint_id = gcs_client.endpoint_client_id
    with globus_sdk.TransferClient(app=app) as tc:
        document = tc.get_endpoint(collection_id)
        assert document["entity_type"] == "GCSv5_guest_collection"
        assert document["gcs_manager_url"] == globus_emulator.gcs.manager_url(endpoint_id)
        names = [entry["name"] for entry in tc.operation_ls(collection_id, path="/home/share")]
    assert "godata" in names
