"""Bookmarks in Transfer's JSON:API (``/v2/bookmarks``): the very bookmarks
``/v0.10/bookmark...`` shows (:mod:`.bookmarks` keeps them), in the v2
format. They register on Transfer's one routes table."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply
from . import bookmarks, jsonapi
from .access import Principals
from .jsonapi import V2, ref, resource
from .routes import TransferService, routes

BOOKMARKS = f"{V2}/bookmarks"
BOOKMARK = f"{BOOKMARKS}/<bookmark_id>"


def _owners(svc: TransferService, call: Call) -> tuple[str, set[str], Principals]:
    """The caller, their identity set (v2 shows what any of them made)
    and whom they are for access checks."""
    info, who = svc.caller(call)
    return info.identity_id, set(who.identities), who


def bookmark_resource(bookmark: dict[str, Any]) -> dict[str, Any]:
    return resource(
        "Bookmark",
        bookmark["id"],
        {"name": bookmark["name"], "path": bookmark["path"]},
        {"collection": ref("Collection", bookmark["endpoint_id"])},
    )


def _included(svc: TransferService, call: Call, found: list[dict[str, Any]]) -> dict[str, Any]:
    """``?include=collection``: the bookmarked collections, once each (a
    collection since deleted is left out)."""
    asked = set(call.arg_csv("include"))
    if "collection" not in asked:
        return {}
    included = []
    for collection_id in dict.fromkeys(b["endpoint_id"] for b in found):
        collection = svc.state.collections.get(collection_id)
        if collection is not None:
            included.append(
                resource(
                    "Collection",
                    collection.id,
                    {
                        "display_name": collection.display_name,
                        "high_assurance": collection.high_assurance,
                    },
                )
            )
    return {"included": included}


@routes.route(BOOKMARKS, "GET", operation="v2_list_bookmarks")
def list_bookmarks(svc: TransferService, call: Call) -> Reply:
    _, identities, _ = _owners(svc, call)
    mine = bookmarks.owned(svc.state, identities)
    return jsonapi.reply(call, [bookmark_resource(b) for b in mine], **_included(svc, call, mine))


@routes.route(BOOKMARKS, "POST", operation="v2_create_bookmark")
def create_bookmark(svc: TransferService, call: Call) -> Reply:
    identity_id, _, who = _owners(svc, call)
    data = jsonapi.document(call, "transfer_v2_bookmark")["data"]
    collection_id = data["relationships"]["collection"]["data"]["id"]
    collection = svc.state.visible_collection(collection_id, who)
    attributes = data["attributes"]
    bookmark = bookmarks.create(
        svc.state, identity_id, collection, attributes["name"], attributes["path"]
    )
    return jsonapi.reply(call, bookmark_resource(bookmark), status=201)


@routes.route(BOOKMARK, "GET", operation="v2_get_bookmark")
def get_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    _, identities, _ = _owners(svc, call)
    bookmark = bookmarks.find(svc.state, identities, bookmark_id)
    return jsonapi.reply(call, bookmark_resource(bookmark), **_included(svc, call, [bookmark]))


@routes.route(BOOKMARK, "PATCH", operation="v2_update_bookmark")
def update_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    _, identities, _ = _owners(svc, call)
    document = jsonapi.document(call, "transfer_v2_bookmark_update")
    bookmark = bookmarks.find(svc.state, identities, bookmark_id)
    attributes = document["data"].get("attributes", {})
    bookmarks.update(svc.state, bookmark, name=attributes.get("name"), path=attributes.get("path"))
    return jsonapi.reply(call, bookmark_resource(bookmark))


@routes.route(BOOKMARK, "DELETE", operation="v2_delete_bookmark")
def delete_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    _, identities, _ = _owners(svc, call)
    bookmarks.delete(svc.state, bookmarks.find(svc.state, identities, bookmark_id))
    return jsonapi.meta_only(call)
