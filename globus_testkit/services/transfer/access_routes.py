"""Transfer's access rules (ACLs on guest collections) and the caller's
bookmarks. They register on Transfer's one routes table."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply, validate
from . import bookmarks
from .collection import MANAGING, Collection
from .routes import API, TransferService, _result, routes

# -- access rules -------------------------------------------------------------------------


@routes.route(f"{API}/endpoint/<collection_id>/access_list", "GET", operation="endpoint_acl_list")
def access_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    svc.state.require_role(collection, who, MANAGING, "view access rules")
    return access_list_reply(collection)


def access_list_reply(collection: Collection) -> Reply:
    rules = [r.to_api() for r in collection.rules.values()]
    return Reply(
        {"DATA_TYPE": "access_list", "DATA": rules, "endpoint": collection.id, "length": len(rules)}
    )


@routes.route(f"{API}/endpoint/<collection_id>/access", "POST", operation="add_endpoint_acl_rule")
def add_access(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    svc.state.visible_collection(collection_id, who)
    body = call.json_object()
    validate(body, "transfer_access", code="ClientError.BadRequest")
    rule = svc.state.add_rule(collection_id, who, body)
    return Reply(
        {
            "DATA_TYPE": "access_create_result",
            "code": "Created",
            "message": "Access rule created successfully.",
            "access_id": rule.id,
            "request_id": call.request_id,
            "resource": call.path,
        },
        201,
    )


ACCESS = f"{API}/endpoint/<collection_id>/access/<rule_id>"


@routes.route(ACCESS, "GET", operation="get_endpoint_acl_rule")
def get_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    _, who = svc.caller(call)
    return Reply(svc.state.rule(collection_id, who, rule_id).to_api())


@routes.route(ACCESS, "PUT", operation="update_endpoint_acl_rule")
def update_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    _, who = svc.caller(call)
    rule = svc.state.rule(collection_id, who, rule_id)
    body = call.json_object()
    validate(body, "transfer_access_update", code="ClientError.BadRequest")
    rule.permissions = body["permissions"]
    rule.expiration_date = body.get("expiration_date", rule.expiration_date)
    return _result(call, "result", "Updated", "Access rule updated successfully")


@routes.route(ACCESS, "DELETE", operation="delete_endpoint_acl_rule")
def delete_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    _, who = svc.caller(call)
    svc.state.delete_rule(collection_id, who, rule_id)
    return _result(call, "result", "Deleted", "Access rule deleted successfully")


# -- bookmarks ---------------------------------------------------------------------------
# v0.10's view of the one bookmark store (:mod:`.bookmarks` keeps its rules;
# /v2/bookmarks shows the same records): each identity sees its own.


def _bookmark_doc(bookmark: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bookmark.items() if k != "owner_id"}


@routes.route(f"{API}/bookmark_list", "GET", operation="bookmark_list")
def bookmark_list(svc: TransferService, call: Call) -> Reply:
    info, _ = svc.caller(call)
    mine = bookmarks.owned(svc.state, {info.identity_id})
    return Reply({"DATA_TYPE": "bookmark_list", "DATA": [_bookmark_doc(b) for b in mine]})


@routes.route(f"{API}/bookmark", "POST", operation="create_bookmark")
def create_bookmark(svc: TransferService, call: Call) -> Reply:
    info, who = svc.caller(call)
    body = call.json_object()
    validate(body, "transfer_bookmark", code="ClientError.BadRequest")
    collection = svc.state.visible_collection(body["endpoint_id"], who)
    bookmark = bookmarks.create(
        svc.state,
        info.identity_id,
        collection,
        body["name"],
        body["path"],
        pinned=bool(body.get("pinned", False)),
    )
    return Reply(_bookmark_doc(bookmark))


BOOKMARK = f"{API}/bookmark/<bookmark_id>"


@routes.route(BOOKMARK, "GET", operation="get_bookmark")
def get_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(_bookmark_doc(bookmarks.find(svc.state, {info.identity_id}, bookmark_id)))


@routes.route(BOOKMARK, "PUT", operation="update_bookmark")
def update_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    bookmark = bookmarks.find(svc.state, {info.identity_id}, bookmark_id)
    body = call.json_object()
    validate(body, "transfer_bookmark_update", code="ClientError.BadRequest")
    bookmarks.update(svc.state, bookmark, name=body.get("name"), pinned=body.get("pinned"))
    return Reply(_bookmark_doc(bookmark))


@routes.route(BOOKMARK, "DELETE", operation="delete_bookmark")
def delete_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    bookmarks.delete(svc.state, bookmarks.find(svc.state, {info.identity_id}, bookmark_id))
    return _result(call, "result", "Deleted", "Bookmark deleted successfully")
