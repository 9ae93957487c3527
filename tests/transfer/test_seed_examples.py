"""The seeds' Transfer code, unchanged but for where ids and codes come from."""

from __future__ import annotations

import contextlib

import globus_sdk
from globus_sdk.scopes import TransferScopes

from conftest import SDK_MAJOR

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def test_client_app_lists_the_tutorial_collection(globus_emulator):
    """Seed 000: the SDK user guide's ClientApp example."""
    account = globus_emulator.service_account
    app = globus_sdk.ClientApp(
        "sample-app",
        client_id=account.client_id,
        client_secret=account.client_secret,
        config=globus_sdk.GlobusAppConfig(token_storage="memory"),
    )
    client = globus_sdk.TransferClient(app=app)
    # the guide's `with` needs globus-sdk 4; 3.x clients are not context managers
    with client if SDK_MAJOR >= 4 else contextlib.nullcontext(client) as tc:
        tc.add_app_data_access_scope(TUTORIAL_1)
        ls_result = tc.operation_ls(TUTORIAL_1, path="/home/share/godata")
    assert [item["name"] for item in ls_result] == ["file1.txt", "file2.txt", "file3.txt"]


def _transfer_scope():
    if SDK_MAJOR < 4:  # the seed's own code (globus-sdk 3)
        from globus_sdk.scopes import GCSCollectionScopeBuilder

        transfer_scope = TransferScopes.make_mutable("all")
        for collection in (TUTORIAL_2, TUTORIAL_1):
            transfer_scope.add_dependency(
                GCSCollectionScopeBuilder(collection).data_access, optional=True
            )
        return transfer_scope
    # globus-sdk 4 renamed the builders; the scope string is the same
    from globus_sdk.scopes import GCSCollectionScopes

    deps = " ".join(f"*{GCSCollectionScopes(c).data_access}" for c in (TUTORIAL_2, TUTORIAL_1))
    return f"{TransferScopes.all}[{deps}]"


def test_native_app_searches_transfers_waits_and_finds_the_files(globus_emulator):
    """Seed 001: the research-computing centre's tutorial, end to end."""
    auth_client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    auth_client.oauth2_start_flow(requested_scopes=[_transfer_scope()])
    authorize_url = auth_client.oauth2_get_authorize_url()
    auth_code = globus_emulator.auth.authorize(authorize_url)  # what the user pastes
    token_response = auth_client.oauth2_exchange_code_for_tokens(auth_code)
    globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]
    TRANSFER_TOKEN = globus_transfer_data["access_token"]

    authorizer = globus_sdk.AccessTokenAuthorizer(TRANSFER_TOKEN)
    transfer_client = globus_sdk.TransferClient(authorizer=authorizer)
    found = [ep["id"] for ep in transfer_client.endpoint_search(filter_fulltext="Tutorial")]
    assert set(found) == {TUTORIAL_1, TUTORIAL_2}

    task_data = (
        globus_sdk.TransferData(source_endpoint=TUTORIAL_2, destination_endpoint=TUTORIAL_1)
        if not _takes_client()
        else globus_sdk.TransferData(transfer_client, TUTORIAL_2, TUTORIAL_1)
    )
    task_data.add_item("/home/share/godata", "/home/share/copies", recursive=True)
    task_doc = transfer_client.submit_transfer(task_data)
    task_id = task_doc["task_id"]

    assert transfer_client.task_wait(task_id, timeout=60, polling_interval=1)
    task = transfer_client.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["files_transferred"] == 3
    listing = transfer_client.operation_ls(TUTORIAL_1, path="/home/share/copies")
    assert [item["name"] for item in listing] == ["file1.txt", "file2.txt", "file3.txt"]
    assert globus_emulator.transfer.read(TUTORIAL_1, "/home/share/copies/file2.txt") == (
        globus_emulator.transfer.read(TUTORIAL_2, "/home/share/godata/file2.txt")
    )
    again = transfer_client.submit_transfer(task_data)
    assert again["task_id"] == task_id


def _takes_client() -> bool:
    import inspect

    return "transfer_client" in inspect.signature(globus_sdk.TransferData).parameters
