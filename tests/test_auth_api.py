"""Introspection, userinfo, identities, consents and the /v2/api resources,
through globus-sdk's clients."""

from __future__ import annotations

import globus_sdk
import pytest

from conftest import userinfo

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
MANAGE_PROJECTS = "urn:globus:auth:scope:auth.globus.org:manage_projects"
TRANSFER = "transfer.api.globus.org"
TUTORIAL = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


def confidential(emulator):
    account = emulator.service_account
    return globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)


def test_introspect_shows_the_token_to_the_client_it_was_issued_to(globus_emulator):
    client = confidential(globus_emulator)
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "openid", client_id=globus_emulator.service_account.client_id
    )
    result = client.oauth2_token_introspect(token, include="identity_set,session_info")
    assert result["active"] is True
    assert result["sub"] == globus_emulator.user.id
    assert result["username"] == globus_emulator.user.username
    assert result["scope"] == "openid"
    assert result["identity_set"] == [globus_emulator.user.id]
    assert globus_emulator.user.id in result["session_info"]["authentications"]


def test_introspect_of_someone_elses_token_is_inactive(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid")  # native app's
    assert confidential(globus_emulator).oauth2_token_introspect(token).data == {"active": False}


def test_introspect_of_an_expired_token_is_inactive(globus_emulator):
    account = globus_emulator.service_account.client_id
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid", client_id=account)
    globus_emulator.clock.advance(172801)
    assert confidential(globus_emulator).oauth2_token_introspect(token)["active"] is False


def test_revoked_token_is_refused_by_userinfo(globus_emulator, auth_client_for):
    client = confidential(globus_emulator)
    tokens = client.oauth2_client_credentials_tokens(requested_scopes="openid")
    token = tokens.by_resource_server["auth.globus.org"]["access_token"]
    client.oauth2_revoke_token(token)
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 401
    assert caught.value.code == "UNAUTHORIZED"


def test_made_up_token_is_refused_with_401(globus_emulator):
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("AgMadeUp"))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 401
    assert "not one Globus Auth issued" in caught.value.raw_json["errors"][0]["detail"]


def test_expired_token_is_refused_with_401(globus_emulator, auth_client_for):
    auth = auth_client_for()
    globus_emulator.clock.advance(172801)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 401
    assert "expired" in caught.value.raw_json["errors"][0]["detail"]


def test_token_for_another_resource_server_is_refused(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 401


@pytest.mark.globus(strict=False)
def test_lenient_mode_accepts_any_bearer_string(globus_emulator):
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("anything"))
    assert userinfo(auth)["sub"] == globus_emulator.user.id


def test_userinfo_answers_as_the_sdk_reads_it(globus_emulator, auth_client_for):
    info = userinfo(
        auth_client_for(
            scopes="openid profile email urn:globus:auth:scope:auth.globus.org:view_identity_set"
        )
    )
    user = globus_emulator.user
    assert info["sub"] == user.id
    assert info["preferred_username"] == user.username
    assert info["email"] == user.email
    assert [i["sub"] for i in info["identity_set"]] == [user.id]


def test_identities_by_username_and_by_id(globus_emulator, auth_client_for):
    other = globus_emulator.auth.add_identity("ada@example.org", name="Ada Lovelace")
    auth = auth_client_for()
    by_name = auth.get_identities(usernames=["ada@example.org", "nobody@example.org"])
    assert [i["id"] for i in by_name["identities"]] == [other.id]
    by_id = auth.get_identities(ids=[other.id, globus_emulator.user.id])
    assert {i["username"] for i in by_id["identities"]} == {
        "ada@example.org",
        globus_emulator.user.username,
    }


def test_provision_creates_an_unused_identity_for_a_known_provider(
    globus_emulator, auth_client_for
):
    auth = auth_client_for()
    assert auth.get_identities(usernames="newcomer@globusid.org")["identities"] == []
    made = auth.get_identities(usernames="newcomer@globusid.org", provision=True)["identities"]
    assert len(made) == 1
    assert made[0]["status"] == "unused"
    assert made[0]["name"] is None and made[0]["email"] is None
    assert made[0]["identity_provider"] == "41143743-f3c8-4d60-bbdb-eeecaba85bd9"
    again = auth.get_identities(usernames="newcomer@globusid.org", provision=True)
    assert again["identities"][0]["id"] == made[0]["id"]
    by_id = auth.get_identities(ids=made[0]["id"])["identities"]
    assert by_id[0]["username"] == "newcomer@globusid.org"


def test_provision_leaves_usernames_of_unknown_domains_unknown(auth_client_for):
    auth = auth_client_for()
    found = auth.get_identities(usernames="who@nowhere.invalid", provision=True)
    assert found["identities"] == []
    assert auth.get_identities(usernames="who@nowhere.invalid")["identities"] == []


def test_a_provisioned_identity_is_used_once_its_person_logs_in(globus_emulator, auth_client_for):
    auth = auth_client_for()
    made = auth.get_identities(usernames="later@globusid.org", provision=True)["identities"][0]
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid profile email")
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url(), made["id"])
    client.oauth2_exchange_code_for_tokens(code)
    shown = auth.get_identities(ids=made["id"])["identities"][0]
    assert shown["status"] == "used"
    assert shown["name"] and shown["email"] == "later@globusid.org"


def test_identity_map_resolves_usernames(globus_emulator, auth_client_for):
    globus_emulator.auth.add_identity("grace@example.org")
    idmap = globus_sdk.IdentityMap(auth_client_for())
    idmap.add("grace@example.org")
    assert idmap["grace@example.org"]["username"] == "grace@example.org"


