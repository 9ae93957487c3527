"""Running a search request over one index: who may see what, which
subjects match, their order and the facets counted over them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import Entry, SearchIndex, bad_query
from .ordered import Sorts, holds_nan, sorted_subjects
from .plan import Ranked, candidate_subjects, exact_matches, term_counts
from .postings import Postings
from .query import (
    Predicate,
    Scorer,
    compile_filter,
    compile_q,
    entry_term_counts,
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


@dataclass
class Match:
    """How one subject matches: the entries the caller may see, those of
    them the filters keep (facets count these) and its best score."""

    visible: list[Entry]
    kept: list[Entry]
    score: float


# checks one subject's entries (by entry id) as a scan does; None: no match
Check = Callable[[dict[str | None, Entry]], "Match | None"]


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
    check = _checker(principals, bypass_visible_to, filters, scorer)
    if ordered and not post_filters:
        found = _from_postings(index, request, check, principals, bypass_visible_to, needed)
        if found is not None:
            return found
    matched: list[tuple[str, Match]] = []
    for subject, by_id in _candidates(index, request, principals, bypass_visible_to):
        match = check(by_id)
        if match is not None:
            matched.append((subject, match))
    facets = [
        facet_result(spec, lambda: [e for _, match in matched for e in match.kept])
        for spec in _list_of(request, "facets")
    ]
    if post_filters:
        matched = [
            (subject, match)
            for subject, match in matched
            if any(all(f(e) for f in post_filters) for e in match.kept)
        ]
    result = [Hit(subject, match.visible, match.score) for subject, match in matched]
    total = len(result)
    if not ordered:
        result.sort(key=lambda h: h.subject)
    elif request.get("sort"):
        result = _sorted_hits(index, result, _sorts(request), needed)
    else:
        _boost(result, _list_of(request, "boosts"), scorer)
        result.sort(key=lambda h: -h.score)  # stable: ties keep ingest order
    return Outcome(result, total, facets)


def _checker(
    principals: frozenset[str], bypass: bool, filters: list[Predicate], scorer: Scorer
) -> Check:
    def check(by_id: dict[str | None, Entry]) -> Match | None:
        visible = [e for e in by_id.values() if bypass or e.visible(principals)]
        kept = [e for e in visible if all(f(e) for f in filters)]
        scores = [scorer(e, None) for e in kept]
        return Match(visible, kept, max(scores)) if any(scores) else None

    return check


def _from_postings(
    index: SearchIndex,
    request: dict[str, Any],
    check: Check,
    principals: frozenset[str],
    bypass: bool,
    needed: int | None,
) -> Outcome | None:
    """The outcome read off the postings, when they know the matches
    exactly (see ``plan.exact_matches``): its subjects of several entries
    are checked one by one; else None."""
    sorting = bool(request.get("sort"))
    if not sorting and _list_of(request, "boosts"):
        return None
    postings = index.postings
    ranked = exact_matches(postings, request, principals, bypass_visible_to=bypass)
    if ranked is None:
        return None
    checked = _checked(index, ranked.to_check, check)
    matched = ranked.matched | postings.bitmap(checked)

    def entries() -> list[Entry]:
        in_order = postings.subjects_in(matched)
        return [e for subject in in_order for e in _counted(index, checked, subject)]

    def counts(name: str) -> Counter[Any] | None:
        found = term_counts(postings, name, ranked.matched)
        if found is not None:
            found.update(entry_term_counts((e for m in checked.values() for e in m.kept), name))
        return found

    facets = [facet_result(spec, entries, counts) for spec in _list_of(request, "facets")]

    def hit_of(subject: str, score: float = 1.0) -> Hit:
        match = checked.get(subject)
        if match is None:  # a subject of one entry, which the caller may see
            return Hit(subject, list(index.subjects[subject].values()), score)
        return Hit(subject, match.visible, match.score)

    if sorting:
        whole = [s for s, m in checked.items() if len(m.visible) == len(index.subjects[s])]
        partial = [hit_of(s) for s in checked.keys() - whole]
        bits = ranked.matched | postings.bitmap(whole)
        hits = _by_sort_keys(index, bits, partial, _sorts(request), needed, hit_of)
    else:
        hits = _best_first(postings, _scored(ranked, checked, postings), needed, hit_of)
    return Outcome(hits, matched.bit_count(), facets)


def _checked(index: SearchIndex, bits: int, check: Check) -> dict[str, Match]:
    """The subjects of ``bits`` that match, checked entry by entry."""
    matches = {s: check(index.subjects[s]) for s in index.postings.subjects_in(bits)}
    return {s: match for s, match in matches.items() if match is not None}


def _counted(index: SearchIndex, checked: dict[str, Match], subject: str) -> Iterable[Entry]:
    """The entries of a matching subject that facets count."""
    match = checked.get(subject)
    return index.subjects[subject].values() if match is None else match.kept


def _scored(ranked: Ranked, checked: dict[str, Match], postings: Postings) -> list[tuple[int, int]]:
    """``ranked.by_score`` with the checked subjects in their scores' bitmaps."""
    by_score = dict(ranked.by_score)
    for subject, match in checked.items():
        score = int(match.score)  # how many of the query's words an entry holds
        by_score[score] = by_score.get(score, 0) | 1 << postings.rank[subject]
    return sorted(by_score.items(), reverse=True)


def _best_first(
    postings: Postings,
    by_score: list[tuple[int, int]],
    needed: int | None,
    hit_of: Callable[[str, float], Hit],
) -> list[Hit]:
    hits: list[Hit] = []
    for score, bits in by_score:
        limit = None if needed is None else needed - len(hits)
        hits += [hit_of(subject, float(score)) for subject in postings.subjects_in(bits, limit)]
    return hits


def _sorted_hits(
    index: SearchIndex, hits: list[Hit], sorts: Sorts, needed: int | None
) -> list[Hit]:
    """``hits`` (in the index's order) in the order of ``sorts``: those
    showing all their subject's entries (whose keys the postings pool)
    read off the postings' sort keys, the others sorted in with them."""
    postings = index.postings
    whole = {
        hit.subject: hit
        for hit in hits
        if hit.subject not in postings.always
        and len(hit.entries) == len(index.subjects[hit.subject])
    }
    partial = [hit for hit in hits if hit.subject not in whole]
    bits = postings.bitmap(whole)
    return _by_sort_keys(index, bits, partial, sorts, needed, whole.__getitem__)


def _by_sort_keys(
    index: SearchIndex,
    bits: int,
    partial: list[Hit],
    sorts: Sorts,
    needed: int | None,
    hit_of: Callable[[str], Hit],
) -> list[Hit]:
    """The first ``needed`` hits in the order of ``sorts``: the subjects of
    ``bits`` (each hit showing all its entries) walking the postings' sort
    keys where that is cheaper, and the ``partial`` hits (showing only some
    entries, or keyed in part) sorted in with them as a scan sorts them. A
    sort over a field holding NaN has no order to merge into: then every
    hit is sorted, as a scan does."""
    postings = index.postings

    def by_entries(subjects: list[str], sorts: Sorts) -> list[str]:
        return [hit.subject for hit in _sorted([hit_of(s) for s in subjects], sorts)]

    walk_to = None if partial and holds_nan(postings, sorts) else needed
    walked = [hit_of(s) for s in sorted_subjects(postings, bits, sorts, walk_to, by_entries)]
    if not partial:
        return walked
    together = sorted(walked + partial, key=lambda hit: postings.rank[hit.subject])
    return _sorted(together, sorts)[:needed]


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
