"""globus/globus-jupyter-notebooks Transfer_API_Exercises.ipynb, its Transfer
cells: the notebooks' native client logging in with data_access beneath
Transfer, mkdir (and its Exists code), identities, bookmarks, a mirrored
directory polled to its end and its successful transfers paged by marker,
a filtered listing feeding a submission, and an error watch that parses
each event's time as the notebook does. (Its GCS cells need the tutorial
endpoint's own Transfer document, which this world keeps private.)"""

from __future__ import annotations

import inspect
from datetime import datetime

import globus_sdk
import pytest

NOTEBOOK_CLIENT_ID = "3b1925c0-a87b-452b-a492-2c9921d3bd14"
TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
TRANSFER_WITH_DATA_ACCESS = (
    "urn:globus:auth:scope:transfer.api.globus.org:all["
    f"*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access "
    f"*https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]"
)


def transfer_data(tc, source, destination, **options):
    # the notebook passes the client first, as globus-sdk 3 allowed
    if "transfer_client" in inspect.signature(globus_sdk.TransferData).parameters:
        return globus_sdk.TransferData(tc, source, destination, **options)
    return globus_sdk.TransferData(source, destination, **options)


@pytest.fixture
def notebook(globus_emulator):
    """The notebook's login cell: tokens by resource server, and its ``tc``."""
    client = globus_sdk.NativeAppAuthClient(NOTEBOOK_CLIENT_ID)
    client.oauth2_start_flow(
        requested_scopes=[
            "openid",
            "profile",
            "email",
            "urn:globus:auth:scope:auth.globus.org:view_identities",
            TRANSFER_WITH_DATA_ACCESS,
        ]
    )
    url = client.oauth2_get_authorize_url(prompt=None)
    tokens = client.oauth2_exchange_code_for_tokens(
        globus_emulator.auth.authorize(url)
    ).by_resource_server
    token = tokens["transfer.api.globus.org"]["access_token"]
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return tokens, tc


def test_mkdir_then_exists_and_the_identity_lookup(notebook, globus_emulator):
    tokens, tc = notebook
    assert tc.operation_mkdir(TUTORIAL_1, path="/~/tutorial_dir")["message"]
    with pytest.raises(globus_sdk.GlobusAPIError) as again:
        tc.operation_mkdir(TUTORIAL_1, path="/~/tutorial_dir")
    assert again.value.code == "ExternalError.MkdirFailed.Exists"
    ac = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["auth.globus.org"]["access_token"])
    )
    username = globus_emulator.user.username
    assert ac.get_identities(usernames=username).data["identities"][0]["id"] == (
        globus_emulator.user.id
    )
    assert list(tc.endpoint_search("XSEDE TACC Stampede", query_params={"fields": "id"})) == []


def test_bookmark_then_listing_under_its_path(notebook):
    _, tc = notebook
    name = "Globus Tutorial Collection 2"
    tc.create_bookmark({"endpoint_id": TUTORIAL_2, "path": "/home/share/godata/", "name": name})
    found = [b for b in tc.bookmark_list() if b["name"] == name]
    listing = tc.operation_ls(found[0]["endpoint_id"], path=found[0]["path"] + "")
    assert [(i["name"], i["type"]) for i in listing] == [
        ("file1.txt", "file"),
        ("file2.txt", "file"),
        ("file3.txt", "file"),
    ]


