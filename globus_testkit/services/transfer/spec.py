"""Transfer's section of a world file: collections, their files, and the
sessions their storage gateways demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...worlds import WorldError, strict_object, uuid_string
from ..auth.models import RESOURCE_SERVER, SessionRequirement
from ..auth.spec import known_policies
from .collection import ENTITY_TYPES, MAPPED, Collection
from .filetree import normalize

if TYPE_CHECKING:
    from ...world import World

# What a collection's storage gateway demands of a caller's session (see
# TransferHelpers.require_session, whose arguments these are).
SESSION_REQUIREMENT = strict_object(
    {
        "policies": {"type": "array", "items": uuid_string("an Auth policy of the world")},
        "domains": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "an identity from one of these must have authenticated",
        },
        "identities": {"type": "array", "items": uuid_string("an identity id")},
        "mfa": {"type": "boolean"},
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "seconds an authentication satisfies it",
        },
        "message": {"type": "string"},
    },
    description="the session the collection's storage gateway demands",
)


WORLD_SCHEMA: dict[str, Any] = {
    "collections": {
        "type": "array",
        "description": "more collections, with their files",
        "items": strict_object(
            {
                "display_name": {"type": "string"},
                "id": uuid_string("the collection id (default: from the seed)"),
                "entity_type": {"enum": list(ENTITY_TYPES), "description": f"default {MAPPED}"},
                "owner_id": uuid_string("an identity id (default: the world's user)"),
                "owner_string": {"type": "string"},
                **{
                    field: {"type": "string"}
                    for field in (
                        "description",
                        "organization",
                        "department",
                        "contact_email",
                        "default_directory",
                        "keywords",  # comma-separated, as Transfer keeps them
                    )
                },
                **{
                    field: {"type": "boolean"}
                    for field in (
                        "public",
                        "high_assurance",
                        "non_functional",
                        "requires_data_access_consent",
                    )
                },
                "subscription_id": uuid_string("a subscription id"),
                "host_endpoint_id": uuid_string("the host endpoint's id"),
                "session_requirement": SESSION_REQUIREMENT,
                "directories": {"type": "array", "items": {"type": "string"}},
                "files": {
                    "type": "array",
                    "items": strict_object(
                        {
                            "path": {"type": "string"},
                            "content": {"type": "string", "description": "text content"},
                            "size": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "a size only, no bytes kept",
                            },
                        },
                        required=("path",),
                    ),
                },
            },
            required=("display_name",),
        ),
    }
}


def add_collections(world: World, items: list[dict[str, Any]], *, default_owner: str) -> None:
    """Collections (and their files) from a world description."""
    for index, item in enumerate(items):
        owner = world.auth.identities.get(item.get("owner_id", default_owner))
        if owner is None:
            raise ValueError(f"collection owner {item.get('owner_id')} is not an identity")
        fields = {
            k: item[k]
            for k in (
                "description",
                "keywords",
                "organization",
                "department",
                "contact_email",
                "public",
                "default_directory",
                "high_assurance",
                "subscription_id",
                "host_endpoint_id",
                "non_functional",
                "requires_data_access_consent",
            )
            if k in item
        }
        entity_type = item.get("entity_type", MAPPED)
        fields.setdefault("requires_data_access_consent", entity_type == MAPPED)
        collection = world.transfer.create_collection(
            item["display_name"],
            owner_id=owner.id,
            owner_string=item.get("owner_string", owner.username),
            entity_type=entity_type,
            collection_id=item.get("id"),
            **fields,
        )
        if "session_requirement" in item:
            collection.session_requirement = _requirement(
                world, item["session_requirement"], f"collections[{index}].session_requirement"
            )
        if collection.requires_data_access_consent:
            register_data_access(world, collection)
        for directory in item.get("directories", []):
            collection.tree.mkdir(normalize(directory), parents=True, exist_ok=True)
        for entry in item.get("files", []):
            content = entry.get("content")
            collection.tree.write(
                normalize(entry["path"]),
                content=content.encode() if isinstance(content, str) else None,
                size=entry.get("size"),
            )


def register_data_access(world: World, collection: Collection) -> None:
    """The collection's data_access scope, on a resource server of its own
    (as a GCS endpoint has), so Transfer's scope can depend on it."""
    auth = world.auth
    if auth.scope_by_string(collection.data_access_scope) is not None:
        return
    if collection.id not in auth.clients:
        auth.register_client(
            f"{collection.display_name} (storage gateway)",
            client_type=RESOURCE_SERVER,
            client_id=collection.id,
        )
    auth.register_scope(
        collection.data_access_scope,
        client_id=collection.id,
        description=f"Access data on {collection.display_name}",
        scope_id=auth.ids.stable_uuid("data_access", collection.id),
    )


def _requirement(world: World, given: dict[str, Any], where: str) -> SessionRequirement:
    for identity_id in given.get("identities", []):
        if identity_id not in world.auth.identities:
            raise WorldError(f"world.{where}: no identity {identity_id} (add it under identities)")
    return SessionRequirement.of(
        policy=known_policies(world, list(given.get("policies", [])), where),
        domains=given.get("domains", ()),
        identities=given.get("identities", ()),
        mfa=given.get("mfa", False),
        timeout=given.get("timeout"),
        message=given.get("message"),
    )
