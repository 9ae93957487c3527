"""OpenID Connect: the discovery document, the JWKS and signed id_tokens.

The signing key ships in ``fixtures/keys`` and is public on purpose (see
its README): the emulator's tokens prove nothing to anything real.
"""

from __future__ import annotations

import base64
import time
from functools import lru_cache
from typing import Any

from ...resources import fixtures_dir
from .models import Identity

ISSUER = "https://auth.globus.org"
ALGORITHM = "RS256"
KEY_ID = "globus-testkit-1"
ID_TOKEN_LIFETIME = 172800


@lru_cache(maxsize=1)
def _private_key() -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    pem = (fixtures_dir() / "keys" / "id-token-signing-key.pem").read_bytes()
    return load_pem_private_key(pem, password=None)


def _b64_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@lru_cache(maxsize=1)
def jwks() -> dict[str, Any]:
    numbers = _private_key().public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "RSA",
                "alg": ALGORITHM,
                "use": "sig",
                "kid": KEY_ID,
                "n": _b64_uint(numbers.n),
                "e": _b64_uint(numbers.e),
            }
        ]
    }


def openid_configuration(base_url: str) -> dict[str, Any]:
    """Discovery document; URLs are absolute on the address that was asked."""
    return {
        "issuer": ISSUER,
        "authorization_endpoint": f"{base_url}v2/oauth2/authorize",
        "token_endpoint": f"{base_url}v2/oauth2/token",
        "userinfo_endpoint": f"{base_url}v2/oauth2/userinfo",
        "revocation_endpoint": f"{base_url}v2/oauth2/token/revoke",
        "introspection_endpoint": f"{base_url}v2/oauth2/token/introspect",
        "jwks_uri": f"{base_url}jwk.json",
        "response_types_supported": ["code", "token", "token id_token", "id_token"],
        "grant_types_supported": [
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:globus:auth:grant_type:dependent_token",
        ],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "claims_supported": [
            "at_hash",
            "aud",
            "email",
            "exp",
            "name",
            "nonce",
            "preferred_username",
            "iat",
            "iss",
            "sub",
        ],
        "subject_types_supported": ["public"],
    }


def id_token(
    identity: Identity, identity_set: list[Identity], client_id: str, auth_time: float
) -> str:
    """A signed id_token for ``identity``, with ``aud`` the client.

    Clients check ``iat`` and ``exp`` against the machine's real clock, not
    the emulator's, so these two are stamped from real time: a test that
    moved the virtual clock a day ahead can still log in.
    """
    import jwt

    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": identity.id,
        "aud": client_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "preferred_username": identity.username,
        "name": identity.name,
        "email": identity.email,
        "organization": identity.organization,
        "identity_provider": identity.identity_provider,
        "identity_provider_display_name": identity.identity_provider_display_name,
        "last_authentication": int(auth_time),
        "identity_set": [
            {
                "sub": i.id,
                "username": i.username,
                "name": i.name,
                "email": i.email,
                "identity_provider": i.identity_provider,
                "identity_provider_display_name": i.identity_provider_display_name,
                "last_authentication": int(auth_time),
            }
            for i in identity_set
        ],
    }
    return jwt.encode(claims, _private_key(), algorithm=ALGORITHM, headers={"kid": KEY_ID})
