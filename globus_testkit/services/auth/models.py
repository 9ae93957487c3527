"""Globus Auth's state and rules, assembled from one module per idea:
identities, clients and projects, scopes, consents, tokens, grants. No
HTTP here: routes call these methods.

Other services ask Auth questions only through :class:`AuthState`'s public
methods (``check_token``, ``has_dependent_consent``, ``register_scope``...),
never by reading its dicts. The names below are re-exported so callers
import them from one place.
"""

from __future__ import annotations

from .clients import (
    CLIENT_TYPES,
    CONFIDENTIAL,
    HYBRID,
    PUBLIC,
    RESOURCE_SERVER,
    Client,
    Credential,
    Project,
)
from .consents import Consent
from .grants import CODE_LIFETIME, AuthorizationCode, GrantRules, is_loopback_redirect
from .identities import IDENTITY_URN, Identity, IdentityProvider, identity_urn
from .policies import Policy
from .scope_registry import Dependency, Scope
from .sessions import Authentication, Session, SessionDemand, SessionRequirement
from .tokens import (
    ACCESS_TOKEN_LIFETIME,
    AUTH_RESOURCE_SERVER,
    Grant,
    IssuedToken,
    Token,
    TokenInfo,
)

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "AUTH_RESOURCE_SERVER",
    "CLIENT_TYPES",
    "CODE_LIFETIME",
    "CONFIDENTIAL",
    "HYBRID",
    "IDENTITY_URN",
    "PUBLIC",
    "RESOURCE_SERVER",
    "AuthState",
    "Authentication",
    "AuthorizationCode",
    "Client",
    "Consent",
    "Credential",
    "Dependency",
    "Grant",
    "Identity",
    "IdentityProvider",
    "IssuedToken",
    "Policy",
    "Project",
    "Scope",
    "Session",
    "SessionDemand",
    "SessionRequirement",
    "Token",
    "TokenInfo",
    "identity_urn",
    "is_loopback_redirect",
]


class AuthState(GrantRules):
    """All of Globus Auth's world, and the rules that change it.

    Each layer (identities, clients, scopes, consents, tokens, grants) is
    its own module and builds on the one before it.
    """