def test_mirror_polled_by_status_field_then_successes_paged_by_marker(notebook):
    _, tc = notebook
    tdata = transfer_data(
        tc, TUTORIAL_1, TUTORIAL_2, delete_destination_extra=True, preserve_timestamp=True
    )
    tdata.add_item("/home/share/godata/", "/~/notebook_godata/", recursive=True)
    task_id = tc.submit_transfer(tdata)["task_id"]
    status = tc.get_task(task_id, query_params=dict(fields="status"))["status"]
    assert status == "SUCCEEDED"
    # the notebook's low-level GET: globus-sdk 3's base URL carries /v0.10,
    # 4's methods add it to each path
    version = "" if tc.base_url.rstrip("/").endswith("v0.10") else "/v0.10"
    pairs, marker = [], None
    while True:
        page = tc.get(
            f"{version}/task/{task_id}/successful_transfers", query_params=dict(marker=marker)
        )
        marker = page["next_marker"]
        pairs += [(t["source_path"], t["destination_path"]) for t in page["DATA"]]
        if marker is None:
            break
    assert sorted(pairs) == [
        (f"/home/share/godata/file{i}.txt", f"/home/share/godata/notebook_godata/file{i}.txt")
        for i in (1, 2, 3)
    ]


def test_filtered_listing_feeds_a_submission(notebook, globus_emulator):
    _, tc = notebook
    globus_emulator.transfer.write(TUTORIAL_1, "/home/share/godata/notes.md", "skip me")
    tdata = transfer_data(tc, TUTORIAL_1, TUTORIAL_2)
    for item in tc.operation_ls(TUTORIAL_1, path="/home/share/godata/", filter="name:~*.txt"):
        tdata.add_item(
            "/home/share/godata/" + item["name"], "/~/notebook_txt_godata/" + item["name"]
        )
    task = tc.get_task(tc.submit_transfer(tdata)["task_id"])
    assert (task["status"], task["files"]) == ("SUCCEEDED", 3)


def test_error_watch_finds_file_not_found_and_parses_its_time(notebook):
    _, tc = notebook
    tdata = transfer_data(tc, TUTORIAL_1, TUTORIAL_2)
    tdata.add_item("/home/share/godata/", "/~/notebook_godata/", recursive=True)
    tdata.add_item("/home/share/godata/dne.txt", "/~/notebook_godata/dne.txt")
    task_id = tc.submit_transfer(tdata)["task_id"]
    assert tc.get_task(task_id)["status"] == "FAILED"
    errors = list(tc.task_event_list(task_id, query_params=dict(filter_is_error=True)))
    assert {e["code"] for e in errors} == {"FILE_NOT_FOUND"}
    for error in errors:  # the notebook's own format: whole seconds, +00:00
        datetime.strptime(error["time"], "%Y-%m-%dT%H:%M:%S+00:00")
    task = tc.get_task(task_id)
    datetime.strptime(task["request_time"], "%Y-%m-%dT%H:%M:%S+00:00")


AUTOMATION_NOTEBOOK_CLIENT_ID = "f794186b-f330-4595-b6c6-9c9d3e903e47"


def test_automation_notebook_login_gives_flows_tokens_and_userinfo(globus_emulator):
    # Automation_Using_Globus_Flows.ipynb's login cell (no GLOBUS_DATA), then
    # its identity cell
    client = globus_sdk.NativeAppAuthClient(AUTOMATION_NOTEBOOK_CLIENT_ID)
    client.oauth2_start_flow(
        requested_scopes=[
            "openid",
            "profile",
            "email",
            f"urn:globus:auth:scope:transfer.api.globus.org:all"
            f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access]",
            globus_sdk.FlowsClient.scopes.manage_flows,
            globus_sdk.FlowsClient.scopes.run_manage,
        ]
    )
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code).by_resource_server
    flows = globus_sdk.FlowsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["flows.globus.org"]["access_token"])
    )
    assert list(flows.list_flows()) == []
    ac = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["auth.globus.org"]["access_token"])
    )
    # the notebook's oauth2_userinfo (globus-sdk 3); 4 names it userinfo
    userinfo = getattr(ac, "oauth2_userinfo", None) or ac.userinfo
    userinfo = userinfo()
    assert (userinfo["sub"], userinfo["preferred_username"]) == (
        globus_emulator.user.id,
        globus_emulator.user.username,
    )
    assert userinfo["email"]
