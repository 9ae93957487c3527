"""Running a search request over one index: who may see what, which
subjects match, their order and the facets counted over them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import Entry, SearchIndex, bad_query
from .ordered import Sorts, sorted_subjects
from .plan import Ranked, candidate_subjects, exact_matches, term_counts
from .query import (
    Predicate,
    compile_filter,
    compile_q,
    facet_result,
    field_reader,
    sort_value,
)
from .results import Hit


@dataclass
class Outcome:
    hits: list[Hit]  # every match, or at least the first ``needed``
    total: int
    facet_results: list[dict[str, Any]] = field(default_factory=list)


def run(
    index: SearchIndex,
    request: dict[str, Any],
    principals: frozenset[str],
    *,
    bypass_visible_to: bool = False,
    ordered: bool = True,
    needed: int | None = None,
) -> Outcome:
    """Every subject of ``index`` the request matches, best first (or, when
    not ``ordered``, in a stable subject order for scrolling); when the
    caller ``needed`` only the first few, the hits may stop there."""
    scorer = compile_q(str(request.get("q") or ""), bool(request.get("advanced")))
    filters, post_filters = _filters(request)
    if ordered and not post_filters:
        found = _from_postings(index, request, principals, bypass_visible_to, needed)
        if found is not None:
            return found
    matched: list[tuple[str, list[Entry], list[Entry], float]] = []
    for subject, by_id in _candidates(index, request, principals, bypass_visible_to):
        visible = [e for e in by_id.values() if bypass_visible_to or e.visible(principals)]
        hits = [e for e in visible if all(f(e) for f in filters)]
        scores = [scorer(e, None) for e in hits]
        if any(scores):
            matched.append((subject, visible, hits, max(scores)))
    facets = [
        facet_result(spec, lambda: [e for _, _, hits, _ in matched for e in hits])
        for spec in _list_of(request, "facets")
    ]
    if post_filters:
        matched = [m for m in matched if any(all(f(e) for f in post_filters) for e in m[2])]
    result = [Hit(subject, visible, score) for subject, visible, _, score in matched]
    total = len(result)
    if not ordered:
        result.sort(key=lambda h: h.subject)
    elif request.get("sort"):
        result = _sorted_hits(index, result, _sorts(request), needed)
    else:
        _boost(result, _list_of(request, "boosts"), scorer)
        result.sort(key=lambda h: -h.score)  # stable: ties keep ingest order
    return Outcome(result, total, facets)


def _from_postings(
    index: SearchIndex,
    request: dict[str, Any],
    principals: frozenset[str],
    bypass: bool,
    needed: int | None,
) -> Outcome | None:
    """The outcome read off the postings, when they know the matches
    exactly (see ``plan.exact_matches``); else None."""
    sorting = bool(request.get("sort"))
    if not sorting and _list_of(request, "boosts"):
        return None
    postings = index.postings
    ranked = exact_matches(postings, request, principals, bypass_visible_to=bypass)
    if ranked is None:
        return None

    def entries() -> list[Entry]:
        in_order = postings.subjects_in(ranked.matched)
        return [e for subject in in_order for e in index.subjects[subject].values()]

    facets = [
        facet_result(spec, entries, lambda name: term_counts(postings, name, ranked.matched))
        for spec in _list_of(request, "facets")
    ]
    if sorting:
        hits = _by_sort_keys(index, ranked.matched, _sorts(request), needed, _whole_hit(index))
    else:
        hits = _best_first(index, ranked, needed)
    return Outcome(hits, ranked.matched.bit_count(), facets)


def _best_first(index: SearchIndex, ranked: Ranked, needed: int | None) -> list[Hit]:
    hits: list[Hit] = []
    for score, bits in ranked.by_score:
        limit = None if needed is None else needed - len(hits)
        for subject in index.postings.subjects_in(bits, limit):
            hits.append(Hit(subject, list(index.subjects[subject].values()), float(score)))
    return hits


def _whole_hit(index: SearchIndex) -> Callable[[str], Hit]:
    """A subject's hit showing all its entries (one, on the exact path)."""
    return lambda subject: Hit(subject, list(index.subjects[subject].values()), 1.0)


