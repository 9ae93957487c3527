"""World descriptions: reading them, and the one JSON Schema they follow.

Every service registers the top-level keys its ``load_spec`` reads as a
``world_schema`` (JSON Schema ``properties``); the world schema is their
union plus the keys the emulator itself reads (``default_actors``), with
nothing else allowed. World files, the ``@pytest.mark.globus(world=...)``
marker and ``PUT /_testkit/world`` are all checked against it, so a
misspelt key (``identites``) is refused, with a suggestion, instead of
being ignored. ``globus-testkit world-schema`` prints it.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

WorldSpec = dict[str, Any]
SCHEMA_ID = "https://globus-testkit.invalid/world.schema.json"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class WorldError(ValueError):
    """A world description that cannot be read or does not fit the schema."""


def uuid_string(description: str) -> dict[str, Any]:
    """A schema for an id given as a UUID string (what Globus ids are)."""
    return {"type": "string", "pattern": UUID_PATTERN, "description": description}


def strict_object(
    properties: dict[str, Any], *, required: tuple[str, ...] = (), description: str = ""
) -> dict[str, Any]:
    """An object with these properties and no others (so typos are caught)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


# Keys the emulator itself reads, not any one service (see build_world).
COMMON_SCHEMA: dict[str, Any] = {
    "default_actors": strict_object(
        {
            "user": strict_object(
                {
                    "username": {"type": "string", "description": "the user's username"},
                    "name": {"type": "string", "description": "the user's display name"},
                },
                description="the world's default user (the identity apps log in as)",
            )
        },
        description="who the world's default actors are",
    )
}


@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    from .emulator import SERVICE_CLASSES

    properties = dict(COMMON_SCHEMA)
    for service in SERVICE_CLASSES:
        for key, schema in service.world_schema.items():
            if key in properties:
                raise RuntimeError(f"world key {key!r} is claimed twice ({service.__name__})")
            properties[key] = schema
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": SCHEMA_ID,
            "title": "globus-testkit world description",
            "description": "Sections added to the default world (every section is optional).",
            **strict_object(properties),
        }
    )


def world_schema() -> dict[str, Any]:
    """The JSON Schema every world description follows (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(_schema_text())
    return loaded


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    # Draft 7 is in every jsonschema the kit supports (3.2 and newer).
    from jsonschema import Draft7Validator

    return Draft7Validator(world_schema())


def validate_world(spec: Any, *, source: str = "world") -> WorldSpec:
    """``spec`` if it fits the world schema; else a WorldError naming the
    first field that does not, and suggesting the key meant if misspelt."""
    errors = sorted(_validator().iter_errors(spec), key=lambda e: (len(e.path), list(e.path)))
    if not errors:
        return dict(spec)
    first = errors[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.absolute_path)
    raise WorldError(f"{source}{where}: {_explain(first)}")


def _explain(error: Any) -> str:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in known]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            return f"unknown key {key!r}{hint}"
    if error.validator == "pattern" and error.validator_value == UUID_PATTERN:
        return f"{error.instance!r} is not a UUID (like 7d2a0f5e-3b1c-4e8a-9f6d-2c4b8a1e0d35)"
    return str(error.message)


def load_world_spec(world: str | Path | WorldSpec | None) -> WorldSpec:
    """A checked world description from a dict, or a JSON or YAML file."""
    if world is None:
        return {}
    if isinstance(world, dict):
        return validate_world(world) if world else {}
    path = Path(world)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise WorldError(f"{path}: no such world file") from None
    except OSError as err:
        raise WorldError(f"{path}: cannot read it ({err.strerror})") from None
    return validate_world(_parse(path, text), source=str(path))


def _parse(path: Path, text: str) -> Any:
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml  # optional: only needed for YAML worlds
        except ImportError:
            raise WorldError(
                f"{path}: YAML worlds need PyYAML (pip install 'globus-testkit[yaml]')"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise WorldError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    try:
        return json.loads(text)
    except ValueError as err:
        raise WorldError(f"{path}: not valid JSON ({err})") from None
