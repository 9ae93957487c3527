"""The scopes resource servers accept, and how a ``scope`` request
parameter is checked against them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...derived import ids_by
from .clients import Client
from .errors import ApiBadRequest, ApiNotFound, InvalidScope
from .scopes import ScopeRequest, ScopeSyntaxError, parse_scopes
from .sessions import SessionRegistry


@dataclass(frozen=True)
class Dependency:
    scope_id: str
    optional: bool = False
    requires_refresh_token: bool = False


@dataclass
class Scope:
    id: str
    scope_string: str
    client_id: str
    name: str
    description: str
    dependencies: list[Dependency] = field(default_factory=list)
    advertised: bool = True
    allows_refresh_token: bool = True
    required_domains: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope_string": self.scope_string,
            "client": self.client_id,
            "name": self.name,
            "description": self.description,
            "advertised": self.advertised,
            "allows_refresh_token": self.allows_refresh_token,
            "required_domains": list(self.required_domains),
            "dependent_scopes": [
                {
                    "scope": d.scope_id,
                    "optional": d.optional,
                    "requires_refresh_token": d.requires_refresh_token,
                }
                for d in self.dependencies
            ],
        }


class ScopeRegistry(SessionRegistry):
    """Scopes by id and string: the third layer of :class:`AuthState`."""

    # client id -> the ids of the scopes it registered, in order: a lenient
    # token gets its resource server's scopes on every request, so none
    # walks the world's scopes (a flow or a collection each adds some)
    DERIVED: ClassVar[tuple[str, ...]] = (*SessionRegistry.DERIVED, "_scopes_by_client")
    _scopes_by_client: dict[str, list[str]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes: dict[str, Scope] = {}
        self._scope_by_string: dict[str, str] = {}

    def delete_client(self, client_id: str) -> Client:
        client = super().delete_client(client_id)
        for scope in self.scopes_of_client(client_id):
            self.delete_scope(scope.id)
        return client

    def register_scope(
        self,
        scope_string: str,
        *,
        client_id: str,
        name: str | None = None,
        description: str = "",
        dependencies: Iterable[Dependency] = (),
        advertised: bool = True,
        scope_id: str | None = None,
    ) -> Scope:
        """Register a scope a resource server (``client_id``) accepts."""
        if scope_string in self._scope_by_string:
            raise ApiBadRequest(f"scope {scope_string!r} already exists")
        self.client(client_id)
        deps = list(dependencies)
        for dep in deps:
            if dep.scope_id not in self.scopes:
                raise ApiBadRequest(f"dependent scope {dep.scope_id} does not exist")
        scope = Scope(
            id=scope_id or self.ids.uuid(),
            scope_string=scope_string,
            client_id=client_id,
            name=name or scope_string,
            description=description or f"Access to {scope_string}",
            dependencies=deps,
            advertised=advertised,
        )
        self.scopes[scope.id] = scope
        self._scope_by_string[scope_string] = scope.id
        if self._scopes_by_client is not None:
            self._scopes_by_client.setdefault(client_id, []).append(scope.id)
        return scope

    def scopes_of_client(self, client_id: str) -> list[Scope]:
        """The scopes ``client_id`` registered (as a resource server), oldest first."""
        if self._scopes_by_client is None:
            self._scopes_by_client = ids_by(self.scopes, lambda scope: scope.client_id)
        return [self.scopes[i] for i in self._scopes_by_client.get(client_id, [])]

    def scope(self, scope_id: str) -> Scope:
        found = self.scopes.get(scope_id)
        if found is None:
            raise ApiNotFound(f"no scope {scope_id}")
        return found

    def scope_by_string(self, scope_string: str) -> Scope | None:
        found = self._scope_by_string.get(scope_string)
        return self.scopes[found] if found else None

    def update_scope(self, scope_id: str, fields: dict[str, Any]) -> Scope:
        scope = self.scope(scope_id)
        for key in ("name", "description", "advertised", "allows_refresh_token"):
            if key in fields:
                setattr(scope, key, fields[key])
        if "dependent_scopes" in fields:
            deps = [
                Dependency(
                    d["scope"],
                    bool(d.get("optional", False)),
                    bool(d.get("requires_refresh_token", False)),
                )
                for d in fields["dependent_scopes"]
            ]
            for dep in deps:
                self.scope(dep.scope_id)
            scope.dependencies = deps
        return scope

    def delete_scope(self, scope_id: str) -> Scope:
        scope = self.scopes.pop(scope_id, None)
        if scope is None:
            raise ApiNotFound(f"no scope {scope_id}")
        del self._scope_by_string[scope.scope_string]
        if self._scopes_by_client is not None:
            self._scopes_by_client[scope.client_id].remove(scope_id)
        return scope

    def resource_server_of(self, scope_string: str) -> str | None:
        scope = self.scope_by_string(scope_string)
        return self.clients[scope.client_id].resource_server if scope else None

    def client_for_resource_server(self, resource_server: str) -> Client | None:
        client_id = self._client_by_fqdn.get(resource_server, resource_server)
        return self.clients.get(client_id)

    def parse_scope_request(self, text: str) -> list[ScopeRequest]:
        """Parse a ``scope`` parameter and refuse scopes Auth does not know."""
        try:
            requests = parse_scopes(text)
        except ScopeSyntaxError as err:
            raise InvalidScope(str(err)) from err
        unknown = sorted(
            {s for s in _all_scope_strings(requests) if s not in self._scope_by_string}
        )
        if unknown:
            raise InvalidScope(f"requested unknown scopes: {unknown}")
        return requests


def _all_scope_strings(requests: Iterable[ScopeRequest]) -> Iterable[str]:
    for request in requests:
        yield request.scope
        yield from _all_scope_strings(request.dependencies)
