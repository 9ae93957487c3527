"""State a model works out from its own (an index, a cache of answers):
left out whenever the model is pickled (a world copied) or saved in a
state file, and rebuilt by the model when it is next needed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")


class KeepsDerived:
    """Mixed into a model whose attributes named in ``DERIVED`` are derived.

    Either each such attribute has a class-level default meaning "not
    built yet" (None), which a copy reads until the model builds it again,
    so no ``__setstate__`` is needed and unpickling stays the plain dict
    update; or the model's own ``__setstate__`` rebuilds them at once
    (Transfer's tasks, whose listings read their indexes directly).
    """

    DERIVED: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self.DERIVED}


def ids_by(items: Mapping[str, T], key: Callable[[T], str | None]) -> dict[str, list[str]]:
    """The ids of ``items`` (a dict by id) grouped by ``key`` of each, in the
    dict's order, leaving out items whose key is None: how an index "ids
    by owner" (by run, by client...) is first built."""
    grouped: dict[str, list[str]] = {}
    for item_id, item in items.items():
        value = key(item)
        if value is not None:
            grouped.setdefault(value, []).append(item_id)
    return grouped
