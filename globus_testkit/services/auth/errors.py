"""Every error the emulated Globus Auth gives, named.

OAuth2 endpoints answer ``{"error", "error_description"}``; the ``/v2/api``
endpoints answer ``{"errors": [...], "error", "error_description"}``. The
models raise these; ``routes.py`` formats them in one place.
"""

from __future__ import annotations

from typing import Any

from ...http import ApiError


class OAuthError(ApiError):
    """An RFC 6749 error from the token, introspect or revoke endpoints."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(status, error, description)


class InvalidRequest(OAuthError):
    def __init__(self, description: str) -> None:
        super().__init__(400, "invalid_request", description)


class InvalidClient(OAuthError):
    def __init__(self, description: str = "Invalid client credentials") -> None:
        super().__init__(401, "invalid_client", description)


class InvalidGrant(OAuthError):
    def __init__(self, description: str) -> None:
        super().__init__(400, "invalid_grant", description)


class InvalidScope(OAuthError):
    def __init__(self, description: str) -> None:
        super().__init__(400, "invalid_scope", description)


class UnsupportedGrantType(OAuthError):
    def __init__(self, grant_type: str) -> None:
        super().__init__(
            400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
        )


class UnauthorizedClient(OAuthError):
    def __init__(self, description: str) -> None:
        super().__init__(400, "unauthorized_client", description)


class AuthApiError(ApiError):
    """An error from the ``/v2/api`` resource endpoints."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(status, code, detail, **extra)


class ApiNotFound(AuthApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(404, "NOT_FOUND", detail)


class ApiForbidden(AuthApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(403, "FORBIDDEN", detail)


class ApiBadRequest(AuthApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(400, "INVALID_PARAMETERS", detail)


class TokenRejected(Exception):
    """A bearer token a service must refuse; each service words its own 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
