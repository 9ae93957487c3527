"""The pytest plugin: fixtures, markers and options. Only wiring here.

- ``globus_emulator``: a fresh world per test, reached by this process's
  requests (in-process by default; over a loopback server with
  ``--globus-transport=server``).
- ``globus_server``: the emulator on a loopback port, with the SDK's URL
  variables set for the test and its subprocesses.
- ``globus_client_app`` / ``globus_user_app``: globus-sdk apps for the
  world's service account and, logged in without a browser, its user.
- ``globus_faults``: the world's fault rules.
- ``globus_academy``: an academy-py ``GlobusExchangeFactory`` logged in as
  the service account, in a project it administers, on this transport.
- ``snapshot``: ``snapshot.match(name, response)`` against stored, normalised
  answers (``--snapshot-update`` records them).
- ``@pytest.mark.globus(seed=..., world=..., strict=...)`` chooses the world;
  ``@pytest.mark.globus_fault(...)`` adds a fault rule.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import globus_sdk

    from .emulator import Emulator
    from .faults import Faults
    from .services.actions.mounts import ActionsHelpers
    from .snapshot import Snapshot
    from .transports.proxy import ProxyServer
    from .transports.server import LiveServer

TRANSPORTS = ("inprocess", "server")
SDK_URL_PREFIX = "GLOBUS_SDK_SERVICE_URL_"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("globus-testkit")
    group.addoption(
        "--globus-transport",
        choices=TRANSPORTS,
        default=os.environ.get("GLOBUS_TESTKIT_TRANSPORT", "inprocess"),
        help="how tests reach the emulator: in-process (default) or a loopback server",
    )
    group.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="record or refresh the snapshots that `snapshot.match` compares against",
    )
    group.addoption(
        "--globus-amqp-url",
        default=os.environ.get("GLOBUS_TESTKIT_AMQP_URL"),
        help="a RabbitMQ broker's URL: Compute publishes results there for "
        "globus-compute-sdk's Executor (default: $GLOBUS_TESTKIT_AMQP_URL)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "globus(seed=0, world=None, strict=True): choose the emulated Globus world for a test",
    )
    config.addinivalue_line(
        "markers",
        "globus_fault(service=, operation=, status=, ...): add a fault rule for a test "
        "(see globus_testkit.faults.FaultRule)",
    )
    config.addinivalue_line(
        "markers",
        "globus_session(collection=, policy=, domains=, identities=, mfa=, timeout=, "
        "message=): make a collection demand a session for a test "
        "(see TransferHelpers.require_session)",
    )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``globus`` marker's options; a relative ``world=`` path is
    resolved against the test file's folder, so it works from any cwd."""
    marker = request.node.get_closest_marker("globus")
    options = dict(marker.kwargs) if marker else {}
    world = options.get("world")
    if isinstance(world, (str, Path)) and not Path(world).is_absolute():
        options["world"] = Path(str(request.node.fspath)).parent / world
    return options


def _clear_sdk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget service URLs and environment names left in the shell (by an
    ``eval`` of ``globus-testkit serve``, say): in-process, they would send
    the test's requests to that other server instead of this world."""
    for name in list(os.environ):
        if name.startswith(SDK_URL_PREFIX) or name == "GLOBUS_SDK_ENVIRONMENT":
            monkeypatch.delenv(name)


@pytest.fixture
def globus_transport(request: pytest.FixtureRequest) -> str:
    """The transport this run uses: ``"inprocess"`` or ``"server"``."""
    return str(request.config.getoption("--globus-transport"))


