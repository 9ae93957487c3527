"""Auth's sections of a world file: identities (and the sets they link
into), clients, identity providers, projects, and the policies projects
own. Other sections name policies by id (a collection's
``session_requirement``, a flow's ``authentication_policy_id``), so a
policy that must be named is given its ``id`` here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...http import ApiError
from ...worlds import WorldError, strict_object, uuid_string
from .models import CLIENT_TYPES, CONFIDENTIAL, PUBLIC

if TYPE_CHECKING:
    from ...world import World

_DOMAINS = {"type": "array", "items": {"type": "string", "minLength": 1}}

WORLD_SCHEMA: dict[str, Any] = {
    "identities": {
        "type": "array",
        "description": "more login identities",
        "items": strict_object(
            {
                "username": {
                    "type": "string",
                    "description": "user@domain; the domain picks the identity provider",
                },
                "name": {"type": "string"},
                "email": {"type": "string"},
                "organization": {"type": "string"},
                "id": uuid_string("the identity's id (default: from the seed)"),
                "linked": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "description": "ids or usernames of identities linked to this one (one "
                    "identity set; the world's user's username links to them)",
                },
            }
        ),
    },
    "clients": {
        "type": "array",
        "description": "more registered clients (apps)",
        "items": strict_object(
            {
                "name": {"type": "string"},
                "type": {
                    "enum": ["confidential", "native", *CLIENT_TYPES],
                    "description": "default: confidential",
                },
                "id": uuid_string("the client id (default: from the seed)"),
                "secret": {"type": "string", "description": "a confidential client's secret"},
                "redirect_uris": {"type": "array", "items": {"type": "string"}},
            },
            required=("name",),
        ),
    },
    "identity_providers": {
        "type": "array",
        "description": "more identity providers (an identity's username domain picks one)",
        "items": strict_object(
            {
                "name": {"type": "string", "minLength": 1},
                "domains": {**_DOMAINS, "minItems": 1},
                "short_name": {"type": "string"},
                "id": uuid_string("the provider's id (default: from its first domain)"),
            },
            required=("name", "domains"),
        ),
    },
    "projects": {
        "type": "array",
        "description": "Globus Auth projects (they own policies)",
        "items": strict_object(
            {
                "display_name": {"type": "string", "minLength": 1},
                "id": uuid_string("the project's id (default: from the seed)"),
                "contact_email": {"type": "string"},
                "admins": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "identity ids or usernames (default: the world's user)",
                },
            },
            required=("display_name",),
        ),
    },
    "policies": {
        "type": "array",
        "description": "Auth policies that collections and flows may name",
        "items": strict_object(
            {
                "display_name": {"type": "string", "minLength": 1},
                "id": uuid_string("the policy's id (give it to name the policy elsewhere)"),
                "project_id": uuid_string(
                    "a project of this file (default: a new project of the world's user)"
                ),
                "description": {"type": "string"},
                "high_assurance": {"type": "boolean"},
                "authentication_assurance_timeout": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "seconds (high assurance)",
                },
                "required_mfa": {"type": "boolean", "description": "high assurance only"},
                "domain_constraints_include": _DOMAINS,
                "domain_constraints_exclude": _DOMAINS,
            },
            required=("display_name",),
        ),
    },
}


def load_auth(world: World, spec: dict[str, Any]) -> None:
    """Every Auth section, in an order that lets each name the ones before:
    providers, identities (then their links), clients, projects, policies."""
    for index, item in enumerate(spec.get("identity_providers", [])):
        with _at(f"identity_providers[{index}]"):
            world.auth.add_provider(
                item["name"],
                list(item["domains"]),
                short_name=item.get("short_name"),
                provider_id=item.get("id"),
            )
    links: list[tuple[int, str, str]] = []
    for index, item in enumerate(spec.get("identities", [])):
        with _at(f"identities[{index}]"):
            identity = world.auth.add_identity(
                item.get("username"),
                name=item.get("name"),
                email=item.get("email"),
                organization=item.get("organization"),
                identity_id=item.get("id"),
            )
        links.extend((index, identity.id, other) for other in item.get("linked", []))
    # linked identities may come later in the file: link once all exist
    for index, identity_id, other in links:
        with _at(f"identities[{index}].linked"):
            found = world.auth.identity_by_username(other)
            world.auth.link_identities(identity_id, found.id if found else other)
    for item in spec.get("clients", []):
        kind = item.get("type", "confidential")
        world.auth.register_client(
            item["name"],
            client_type={"native": PUBLIC, "confidential": CONFIDENTIAL}.get(kind, kind),
            client_id=item.get("id"),
            secret=item.get("secret"),
            redirect_uris=item.get("redirect_uris", []),
        )
    for index, item in enumerate(spec.get("projects", [])):
        with _at(f"projects[{index}]"):
            admins = [
                resolve_identity_id(world, a, f"projects[{index}]", clients=True)
                for a in item.get("admins", [world.user_id])
            ]
            world.auth.create_project(
                item["display_name"],
                item.get("contact_email", "admin@example.org"),
                admins,
                project_id=item.get("id"),
            )
    default_project: str | None = None
    for index, item in enumerate(spec.get("policies", [])):
        with _at(f"policies[{index}]"):
            project_id = item.get("project_id")
            if project_id is None:
                if default_project is None:
                    default_project = world.auth.create_project(
                        "Policies", "admin@example.org", [world.user_id]
                    ).id
                project_id = default_project
            elif project_id not in world.auth.projects:
                raise ValueError(f"no project {project_id} (add it under projects)")
            fields = {k: v for k, v in item.items() if k not in ("id", "project_id")}
            fields.setdefault("description", "")
            world.auth.create_policy(project_id, fields, policy_id=item.get("id"))


def known_policies(world: World, policy_ids: list[str], where: str) -> list[str]:
    """``policy_ids`` if each is a policy of the world; else a WorldError
    naming ``where`` (for sections of other services that name policies)."""
    for policy_id in policy_ids:
        if not world.auth.has_policy(policy_id):
            raise WorldError(f"world.{where}: no policy {policy_id} (add it under policies)")
    return policy_ids


def resolve_identity_id(world: World, given: str, where: str, *, clients: bool = False) -> str:
    """The id of the identity a world file names by id or username (or, with
    ``clients``, a client's id); a WorldError naming ``where`` if none."""
    if given in world.auth.identities or (clients and given in world.auth.clients):
        return given
    found = world.auth.identity_by_username(given)
    if found is None:
        raise WorldError(f"world.{where}: no identity {given!r} (add it under identities)")
    return found.id


@contextlib.contextmanager
def _at(where: str) -> Iterator[None]:
    """Words a refusal of the model (a ValueError, or Auth's own API error)
    as a WorldError naming the entry of the world file it came from."""
    try:
        yield
    except WorldError:
        raise
    except ApiError as err:
        raise WorldError(f"world.{where}: {err.message}") from err
    except ValueError as err:
        raise WorldError(f"world.{where}: {err}") from err
