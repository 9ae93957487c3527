"""Which subjects a search request can match, read off an index's postings.

Each part of a request that narrows the results (the query string's words
and phrases, field filters, who may see an entry) names a set of subjects
from the postings; a part the postings cannot answer (ranges, wildcards,
fuzzy and regular-expression terms, negations, ``like`` filters) narrows
nothing. The sets are supersets of the matches: the engine checks every
candidate exactly as a scan would, so answers do not depend on the plan.
"""

from __future__ import annotations

from typing import Any

from luqum import tree

from .fields import split_field, tokens
from .models import PUBLIC
from .postings import Postings, wanted_equality_keys
from .query import parse_advanced, simple_terms

Subjects = set[str] | None  # None: every subject (the postings cannot narrow)


def candidate_subjects(
    postings: Postings,
    request: dict[str, Any],
    principals: frozenset[str],
    *,
    bypass_visible_to: bool,
) -> list[str] | None:
    """The subjects ``request`` may match, in the index's order; None when
    nothing narrows them (a scan is as cheap)."""
    narrowing = [_query(postings, request)]
    narrowing += [_filter(postings, spec) for spec in _prefilters(request)]
    if not bypass_visible_to:
        seen_by = principals | {PUBLIC}  # public entries are visible to anyone
        narrowing.append(_union(postings.get(("principal", p)) for p in seen_by))
    found = intersect(narrowing)
    if found is None:
        return None
    found |= postings.always
    return sorted(found, key=postings.rank.__getitem__)


def intersect(sets: list[Subjects]) -> Subjects:
    known = sorted((s for s in sets if s is not None), key=len)
    if not known:
        return None
    found = set(known[0])
    for other in known[1:]:
        found &= other
    return found


def _union(sets: Any) -> set[str]:
    found: set[str] = set()
    for subjects in sets:
        found |= subjects
    return found


def _all_words(postings: Postings, words: list[str]) -> Subjects:
    """Subjects holding every word (a phrase's candidates)."""
    if not words:
        return None
    return intersect([postings.get(("word", w)) for w in words])


def _any_of_words(postings: Postings, terms: list[list[str]]) -> Subjects:
    found: set[str] = set()
    for words in terms:
        subjects = _all_words(postings, words)
        if subjects is None:
            return None
        found |= subjects
    return found


def _query(postings: Postings, request: dict[str, Any]) -> Subjects:
    text = str(request.get("q") or "").strip()
    if text in ("", "*"):
        return None
    if not request.get("advanced"):
        return _any_of_words(postings, simple_terms(text))
    return _node(postings, parse_advanced(text))


def _node(postings: Postings, node: tree.Item) -> Subjects:
    """Candidates for one node of the advanced query's tree (see
    ``query._evaluate``, whose scores these bound)."""
    if isinstance(node, (tree.SearchField, tree.Group, tree.FieldGroup, tree.Boost)):
        return _node(postings, node.expr)
    if isinstance(node, tree.Plus):
        return _node(postings, node.a)
    if isinstance(node, tree.AndOperation):
        return intersect([_node(postings, c) for c in node.children])
    if isinstance(node, tree.OrOperation):
        return _any_of(postings, node.children)
    if isinstance(node, tree.UnknownOperation):
        required = [c for c in node.children if isinstance(c, tree.Plus)]
        if required:
            return intersect([_node(postings, c) for c in required])
        if any(isinstance(c, (tree.Prohibit, tree.Not)) for c in node.children):
            return None  # "-x" alone matches whatever lacks x
        return _any_of(postings, node.children)
    if isinstance(node, tree.Phrase):
        return _all_words(postings, tokens(node.value.strip('"')))
    if isinstance(node, tree.Proximity):
        return _all_words(postings, tokens(node.term.value.strip('"')))
    if isinstance(node, tree.Word):
        return _word(postings, node.value.replace("\\", ""))
    return None


def _any_of(postings: Postings, children: list[tree.Item]) -> Subjects:
    found: set[str] = set()
    for child in children:
        subjects = _node(postings, child)
        if subjects is None:
            return None
        found |= subjects
    return found


def _word(postings: Postings, word: str) -> Subjects:
    """A word matches a value holding its words, or equal to it (``3.0``
    equals 3, ``2020-01-01`` equals ``2020``)."""
    if "*" in word or "?" in word:
        return None
    by_words = _all_words(postings, tokens(word))
    if by_words is None:
        return None
    keys = _equality_keys(word)
    if keys is None:
        return None
    extra = [postings.get(("equal-any", k)) for k in keys if k[0] in ("number", "date")]
    return by_words | _union(extra) if extra else by_words


def _prefilters(request: dict[str, Any]) -> list[Any]:
    specs = request.get("filters") or []
    return [s for s in specs if not (isinstance(s, dict) and s.get("post_filter"))]


def _filter(postings: Postings, spec: dict[str, Any]) -> Subjects:
    """Candidates for one (already validated) GFilter."""
    kind = spec["type"]
    if kind == "and":
        return intersect([_filter(postings, f) for f in spec["filters"]])
    if kind == "or":
        parts = [_filter(postings, f) for f in spec["filters"]]
        return None if any(p is None for p in parts) else _union(parts)
    if kind not in ("exists", "match_any", "match_all"):
        return None
    path = split_field(spec["field_name"])
    if kind == "exists":
        return set(postings.get(("field", path)))
    per_value = [_equal_to(postings, path, wanted) for wanted in spec["values"]]
    if kind == "match_all":
        return intersect(per_value)
    return None if any(p is None for p in per_value) else _union(per_value)


def _equal_to(postings: Postings, path: tuple[str, ...], wanted: Any) -> Subjects:
    keys = _equality_keys(wanted)
    if keys is None:
        return None
    return _union(postings.get(("equal", path, k)) for k in keys)


def _equality_keys(wanted: Any) -> list[tuple[str, Any]] | None:
    try:
        return wanted_equality_keys(wanted)
    except (OverflowError, ValueError, TypeError):  # the exact check will say
        return None
