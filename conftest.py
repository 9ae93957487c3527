"""Shared helpers for globus-testkit's own tests.

The plugin itself is loaded through its ``pytest11`` entry point, exactly
as users get it; nothing here is needed by users.
"""

from __future__ import annotations

import globus_sdk
import pytest

pytest_plugins = ["pytester"]

SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])


def userinfo(client: globus_sdk.AuthClient) -> globus_sdk.GlobusHTTPResponse:
    """``userinfo`` across SDK majors (3.x also spells it oauth2_userinfo)."""
    method = getattr(client, "userinfo", None) or client.oauth2_userinfo
    return method()


@pytest.fixture
def auth_client_for(globus_emulator):  # type: ignore[no-untyped-def]
    """An AuthClient carrying a fresh token for ``identity`` and ``scopes``."""

    def make(identity=None, scopes="openid profile email"):  # type: ignore[no-untyped-def]
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, scopes)
        return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def sdk_sleeps(monkeypatch):  # type: ignore[no-untyped-def]
    """globus-sdk's retry sleeps, recorded instead of slept (a list of seconds)."""
    import types

    import globus_sdk.transport.requests as transport

    slept: list[float] = []
    monkeypatch.setattr(transport, "time", types.SimpleNamespace(sleep=slept.append))
    return slept
