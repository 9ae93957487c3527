"""``emulator.auth``: what tests do to Globus Auth without HTTP.

A person's browser login, minting a token for an identity, registering an
app: each is one call here, run under the emulator's lock against the
same model the routes use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from .models import (
    CONFIDENTIAL,
    PUBLIC,
    AuthState,
    Client,
    Identity,
    Session,
    SessionRequirement,
    Token,
)
from .routes import auth_base_of, complete_authorization

if TYPE_CHECKING:
    from ...emulator import Emulator


class AuthHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    @property
    def state(self) -> AuthState:
        return self._emulator.world.auth

    def authorize(
        self,
        authorize_url: str,
        identity: Identity | str | None = None,
        *,
        present: Iterable[Identity | str] | None = None,
        mfa: bool | None = None,
    ) -> str:
        """Do what a person does with an authorize URL: log in and consent.

        Returns the code a native app's user would paste, or, for an app
        with its own redirect URI, the URL the browser would be sent to
        (carrying ``code`` and ``state``). ``identity`` defaults to the
        world's first user.

        By default the person meets the URL's ``session_required_*``
        parameters as far as their linked identities allow. ``present``
        (more identities of their set to authenticate with) and ``mfa``
        choose instead, to play someone who does not satisfy a policy.
        """
        params = dict(parse_qsl(urlsplit(authorize_url).query, keep_blank_values=True))
        identity_id = _id(identity) if identity is not None else None
        presented = None if present is None else [_id(p) for p in present]
        with self._emulator.lock:
            location = complete_authorization(
                self.state,
                params,
                identity_id,
                auth_base=auth_base_of(authorize_url),
                present=presented,
                mfa=mfa,
            )
        return location[5:] if location.startswith("code:") else location

    def issue_token(
        self,
        identity: Identity | str,
        scopes: Iterable[str] | str,
        *,
        client_id: str | None = None,
        lifetime: float | None = None,
    ) -> str:
        """An access token for one resource server's scopes, as if the
        identity had logged in to ``client_id`` (default: the native app)."""
        tokens = self.issue_tokens(identity, scopes, client_id=client_id, lifetime=lifetime)
        if len(tokens) != 1:
            raise ValueError(f"scopes span {len(tokens)} resource servers; use issue_tokens()")
        return next(iter(tokens.values()))

    def issue_tokens(
        self,
        identity: Identity | str,
        scopes: Iterable[str] | str,
        *,
        client_id: str | None = None,
        lifetime: float | None = None,
    ) -> dict[str, str]:
        """Access tokens keyed by resource server."""
        identity_id = identity.id if isinstance(identity, Identity) else identity
        with self._emulator.lock:
            client = client_id or self._emulator.native_client_id
            minted: list[Token] = self.state.issue_token(
                identity_id, scopes, client_id=client, lifetime=lifetime
            )
        return {t.resource_server: t.value for t in minted}

    def register_client(
        self,
        name: str,
        *,
        native: bool = False,
        client_type: str | None = None,
        redirect_uris: Iterable[str] = (),
        client_id: str | None = None,
        secret: str | None = None,
    ) -> Client:
        """Register an app; confidential ones get a secret
        (``client.credentials[0].secret``)."""
        with self._emulator.lock:
            return self.state.register_client(
                name,
                client_type=client_type or (PUBLIC if native else CONFIDENTIAL),
                redirect_uris=redirect_uris,
                client_id=client_id,
                secret=secret,
            )

    def add_identity(
        self,
        username: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> Identity:
        """A new user identity (Faker fills what is not given)."""
        with self._emulator.lock:
            return self.state.add_identity(username, name=name, email=email)

    def link_identities(self, identity: Identity | str, *others: Identity | str) -> list[Identity]:
        """Link identities into one identity set (a person who has logged in
        with each); returns the set, ``identity`` first."""
        with self._emulator.lock:
            linked = self.state.identity_set(_id(identity))
            for other in others:
                linked = self.state.link_identities(_id(identity), _id(other))
            return linked

    def add_identity_provider(self, name: str, domains: Iterable[str]) -> str:
        """An identity provider (its id) for ``domains``. Providers of
        unknown domains are made on demand; this names them."""
        with self._emulator.lock:
            return self.state.add_provider(name, list(domains)).id

    def add_policy(
        self,
        project: str | None = None,
        *,
        display_name: str = "Test policy",
        description: str = "",
        high_assurance: bool = False,
        authentication_assurance_timeout: int | None = None,
        required_mfa: bool = False,
        domain_constraints_include: Iterable[str] | None = None,
        domain_constraints_exclude: Iterable[str] | None = None,
    ) -> str:
        """An Auth policy (its id) in ``project`` (default: a new project of
        the service account), as ``AuthClient.create_policy`` makes them."""
        fields = {
            "display_name": display_name,
            "description": description,
            "high_assurance": high_assurance,
            "authentication_assurance_timeout": authentication_assurance_timeout,
            "required_mfa": required_mfa,
            "domain_constraints_include": _listed(domain_constraints_include),
            "domain_constraints_exclude": _listed(domain_constraints_exclude),
        }
        project_id = project or self.add_project("Policies")
        with self._emulator.lock:
            return self.state.create_policy(project_id, fields).id

    def expire_assurance(self, policy: str) -> float:
        """Move the clock one second past a high-assurance policy's
        ``authentication_assurance_timeout``, so every login made until now
        no longer satisfies it (for a flow or collection naming it).
        Returns the seconds moved."""
        with self._emulator.lock:
            window = self.state.assurance_window(SessionRequirement(policy_ids=[policy]))
        if window is None:
            raise ValueError(
                f"policy {policy} does not lapse with time (it needs high_assurance "
                "and authentication_assurance_timeout)"
            )
        self._emulator.clock.advance(window + 1)
        return window + 1

    def session_of(self, token: str) -> Session | None:
        """The session (who authenticated, when, with MFA) behind a token."""
        with self._emulator.lock:
            found = self.state.tokens.get(token)
            return self.state.session(found.session_id) if found else None

    def add_credential(self, client_id: str, name: str = "test credential") -> str:
        """A new secret for a confidential client or resource server (say,
        a service you run yourself that introspects tokens)."""
        with self._emulator.lock:
            return self.state.add_credential(client_id, name=name).secret

    def add_project(
        self,
        display_name: str = "Test project",
        *,
        admins: Iterable[Identity | str] = (),
        contact_email: str = "admin@example.org",
    ) -> str:
        """A Globus Auth project (its id) administered by ``admins``:
        identities, identity ids, or client ids (a confidential client acts
        as its own identity). Default: the world's service account."""
        admin_ids = [a.id if isinstance(a, Identity) else a for a in admins]
        with self._emulator.lock:
            if not admin_ids:
                admin_ids = [self._emulator.world.service_account_id]
            return self.state.create_project(display_name, contact_email, admin_ids).id

    def revoke_token(self, token: str) -> None:
        with self._emulator.lock:
            found = self.state.tokens.get(token)
            if found is not None:
                found.revoked = True

    def revoke_consent(self, identity: Identity | str, scope: str) -> int:
        """Withdraw an identity's consent to ``scope`` wherever it was given
        (and to everything beneath it)."""
        identity_id = identity.id if isinstance(identity, Identity) else identity
        with self._emulator.lock:
            return self.state.revoke_consent(identity_id, scope)


def _id(identity: Identity | str) -> str:
    return identity.id if isinstance(identity, Identity) else identity


def _listed(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else list(values)
