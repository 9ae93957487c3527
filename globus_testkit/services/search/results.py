"""What a search answers with, apart from finding it: the page asked for
and each result's GMetaResult. Kept from :mod:`.engine` (and the query
parser under it) so that reading one subject or entry does not load it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import MAX_RESULTS, Entry, bad_query

RESULT_VERSION = "2019-08-27"
LEGACY_RESULT_VERSION = "2017-09-01"


@dataclass
class Hit:
    subject: str
    entries: list[Entry]  # the caller may see these
    score: float


def page_bounds(offset: Any, limit: Any) -> tuple[int, int]:
    for name, value in (("offset", offset), ("limit", limit)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad_query(f"{name} must be a non-negative integer")
    if limit < 1 or offset + limit > MAX_RESULTS:
        raise bad_query(
            f"limit must be at least 1 and offset + limit at most {MAX_RESULTS}; "
            "use a scroll query for more"
        )
    return offset, limit


def gmeta(hit: Hit, principals: frozenset[str], version: str) -> dict[str, Any]:
    """A GMetaResult: one subject and the entries the caller may see."""
    if version == LEGACY_RESULT_VERSION:
        return {
            "@datatype": "GMetaResult",
            "@version": LEGACY_RESULT_VERSION,
            "subject": hit.subject,
            "content": [e.content for e in hit.entries],
        }
    return {
        "@datatype": "GMetaResult",
        "@version": RESULT_VERSION,
        "subject": hit.subject,
        "entries": [
            {
                "content": e.content,
                "entry_id": e.entry_id,
                "matched_principal_sets": e.matched_principal_sets(principals),
            }
            for e in hit.entries
        ],
    }
