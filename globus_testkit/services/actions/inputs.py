"""The input schemas of the hosted Transfer action providers.

Each provider checks a run's ``body`` against its schema (and shows it in
its introspection document), so a body the real provider would refuse is
a 400 ``BadActionRequest`` here too, never a failure half-way through.
"""

from __future__ import annotations

from typing import Any

ENDPOINT_PATH = {
    "type": "object",
    "properties": {
        "endpoint_id": {"type": "string"},
        "endpoint": {"type": "string"},
        "path": {"type": "string"},
    },
}


def _one_of_fields(*names: str) -> dict[str, Any]:
    """A schema part: at least one of ``names`` is given (the hosted
    providers take both the legacy ``*_id`` spelling and the current one)."""
    return {"anyOf": [{"required": [name]} for name in names]}


TRANSFER_INPUT = {
    "type": "object",
    "required": ["transfer_items"],
    "properties": {
        "source_endpoint": {"type": "string"},
        "source_endpoint_id": {"type": "string"},
        "destination_endpoint": {"type": "string"},
        "destination_endpoint_id": {"type": "string"},
        "label": {"type": ["string", "null"]},
        "transfer_items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["source_path", "destination_path"],
                "properties": {
                    "source_path": {"type": "string"},
                    "destination_path": {"type": "string"},
                    "recursive": {"type": "boolean"},
                },
            },
        },
    },
    "allOf": [
        _one_of_fields("source_endpoint", "source_endpoint_id"),
        _one_of_fields("destination_endpoint", "destination_endpoint_id"),
    ],
}
DELETE_INPUT = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "endpoint": {"type": "string"},
        "endpoint_id": {"type": "string"},
        "recursive": {"type": "boolean"},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["path"],
                        "properties": {"path": {"type": "string"}},
                    },
                ]
            },
        },
    },
    "allOf": [_one_of_fields("endpoint", "endpoint_id")],
}
