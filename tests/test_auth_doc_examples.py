"""globus-sdk's project-management scripts (docs/examples/auth_manage_projects/),
step for step: a UserApp for the tutorial client, an AuthClient with the
app scopes the scripts ask for, and create (contact email and admin from
userinfo), list and delete. The app logs in through the emulator."""

from __future__ import annotations

from typing import Any, cast

import globus_sdk
import pytest

from globus_testkit.apps import HeadlessLoginProvider

TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(SDK_MAJOR < 4, reason="the scripts use globus-sdk 4's app_scopes")


def example_app(globus_emulator, name: str, **config: Any) -> globus_sdk.UserApp:
    return globus_sdk.UserApp(
        name,
        client_id=TUTORIAL_CLIENT_ID,
        config=globus_sdk.GlobusAppConfig(
            token_storage="memory",
            login_flow_manager=cast(Any, HeadlessLoginProvider(globus_emulator)),
            **config,
        ),
    )


def manage_projects_client(app: globus_sdk.UserApp) -> globus_sdk.AuthClient:
    scopes = globus_sdk.AuthClient.scopes
    return globus_sdk.AuthClient(
        app_scopes=[scopes.manage_projects, scopes.openid, scopes.email], app=app
    )


def project_lines(auth_client: globus_sdk.AuthClient) -> list[tuple[str, str]]:
    return [(p["display_name"], p["id"]) for p in auth_client.get_projects()]


def test_manage_projects_creates_lists_and_deletes(globus_emulator):
    user = globus_emulator.user
    with example_app(globus_emulator, "manage-projects-example", auto_redrive_gares=True) as app:
        with manage_projects_client(app) as auth_client:
            userinfo = auth_client.userinfo()
            created = auth_client.create_project(
                "Example Project", contact_email=userinfo["email"], admin_ids=userinfo["sub"]
            )
        project = created["project"]
        assert project["contact_email"] == user.email
        assert project["admin_ids"] == [user.id]
        with manage_projects_client(app) as auth_client:
            assert ("Example Project", project["id"]) in project_lines(auth_client)
        with manage_projects_client(app) as auth_client:
            deleted = auth_client.delete_project(project["id"])
        assert deleted["project"]["id"] == project["id"]
        with manage_projects_client(app) as auth_client:
            assert project["id"] not in {pid for _, pid in project_lines(auth_client)}


def test_list_projects_with_only_the_manage_projects_scope(globus_emulator):
    with (
        example_app(globus_emulator, "manage-projects-example") as app,
        manage_projects_client(app) as auth_client,
    ):
        userinfo = auth_client.userinfo()
        auth_client.create_project(
            "Listed", contact_email=userinfo["email"], admin_ids=userinfo["sub"]
        )
    with (
        example_app(globus_emulator, "list-projects-example") as app,
        globus_sdk.AuthClient(
            app_scopes=[globus_sdk.AuthClient.scopes.manage_projects], app=app
        ) as auth_client,
    ):
        assert [name for name, _ in project_lines(auth_client)] == ["Listed"]
