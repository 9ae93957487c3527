"""How Transfer lists a directory: one ``ls`` entry, and the ``filter``
expressions ``ls`` takes. No HTTP here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...clock import iso
from ...patterns import glob_matches
from .errors import BadRequest
from .filetree import Node


def ls_entry(name: str, node: Node) -> dict[str, Any]:
    """One entry of an ``ls`` answer, as Transfer formats it."""
    return {
        "DATA_TYPE": "file",
        "name": name,
        "type": node.kind,
        "link_target": node.link_target,
        "permissions": node.permissions,
        "size": node.size if node.kind == "file" else 4096,
        "user": node.user,
        "group": node.group,
        "last_modified": iso(node.mtime).replace("T", " ").split(".")[0][:19] + "+00:00",
        "link_group": None,
        "link_last_modified": None,
        "link_size": None,
        "link_user": None,
    }


NameTest = Callable[[str, Node], bool]


def name_filter(expression: str) -> NameTest:
    """Transfer's ls ``filter``: ``name:~*.txt``, ``type:file``, joined by '/'."""
    tests = [_filter_part(part) for part in expression.split("/") if part]
    return lambda name, node: all(test(name, node) for test in tests)


def _filter_part(part: str) -> NameTest:
    field_name, _, rule = part.partition(":")
    if field_name == "type":
        wanted = set(rule.lstrip("=").split(","))
        return lambda name, node: node.kind in wanted
    if field_name != "name":
        raise BadRequest(f"unsupported ls filter field {field_name!r}")
    if rule.startswith("~"):
        return lambda name, node: glob_matches(rule[1:], name)
    if rule.startswith("!~"):
        return lambda name, node: not glob_matches(rule[2:], name)
    if rule.startswith("="):
        return lambda name, node: name in rule[1:].split(",")
    return lambda name, node: name == rule
