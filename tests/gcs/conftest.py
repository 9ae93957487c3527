from __future__ import annotations

from typing import Any

import globus_sdk
import pytest

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"


def gcs_client(manager_url: str, token: str) -> globus_sdk.GCSClient:
    """A GCSClient for a ``gcs_manager_url`` as Transfer gives it (https
    in both transports: the live server's is its TLS door)."""
    authorizer = globus_sdk.AccessTokenAuthorizer(token)
    return globus_sdk.GCSClient(manager_url, authorizer=authorizer)


def grant(gcs: globus_sdk.GCSClient, collection_id: str, identity_id: str, role: str) -> Any:
    """The GCS role document of ``role`` given to an identity on a collection."""
    document = globus_sdk.GCSRoleDocument(
        collection=collection_id, principal=f"urn:globus:auth:identity:{identity_id}", role=role
    )
    return gcs.create_role(document)


@pytest.fixture
def endpoint(globus_emulator):
    return globus_emulator.gcs.add_endpoint("Lab GCS")


@pytest.fixture
def tc(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


@pytest.fixture
def gcs_for(globus_emulator, endpoint, tc):
    """A GCSClient on ``endpoint`` for ``identity``, found as a client
    finds it: from the gcs_manager_url of Transfer's endpoint document."""
    manager_url = tc.get_endpoint(endpoint.id)["gcs_manager_url"]

    def make(identity=None) -> globus_sdk.GCSClient:
        token = globus_emulator.auth.issue_token(
            identity or globus_emulator.user, globus_emulator.gcs.scope(endpoint)
        )
        return gcs_client(manager_url, token)

    return make


@pytest.fixture
def gcs(gcs_for):
    return gcs_for()


@pytest.fixture
def gateway(gcs):
    return gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="POSIX storage",
            connector_id=POSIX,
            allowed_domains=["globusid.org"],
            identity_mappings=[{"DATA_TYPE": "expression_identity_mapping#1.0.0", "mappings": []}],
            policies=globus_sdk.POSIXStoragePolicies(groups_allow=["lab"]),
        )
    )


@pytest.fixture
def mapped(gcs, gateway):
    return gcs.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="Lab data",
            storage_gateway_id=gateway["id"],
            collection_base_path="/",
            allow_guest_collections=True,
        )
    )
