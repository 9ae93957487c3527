"""The OAuth2 grants: a person's login and its code, client credentials,
refresh and dependent tokens. Each ends in a :class:`Grant` to format."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .clients import Client
from .errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    TokenRejected,
    UnauthorizedClient,
)
from .scopes import ScopeRequest
from .tokens import Grant, IssuedToken, TokenRegistry

CODE_LIFETIME = 600
# A native app may also send its user back to a server of its own on the
# user's machine (RFC 8252 loopback redirect): these hosts, any port.
LOOPBACK_HOSTS = frozenset(("localhost", "127.0.0.1", "[::1]"))
# A URI is printable ASCII (RFC 3986); anything else (CR, LF, spaces,
# other control characters) could split the Location header it goes into.
_NOT_URI = re.compile(r"[^\x21-\x7e]")


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    identity_id: str
    redirect_uri: str
    requests: list[ScopeRequest]
    code_challenge: str | None
    code_challenge_method: str | None
    refresh: bool
    expires_at: float
    state: str = "_default"
    session_id: str = ""
    used: bool = False


class GrantRules(TokenRegistry):
    """Codes and grants: the sixth layer of :class:`AuthState`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes: dict[str, AuthorizationCode] = {}

    # -- grants ----------------------------------------------------------------

    def client_credentials_grant(self, client: Client, scope_text: str) -> Grant:
        if client.is_public:
            raise UnauthorizedClient("public clients may not use client_credentials")
        requests = self.parse_scope_request(scope_text)
        if not requests:
            raise InvalidScope("no scopes requested")
        self.record_consents(client.id, client.id, requests, auto_approved=True)
        # a client "logs in" by presenting its secret: its session is itself
        session = self.record_login(client.id, (), mfa=False, browser=False)
        return self._grant(
            self.identities[client.id], client.id, requests, refresh=False, session_id=session.id
        )

    def start_authorization(
        self,
        *,
        client_id: str,
        identity_id: str,
        redirect_uri: str,
        code_pages: Collection[str],
        scope_text: str,
        code_challenge: str | None,
        code_challenge_method: str | None,
        refresh: bool,
        state: str = "_default",
        present: Iterable[str] = (),
        mfa: bool = False,
        prompt_login: bool = True,
    ) -> AuthorizationCode:
        """A person logged in and consented: record consents, mint a code."""
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidRequest(f"unknown client_id {client_id!r}")
        self.check_redirect(client, redirect_uri, code_pages)
        if client.is_public and not code_challenge:
            raise InvalidRequest("native apps must use PKCE (code_challenge)")
        if code_challenge and (code_challenge_method or "plain") != "S256":
            raise InvalidRequest("code_challenge_method must be S256")
        if identity_id not in self.identities:
            raise InvalidRequest(f"unknown identity {identity_id}")
        requests = self.parse_scope_request(scope_text or "openid profile email")
        try:
            session = self.record_login(identity_id, present, mfa=mfa, prompt_login=prompt_login)
        except ValueError as err:
            raise InvalidRequest(str(err)) from err
        self.first_login(identity_id)
        self.record_consents(identity_id, client.id, requests, auto_approved=False)
        code = AuthorizationCode(
            code=self.ids.token(length=30),
            client_id=client.id,
            identity_id=identity_id,
            redirect_uri=redirect_uri,
            requests=requests,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            refresh=refresh,
            expires_at=self.clock.now() + CODE_LIFETIME,
            state=state,
            session_id=session.id,
        )
        self.codes[code.code] = code
        return code

    def check_redirect(
        self, client: Client, redirect_uri: str, code_pages: Collection[str]
    ) -> None:
        """Refuse (invalid_request) a redirect URI the client may not use.

        ``code_pages`` are the URLs of Auth's own page showing a native
        app's user the code to paste (``{auth}/v2/web/auth-code``)."""
        if _NOT_URI.search(redirect_uri):
            raise InvalidRequest(
                "redirect_uri must be printable ASCII: no spaces or control characters"
            )
        if not self.redirect_allowed(client, redirect_uri, code_pages):
            raise InvalidRequest(f"redirect_uri {redirect_uri!r} is not registered")

    def redirect_allowed(
        self, client: Client, redirect_uri: str, code_pages: Collection[str]
    ) -> bool:
        """Registered URIs match exactly; native apps (and instances of
        template apps) may also use Auth's code page or a loopback URL."""
        if redirect_uri in client.redirect_uris:
            return True
        parent = self.clients.get(client.parent_client or "")
        if not client.is_public and not (parent is not None and parent.template):
            return False
        return redirect_uri in code_pages or is_loopback_redirect(redirect_uri)

    def exchange_code(
        self,
        client: Client,
        code_value: str,
        redirect_uri: str,
        code_verifier: str | None,
    ) -> Grant:
        code = self.codes.get(code_value)
        if code is None or code.used or code.expires_at < self.clock.now():
            raise InvalidGrant("invalid, used or expired authorization code")
        if code.client_id != client.id:
            raise InvalidGrant("the code was issued to another client")
        if code.redirect_uri != redirect_uri:
            raise InvalidGrant("redirect_uri does not match the authorization request")
        if code.code_challenge and (
            not code_verifier or _s256(code_verifier) != code.code_challenge
        ):
            raise InvalidGrant("code_verifier does not match the code_challenge")
        code.used = True
        grant = self._grant(
            self.identities[code.identity_id],
            client.id,
            code.requests,
            refresh=code.refresh,
            session_id=code.session_id,
        )
        grant.state = code.state
        return grant

    def refresh_grant(self, client: Client, refresh_value: str) -> Grant:
        token = self.tokens.get(refresh_value)
        if token is None or token.kind != "refresh" or token.revoked:
            raise InvalidGrant("invalid refresh token")
        if token.client_id != client.id:
            raise InvalidGrant("the refresh token was issued to another client")
        identity = self.identities[token.identity_id]
        access = self._mint_access(
            identity.id,
            client.id,
            token.resource_server,
            token.scopes,
            refresh=token.value,
            # a refreshed token keeps its login's session: assurance is not renewed
            session_id=token.session_id,
        )
        return Grant(identity, client.id, [IssuedToken(access, token.value)], False)

    def dependent_token_grant(
        self, client: Client, token_value: str, scope_text: str | None, refresh: bool
    ) -> Grant:
        """A resource server trades a token it received for tokens to call
        the services beneath its scope, on the same identity's behalf."""
        if client.is_public:
            raise UnauthorizedClient("public clients may not get dependent tokens")
        try:
            upstream = self.check_token(token_value, client.resource_server)
        except TokenRejected as err:
            raise InvalidGrant(f"token is not usable by this client: {err.reason}") from err
        children: dict[str, ScopeRequest] = {}
        for scope in upstream.scopes:
            for root in self.consent_roots(upstream.identity_id, upstream.client_id, scope):
                for child in self.consent_children(root):
                    children[child.scope_string] = ScopeRequest(child.scope_string)
        if scope_text:
            wanted = self.parse_scope_request(scope_text)
            missing = [w.scope for w in wanted if w.scope not in children]
            if missing:
                raise InvalidScope(f"scopes not consented beneath this token: {missing}")
            requests = wanted
        else:
            requests = list(children.values())
        identity = self.identities[upstream.identity_id]
        return self._grant(
            identity, client.id, requests, refresh=refresh, session_id=upstream.session_id
        )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_loopback_redirect(uri: str) -> bool:
    """``http://`` to exactly localhost, 127.0.0.1 or [::1], any port, no
    userinfo and no fragment: ``localhost.evil.example``,
    ``localhost@evil.example`` and ``127.0.0.1.nip.io`` are other hosts."""
    # urlsplit drops tabs and newlines, and some browsers read "\\" as "/".
    if _NOT_URI.search(uri) or "\\" in uri:
        return False
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:  # a port that is not a number in range
        return False
    exact = {host if port is None else f"{host}:{port}" for host in LOOPBACK_HOSTS}
    return parts.scheme == "http" and parts.netloc.lower() in exact and not parts.fragment
