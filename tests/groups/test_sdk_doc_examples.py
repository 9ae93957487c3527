"""globus-sdk's documented group-listing scripts (docs/examples/group_listing.rst),
step for step: the tutorial client logs in for view_my_groups_and_memberships,
then each group becomes a CSV row read from ``id``, ``name``, ``group_type``,
``enforce_session`` and the roles of ``my_memberships``. The person pasting
the code is the emulator; the second script keeps its tokens in a JSON
file and refreshes them when they expire."""

from __future__ import annotations

import globus_sdk
from globus_sdk.scopes import GroupsScopes

try:
    from globus_sdk.token_storage.legacy import SimpleJSONFileAdapter
except ImportError:  # globus-sdk 3 names the same adapter's module tokenstorage
    from globus_sdk.tokenstorage import SimpleJSONFileAdapter  # type: ignore[no-redef]

TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"


def csv_rows(groups_client: globus_sdk.GroupsClient) -> list[str]:
    """What the scripts print after their header, one line per group."""
    rows = []
    for group in groups_client.get_my_groups():
        strictness = "strict" if group.get("enforce_session") else "not strict"
        roles = ",".join(sorted({m["role"] for m in group["my_memberships"]}))
        rows.append(",".join([group["id"], group["name"], group["group_type"], strictness, roles]))
    return rows


def seed_groups(globus_emulator):
    """A group the user runs, one with a high-assurance policy they belong
    to, and one they are not in."""
    me = globus_emulator.user.id
    other = globus_emulator.auth.add_identity("owner@example.org").id
    mine = globus_emulator.groups.create("Mine", {me: "admin"})
    strict = globus_emulator.groups.create(
        "Strict",
        {other: "admin", me: "member"},
        policies={"is_high_assurance": True, "authentication_assurance_timeout": 3600},
    )
    globus_emulator.groups.create("Elsewhere", {other: "admin"})
    return mine, strict


def test_the_group_listing_script_prints_each_of_my_groups(globus_emulator):
    mine, strict = seed_groups(globus_emulator)
    auth_client = globus_sdk.NativeAppAuthClient(TUTORIAL_CLIENT_ID)
    auth_client.oauth2_start_flow(requested_scopes=GroupsScopes.view_my_groups_and_memberships)
    code = globus_emulator.auth.authorize(auth_client.oauth2_get_authorize_url())
    tokens = auth_client.oauth2_exchange_code_for_tokens(code)
    groups_tokens = tokens.by_resource_server["groups.api.globus.org"]
    groups_client = globus_sdk.GroupsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(groups_tokens["access_token"])
    )
    assert sorted(csv_rows(groups_client)) == sorted(
        [
            f"{mine.id},Mine,regular,not strict,admin",
            f"{strict.id},Strict,regular,strict,member",
        ]
    )


def test_the_token_storage_variant_logs_in_once_then_refreshes(globus_emulator, tmp_path):
    mine, _ = seed_groups(globus_emulator)
    auth_client = globus_sdk.NativeAppAuthClient(TUTORIAL_CLIENT_ID)
    adapter = SimpleJSONFileAdapter(str(tmp_path / "list-my-globus-groups-tokens.json"))

    def groups_client_from_storage() -> globus_sdk.GroupsClient:
        if not adapter.file_exists():
            auth_client.oauth2_start_flow(
                requested_scopes=globus_sdk.GroupsClient.scopes.view_my_groups_and_memberships,
                refresh_tokens=True,
            )
            code = globus_emulator.auth.authorize(auth_client.oauth2_get_authorize_url())
            response = auth_client.oauth2_exchange_code_for_tokens(code)
            adapter.store(response)
            tokens = response.by_resource_server[globus_sdk.GroupsClient.resource_server]
        else:
            tokens = adapter.get_token_data(globus_sdk.GroupsClient.resource_server)
        authorizer = globus_sdk.RefreshTokenAuthorizer(
            tokens["refresh_token"],
            auth_client,
            access_token=tokens["access_token"],
            expires_at=tokens["expires_at_seconds"],
            on_refresh=adapter.on_refresh,
        )
        return globus_sdk.GroupsClient(authorizer=authorizer)

    first = csv_rows(groups_client_from_storage())
    stored = adapter.get_token_data(globus_sdk.GroupsClient.resource_server)
    assert any(row.startswith(f"{mine.id},Mine,") for row in first)

    # the second run reads the file; its access token has expired by the
    # emulator's clock, Groups answers 401, and the authorizer refreshes it
    # and writes the new one back
    globus_emulator.clock.advance(stored["expires_at_seconds"] - globus_emulator.clock.now() + 1)
    assert csv_rows(groups_client_from_storage()) == first
    refreshed = adapter.get_token_data(globus_sdk.GroupsClient.resource_server)
    assert refreshed["access_token"] != stored["access_token"]
