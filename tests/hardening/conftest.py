"""Fixtures the hardening tests share: where each service is reached
through the transport under test."""

from __future__ import annotations

import pytest

from globus_testkit.emulator import SERVICE_CLASSES
from globus_testkit.ids import Ids
from globus_testkit.services.gcs.routes import TUTORIAL_DOMAIN

TUTORIAL_ENDPOINT = Ids.stable_uuid("gcs-endpoint", TUTORIAL_DOMAIN)


@pytest.fixture
def base(globus_emulator, globus_transport, monkeypatch):
    """``base(service)``: the service's root URL, without a trailing slash."""
    # GCS has a root per endpoint: the seeded tutorial endpoint's
    gcs = globus_emulator.gcs.manager_url(TUTORIAL_ENDPOINT)
    if globus_transport == "server":
        # the server's GCS Managers answer on its TLS door: plain requests trusts it so
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(globus_emulator._servers[0].ca_file))
        return lambda service: (
            gcs
            if service == "gcs"
            else globus_emulator._servers[0].service_url(service).rstrip("/")
        )
    hosts = {cls.name: cls.hosts[0] for cls in SERVICE_CLASSES if cls.hosts}
    return lambda service: gcs if service == "gcs" else f"https://{hosts[service]}"


@pytest.fixture
def auth_url(base):
    return base("auth")
