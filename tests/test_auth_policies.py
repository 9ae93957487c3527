"""Auth policies and identity providers, through globus-sdk's AuthClient."""

from __future__ import annotations

import globus_sdk
import pytest

MANAGE_PROJECTS = "urn:globus:auth:scope:auth.globus.org:manage_projects"


@pytest.fixture
def admin(globus_emulator, auth_client_for):
    return auth_client_for(scopes=MANAGE_PROJECTS)


@pytest.fixture
def project_id(admin):
    return admin.create_project("Policies", contact_email="admin@example.org")["project"]["id"]


def test_a_policy_round_trips_through_create_get_update_list_delete(admin, project_id):
    created = admin.create_policy(
        project_id=project_id,
        display_name="Campus only",
        description="uchicago.edu identities, recently, with MFA",
        high_assurance=True,
        authentication_assurance_timeout=3600,
        required_mfa=True,
        domain_constraints_include=["uchicago.edu"],
    )["policy"]
    assert created["project_id"] == project_id
    assert created["high_assurance"] is True
    assert created["required_mfa"] is True
    assert created["domain_constraints_include"] == ["uchicago.edu"]
    assert created["domain_constraints_exclude"] is None

    assert admin.get_policy(created["id"])["policy"] == created
    updated = admin.update_policy(
        created["id"], authentication_assurance_timeout=60, domain_constraints_exclude=["x.org"]
    )["policy"]
    assert updated["authentication_assurance_timeout"] == 60
    assert updated["domain_constraints_exclude"] == ["x.org"]
    assert [p["id"] for p in admin.get_policies()] == [created["id"]]

    admin.delete_policy(created["id"])
    assert list(admin.get_policies()) == []
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        admin.get_policy(created["id"])
    assert caught.value.http_status == 404


def test_required_mfa_without_high_assurance_is_refused_and_nothing_changes(admin, project_id):
    policy = admin.create_policy(
        project_id=project_id, display_name="Plain", description="no assurance"
    )["policy"]
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        admin.update_policy(policy["id"], required_mfa=True)
    assert caught.value.http_status == 400
    assert admin.get_policy(policy["id"])["policy"] == policy


def test_a_policy_body_missing_its_description_is_refused(admin, project_id):
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        admin.post("/v2/api/policies", data={"policy": {"project_id": project_id}})
    assert caught.value.http_status == 400
    assert list(admin.get_policies()) == []


def test_only_project_admins_see_and_change_its_policies(
    globus_emulator, admin, project_id, auth_client_for
):
    policy = admin.create_policy(project_id=project_id, display_name="P", description="d")
    stranger = auth_client_for(globus_emulator.auth.add_identity(), MANAGE_PROJECTS)
    assert list(stranger.get_policies()) == []
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        stranger.delete_policy(policy["policy"]["id"])
    assert caught.value.http_status == 403
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        stranger.create_policy(project_id=project_id, display_name="Mine", description="d")
    assert caught.value.http_status == 403


def test_a_project_holding_policies_cannot_be_deleted(admin, project_id):
    admin.create_policy(project_id=project_id, display_name="P", description="d")
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        admin.delete_project(project_id)
    assert caught.value.http_status == 400


def test_identity_providers_are_found_by_domain_and_by_id(auth_client_for):
    auth = auth_client_for()
    by_domain = auth.get_identity_providers(domains=["globusid.org", "uchicago.edu"])
    names = {p["name"]: p for p in by_domain}
    assert names["Globus ID"]["id"] == "41143743-f3c8-4d60-bbdb-eeecaba85bd9"
    assert names["University of Chicago"]["domains"] == ["uchicago.edu"]
    by_id = auth.get_identity_providers(ids=names["University of Chicago"]["id"])
    assert [p["short_name"] for p in by_id] == ["uchicago"]
    one = auth.get(f"/v2/api/identity_providers/{names['Globus ID']['id']}")
    assert one["identity_provider"]["domains"] == ["globusid.org"]


def test_identities_name_the_provider_of_their_domain(globus_emulator, auth_client_for):
    jane = globus_emulator.auth.add_identity("jane@uchicago.edu")
    auth = auth_client_for()
    provider_id = auth.get_identities(ids=jane.id)["identities"][0]["identity_provider"]
    assert auth.get_identity_providers(ids=provider_id)["identity_providers"][0]["name"] == (
        "University of Chicago"
    )


def test_linked_identities_share_one_identity_set(globus_emulator):
    user = globus_emulator.user
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    lab = globus_emulator.auth.add_identity("jdoe@anl.gov")
    globus_emulator.auth.link_identities(user, campus, lab)
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    token = globus_emulator.auth.issue_token(lab, "openid", client_id=account.client_id)
    identity_set = client.oauth2_token_introspect(token, include="identity_set")["identity_set"]
    assert sorted(identity_set) == sorted([user.id, campus.id, lab.id])
    assert identity_set[0] == lab.id


def test_a_world_file_links_identities_in_both_directions(globus_emulator):
    from globus_testkit import Emulator

    ada_id = "9d3c8a53-56f3-4c2e-9bb5-3f1f9e1a2b01"
    lab_id = "9d3c8a53-56f3-4c2e-9bb5-3f1f9e1a2b02"
    world = {
        "identities": [
            {"username": "ada@globusid.org", "id": ada_id, "linked": [lab_id]},
            {"username": "ada@anl.gov", "id": lab_id},
        ]
    }
    auth = Emulator(world=world).world.auth
    assert [i.id for i in auth.identity_set(lab_id)] == [lab_id, ada_id]
    assert [i.id for i in auth.identity_set(ada_id)] == [ada_id, lab_id]
