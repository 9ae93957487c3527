"""globus-sdk docs/user_guide/usage_patterns/data_transfer/
create_guest_collection/create_guest_collection_{user,client}_owned.py: a
public guest collection on the tutorial mapped collection, at the
example's real GCS host. argv: none (a UserApp, the user-owned example)
or CLIENT_ID CLIENT_SECRET (a ClientApp, the client-owned one)."""

import sys

import globus_sdk
from globus_sdk.globus_app import ClientApp, UserApp

NATIVE_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
ENDPOINT_HOSTNAME = "https://b7a4f1.75bc.data.globus.org"
STORAGE_GATEWAY_ID = "947460f6-3fcd-4acc-9683-d71e14e5ace1"
MAPPED_COLLECTION_ID = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


def create_guest_collection(gcs_client: globus_sdk.GCSClient) -> None:
    endpoint_scopes = gcs_client.get_gcs_endpoint_scopes(gcs_client.endpoint_client_id)
    collection_scopes = gcs_client.get_gcs_collection_scopes(MAPPED_COLLECTION_ID)
    data_access = collection_scopes.data_access.with_optional(True)
    gcs_client.add_app_scope(endpoint_scopes.manage_collections.with_dependency(data_access))

    credential = globus_sdk.UserCredentialDocument(storage_gateway_id=STORAGE_GATEWAY_ID)
    try:
        gcs_client.create_user_credential(credential)
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
    print(f"Created guest collection. Collection ID: {collection['id']}")


if len(sys.argv) == 3:
    app: globus_sdk.GlobusApp = ClientApp(
        "my-simple-client-collection", client_id=sys.argv[1], client_secret=sys.argv[2]
    )
else:
    app = UserApp("my-simple-user-collection", client_id=NATIVE_CLIENT_ID)
with app, globus_sdk.GCSClient(ENDPOINT_HOSTNAME, app=app) as gcs_client:
    create_guest_collection(gcs_client)
