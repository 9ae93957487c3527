"""Fixtures the hardening tests share: where each service is reached
through the transport under test."""

from __future__ import annotations

import pytest

from globus_testkit.emulator import SERVICE_CLASSES


@pytest.fixture
def base(globus_emulator, globus_transport):
    """``base(service)``: the service's root URL, without a trailing slash."""
    if globus_transport == "server":
        return lambda service: globus_emulator._servers[0].service_url(service).rstrip("/")
    hosts = {cls.name: cls.hosts[0] for cls in SERVICE_CLASSES}
    return lambda service: f"https://{hosts[service]}"


@pytest.fixture
def auth_url(base):
    return base("auth")