def test_consents_show_dependency_paths_as_user_app_checks_them(globus_emulator):
    collection = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
    data_access = f"https://auth.globus.org/scopes/{collection}/data_access"
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes=f"openid {TRANSFER_ALL}[*{data_access}]")
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code)
    ac = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            tokens.by_resource_server["auth.globus.org"]["access_token"]
        )
    )
    forest = ac.get_consents(globus_emulator.user.id).to_forest()
    wanted = (
        globus_sdk.Scope(TRANSFER_ALL).with_dependency(globus_sdk.Scope(data_access))
        if hasattr(globus_sdk.Scope, "with_dependency")
        else globus_sdk.scopes.Scope(
            TRANSFER_ALL, dependencies=[globus_sdk.scopes.Scope(data_access)]
        )
    )
    assert forest.meets_scope_requirements(wanted)
    globus_emulator.auth.revoke_consent(globus_emulator.user, data_access)
    assert not ac.get_consents(globus_emulator.user.id).to_forest().meets_scope_requirements(wanted)


def test_consents_of_another_identity_are_forbidden(globus_emulator, auth_client_for):
    other = globus_emulator.auth.add_identity()
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth_client_for().get_consents(other.id)
    assert caught.value.http_status == 403


def test_projects_clients_credentials_and_scopes_round_trip(globus_emulator, auth_client_for):
    auth = auth_client_for(scopes=MANAGE_PROJECTS)
    project = auth.create_project("Lab", contact_email="lab@example.org")["project"]
    assert project["admin_ids"] == [globus_emulator.user.id]
    created = auth.create_client(
        "agent", project=project["id"], client_type="hybrid_confidential_client_resource_server"
    )
    client_id = created["client"]["id"]
    secret = auth.create_client_credential(client_id, "key")["credential"]["secret"]
    scope = auth.create_scope(
        client_id,
        "Launch",
        "Launch agents",
        "launch",
        dependent_scopes=[
            globus_sdk.DependentScopeSpec(
                globus_emulator.world.auth.scope_by_string(TRANSFER_ALL).id, False, False
            )
        ],
    )["scopes"][0]
    assert scope["scope_string"] == f"https://auth.globus.org/scopes/{client_id}/launch"
    app = globus_sdk.ConfidentialAppAuthClient(client_id, secret)
    tokens = app.oauth2_client_credentials_tokens(requested_scopes=scope["scope_string"])
    assert tokens.by_resource_server[client_id]["scope"] == scope["scope_string"]
    assert auth.get_client(client_id=client_id)["client"]["scopes"] == [scope["id"]]
    auth.delete_client(client_id)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        app.oauth2_client_credentials_tokens(requested_scopes="openid")
    assert caught.value.http_status == 401


def test_deleting_a_client_revokes_the_tokens_it_was_issued_and_only_those(
    globus_emulator, auth_client_for
):
    auth = auth_client_for(scopes=MANAGE_PROJECTS)
    project = auth.create_project("Lab", contact_email="lab@example.org")["project"]
    client_id = auth.create_client(
        "gone", project=project["id"], client_type="confidential_client"
    )["client"]["id"]
    secret = auth.create_client_credential(client_id, "key")["credential"]["secret"]
    app = globus_sdk.ConfidentialAppAuthClient(client_id, secret)
    tokens = app.oauth2_client_credentials_tokens(requested_scopes=TRANSFER_ALL)
    theirs = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            tokens.by_resource_server[TRANSFER]["access_token"]
        )
    )
    ours = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
        )
    )
    assert theirs.get_endpoint(TUTORIAL)["id"] == TUTORIAL
    auth.delete_client(client_id)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        theirs.get_endpoint(TUTORIAL)
    assert caught.value.http_status == 401
    assert ours.get_endpoint(TUTORIAL)["id"] == TUTORIAL


def test_malformed_client_body_is_refused_with_auth_errors_and_no_change(
    globus_emulator, auth_client_for
):
    auth = auth_client_for(scopes=MANAGE_PROJECTS)
    before = len(globus_emulator.world.auth.clients)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth.post("/v2/api/clients", data={"client": {"name": 7}})
    assert caught.value.http_status == 400
    assert caught.value.raw_json["errors"][0]["code"] == "INVALID_PARAMETERS"
    assert len(globus_emulator.world.auth.clients) == before


def test_openid_configuration_has_an_absolute_jwks_uri(globus_emulator):
    config = globus_sdk.AuthClient().get_openid_configuration()
    assert config["jwks_uri"].startswith(("https://auth.globus.org/", "http://127.0.0.1"))
    assert config["jwks_uri"].endswith("/jwk.json")


def test_a_token_works_until_the_instant_it_expires(globus_emulator):
    account = globus_emulator.service_account.client_id
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "openid", client_id=account, lifetime=600
    )
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    globus_emulator.clock.advance(599)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert confidential(globus_emulator).oauth2_token_introspect(token)["active"] is True
    globus_emulator.clock.advance(1)  # expires_at itself: no longer valid
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 401
    assert confidential(globus_emulator).oauth2_token_introspect(token)["active"] is False


@pytest.mark.parametrize(
    ("scopes", "claims"),
    [
        ("openid", {"sub"}),
        ("openid email", {"sub", "email"}),
        (
            "openid profile",
            {
                "sub",
                "preferred_username",
                "name",
                "organization",
                "identity_provider",
                "identity_provider_display_name",
                "last_authentication",
            },
        ),
    ],
)
def test_userinfo_claims_follow_the_scopes_granted(auth_client_for, scopes, claims):
    assert set(userinfo(auth_client_for(scopes=scopes)).data) == claims