def _sorted_hits(
    index: SearchIndex, hits: list[Hit], sorts: Sorts, needed: int | None
) -> list[Hit]:
    """``hits`` (in the index's order) in the order of ``sorts``: read off
    the postings' sort keys when every hit shows all its subject's entries
    (whose keys the postings pool), each of them keyed whole; else sorted."""
    postings = index.postings
    by_subject = {hit.subject: hit for hit in hits}
    if postings.always.intersection(by_subject) or any(
        len(hit.entries) != len(index.subjects[hit.subject]) for hit in hits
    ):
        return _sorted(hits, sorts)
    return _by_sort_keys(index, postings.bitmap(by_subject), sorts, needed, by_subject.__getitem__)


def _by_sort_keys(
    index: SearchIndex, bits: int, sorts: Sorts, needed: int | None, hit_of: Callable[[str], Hit]
) -> list[Hit]:
    """The first ``needed`` hits of the subjects of ``bits`` in the order of
    ``sorts``, walking the postings' sort keys where that is cheaper."""

    def by_entries(subjects: list[str], sorts: Sorts) -> list[str]:
        return [hit.subject for hit in _sorted([hit_of(s) for s in subjects], sorts)]

    return [hit_of(s) for s in sorted_subjects(index.postings, bits, sorts, needed, by_entries)]


def _candidates(
    index: SearchIndex, request: dict[str, Any], principals: frozenset[str], bypass: bool
) -> Iterable[tuple[str, dict[str | None, Entry]]]:
    """The subjects (in the index's order) the postings leave to check."""
    subjects = candidate_subjects(index.postings, request, principals, bypass_visible_to=bypass)
    if subjects is None:
        return index.subjects.items()
    return [(s, index.subjects[s]) for s in subjects]


def _filters(request: dict[str, Any]) -> tuple[list[Predicate], list[Predicate]]:
    filters: list[Predicate] = []
    post: list[Predicate] = []
    for spec in _list_of(request, "filters"):
        target = post if isinstance(spec, dict) and spec.get("post_filter") else filters
        target.append(compile_filter(spec))
    post.extend(compile_filter(spec) for spec in _list_of(request, "post_facet_filters"))
    return filters, post


def _list_of(request: dict[str, Any], key: str) -> list[Any]:
    value = request.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_query(f"{key} must be a list")
    return value


def _sorts(request: dict[str, Any]) -> Sorts:
    """The request's sorts, checked (the last first, as they are applied)."""
    sorts: Sorts = []
    for spec in reversed(_list_of(request, "sort")):
        if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
            raise bad_query("each sort needs a field_name")
        order = spec.get("order", "asc")
        if order not in ("asc", "desc"):
            raise bad_query("sort order must be asc or desc")
        sorts.insert(0, (spec["field_name"], order == "desc"))
    return sorts


def _sorted(hits: list[Hit], sorts: Sorts) -> list[Hit]:
    # Sort by the last key first so earlier keys win (a stable multi-sort);
    # subjects without the field go last either way.
    for name, descending in reversed(sorts):
        keyed = [(sort_value(h.entries, name, descending), h) for h in hits]
        present = [kh for kh in keyed if kh[0] is not None]
        present.sort(key=lambda kh: kh[0], reverse=descending)  # type: ignore[arg-type,return-value]
        hits = [h for _, h in present] + [h for k, h in keyed if k is None]
    return hits


def _boost(hits: list[Hit], boosts: list[Any], scorer: Any) -> None:
    for spec in boosts:
        if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
            raise bad_query("each boost needs a field_name")
        factor = spec.get("factor", 1)
        if (
            not isinstance(factor, (int, float))
            or isinstance(factor, bool)
            or not 0 <= factor <= 10
        ):
            raise bad_query("a boost factor must be a number from 0 to 10")
        read = field_reader(spec["field_name"])
        for hit in hits:
            if any(scorer(e, read) for e in hit.entries):
                hit.score *= factor
