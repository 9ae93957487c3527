"""Globus Auth's service: its route table, error shape, client
authentication, and the request parsing its route modules share.

The routes themselves live in ``oauth_routes`` (the OAuth2 endpoints),
``login`` (the browser login) and ``api_routes`` (``/v2/api``);
``routes`` imports them all so the table is complete.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote

from ...http import ApiError, Call, validate
from ..base import Routes, Service
from .errors import (
    AuthApiError,
    InvalidClient,
    InvalidRequest,
    OAuthError,
)
from .models import (
    AUTH_RESOURCE_SERVER,
    AuthState,
    Client,
)
from .spec import WORLD_SCHEMA, load_auth

if TYPE_CHECKING:
    from ...emulator import World

routes = Routes()

DEPENDENT_TOKEN_GRANT = "urn:globus:auth:grant_type:dependent_token"
VIEW_IDENTITY_SET = "urn:globus:auth:scope:auth.globus.org:view_identity_set"
MANAGE_PROJECTS = "urn:globus:auth:scope:auth.globus.org:manage_projects"

_STATUS_CODES = {400: "INVALID_PARAMETERS", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


class AuthService(Service):
    name = "auth"
    hosts = ("auth.globus.org",)
    resource_server = AUTH_RESOURCE_SERVER
    routes = routes

    @property
    def state(self) -> AuthState:
        return self.world.auth

    world_schema: ClassVar[dict[str, Any]] = WORLD_SCHEMA

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        """Auth's sections of a world file (``spec.py``)."""
        load_auth(world, spec)

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        if isinstance(err, OAuthError):
            return {"error": err.code, "error_description": err.message}
        code = (
            err.code if isinstance(err, AuthApiError) else _STATUS_CODES.get(err.status, err.code)
        )
        title = _title(err.status)
        return {
            "errors": [
                {
                    "status": str(err.status),
                    "id": call.request_id,
                    "code": code,
                    "detail": err.message,
                    "title": title,
                }
            ],
            "error": code.lower(),
            "error_description": title,
        }

    def authenticate_client(self, call: Call, *, allow_public: bool = True) -> Client:
        """The client calling an OAuth2 endpoint: HTTP Basic, or a
        ``client_id`` form field for public (native) clients."""
        header = call.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
            except ValueError as err:
                raise InvalidClient("malformed Basic authorization header") from err
            client_id, _, secret = decoded.partition(":")
            client = self.state.authenticate_client(unquote(client_id), unquote(secret))
        else:
            form_client_id = call.form.get("client_id")
            if not form_client_id:
                raise InvalidClient("client authentication is required")
            client = self.state.authenticate_client(form_client_id, call.form.get("client_secret"))
            if client.is_public and not allow_public:
                raise InvalidClient("this endpoint needs a confidential client")
        call.client_id = client.id
        return client


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def required_form(call: Call, *names: str) -> list[str]:
    values = []
    for name in names:
        value = call.form.get(name)
        if not value:
            raise InvalidRequest(f"missing required parameter {name!r}")
        values.append(value)
    return values


def caller_id(svc: AuthService, call: Call) -> str:
    """Who is calling a /v2/api route: a bearer token's identity, or a
    client authenticating as itself with HTTP Basic."""
    if call.headers.get("authorization", "").lower().startswith("basic "):
        try:
            return svc.authenticate_client(call, allow_public=False).id
        except OAuthError as err:
            raise AuthApiError(401, "UNAUTHORIZED", err.message) from err
    return svc.authenticate(call).identity_id


def wrapped_body(call: Call, key: str, schema: str) -> dict[str, Any]:
    body = call.json_object()
    validate(body, schema)
    inner = body[key]
    assert isinstance(inner, dict)
    return inner
