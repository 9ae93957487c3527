"""A collection's files: an in-memory POSIX-like tree.

Paths are normalised inside the tree, so ``..`` never climbs out of the
collection's root. Small files keep their bytes (checksums are real);
large ones may be size-only. Children live in dicts, and a directory's
sorted names are cached until it changes, so the first page of a huge
listing costs little.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...statefile import StateFileError, pack_column, unpack_column
from .errors import (
    BadPath,
    Exists,
    IsADirectory,
    NotADirectory,
    PathNotFound,
)

KEEP_CONTENT_UP_TO = 1 << 20


@dataclass
class Node:
    name: str
    kind: str  # "dir" | "file" | "link"
    mtime: float
    size: int = 0
    content: bytes | None = None
    link_target: str | None = None
    permissions: str = "0644"
    user: str = "globus"
    group: str = "globus"
    children: dict[str, Node] | None = None
    _sorted: list[str] | None = field(default=None, repr=False, compare=False)

    def sorted_names(self) -> list[str]:
        assert self.children is not None
        if self._sorted is None:
            self._sorted = sorted(self.children)
        return self._sorted

    def changed(self) -> None:
        self._sorted = None

    def __getstate__(self) -> dict[str, object]:
        # the sorted-names cache is derived: never copy or save it
        state = dict(self.__dict__)
        state["_sorted"] = None
        return state

    # In a state file, a directory holds its files and links packed into
    # columns (one list per field, their contents joined into one bytes),
    # so saving 100,000 files costs a few lists, not 100,000 objects.
    # Subdirectories stay objects: a guest collection's tree is rooted at
    # one, and the two trees must go on sharing it. (Copies of a world, by
    # pickle, are fastest with the nodes as they are.)
    def state_for_file(self) -> dict[str, object]:
        state = self.__getstate__()
        if self.children is not None:
            state["children"] = _pack(self.children)
        return state

    def restore_from_file(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sorted = None
        if self.children is not None:
            self.children = _unpack(self.children)

    def checksum(self, algorithm: str = "md5") -> str | None:
        if self.content is None:
            return None
        return hashlib.new(algorithm, self.content).hexdigest()


def normalize(path: str, default_directory: str = "/") -> str:
    """An absolute path inside the collection (``~`` is its default dir;
    a default dir that is itself ``/~/``, as a new collection's is, is the
    collection's root: the emulator keeps no per-user home directories)."""
    if not isinstance(path, str) or not path or "\x00" in path:
        raise BadPath(f"invalid path {path!r}")
    home = "/" if default_directory in ("~", "~/", "/~", "/~/") else default_directory
    if path == "~" or path.startswith("~/"):
        path = home.rstrip("/") + "/" + path[1:]
    elif path.startswith("/~/") or path == "/~":
        path = home.rstrip("/") + "/" + path[2:]
    if not path.startswith("/"):
        raise BadPath(f"path {path!r} must be absolute")
    clean = posixpath.normpath(path)
    # normpath keeps a leading '//' and lets '..' stop at the root: fine,
    # since nothing can be above the root of a collection.
    return "/" + clean.lstrip("/")


class FileTree:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.root = Node("/", "dir", clock.now(), permissions="0755", children={})

    @classmethod
    def rooted_at(cls, clock: Clock, node: Node) -> FileTree:
        """A tree whose root is ``node`` of another tree: both see the same
        files (a guest collection inside its mapped collection)."""
        tree = cls(clock)
        tree.root = node
        return tree

    def find(self, path: str) -> Node:
        node = self.root
        for part in _parts(path):
            if node.children is None or part not in node.children:
                raise PathNotFound(f"{path} does not exist")
            node = node.children[part]
        return node

    def exists(self, path: str) -> bool:
        try:
            self.find(path)
        except PathNotFound:
            return False
        return True

    def directory(self, path: str) -> Node:
        node = self.find(path)
        if node.kind != "dir":
            raise NotADirectory(f"{path} is not a directory")
        return node

    def mkdir(self, path: str, *, parents: bool = False, exist_ok: bool = False) -> Node:
        if path == "/":
            if exist_ok:
                return self.root
            raise Exists("/ already exists")
        parent_path, name = posixpath.split(path)
        if parents and not self.exists(parent_path):
            self.mkdir(parent_path, parents=True, exist_ok=True)
        parent = self.directory(parent_path)
        assert parent.children is not None
        if name in parent.children:
            if exist_ok and parent.children[name].kind == "dir":
                return parent.children[name]
            raise Exists(f"{path} already exists")
        node = Node(name, "dir", self.clock.now(), permissions="0755", children={})
        parent.children[name] = node
        parent.changed()
        return node

    def write(
        self,
        path: str,
        *,
        content: bytes | None = None,
        size: int | None = None,
        mtime: float | None = None,
        parents: bool = True,
    ) -> Node:
        """Create or replace a file."""
        parent_path, name = posixpath.split(path)
        if parents:
            self.mkdir(parent_path, parents=True, exist_ok=True)
        parent = self.directory(parent_path)
        assert parent.children is not None
        existing = parent.children.get(name)
        if existing is not None and existing.kind == "dir":
            raise IsADirectory(f"{path} is a directory")
        if content is not None and len(content) > KEEP_CONTENT_UP_TO:
            size, content = len(content), None
        node = Node(
            name,
            "file",
            self.clock.now() if mtime is None else mtime,
            size=len(content) if content is not None else int(size or 0),
            content=content,
        )
        parent.children[name] = node
        if existing is None:
            parent.changed()
        return node

    def link(self, path: str, target: str) -> Node:
        parent_path, name = posixpath.split(path)
        parent = self.mkdir(parent_path, parents=True, exist_ok=True)
        assert parent.children is not None
        node = Node(name, "link", self.clock.now(), link_target=target, permissions="0777")
        parent.children[name] = node
        parent.changed()
        return node

    def remove(self, path: str) -> Node:
        if path == "/":
            raise BadPath("the root of a collection cannot be removed")
        parent_path, name = posixpath.split(path)
        parent = self.directory(parent_path)
        assert parent.children is not None
        if name not in parent.children:
            raise PathNotFound(f"{path} does not exist")
        parent.changed()
        return parent.children.pop(name)

    def rename(self, old: str, new: str) -> None:
        if new == old or new.startswith(old.rstrip("/") + "/"):
            raise BadPath(f"cannot move {old} into itself")
        node = self.find(old)
        parent_path, name = posixpath.split(new)
        parent = self.directory(parent_path)
        assert parent.children is not None
        if name in parent.children:
            raise Exists(f"{new} already exists")
        self.remove(old)
        node.name = name
        parent.children[name] = node
        parent.changed()

    def walk(self, path: str) -> list[tuple[str, Node]]:
        """Every node under ``path`` (itself first), depth first."""
        return list(self.iter_walk(path))

    def iter_walk(self, path: str) -> Iterator[tuple[str, Node]]:
        """:meth:`walk`, lazily: a reader wanting the first few nodes of a
        huge tree does not pay for the rest."""
        stack = [(path, self.find(path))]
        while stack:
            where, node = stack.pop()
            yield where, node
            if node.kind == "dir" and node.children:
                for name in reversed(node.sorted_names()):
                    stack.append((posixpath.join(where, name), node.children[name]))


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _pack(children: dict[str, Node]) -> dict[str, Any]:
    leaves = [node for node in children.values() if node.children is None]
    contents = [node.content for node in leaves]
    columns: dict[str, list[Any]] = {
        "names": [node.name for node in leaves],
        "kinds": [node.kind for node in leaves],
        "mtimes": [node.mtime for node in leaves],
        "sizes": [node.size for node in leaves],
        "lengths": [None if c is None else len(c) for c in contents],
        "link_targets": [node.link_target for node in leaves],
        "permissions": [node.permissions for node in leaves],
        "user": [node.user for node in leaves],
        "group": [node.group for node in leaves],
    }
    return {
        "dirs": [node for node in children.values() if node.children is not None],
        "contents": b"".join(c for c in contents if c is not None),
        **{name: pack_column(column) for name, column in columns.items()},
    }


def _unpack(packed: Any) -> dict[str, Node]:
    """A directory's children from :func:`_pack`'s columns, refusing any
    that do not describe files and links (a corrupt or crafted state file)."""
    if not isinstance(packed, dict) or not isinstance(packed.get("names"), list):
        raise StateFileError("a directory's entries must be packed columns")
    dirs, contents = packed.get("dirs"), packed.get("contents")
    if not isinstance(dirs, list) or not all(
        isinstance(d, Node) and d.children is not None and isinstance(d.name, str) for d in dirs
    ):
        raise StateFileError("a directory's subdirectories must be directories")
    if not isinstance(contents, bytes):
        raise StateFileError("a directory's file contents must be bytes")
    count = len(packed["names"])
    columns = [unpack_column(packed, name, types, count) for name, types in _COLUMN_TYPES.items()]
    names, kinds, _, sizes, lengths, *_ = columns
    _check_leaves(names, kinds, sizes, lengths, contents, dirs)
    children = {d.name: d for d in dirs}
    at = 0
    for name, kind, mtime, size, length, target, permissions, user, group in zip(
        *columns, strict=True
    ):
        content = None
        if length is not None:
            content = contents[at : at + length]
            at += length
        children[name] = Node(name, kind, mtime, size, content, target, permissions, user, group)
    return children


_COLUMN_TYPES: dict[str, tuple[type, ...]] = {
    "names": (str,),
    "kinds": (str,),
    "mtimes": (float, int),
    "sizes": (int,),
    "lengths": (int, type(None)),
    "link_targets": (str, type(None)),
    "permissions": (str,),
    "user": (str,),
    "group": (str,),
}


def _check_leaves(
    names: list[str],
    kinds: list[str],
    sizes: list[int],
    lengths: list[int | None],
    contents: bytes,
    dirs: list[Node],
) -> None:
    every = names + [d.name for d in dirs]
    distinct = set(every)
    if len(distinct) != len(every) or distinct & {"", ".", ".."} or "/" in "".join(every):
        raise StateFileError("a directory's entries must have distinct, plain names")
    if not set(kinds).issubset(("file", "link")):
        raise StateFileError("a directory's packed entries must be files or links")
    known = [n for n in lengths if n is not None]
    if min(sizes, default=0) < 0 or min(known, default=0) < 0:
        raise StateFileError("a directory's sizes must not be negative")
    if sum(known) != len(contents):
        raise StateFileError("a directory's file contents do not add up to their lengths")
