"""Property-based: no input makes Globus Auth answer 500 or change the
world when it refuses. Requests go through the transport under test."""

from __future__ import annotations

import base64
import pickle

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
scope_text = st.text(alphabet="ab*[] :/.", max_size=24) | st.sampled_from(
    [
        "openid",
        "openid profile",
        "urn:globus:auth:scope:transfer.api.globus.org:all[*x]",
        "[",
        "a[b",
    ]
)


def fingerprint(emulator):
    return pickle.dumps(emulator.world.auth)


@SETTINGS
@given(
    form=st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "scope",
                "code",
                "redirect_uri",
                "code_verifier",
                "refresh_token",
                "token",
                "client_id",
                "client_secret",
                "access_type",
                "include",
            ]
        ),
        st.text(max_size=30) | scope_text,
        max_size=6,
    ),
    basic=st.one_of(
        st.none(), st.text(alphabet="abcXYZ019+/=:", max_size=20), st.just("service-account")
    ),
    path=st.sampled_from(
        [
            "/v2/oauth2/token",
            "/v2/oauth2/token/introspect",
            "/v2/oauth2/token/revoke",
            "/v2/oauth2/token/validate",
        ]
    ),
)
def test_oauth_endpoints_never_fail_inside_and_refusals_change_nothing(
    globus_emulator, auth_url, form, basic, path
):
    headers = {}
    if basic == "service-account":
        account = globus_emulator.service_account
        raw = f"{account.client_id}:{account.client_secret}"
        headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode()
    elif basic is not None:
        headers["Authorization"] = "Basic " + basic
    before = fingerprint(globus_emulator)
    answer = requests.post(auth_url + path, data=form, headers=headers, timeout=10)
    assert answer.status_code < 500, answer.text
    body = answer.json()
    if answer.status_code >= 400:
        assert "error" in body
        assert fingerprint(globus_emulator) == before


@SETTINGS
@given(
    method=st.sampled_from(["POST", "PUT", "DELETE", "GET"]),
    path=st.sampled_from(
        [
            "/v2/api/clients",
            "/v2/api/projects",
            "/v2/api/clients/{client}",
            "/v2/api/clients/{client}/scopes",
            "/v2/api/clients/{client}/credentials",
            "/v2/api/scopes/{scope}",
            "/v2/api/projects/{random}",
            "/v2/api/identities",
            "/v2/api/identities/{random}/consents",
            "/v2/api/scopes",
        ]
    ),
    body=json_values,
    random_id=st.uuids().map(str) | st.text(alphabet="abc/%.-", min_size=1, max_size=12),
    query=st.dictionaries(
        st.sampled_from(["ids", "usernames", "all", "scope_strings", "fqdn"]),
        st.text(max_size=15),
        max_size=2,
    ),
)
def test_api_endpoints_never_fail_inside_and_refusals_change_nothing(
    globus_emulator, auth_url, method, path, body, random_id, query
):
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:auth.globus.org:manage_projects"
    )
    path = path.format(
        client=globus_emulator.native_client_id,
        scope=next(iter(globus_emulator.world.auth.scopes)),
        random=random_id,
    )
    before = fingerprint(globus_emulator)
    answer = requests.request(
        method,
        auth_url + path,
        json=body,
        params=query,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code < 500 or answer.status_code == 501, answer.text
    if answer.status_code >= 400:
        assert "errors" in answer.json()
        assert fingerprint(globus_emulator) == before
