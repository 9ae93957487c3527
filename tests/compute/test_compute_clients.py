"""globus-sdk's ComputeClientV2 and V3 against the emulator (no
globus-compute-sdk needed, except to serialize what really runs)."""

from __future__ import annotations

import importlib.util
import uuid

import globus_sdk
import pytest

from .conftest import COMPUTE_ALL

HAS_COMPUTE_SDK = importlib.util.find_spec("globus_compute_sdk") is not None
# Any string will do as code for registration; running needs the real thing.
OPAQUE_CODE = "10\n01\n:opaque"


@pytest.fixture
def v2(compute_authorizer):
    return globus_sdk.ComputeClientV2(authorizer=compute_authorizer)


@pytest.fixture
def v3(compute_authorizer):
    return globus_sdk.ComputeClientV3(authorizer=compute_authorizer)


def register(v3, name="f", code=OPAQUE_CODE, **extra):
    body = {"function_name": name, "function_code": code, "meta": {"python_version": "3.11"}}
    return v3.register_function({**body, **extra})["function_uuid"]


def test_version_reports_the_minimum_sdk_versions(v2):
    assert v2.get_version().data == v2.get_version(service="all")["api"]
    assert "min_ep_version" in v2.get_version(service="all")


def test_function_registers_reads_back_and_deletes(v2, v3):
    function_id = register(v3, "howdy", description="says hi")
    got = v2.get_function(function_id)
    assert (got["function_name"], got["function_code"]) == ("howdy", OPAQUE_CODE)
    assert got["description"] == "says hi"
    assert got["metadata"] == {"python_version": "3.11"}
    v2.delete_function(function_id)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v2.get_function(function_id)
    assert caught.value.http_status == 404
    assert caught.value.code == "FUNCTION_NOT_FOUND"


def test_function_without_code_is_refused(v3):
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v3.register_function({"function_name": "empty"})
    assert caught.value.http_status == 400


def test_endpoint_registers_lists_updates_and_deletes(v2, v3):
    endpoint_id = v3.register_endpoint({"endpoint_name": "hpc", "display_name": "HPC"})[
        "endpoint_id"
    ]
    assert [e["uuid"] for e in v2.get_endpoints()] == [endpoint_id]
    v3.update_endpoint(endpoint_id, {"display_name": "Big HPC"})
    assert v2.get_endpoint(endpoint_id)["display_name"] == "Big HPC"
    assert v2.get_endpoint_status(endpoint_id)["status"] == "online"
    v2.delete_endpoint(endpoint_id)
    assert v2.get_endpoints().data == []


def test_public_endpoints_are_listed_for_role_any_only(globus_emulator, v2):
    other = globus_emulator.auth.add_identity("someone-else")
    public = globus_emulator.compute.create_endpoint("shared", owner=other.id, public=True)
    globus_emulator.compute.create_endpoint("hidden", owner=other.id)
    assert v2.get_endpoints().data == []
    assert [e["uuid"] for e in v2.get_endpoints(role="any")] == [public.id]


def test_someone_elses_private_endpoint_is_not_found(globus_emulator, v2):
    other = globus_emulator.auth.add_identity("someone-else")
    hidden = globus_emulator.compute.create_endpoint("hidden", owner=other.id)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v2.get_endpoint(hidden.id)
    assert caught.value.http_status == 404


def test_allowlist_restricts_what_an_endpoint_runs(v3):
    allowed = register(v3, "allowed")
    other = register(v3, "other")
    endpoint_id = v3.register_endpoint({"endpoint_name": "strict", "allowed_functions": [allowed]})[
        "endpoint_id"
    ]
    listed = v3.get_endpoint_allowlist(endpoint_id)
    assert (listed["restricted"], listed["functions"]) == (True, [allowed])
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v3.submit(endpoint_id, {"tasks": {other: ["payload"]}})
    assert caught.value.http_status == 403


def test_locked_endpoint_refuses_submissions(v3, endpoint):
    function_id = register(v3)
    v3.lock_endpoint(endpoint.id)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v3.submit(endpoint.id, {"tasks": {function_id: ["payload"]}})
    assert caught.value.http_status == 423


def test_submission_to_an_unknown_endpoint_is_not_found(v3):
    function_id = register(v3)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v3.submit(str(uuid.uuid4()), {"tasks": {function_id: ["payload"]}})
    assert caught.value.http_status == 404


def test_compute_calls_need_a_compute_token(globus_emulator):
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    client = globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        client.get_endpoints()
    assert caught.value.http_status == 401


