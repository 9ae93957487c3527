"""Users' action providers, mounted into the emulator.

``emulator.actions.mount(url, app)`` registers the provider with the
emulated Auth (its own confidential client, a scope, and dependent scopes
such as Groups for monitor_by/manage_by checks) and routes requests for
``url`` into ``app``, any WSGI callable (a Flask app, say). The provider's
own calls back to Globus (token introspection, dependent tokens, Groups)
reach the emulator like any other client's.

In-process, ``url`` is answered at its own host. On the loopback server it
is at ``{server.url}/mounts/{host}{path}`` (``server.provider_url(url)``).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...journal import Entry
from ..auth.models import Dependency
from ..groups.routes import VIEW_MY_GROUPS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from ...emulator import Emulator

MOUNT_SEGMENT = "mounts"


@dataclass
class MountedProvider:
    url: str
    app: WSGIApplication | None
    client_id: str
    client_secret: str
    scope: str
    # True: the app sees the whole path (a toolkit blueprint deployed with
    # url_prefix="/wordcount" and mounted at https://host/wordcount); False:
    # the mount's path is stripped, as SCRIPT_NAME, before the app sees it.
    keep_prefix: bool = False
    host: str = field(init=False)
    prefix: str = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.host = (parts.hostname or "").lower()
        self.prefix = parts.path.rstrip("/")

    def owns(self, hostname: str, path: str) -> bool:
        return hostname == self.host and (
            path == self.prefix or path.startswith(self.prefix + "/") or not self.prefix
        )

    def owns_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return self.owns((parts.hostname or "").lower(), parts.path.rstrip("/"))


class ActionsHelpers:
    """``emulator.actions``: mount providers and get tokens for them."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self.mounted: list[MountedProvider] = []

    def mount(
        self,
        url: str,
        app: WSGIApplication | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        scope_suffix: str = "action_all",
        dependent_scopes: Iterable[str] = (VIEW_MY_GROUPS,),
        name: str | None = None,
        keep_prefix: bool = False,
    ) -> MountedProvider:
        """Register a provider (and route ``url`` to ``app`` if given).

        Requests under ``url`` (any path below it) go to ``app``; with
        ``keep_prefix`` the app sees the whole path, as a provider deployed
        behind a blueprint ``url_prefix`` does. Returns the mount, whose
        ``client_id``/``client_secret`` the provider must use and whose
        ``scope`` its tokens carry.
        """
        url = url.rstrip("/")
        with self._emulator.lock:
            auth = self._emulator.world.auth
            client = auth.clients.get(client_id or "")
            if client is None:
                client = auth.register_client(
                    name or f"provider at {url}",
                    client_id=client_id,
                    secret=client_secret,
                )
            scope_string = f"https://auth.globus.org/scopes/{client.id}/{scope_suffix}"
            if auth.scope_by_string(scope_string) is None:
                deps = [Dependency(self._scope_id(s), optional=True) for s in dependent_scopes]
                auth.register_scope(scope_string, client_id=client.id, dependencies=deps)
            mount = MountedProvider(
                url,
                app,
                client.id,
                client_secret or client.credentials[0].secret,
                scope_string,
                keep_prefix,
            )
            # Longest prefix first, so a provider at https://h/a/b wins over
            # one mounted at the root of https://h.
            mounts = [m for m in self.mounted if m.url != url] + [mount]
            self.mounted = sorted(mounts, key=lambda m: len(m.prefix), reverse=True)
        return mount

    def mount_factory(
        self, url: str, factory: str, *, keep_prefix: bool = False
    ) -> MountedProvider:
        """Mount the app that ``factory`` ("package.module:make_app") builds.

        The factory is called as the toolkit's examples build their apps:
        ``make_app(client_id, client_secret, scope)``, with the mount's own
        client and scope, and returns a WSGI app.
        """
        make_app = load_factory(factory)
        mount = self.mount(url, keep_prefix=keep_prefix)
        mount.app = make_app(mount.client_id, mount.client_secret, mount.scope)
        return mount

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "url": m.url,
                "client_id": m.client_id,
                "scope": m.scope,
                "keep_prefix": m.keep_prefix,
                "has_app": m.app is not None,
            }
            for m in self.mounted
        ]

    def _scope_id(self, scope_string: str) -> str:
        scope = self._emulator.world.auth.scope_by_string(scope_string)
        if scope is None:
            raise ValueError(f"unknown dependent scope {scope_string}")
        return scope.id

    def unmount(self, url: str) -> None:
        self.mounted = [m for m in self.mounted if m.url != url.rstrip("/")]

    def token(
        self, provider: MountedProvider, identity: Any = None, *, with_scope: bool = True
    ) -> str:
        """A token for ``identity`` (default: the world's user) that the
        provider will accept, or, with ``with_scope=False``, one for the same
        resource server that lacks the provider's scope."""
        who = identity or self._emulator.user
        scope = provider.scope if with_scope else self._other_scope(provider)
        return self._emulator.auth.issue_token(who, scope)

    def _other_scope(self, provider: MountedProvider) -> str:
        other = provider.scope.rsplit("/", 1)[0] + "/not_this_provider"
        with self._emulator.lock:
            auth = self._emulator.world.auth
            if auth.scope_by_string(other) is None:
                auth.register_scope(other, client_id=provider.client_id)
        return other

    # -- routing ---------------------------------------------------------------

    def handles_host(self, hostname: str) -> bool:
        # A mount without its app yet still owns its host: a request there
        # gets a loud answer, never the network.
        return any(m.host == hostname for m in self.mounted)

    def owning(self, url: str) -> MountedProvider | None:
        """The mount whose URL is ``url`` or a prefix of it."""
        return next((m for m in self.mounted if m.owns_url(url)), None)

    def find(self, environ: WSGIEnvironment) -> tuple[MountedProvider, dict[str, Any]] | None:
        """The mount this request is for, and the environ to give its app."""
        host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
        hostname = host.rsplit(":", 1)[0]
        path = environ.get("PATH_INFO", "/")
        if path.startswith(f"/{MOUNT_SEGMENT}/"):
            # loopback form: /mounts/<host><prefix>/...
            hostname, _, rest = path[len(MOUNT_SEGMENT) + 2 :].partition("/")
            path = "/" + rest
            script_root = f"/{MOUNT_SEGMENT}/{hostname}"
        else:
            script_root = ""
        for mount in self.mounted:
            if mount.owns(hostname, path):
                inner = dict(environ)
                stripped = "" if mount.keep_prefix else mount.prefix
                inner["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + script_root + stripped
                inner["PATH_INFO"] = path[len(stripped) :] or "/"
                return mount, inner
        return None

    def call(
        self,
        mount: MountedProvider,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Run the provider's app (outside the emulator's lock: it calls
        back into the emulator) and journal the call."""
        seen: dict[str, int] = {}

        def recording_start(status: str, headers: Any, exc_info: Any = None) -> Callable[..., Any]:
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        if mount.app is None:
            body = [_no_app(mount, recording_start)]
        else:
            body = list(mount.app(environ, recording_start))
        world = self._emulator.world
        world.journal.record(
            Entry(
                time=world.clock.now(),
                service="provider",
                operation=mount.url,
                method=environ.get("REQUEST_METHOD", "GET"),
                path=environ.get("PATH_INFO", "/"),
                status=seen.get("status", 0),
                identity_id=None,
                client_id=None,
                request_id="",
            )
        )
        return body


def load_factory(spec: str) -> Callable[[str, str, str], WSGIApplication]:
    """The callable named by "package.module:attribute"."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{spec!r} is not module:factory")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(f"cannot import {module_name!r}: {err}") from err
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ValueError(f"{spec!r} names nothing callable")
    return factory  # type: ignore[no-any-return]


def _no_app(mount: MountedProvider, start_response: Callable[..., Any]) -> bytes:
    """The loud answer for a mount whose app was never given."""
    payload = json.dumps(
        {
            "code": "NoProviderApp",
            "description": f"the provider mounted at {mount.url} has no app; "
            "set mount.app (or pass app= to mount) before calling it",
        }
    ).encode()
    start_response(
        "503 Service Unavailable",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return payload
