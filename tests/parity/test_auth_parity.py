"""Globus Auth answers have the shape globus-sdk recorded from the real
service. Each test drives the emulator through the SDK method whose
recording it compares against; known deviations live, with reasons, in
fixtures/parity/deviations.json."""

from __future__ import annotations

from pathlib import Path

import globus_sdk
import pytest

from globus_testkit import parity

# globus-sdk 3.x wheels do not ship globus_sdk.testing; the recordings of
# the 4.x line are the reference.
pytest.importorskip("globus_sdk.testing")

MANAGE = "urn:globus:auth:scope:auth.globus.org:manage_projects"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def manager(emulator):
    token = emulator.auth.issue_token(emulator.user, MANAGE)
    return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def confidential(emulator):
    account = emulator.service_account
    return globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)


def project_and_client(emulator):
    auth = manager(emulator)
    project = auth.create_project("Lab", contact_email="lab@example.org")["project"]
    client = auth.create_client("app", project=project["id"], public_client=False)["client"]
    return auth, project, client


def userinfo_unauthorized(emulator):
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("AgNope"))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth.get("/v2/oauth2/userinfo")
    return caught.value.raw_json


def introspect(emulator):
    token = emulator.auth.issue_token(
        emulator.user, "openid profile email", client_id=emulator.service_account.client_id
    )
    return confidential(emulator).oauth2_token_introspect(token).data


def exchange_code(emulator):
    client = globus_sdk.NativeAppAuthClient(emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes=f"openid profile email {TRANSFER_ALL}")
    code = emulator.auth.authorize(client.oauth2_get_authorize_url())
    return client.oauth2_exchange_code_for_tokens(code).data


def dependent_tokens(emulator):
    auth = emulator.world.auth
    from globus_testkit.services.auth.models import Dependency

    service = emulator.auth.register_client("svc")
    scope = auth.register_scope(
        f"https://auth.globus.org/scopes/{service.id}/all",
        client_id=service.id,
        dependencies=[Dependency(auth.scope_by_string(TRANSFER_ALL).id)],
    )
    token = emulator.auth.issue_token(emulator.user, scope.scope_string)
    client = globus_sdk.ConfidentialAppAuthClient(service.id, service.credentials[0].secret)
    return client.oauth2_get_dependent_tokens(token).data


def consents(emulator):
    emulator.auth.issue_token(emulator.user, TRANSFER_ALL)
    token = emulator.auth.issue_token(emulator.user, "openid")
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return auth.get_consents(emulator.user.id).data


def scope_on_new_client(emulator):
    auth, _, client = project_and_client(emulator)
    return auth, client, auth.create_scope(client["id"], "Do", "Do things", "do")


OPERATIONS = {
    "auth.userinfo/unauthorized": userinfo_unauthorized,
    "auth.get_identities": lambda e: manager(e).get_identities(usernames=[e.user.username]).data,
    "auth.get_consents": consents,
    "auth.oauth2_token_introspect": introspect,
    "auth.oauth2_client_credentials_tokens": lambda e: (
        confidential(e).oauth2_client_credentials_tokens(requested_scopes=TRANSFER_ALL).data
    ),
    "auth.oauth2_exchange_code_for_tokens": exchange_code,
    "auth.oauth2_get_dependent_tokens/groups": dependent_tokens,
    "auth.oauth2_revoke_token": lambda e: confidential(e).oauth2_revoke_token("AgUnknown").data,
    "auth.create_project": lambda e: (
        project_and_client(e)[1]
        and manager(e).create_project("X", contact_email="x@example.org").data
    ),
    "auth.get_projects": lambda e: (project_and_client(e), manager(e).get_projects().data)[1],
    "auth.create_client": lambda e: (
        project_and_client(e)[0]
        .create_client("a", project=project_and_client(e)[1]["id"], public_client=True)
        .data
    ),
    "auth.get_client": lambda e: (lambda a, p, c: a.get_client(client_id=c["id"]).data)(
        *project_and_client(e)
    ),
    "auth.get_clients": lambda e: (lambda a, p, c: a.get_clients().data)(*project_and_client(e)),
    "auth.create_client_credential": lambda e: (
        lambda a, p, c: a.create_client_credential(c["id"], "k").data
    )(*project_and_client(e)),
    "auth.create_scope": lambda e: scope_on_new_client(e)[2].data,
    "auth.get_scopes": lambda e: manager(e).get_scopes(scope_strings=[TRANSFER_ALL]).data,
    "auth.create_native_app_instance": lambda e: (
        globus_sdk.NativeAppAuthClient("95fdeba8-fac2-42bd-a357-e068d82ff78e")
        .create_native_app_instance("95fdeba8-fac2-42bd-a357-e068d82ff78e", "Globus CLI")
        .data
    ),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_answer_has_the_recorded_shape(operation, globus_emulator):
    set_id, _, case = operation.partition("/")
    answer = OPERATIONS[operation](globus_emulator)
    assert parity.check(set_id, answer, case or "default") == []
    assert parity.stale_deviations(set_id, answer, case or "default") == []


def test_the_coverage_table_in_the_docs_is_current():
    docs = Path(__file__).resolve().parents[2] / "docs" / "parity.md"
    assert parity.coverage_table() in docs.read_text(), (
        "regenerate it: python -m globus_testkit.parity --update docs/parity.md"
    )
