"""Transfer's file operations on a collection (``/v0.10/operation/endpoint/<id>/...``):
ls, stat, mkdir and rename, each refused while a pause rule in force pauses
it for the caller (stat counts as ls). They register on Transfer's one
routes table."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply, offset_page, validate
from .errors import BadRequest
from .filetree import normalize
from .listing import ls_entry, name_filter
from .routes import API, TransferService, _result, routes

# -- file operations ---------------------------------------------------------------------

OP = f"{API}/operation/endpoint/<collection_id>"


@routes.route(f"{OP}/ls", "GET", operation="operation_ls")
def operation_ls(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who, collection = svc.usable(call, collection_id, pause_flag="pause_ls")
    path = normalize(
        call.args.get("path") or collection.default_directory, collection.default_directory
    )
    svc.state.require(collection, who, path, write=False)
    directory = collection.tree.directory(path)
    assert directory.children is not None
    names: list[str] = directory.sorted_names()
    if not call.arg_bool("show_hidden", True):
        names = [n for n in names if not n.startswith(".")]
    if call.args.get("filter"):
        keep = name_filter(call.args["filter"])
        names = [n for n in names if keep(n, directory.children[n])]
    names = _ordered(names, directory.children, call.args.get("orderby"))
    page = offset_page(call, names, default_limit=100000, max_limit=100000)
    return Reply(
        {
            "DATA_TYPE": "file_list",
            "DATA": [ls_entry(n, directory.children[n]) for n in page.items],
            "path": path if path.endswith("/") else path + "/",
            "absolute_path": path if path.endswith("/") else path + "/",
            "endpoint": collection.id,
            "length": len(page.items),
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
            "rename_supported": True,
            "symlink_supported": True,
        }
    )


def _ordered(names: list[str], children: dict[str, Any], orderby: str | None) -> list[str]:
    if not orderby:
        return names
    field_name, _, direction = orderby.strip().partition(" ")
    keys = {
        "name": lambda n: n,
        "size": lambda n: children[n].size,
        "last_modified": lambda n: children[n].mtime,
        "type": lambda n: children[n].kind,
    }
    if field_name not in keys or direction.upper() not in ("", "ASC", "DESC"):
        raise BadRequest(f"invalid orderby {orderby!r}")
    return sorted(names, key=keys[field_name], reverse=direction.upper() == "DESC")


@routes.route(f"{OP}/stat", "GET", operation="operation_stat")
def operation_stat(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who, collection = svc.usable(call, collection_id, pause_flag="pause_ls")
    path = normalize(call.args.get("path") or "", collection.default_directory)
    svc.state.require(collection, who, path, write=False)
    node = collection.tree.find(path)
    return Reply(ls_entry(node.name if path != "/" else "/", node))


@routes.route(f"{OP}/mkdir", "POST", operation="operation_mkdir")
def operation_mkdir(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who, collection = svc.usable(call, collection_id, pause_flag="pause_mkdir")
    body = call.json_object()
    validate(body, "transfer_mkdir", code="ClientError.BadRequest")
    path = normalize(body["path"], collection.default_directory)
    svc.state.require(collection, who, path, write=True)
    collection.tree.mkdir(path)
    return _result(
        call, "mkdir_result", "DirectoryCreated", "The directory was created successfully"
    )


@routes.route(f"{OP}/rename", "POST", operation="operation_rename")
def operation_rename(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who, collection = svc.usable(call, collection_id, pause_flag="pause_rename")
    body = call.json_object()
    validate(body, "transfer_rename", code="ClientError.BadRequest")
    old = normalize(body["old_path"], collection.default_directory)
    new = normalize(body["new_path"], collection.default_directory)
    for path in (old, new):
        svc.state.require(collection, who, path, write=True)
    collection.tree.rename(old, new)
    return _result(call, "result", "FileRenamed", "File or directory renamed successfully")
