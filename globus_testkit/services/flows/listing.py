"""Query parameters Flows' listings share (flows, runs, web inputs,
registered APIs): comma-separated filters with a fixed vocabulary and ``orderby``
criteria (``"created_timestamp DESC,name ASC"``). A bad value is a 422, as
the Flows OpenAPI gives it for query parameters that do not validate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ...http import ApiError, Call, Reply

T = TypeVar("T")


def csv_filter(
    call: Call, name: str, allowed: Sequence[str] | None = None, *, most: int | None = None
) -> set[str]:
    """The values of a comma-separated filter (given once or repeated)."""
    values = set(call.arg_csv(name))
    if allowed is not None and values - set(allowed):
        raise ApiError(
            422,
            "UNPROCESSABLE_ENTITY",
            f"{name}: {sorted(values - set(allowed))} not among {list(allowed)}",
        )
    if most is not None and len(values) > most:
        raise ApiError(422, "UNPROCESSABLE_ENTITY", f"{name}: at most {most} values")
    return values


def ordered(
    items: list[T], call: Call, keys: dict[str, Callable[[T], Any]], default: str
) -> list[T]:
    """``items`` sorted by each ``FIELD ASC|DESC`` criterion of ``orderby``
    (comma-separated, or repeated as globus-sdk sends a list) in turn: the
    first decides, later ones break ties; None sorts first ascending."""
    orderby = ",".join(call.arg_csv("orderby"))
    criteria = []
    for raw in (orderby or default).split(","):
        field_name, _, direction = raw.strip().partition(" ")
        direction = direction.strip().upper() or "ASC"
        if field_name not in keys or direction not in ("ASC", "DESC"):
            raise ApiError(
                422,
                "UNPROCESSABLE_ENTITY",
                f"orderby: {raw.strip()!r} is not FIELD ASC|DESC with FIELD one of {sorted(keys)}",
            )
        criteria.append((keys[field_name], direction == "DESC"))
    result = list(items)
    for key, descending in reversed(criteria):
        result.sort(key=lambda item, k=key: _sortable(k(item)), reverse=descending)  # type: ignore[misc]
    return result


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def page_reply(key: str, page: list[Any], limit: int, marker: str | None) -> Reply:
    """A page of a marker-paged listing, as Flows' listings answer it."""
    return Reply({key: page, "limit": limit, "has_next_page": marker is not None, "marker": marker})
