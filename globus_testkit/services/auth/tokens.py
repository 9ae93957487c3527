"""Access and refresh tokens: minting them and the one rule every
service applies to a bearer token."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ...derived import ids_by
from .clients import Client
from .consents import ConsentRegistry
from .errors import TokenRejected
from .identities import Identity
from .scopes import ScopeRequest

AUTH_RESOURCE_SERVER = "auth.globus.org"
ACCESS_TOKEN_LIFETIME = 172800  # Globus Auth's 48 hours


@dataclass
class Token:
    """An access or refresh token and everything Auth knows about it."""

    value: str
    kind: str  # "access" | "refresh"
    identity_id: str
    client_id: str  # the client the token was issued to
    resource_server: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float | None
    auth_time: float
    session_id: str = ""  # the login it was minted under
    refresh_token: str | None = None  # for access tokens born of one
    revoked: bool = False


@dataclass(frozen=True)
class TokenInfo:
    """What a service learns about a valid bearer token."""

    token: str
    identity_id: str
    username: str
    client_id: str
    resource_server: str
    scopes: tuple[str, ...]
    expires_at: float | None
    session_id: str = ""  # empty for lenient tokens, which have no session

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass
class IssuedToken:
    token: Token
    refresh_token: str | None


@dataclass
class Grant:
    """The answer to one token request, before it is formatted."""

    identity: Identity
    client_id: str
    tokens: list[IssuedToken]
    wants_id_token: bool
    state: str = "_default"


class TokenRegistry(ConsentRegistry):
    """Tokens by value: the fifth layer of :class:`AuthState`."""

    # refresh token value -> the access tokens refreshed from it: revoking
    # a refresh token (an app's logout) revokes them without walking every
    # token in the world (built when first asked)
    DERIVED: ClassVar[tuple[str, ...]] = (*ConsentRegistry.DERIVED, "_born_of", "_by_client")
    _born_of: dict[str, list[str]] | None = None  # refresh token -> access tokens' values
    _by_client: dict[str, list[str]] | None = None  # client id -> its tokens' values

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token_lifetime = ACCESS_TOKEN_LIFETIME
        self.tokens: dict[str, Token] = {}

    def delete_client(self, client_id: str) -> Client:
        client = super().delete_client(client_id)
        for token in self.tokens_of_client(client_id):
            token.revoked = True
        return client

    def _grant(
        self,
        identity: Identity,
        client_id: str,
        requests: list[ScopeRequest],
        *,
        refresh: bool,
        session_id: str,
    ) -> Grant:
        by_resource_server: dict[str, list[str]] = {}
        for request in requests:
            rs = self.resource_server_of(request.scope)
            assert rs is not None
            by_resource_server.setdefault(rs, []).append(request.scope)
        issued: list[IssuedToken] = []
        for rs, scopes in by_resource_server.items():
            refresh_value = None
            if refresh:
                refresh_value = self._mint(
                    "refresh", identity.id, client_id, rs, tuple(scopes), None, session_id
                ).value
            access = self._mint_access(
                identity.id, client_id, rs, tuple(scopes), refresh_value, session_id
            )
            issued.append(IssuedToken(access, refresh_value))
        wants_id_token = any(r.scope == "openid" for r in requests)
        return Grant(identity, client_id, issued, wants_id_token)

    def _mint_access(
        self,
        identity_id: str,
        client_id: str,
        resource_server: str,
        scopes: tuple[str, ...],
        refresh: str | None,
        session_id: str,
    ) -> Token:
        token = self._mint(
            "access",
            identity_id,
            client_id,
            resource_server,
            scopes,
            self.clock.now() + self.token_lifetime,
            session_id,
        )
        token.refresh_token = refresh
        if refresh is not None and self._born_of is not None:
            self._born_of.setdefault(refresh, []).append(token.value)
        return token

    def _mint(
        self,
        kind: str,
        identity_id: str,
        client_id: str,
        resource_server: str,
        scopes: tuple[str, ...],
        expires_at: float | None,
        session_id: str,
    ) -> Token:
        now = self.clock.now()
        session = self.session(session_id)
        login = session.authentications.get(identity_id) if session else None
        token = Token(
            value=self.ids.token(prefix="Ag" if kind == "access" else "Ar", length=46),
            kind=kind,
            identity_id=identity_id,
            client_id=client_id,
            resource_server=resource_server,
            scopes=scopes,
            issued_at=now,
            expires_at=expires_at,
            auth_time=login.auth_time if login else now,
            session_id=session_id,
        )
        self.tokens[token.value] = token
        if self._by_client is not None:
            self._by_client.setdefault(client_id, []).append(token.value)
        return token

    def issue_token(
        self,
        identity_id: str,
        scopes: Iterable[str] | str,
        *,
        client_id: str,
        lifetime: float | None = None,
    ) -> list[Token]:
        """Mint tokens directly (for tests), consenting as needed."""
        requests = self.parse_scope_request(scopes if isinstance(scopes, str) else " ".join(scopes))
        self.record_consents(identity_id, client_id, requests, auto_approved=True)
        session = self.record_login(identity_id, (), mfa=False, browser=False)
        grant = self._grant(
            self.identities[identity_id], client_id, requests, refresh=False, session_id=session.id
        )
        tokens = [issued.token for issued in grant.tokens]
        if lifetime is not None:
            for token in tokens:
                token.expires_at = self.clock.now() + lifetime
        return tokens

    # -- token checks ----------------------------------------------------------

    def check_token(self, value: str, resource_server: str) -> TokenInfo:
        """The rule every service applies to a bearer token.

        Strict (the default): the token must be one Auth issued, unexpired,
        unrevoked, and for this resource server. Lenient: any string passes,
        as the world's first user, with every scope of the resource server.
        """
        token = self.tokens.get(value)
        if token is None:
            if not self.strict:
                return self._lenient_info(value, resource_server)
            raise TokenRejected("the token is not one Globus Auth issued")
        if token.kind != "access":
            raise TokenRejected("a refresh token cannot be used as a bearer token")
        if token.revoked:
            raise TokenRejected("the token has been revoked")
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            raise TokenRejected("the token has expired")
        if token.resource_server != resource_server:
            raise TokenRejected(f"the token is for {token.resource_server}, not {resource_server}")
        return self.token_info(token)

    def token_times(self, value: str) -> dict[str, float | None]:
        """When a token was issued and expires, as JWT-style claims (``iat``,
        ``nbf``, ``exp``): for services that report them (Flows' run
        context)."""
        token = self.tokens.get(value)
        if token is None:
            return {"exp": None, "iat": None, "nbf": None}
        return {"exp": token.expires_at, "iat": token.issued_at, "nbf": token.issued_at}

    def token_info(self, token: Token) -> TokenInfo:
        identity = self.identities[token.identity_id]
        return TokenInfo(
            token=token.value,
            identity_id=identity.id,
            username=identity.username,
            client_id=token.client_id,
            resource_server=token.resource_server,
            scopes=token.scopes,
            expires_at=token.expires_at,
            session_id=token.session_id,
        )

    def _lenient_info(self, value: str, resource_server: str) -> TokenInfo:
        user = self.identities[self.default_user_id]
        rs_client = self.client_for_resource_server(resource_server)
        mine = self.scopes_of_client(rs_client.id) if rs_client is not None else []
        scopes = tuple(s.scope_string for s in mine)
        return TokenInfo(value, user.id, user.username, "", resource_server, scopes, None)

    def introspect(self, caller: Client, value: str) -> Token | None:
        """The token if it is active and the caller may see it, else None.

        Globus only shows a token to the resource server it is for or to
        the client it was issued to; anyone else learns it is inactive.
        """
        token = self.tokens.get(value)
        if token is None or token.revoked:
            return None
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            return None
        if caller.id != token.client_id and caller.resource_server != token.resource_server:
            return None
        return token

    def revoke(self, value: str, caller: Client) -> None:
        """Revoke a token (and, for a refresh token, the tokens it made).
        Unknown tokens are ignored, as RFC 7009 asks."""
        token = self.tokens.get(value)
        if token is None or token.client_id != caller.id:
            return
        token.revoked = True
        if token.kind == "refresh":
            for other in self.born_of(token.value):
                other.revoked = True

    def tokens_of_client(self, client_id: str) -> list[Token]:
        """The tokens issued to a client, oldest first (read from an index,
        so deleting a client costs its tokens, not every token)."""
        if self._by_client is None:
            self._by_client = ids_by(self.tokens, lambda token: token.client_id)
        return [self.tokens[value] for value in self._by_client.get(client_id, [])]

    def born_of(self, refresh_value: str) -> list[Token]:
        """The access tokens minted from a refresh token (at the grant that
        made it, and at each refresh since)."""
        if self._born_of is None:
            self._born_of = ids_by(self.tokens, lambda token: token.refresh_token)
        return [self.tokens[value] for value in self._born_of.get(refresh_value, [])]
