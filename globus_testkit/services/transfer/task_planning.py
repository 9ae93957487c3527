"""Planning a task: the steps (see :class:`Op`) its document asks for,
read from the source tree when the task is first worked on."""

from __future__ import annotations

import posixpath
from typing import Any

from ...patterns import glob_matches
from .collection import Collection
from .errors import BadPath
from .filetree import Node, normalize
from .models import TransferState
from .task_model import Op, Task


def plan_task(task: Task, collections: TransferState) -> list[Op]:
    if task.type == "DELETE":
        return _plan_delete(task, collections)
    source = collections.collection(task.source_id)
    destination = collections.collection(task.destination_id or "")
    rules = task.document.get("filter_rules") or []
    plan: list[Op] = []
    for item in task.document["DATA"]:
        src = normalize(item["source_path"], source.default_directory)
        dst = normalize(item["destination_path"], destination.default_directory)
        if not _allowed(collections, task, source, src, write=False) or not _allowed(
            collections, task, destination, dst, write=True
        ):
            plan.append(Op("denied", src, dst))
            continue
        if not source.tree.exists(src):
            plan.append(Op("missing", src, dst))
            continue
        node = source.tree.find(src)
        recursive = item.get("recursive")
        if recursive is None:
            # omitted (or null): Transfer detects the path's type itself,
            # as `globus transfer` without --recursive/--no-recursive relies on
            recursive = node.kind == "dir"
        if recursive:
            if node.kind != "dir":
                plan.append(Op("not_a_dir", src, dst))
                continue
            plan.extend(_plan_tree(source, src, dst, rules))
        elif node.kind == "dir":
            plan.append(Op("not_a_dir", src, dst))
        else:
            plan.append(Op("copy", src, dst, node.size))
    return plan


def _plan_tree(source: Collection, src: str, dst: str, rules: list[Any]) -> list[Op]:
    plan = [Op("mkdir", src, dst)]
    skipped_dirs: list[str] = []
    for path, node in source.tree.walk(src)[1:]:
        if any(path.startswith(d + "/") for d in skipped_dirs):
            continue
        if not _passes(rules, node):
            if node.kind == "dir":
                skipped_dirs.append(path)
            continue
        target = posixpath.join(dst, posixpath.relpath(path, src))
        if node.kind == "dir":
            plan.append(Op("mkdir", path, target))
        else:
            plan.append(Op("copy", path, target, node.size))
    return plan


def _plan_delete(task: Task, collections: TransferState) -> list[Op]:
    collection = collections.collection(task.source_id)
    document = task.document
    plan: list[Op] = []
    for item in document["DATA"]:
        paths = [normalize(item["path"], collection.default_directory)]
        if document.get("interpret_globs"):
            paths = _glob(collection, paths[0]) or paths
        for path in paths:
            if path == "/":
                raise BadPath("the root of a collection cannot be deleted")
            if not _allowed(collections, task, collection, path, write=True):
                plan.append(Op("denied", path))
            elif not collection.tree.exists(path):
                plan.append(Op("missing", path))
            elif collection.tree.find(path).kind == "dir" and not document.get("recursive"):
                plan.append(Op("not_a_dir", path))
            else:
                plan.append(Op("delete", path))
    return plan


def _allowed(
    collections: TransferState, task: Task, collection: Collection, path: str, *, write: bool
) -> bool:
    return collections.can(collection, task.principals, path, write)


def _passes(rules: list[dict[str, Any]], node: Node) -> bool:
    """Transfer's filter rules: the first rule matching decides."""
    for rule in rules:
        kind = rule.get("type")
        if kind and kind != node.kind:
            continue
        if glob_matches(rule["name"], node.name):
            return bool(rule["method"] == "include")
    return True


def _glob(collection: Collection, pattern: str) -> list[str]:
    parent, name = posixpath.split(pattern)
    if not collection.tree.exists(parent):
        return []
    node = collection.tree.find(parent)
    if node.kind != "dir" or node.children is None:
        return []
    return [posixpath.join(parent, n) for n in node.sorted_names() if glob_matches(name, n)]
