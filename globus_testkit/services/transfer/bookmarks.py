"""Bookmarks: one store (``TransferState.bookmarks``), two formats.

Transfer's v0.10 API (``/v0.10/bookmark...``) and its JSON:API v2
(``/v2/bookmarks``) show the same bookmarks. Each is a plain record
``{"DATA_TYPE": "bookmark", "id", "name", "endpoint_id", "path",
"pinned", "owner_id"}``; the rules over those records live here so both
APIs keep them the same way.
"""

from __future__ import annotations

from typing import Any

from .collection import Collection
from .errors import Conflict, NotFound
from .filetree import normalize
from .models import TransferState


def owned(state: TransferState, owners: set[str]) -> list[dict[str, Any]]:
    """The bookmarks any of ``owners`` (identity ids) made, oldest first."""
    return [b for b in state.bookmarks.values() if b["owner_id"] in owners]


def find(state: TransferState, owners: set[str], bookmark_id: str) -> dict[str, Any]:
    """One of the owners' bookmarks; anyone else's is not found."""
    found = state.bookmarks.get(bookmark_id)
    if found is None or found["owner_id"] not in owners:
        raise NotFound(f"no bookmark {bookmark_id}")
    return found


def _check_name(state: TransferState, owner_id: str, name: str, *, but: str | None) -> None:
    if any(
        b["name"] == name and b["owner_id"] == owner_id and b["id"] != but
        for b in state.bookmarks.values()
    ):
        raise Conflict(f"a bookmark named {name!r} exists", code="Exists")


def create(
    state: TransferState,
    owner_id: str,
    collection: Collection,
    name: str,
    path: str,
    *,
    pinned: bool = False,
) -> dict[str, Any]:
    """A new bookmark; its name is unique among its owner's."""
    _check_name(state, owner_id, name, but=None)
    bookmark_id = state.ids.uuid()
    bookmark: dict[str, Any] = {
        "DATA_TYPE": "bookmark",
        "id": bookmark_id,
        "name": name,
        "endpoint_id": collection.id,
        "path": normalize(path),
        "pinned": pinned,
        "owner_id": owner_id,
    }
    state.bookmarks[bookmark_id] = bookmark
    return bookmark


def update(
    state: TransferState,
    bookmark: dict[str, Any],
    *,
    name: str | None = None,
    path: str | None = None,
    pinned: bool | None = None,
) -> dict[str, Any]:
    """Rename, move or (un)pin; checked in full before anything changes."""
    if name is not None:
        _check_name(state, bookmark["owner_id"], name, but=bookmark["id"])
    new_path = normalize(path) if path is not None else None
    if name is not None:
        bookmark["name"] = name
    if new_path is not None:
        bookmark["path"] = new_path
    if pinned is not None:
        bookmark["pinned"] = pinned
    return bookmark


def delete(state: TransferState, bookmark: dict[str, Any]) -> None:
    del state.bookmarks[bookmark["id"]]
