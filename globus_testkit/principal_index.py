"""Which items each principal holds a role on, for the listings that show a
caller what they can see (Flows' list_flows, Search's index_list): such a
listing costs the caller's items, not every item in the world. Derived
from the items' role lists, so a model keeps it among its ``DERIVED``.

Any string an item is looked up by serves as its "principal": the same
index keeps Transfer's collections by owner and by host, and GCS's by
endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")


class PrincipalIndex:
    """Principal (an identity URN, a group URN, ``public``, any string a
    role list holds) -> the ids of the items where it holds a role, and
    each item's place in the world's order (the order of the model's dict
    of items: a new item goes last, one removed and made anew with its id
    goes last again, a change of roles keeps its place)."""

    def __init__(self) -> None:
        self._items: dict[str, set[str]] = {}
        self._principals: dict[str, frozenset[str]] = {}
        self._place: dict[str, int] = {}
        self._next_place = 0

    @classmethod
    def of(cls, items: Mapping[str, T], principals: Callable[[T], Iterable[str]]) -> PrincipalIndex:
        """The index of ``items`` (a model's dict by id, in the world's
        order), each held by ``principals(item)``: how it is first built."""
        index = cls()
        for item_id, item in items.items():
            index.put(item_id, principals(item))
        return index

    def put(self, item_id: str, principals: Iterable[str]) -> None:
        """An item entered the world, or its role lists changed: from now on
        exactly ``principals`` hold a role on it."""
        if item_id not in self._place:
            self._place[item_id] = self._next_place
            self._next_place += 1
        held = frozenset(principals)
        before = self._principals.get(item_id, frozenset())
        for principal in before - held:
            self._items[principal].discard(item_id)
            if not self._items[principal]:
                del self._items[principal]
        for principal in held - before:
            self._items.setdefault(principal, set()).add(item_id)
        self._principals[item_id] = held

    def remove(self, item_id: str) -> None:
        """An item left the world (one never put is already gone)."""
        if item_id not in self._place:
            return
        self.put(item_id, ())
        del self._principals[item_id], self._place[item_id]

    def principals(self) -> list[str]:
        """Every principal that holds a role on some item."""
        return list(self._items)

    def held_by(self, principals: Iterable[str]) -> list[str]:
        """The ids of the items where one of ``principals`` holds a role,
        in the world's order."""
        found = set().union(*(self._items.get(p, ()) for p in principals))
        return sorted(found, key=self._place.__getitem__)
