"""Registered APIs: HTTP routes registered with Flows that an Action state
calls directly (``"Handler": {"Type": "RegisteredAPI", "Id": ...}``),
without an action provider in between. No HTTP serving here.

A registered API is one operation of an OpenAPI document: its ``target``
names the method and URL template (``destination``), the operation
(``specification``, whose ``security`` gives the Globus Auth scopes a
token needs) and shared ``components``. Its ``data_templates`` say how the
state's Parameters become the request (``path``, ``query``, ``body``,
``headers``) and how each answer becomes the state's result: by status
(``"200"``, ``"2XX"``, ``"default"``), a template over ``{status_code,
headers, body}`` and a ``type``, ``success`` (the result) or ``failure``
(an exception named by its ``exception``, with its ``cause``).

Templates are JSON in which ``{"$T_ref": "<JSONPath>"}`` stands for the
value at that path, the only templating form Globus's recordings show.
Without templates, the Parameters carry the request parts by name and a
2XX answer's body is the result, anything else an ``ActionUnableToRun``
whose cause is the body (the defaults the recording spells out).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from ...clock import Clock, iso
from ...http import schema_problems
from ...ids import Ids
from .errors import LanguageError
from .paths import get_path

DEFAULT_TEMPLATES: dict[str, Any] = {
    "request": {"template": {"$T_ref": "$"}},
    "response": {
        "2XX": {"template": {"$T_ref": "$.body"}, "type": "success"},
        "default": {
            "template": {"cause": {"$T_ref": "$.body"}, "exception": "ActionUnableToRun"},
            "type": "failure",
        },
    },
}
# How long a deleted registered API lingers as DELETE_PENDING before it
# is gone. Globus speaks of "a grace period" without its length; this is
# the emulator's.
DELETION_GRACE = 7 * 24 * 3600.0
ROLE_NAMES = ("owners", "administrators", "viewers")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class RequestProblem(Exception):
    """The Parameters cannot make a request to the registered API."""


class NotUsable(Exception):
    """The registered API cannot be called (gone, or being deleted)."""


@dataclass
class RegisteredApi:
    id: str
    name: str
    description: str
    target: dict[str, Any]
    roles: dict[str, list[str]]
    created_at: float
    updated_at: float
    data_templates: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_TEMPLATES))
    state_input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    subscription_id: str | None = None
    status: str = "ACTIVE"
    edited_at: float | None = None
    deletion_at: float | None = None

    def roles_of(self, principals: set[str]) -> list[str]:
        """owner, administrator, viewer: each role a principal holds."""
        return [role[:-1] for role in ROLE_NAMES if set(self.roles.get(role, [])) & principals]

    @property
    def scopes(self) -> list[str]:
        """The Globus Auth scopes the operation's ``security`` asks for."""
        found: list[str] = []
        for requirement in self.target.get("specification", {}).get("security") or []:
            for scopes in requirement.values() if isinstance(requirement, dict) else []:
                found.extend(s for s in scopes if isinstance(s, str) and s not in found)
        return found

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created_timestamp": iso(self.created_at),
            "updated_timestamp": iso(self.updated_at),
        }

    def to_api(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "roles": {role: list(self.roles.get(role, [])) for role in ROLE_NAMES},
            "target": self.target,
            "data_templates": self.data_templates,
            "state_input_schema": self.state_input_schema,
            "status": self.status,
            "subscription_id": self.subscription_id,
            "edited_timestamp": iso(self.edited_at) if self.edited_at is not None else None,
            "scheduled_deletion_timestamp": (
                iso(self.deletion_at) if self.deletion_at is not None else None
            ),
        }

    # -- calling it --------------------------------------------------------------------

    def request(self, parameters: Any) -> tuple[str, str, Any]:
        """(method, URL with path and query filled in, JSON body or None)
        for a state's Parameters; RequestProblem if they do not fit."""
        problems = schema_problems(self.state_input_schema, parameters)
        if problems:
            raise RequestProblem("; ".join(problems))
        parts = render(self.data_templates.get("request", {}).get("template"), parameters)
        if not isinstance(parts, dict):
            raise RequestProblem("the request template must give an object")
        path = parts.get("path") or {}
        query = parts.get("query") or {}
        destination = self.target["destination"]

        def filled(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in path:
                raise RequestProblem(f"the path parameter {name!r} is missing")
            return quote(str(path[name]), safe="")

        url = _PLACEHOLDER.sub(filled, destination["url"])
        if query:
            pairs = [
                (k, v if isinstance(v, str) else _text(v))
                for k, values in query.items()
                for v in (values if isinstance(values, list) else [values])
            ]
            url += ("&" if "?" in url else "?") + urlencode(pairs)
        return destination["method"].upper(), url, parts.get("body")

    def outcome(self, status: int, body: Any) -> tuple[bool, Any]:
        """(succeeded, result) for an answer: success and its result, or
        failure and ``{"exception", "cause"}``, per the response templates."""
        templates = self.data_templates.get("response") or DEFAULT_TEMPLATES["response"]
        chosen = (
            templates.get(str(status))
            or templates.get(f"{str(status)[0]}XX")
            or templates.get("default")
            or DEFAULT_TEMPLATES["response"]["default"]
        )
        result = render(chosen.get("template"), {"status_code": status, "body": body})
        return chosen.get("type") == "success", result


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(template: Any, source: Any) -> Any:
    """A data template filled from ``source``: ``{"$T_ref": path}`` is the
    value at that JSONPath (None where there is none)."""
    if isinstance(template, dict):
        if set(template) == {"$T_ref"}:
            try:
                return copy.deepcopy(get_path(source, template["$T_ref"]))
            except LanguageError:
                return None
        return {key: render(value, source) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, source) for item in template]
    return template


