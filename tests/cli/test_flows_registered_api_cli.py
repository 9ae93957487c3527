"""`globus flows registered-api list|show` (globus-cli 3.44), unchanged,
against the live server: a registered API the CLI's identity may view."""

from __future__ import annotations

import json

import globus_sdk

from .test_globus_cli import globus, pytestmark  # noqa: F401  (skipped without globus-cli)

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
TARGET = {
    "type": "openapi",
    "openapi_version": "3.1",
    "destination": {"method": "get", "url": "https://groups.api.globus.org/v2/groups/{group_id}"},
    "specification": {"summary": "Get Group", "security": [{"GlobusAuth": []}]},
}


def test_the_cli_lists_and_shows_a_registered_api(cli_env, globus_emulator):
    cli_identity = f"urn:globus:auth:identity:{globus_emulator.service_account.client_id}"
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    api = flows.post(
        "/registered_apis",
        data={
            "name": "get-group",
            "description": "Globus Groups: get a group",
            "target": TARGET,
            "roles": {"viewers": [cli_identity]},
        },
    ).data

    owned = json.loads(globus(cli_env, "flows", "registered-api", "list", "-Fjson").stdout)
    assert owned["registered_apis"] == []  # the CLI's identity owns none
    viewed = json.loads(
        globus(
            cli_env, "flows", "registered-api", "list", "--filter-role", "viewer", "-Fjson"
        ).stdout
    )
    assert [a["id"] for a in viewed["registered_apis"]] == [api["id"]]
    shown = globus(cli_env, "flows", "registered-api", "show", api["id"]).stdout
    assert "get-group" in shown and "Globus Groups: get a group" in shown