@pytest.mark.skipif(HAS_COMPUTE_SDK, reason="globus-compute-sdk is installed here")
def test_submission_without_globus_compute_sdk_says_what_to_install(v3, endpoint, globus_emulator):
    function_id = register(v3)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v3.submit(endpoint.id, {"tasks": {function_id: ["payload"]}})
    assert caught.value.http_status == 501
    assert "pip install globus-compute-sdk" in caught.value.text
    assert globus_emulator.world.compute.tasks == {}


def serialized(*objects):
    from globus_compute_sdk.serialize import ComputeSerializer

    serializer = ComputeSerializer()
    return serializer, serializer.pack_buffers([serializer.serialize(o) for o in objects])


def triple(x):
    return 3 * x


@pytest.mark.skipif(not HAS_COMPUTE_SDK, reason="running functions needs globus-compute-sdk")
def test_v3_batch_runs_and_v2_reads_task_batch_and_group(v2, v3, endpoint):
    serializer, code = serialized(triple)
    function_id = register(v3, "triple", code=code)
    payloads = [serialized((n,), {})[1] for n in (1, 2)]
    submitted = v3.submit(endpoint.id, {"tasks": {function_id: payloads}})
    task_ids = submitted["tasks"][function_id]
    statuses = v2.get_task_batch(task_ids)["results"]
    assert [serializer.deserialize(statuses[t]["result"]) for t in task_ids] == [3, 6]
    assert v2.get_task(task_ids[0])["status"] == "success"
    group = v2.get_task_group(submitted["task_group_id"])
    assert [t["id"] for t in group["tasks"]] == task_ids


@pytest.mark.skipif(not HAS_COMPUTE_SDK, reason="running functions needs globus-compute-sdk")
def test_v2_submit_runs_tasks_into_an_existing_task_group(v2, v3, endpoint):
    serializer, code = serialized(triple)
    function_id = register(v3, "triple", code=code)
    first = v3.submit(endpoint.id, {"tasks": {function_id: [serialized((1,), {})[1]]}})
    group_id = first["task_group_id"]
    answer = v2.submit(
        {"task_group_id": group_id, "tasks": [[function_id, endpoint.id, serialized((5,), {})[1]]]}
    )
    assert answer["task_group_id"] == group_id
    task_id = answer["results"][0]["task_uuid"]
    assert serializer.deserialize(v2.get_task(task_id)["result"]) == 15
    assert len(v2.get_task_group(group_id)["tasks"]) == 2


def test_world_file_endpoints_are_there_from_the_start():
    from globus_testkit import Emulator

    endpoint_id = "0c48c27a-0c2d-4028-a71b-d78697abbc4a"
    world = {
        "compute_endpoints": [
            {"id": endpoint_id, "name": "hpc", "display_name": "HPC", "status": "offline"}
        ]
    }
    with Emulator(world=world) as emulator:
        token = emulator.auth.issue_token(emulator.user, COMPUTE_ALL)
        v2 = globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        assert v2.get_endpoint(endpoint_id)["display_name"] == "HPC"
        assert v2.get_endpoint_status(endpoint_id)["status"] == "offline"


def test_world_file_with_an_unknown_endpoint_field_is_refused():
    from globus_testkit import Emulator

    with pytest.raises(Exception, match="colour"):
        Emulator(world={"compute_endpoints": [{"name": "hpc", "colour": "blue"}]})


def test_function_shared_with_a_group_is_visible_to_its_members_only(globus_emulator, v3):
    member = globus_emulator.auth.add_identity("member")
    outsider = globus_emulator.auth.add_identity("outsider")
    group = globus_emulator.world.groups.create("lab", {member.id: "member"})
    function_id = register(v3, "shared", group=group.id)

    def v2_for(identity):
        token = globus_emulator.auth.issue_token(identity, COMPUTE_ALL)
        return globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    assert v2_for(member).get_function(function_id)["function_name"] == "shared"
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v2_for(outsider).get_function(function_id)
    assert caught.value.http_status == 404


def test_a_world_file_endpoint_owner_is_named_by_username_and_checked():
    from globus_testkit import Emulator
    from globus_testkit.worlds import WorldError

    ada = {"identities": [{"username": "ada@example.org"}]}
    world = {**ada, "compute_endpoints": [{"name": "hpc", "owner": "ada@example.org"}]}
    with Emulator(world=world) as emulator:
        owner = emulator.world.auth.identity_by_username("ada@example.org")
        token = emulator.auth.issue_token(owner, COMPUTE_ALL)
        v2 = globus_sdk.ComputeClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        assert [e["owner"] for e in v2.get_endpoints()] == [owner.id]
    unknown = {**ada, "compute_endpoints": [{"name": "hpc", "owner": "nobody@example.org"}]}
    with pytest.raises(WorldError, match=r"^world\.compute_endpoints\[0\]\.owner: no identity"):
        Emulator(world=unknown)