class RegisteredApis:
    """Every registered API, in creation order. A deleted one is kept,
    DELETE_PENDING, until its grace period ends; then it is gone."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.items: dict[str, RegisteredApi] = {}

    def get(self, api_id: str) -> RegisteredApi | None:
        # Only this one is looked at (a get costs one API, not the world's):
        # any other outlived API is forgotten when it is asked for or listed.
        api = self.items.get(api_id)
        if api is not None and self._outlived(api):
            del self.items[api_id]
            return None
        return api

    def all(self) -> list[RegisteredApi]:
        """Every registered API, the outlived ones forgotten first."""
        for api in [a for a in self.items.values() if self._outlived(a)]:
            del self.items[api.id]
        return list(self.items.values())

    def _outlived(self, api: RegisteredApi) -> bool:
        """Whether a deleted API's grace period has ended by now."""
        return api.deletion_at is not None and api.deletion_at <= self.clock.now()

    def create(self, owner_urn: str, fields: dict[str, Any]) -> RegisteredApi:
        now = self.clock.now()
        roles = {role: list((fields.get("roles") or {}).get(role) or []) for role in ROLE_NAMES}
        roles["owners"] = roles["owners"] or [owner_urn]
        api = RegisteredApi(
            id=self.ids.uuid(),
            name=fields["name"],
            description=fields.get("description", ""),
            target=fields["target"],
            roles=roles,
            created_at=now,
            updated_at=now,
            subscription_id=fields.get("subscription_id"),
        )
        if "data_templates" in fields:
            api.data_templates = fields["data_templates"]
        if "state_input_schema" in fields:
            api.state_input_schema = fields["state_input_schema"]
        self.items[api.id] = api
        return api

    def update(self, api: RegisteredApi, fields: dict[str, Any]) -> None:
        """Only the fields given change; a role list given replaces that role."""
        for name in ("name", "description", "target", "data_templates", "state_input_schema"):
            if name in fields:
                setattr(api, name, fields[name])
        if "subscription_id" in fields:
            api.subscription_id = fields["subscription_id"]
        for role, members in (fields.get("roles") or {}).items():
            api.roles[role] = list(members)
        api.updated_at = api.edited_at = self.clock.now()

    def delete(self, api: RegisteredApi) -> None:
        """Marked DELETE_PENDING, to be gone after the grace period."""
        now = self.clock.now()
        api.status = "DELETE_PENDING"
        api.deletion_at = now + DELETION_GRACE
        api.updated_at = now

    def usable(self, api_id: str) -> RegisteredApi:
        """The registered API, if it can be called now; NotUsable says why
        it cannot."""
        api = self.get(api_id)
        if api is None:
            raise NotUsable(f"no registered API {api_id} exists (or it was deleted)")
        if api.deletion_at is not None:
            raise NotUsable(
                f"the registered API {api_id} was deleted: it is {api.status} "
                f"until {iso(api.deletion_at)}, then gone"
            )
        return api
