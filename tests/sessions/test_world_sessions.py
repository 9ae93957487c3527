"""World files declare identity providers, linked identity sets, projects,
Auth policies, and the sessions collections demand; a bad one is refused
with the field named and no world built."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit import Emulator
from globus_testkit.apps import user_app
from globus_testkit.resources import fixtures_dir
from globus_testkit.worlds import WorldError

WORLD = fixtures_dir() / "worlds" / "high-assurance.json"
POLICY = "9c8b7a6d-5e4f-4321-8765-0fedcba98765"
PROJECT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PROTECTED = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
SCRATCH = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
CAMPUS = "2b9e4c1d-7a3f-4e5b-8c6d-0f1a2b3c4d5e"


def ls(client, collection, path):
    return [e["name"] for e in client.operation_ls(collection, path=path)]


@pytest.mark.globus(world=str(WORLD))
def test_a_world_files_policy_is_its_projects_and_its_user_manages_it(globus_emulator):
    auth = globus_sdk.AuthClient(app=user_app(globus_emulator))
    policy = auth.get_policy(POLICY)["policy"]
    assert policy["project_id"] == PROJECT
    assert policy["required_mfa"] is True
    assert policy["domain_constraints_include"] == ["example.edu"]
    assert [p["id"] for p in auth.get_policies()["policies"]] == [POLICY]


@pytest.mark.globus(world=str(WORLD))
def test_a_world_files_identity_provider_and_identity_set(globus_emulator):
    auth = globus_sdk.AuthClient(app=user_app(globus_emulator))
    [provider] = auth.get_identity_providers(domains=["example.edu"])["identity_providers"]
    assert provider["id"] == "5f0c1e7a-2b4d-4c8e-9a6f-1d3b5e7c9a20"
    assert provider["name"] == "Example University"
    campus = globus_emulator.world.auth.identities[CAMPUS]
    assert campus.identity_provider == provider["id"]
    linked = {i.username for i in globus_emulator.world.auth.identity_set(CAMPUS)}
    assert linked == {"jdoe@example.edu", "jane@uchicago.edu"}


@pytest.mark.globus(world=str(WORLD))
def test_a_world_files_collection_demands_its_policy_until_the_person_logs_in(
    globus_emulator,
):
    app = user_app(globus_emulator, identity=CAMPUS)
    client = globus_sdk.TransferClient(app=app)
    client.add_app_data_access_scope([PROTECTED, SCRATCH])
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        ls(client, SCRATCH, "/scratch/")
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]
    app.login(auth_params=gare.authorization_parameters)
    assert ls(client, SCRATCH, "/scratch/") == ["notes.txt"]
    # the policy wants MFA, which the first logins did not use
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        ls(client, PROTECTED, "/data/")
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare.authorization_parameters.session_required_policies == [POLICY]
    app.login(auth_params=gare.authorization_parameters)
    assert ls(client, PROTECTED, "/data/") == ["results.csv"]
    globus_emulator.transfer.expire_assurance(PROTECTED)
    with pytest.raises(globus_sdk.TransferAPIError):
        ls(client, PROTECTED, "/data/")


def test_the_sessions_page_world_links_the_worlds_user_by_username():
    import json
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "sessions.md"
    [example] = re.findall(r"```json\n(.*?)```", page.read_text(), re.S)
    emulator = Emulator(world=json.loads(example))
    linked = {i.username for i in emulator.world.auth.identity_set(emulator.user.id)}
    assert linked == {"jdoe@globusid.org", "jdoe@uchicago.edu"}
    collections = emulator.world.transfer.collections.values()
    [protected] = [c for c in collections if c.display_name == "Protected data"]
    assert protected.session_requirement.policy_ids == ["9c8b7a6d-5e4f-4321-8765-0fedcba98765"]


def test_the_fixture_world_round_trips_through_a_state_file(tmp_path):
    emulator = Emulator(world=WORLD)
    path = tmp_path / "state.json"
    emulator.save_state(path)
    restored = Emulator()
    restored.load_state(path)
    collection = restored.world.transfer.collections[PROTECTED]
    assert collection.session_requirement.policy_ids == [POLICY]
    assert restored.world.auth.policy(POLICY).authentication_assurance_timeout == 3600


POLICY_ITEM = {"display_name": "HA", "high_assurance": True}
REQUIRE_POLICY = {"policies": [POLICY]}


@pytest.mark.parametrize(
    ("world", "message"),
    [
        (
            {"collections": [{"display_name": "Lab", "session_requirement": REQUIRE_POLICY}]},
            f"world.collections[0].session_requirement: no policy {POLICY} (add it under policies)",
        ),
        (
            {"collections": [{"display_name": "Lab", "session_requirement": {"domain": ["x"]}}]},
            "world.collections[0].session_requirement: unknown key 'domain'; "
            "did you mean 'domains'?",
        ),
        (
            {"policies": [{"display_name": "MFA", "required_mfa": True}]},
            "world.policies[0]: required_mfa can only be set on a high_assurance policy",
        ),
        (
            {"policies": [{**POLICY_ITEM, "project_id": PROJECT}]},
            f"world.policies[0]: no project {PROJECT} (add it under projects)",
        ),
        (
            {"policies": [{**POLICY_ITEM, "authentication_assurance_timeout": 0}]},
            "world.policies[0].authentication_assurance_timeout: 0 is less than the minimum of 1",
        ),
        (
            {"policies": [{**POLICY_ITEM, "id": POLICY}, {**POLICY_ITEM, "id": POLICY}]},
            f"world.policies[1]: policy {POLICY} already exists",
        ),
        (
            {"projects": [{"display_name": "P", "admins": ["nobody@example.org"]}]},
            "world.projects[0]: no identity 'nobody@example.org' (add it under identities)",
        ),
        (
            {"identity_providers": [{"name": "Globus ID again", "domains": ["globusid.org"]}]},
            "world.identity_providers[0]: domains already have a provider: ['globusid.org']",
        ),
        (
            {"identity_providers": [{"name": "Nowhere", "domains": []}]},
            "world.identity_providers[0].domains: []",  # jsonschema words the rest
        ),
        (
            {"identities": [{"username": "a@example.org", "linked": [PROJECT]}]},
            f"world.identities[0].linked: cannot link {PROJECT}: no such identity",
        ),
    ],
)
def test_a_bad_session_world_is_refused_naming_the_field(world, message):
    with pytest.raises(WorldError) as refused:
        Emulator(world=world)
    assert str(refused.value).startswith(message)
