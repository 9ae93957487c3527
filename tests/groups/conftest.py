from __future__ import annotations

import globus_sdk
import pytest

GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
VIEW_MY_GROUPS = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"


@pytest.fixture
def groups_for(globus_emulator):
    """A GroupsClient acting as ``identity`` (the world's user by default)."""

    def make(identity=None, scope: str = GROUPS_ALL) -> globus_sdk.GroupsClient:
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, scope)
        return globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def gc(groups_for):
    return groups_for()


@pytest.fixture
def bob(globus_emulator):
    return globus_emulator.auth.add_identity("bob@example.org", name="Bob")


@pytest.fixture
def cy(globus_emulator):
    return globus_emulator.auth.add_identity("cy@example.org", name="Cy")


@pytest.fixture
def lab(gc):
    """A group the world's user created (and so administers)."""
    return gc.create_group({"name": "Lab", "description": "the lab"})