@pytest.fixture
def globus_emulator(
    request: pytest.FixtureRequest, globus_transport: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """A fresh emulated Globus for this test, already receiving its requests."""
    from .emulator import Emulator

    emulator = Emulator(
        **{"amqp_url": request.config.getoption("--globus-amqp-url"), **_marker_options(request)}
    )
    for marker in reversed(list(request.node.iter_markers("globus_fault"))):
        emulator.faults.add(**marker.kwargs)
    _clear_sdk_environment(monkeypatch)
    for marker in request.node.iter_markers("globus_session"):
        options = dict(marker.kwargs)
        emulator.transfer.require_session(options.pop("collection"), **options)
    with emulator:
        if globus_transport == "server":
            server = emulator.serve()
            for name, value in server.env.items():
                monkeypatch.setenv(name, value)
        yield emulator


@pytest.fixture
def globus_server(globus_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """The emulator on a loopback port; everything ``globus-testkit serve``
    prints (the SDK's variables, globus-cli's client login, the
    ``GLOBUS_TESTKIT_*`` values) is set for this test and every subprocess
    it starts."""
    servers = globus_emulator._servers
    server = servers[0] if servers else globus_emulator.serve()
    for name, value in server.shell_env.items():
        monkeypatch.setenv(name, value)
    return server


@pytest.fixture
def globus_proxy(globus_emulator: Emulator) -> ProxyServer:
    """The emulator behind an HTTPS proxy on loopback: ``globus_proxy.env``
    makes any subprocess (globus-sdk with its production URLs, curl, other
    languages) reach this test's world at Globus's real hostnames. The
    test's own process is left as it is."""
    proxies = globus_emulator._proxies
    return proxies[0] if proxies else globus_emulator.serve_proxy()


@pytest.fixture(autouse=True)
def _globus_toolkit_caches() -> Iterator[None]:
    """globus-action-provider-tools caches introspections, dependent tokens
    and group lists at class level; clear them around every test so one
    test's tokens never answer for another's."""
    clear_toolkit_caches()
    yield
    clear_toolkit_caches()


def clear_toolkit_caches() -> None:
    import sys

    authentication = sys.modules.get("globus_action_provider_tools.authentication")
    if authentication is None:
        return  # not imported, so nothing cached
    state = authentication.AuthState
    for name in ("introspect_cache", "dependent_tokens_cache", "group_membership_cache"):
        cache = getattr(state, name, None)
        if cache is not None:
            cache.clear()


@pytest.fixture
def globus_actions(globus_emulator: Emulator) -> ActionsHelpers:
    """``globus_emulator.actions``: mount providers, get tokens for them."""
    return globus_emulator.actions


@pytest.fixture
def globus_check_provider(globus_emulator: Emulator, globus_transport: str) -> Any:
    """Check a mounted provider against the Action Provider Interface, with
    tokens made for it: ``globus_check_provider(mount, body={...})``."""
    from .conformance import check_action_provider

    def check(mount: Any, *, body: dict[str, Any], **options: Any) -> Any:
        actions = globus_emulator.actions
        url = mount.url
        if globus_transport == "server":
            url = globus_emulator._servers[0].provider_url(mount.url)
        outsider = globus_emulator.auth.add_identity()
        options.setdefault("token_without_scope", actions.token(mount, with_scope=False))
        options.setdefault("outsider_token", actions.token(mount, outsider))
        return check_action_provider(url, token=actions.token(mount), body=body, **options)

    return check


@pytest.fixture
def globus_faults(globus_emulator: Emulator) -> Faults:
    """The world's fault rules: ``globus_faults.add(service="auth", status=503)``."""
    return globus_emulator.faults


@pytest.fixture
def globus_client_app(globus_emulator: Emulator) -> Iterator[globus_sdk.ClientApp]:
    """A ``globus_sdk.ClientApp`` for the world's service account."""
    from .apps import client_app

    app = client_app(globus_emulator)
    yield app
    _close(app)


@pytest.fixture
def globus_user_app(globus_emulator: Emulator) -> Iterator[globus_sdk.UserApp]:
    """A ``globus_sdk.UserApp`` logged in as the world's user, no browser."""
    from .apps import user_app

    app = user_app(globus_emulator, request_refresh_tokens=True)
    yield app
    _close(app)


@pytest.fixture
def globus_academy(
    globus_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """academy-py's ``GlobusExchangeFactory``, ready for
    ``Manager.from_exchange_factory``: academy logs in as the world's
    service account (its client-login variables), keeps its tokens under
    ``tmp_path``, creates agents' clients in a project that account
    administers, and reaches the exchange on this run's transport."""
    pytest.importorskip("academy", reason="globus_academy needs academy-py")
    from academy.exchange.cloud.globus import GlobusExchangeFactory

    account = globus_emulator.service_account
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "academy"))
    monkeypatch.setenv("ACADEMY_GLOBUS_CLIENT_ID", account.client_id)
    monkeypatch.setenv("ACADEMY_GLOBUS_CLIENT_SECRET", account.client_secret)
    project_id = globus_emulator.auth.add_project("academy agents")
    return GlobusExchangeFactory(
        uuid.UUID(project_id), client_params=globus_emulator.exchange.client_params
    )


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compare normalised answers with snapshots stored beside the test."""
    from .snapshot import Snapshot

    test_file = Path(str(request.node.fspath))
    path = test_file.parent / "__snapshots__" / f"{test_file.stem}.json"
    update = bool(request.config.getoption("--snapshot-update"))
    return Snapshot(path, request.node.nodeid.split("::", 1)[-1], update=update)


def _close(app: Any) -> None:
    # GlobusApp.close() arrived in globus-sdk 4; 3.x apps have nothing to close.
    close = getattr(app, "close", None)
    if close is not None:
        close()
