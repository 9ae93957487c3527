"""Which subjects a search request can match, read off an index's postings.

Each part of a request that narrows the results (the query string's words
and phrases, field filters, who may see an entry) names a set of subjects
from the postings (a wildcard term by the words starting as it does); a
part the postings cannot answer (ranges over every field, wildcards
starting with ``*`` or ``?``, fuzzy and regular-expression terms,
negations, ``like`` filters) narrows nothing. The sets are supersets of
the matches: the engine checks every candidate exactly as a scan would,
so answers do not depend on the plan.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from typing import Any

from luqum import tree

from .fields import split_field, tokens
from .models import PUBLIC
from .ordered import range_bits
from .postings import Path, Postings, wanted_equality_keys
from .query import parse_advanced, range_bound, range_bounds, simple_terms

# None: every subject (the postings cannot narrow). The sets may be the
# postings' own: never change one, make a new one.
Subjects = set[str] | None


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
        narrowing.append(_visible(postings, principals))
    found = _intersect(narrowing)
    if found is None:
        return None
    return sorted(found | postings.always, key=postings.rank.__getitem__)


def _visible(postings: Postings, principals: frozenset[str]) -> Subjects:
    """Subjects with an entry the principals may see (public entries are
    visible to anyone); None when that is every subject."""
    seen = _union([postings.get(("principal", p)) for p in principals | {PUBLIC}])
    return None if len(seen) == len(postings.rank) else seen


def _intersect(sets: list[Subjects]) -> Subjects:
    known = sorted((s for s in sets if s is not None), key=len)
    if not known:
        return None
    found = known[0]
    for other in known[1:]:
        found = found & other
    return found


def _union_of_known(sets: list[Subjects]) -> Subjects:
    known = [s for s in sets if s is not None]
    return _union(known) if len(known) == len(sets) else None


def _union(sets: list[set[str]]) -> set[str]:
    filled = [s for s in sets if s]
    if len(filled) == 1:
        return filled[0]
    found: set[str] = set()
    for subjects in filled:
        found |= subjects
    return found


def _all_words(postings: Postings, words: list[str], path: Path | None = None) -> Subjects:
    """Subjects holding every word (a phrase's candidates), in the field
    ``path`` or, without one, anywhere."""
    if not words:
        return None
    if path is None:
        return _intersect([postings.get(("word", w)) for w in words])
    return _intersect([postings.get(("field-word", path, w)) for w in words])


def _query(postings: Postings, request: dict[str, Any]) -> Subjects:
    text = str(request.get("q") or "").strip()
    if text in ("", "*"):
        return None
    if not request.get("advanced"):
        return _union_of_known([_all_words(postings, term) for term in simple_terms(text)])
    return _node(postings, parse_advanced(text), None)


def _node(postings: Postings, node: tree.Item, path: Path | None) -> Subjects:
    """Candidates for one node of the advanced query's tree, in the field
    ``path`` (None: any field); see ``query._compile``, whose scores
    these bound."""
    if isinstance(node, tree.SearchField):
        return _node(postings, node.expr, split_field(node.name))
    if isinstance(node, (tree.Group, tree.FieldGroup, tree.Boost)):
        return _node(postings, node.expr, path)
    if isinstance(node, tree.Plus):
        return _node(postings, node.a, path)
    if isinstance(node, tree.AndOperation):
        return _intersect([_node(postings, c, path) for c in node.children])
    if isinstance(node, tree.OrOperation):
        return _any_of(postings, node.children, path)
    if isinstance(node, tree.UnknownOperation):
        required = [c for c in node.children if isinstance(c, tree.Plus)]
        if required:
            return _intersect([_node(postings, c, path) for c in required])
        if any(isinstance(c, (tree.Prohibit, tree.Not)) for c in node.children):
            return None  # "-x" alone matches whatever lacks x
        return _any_of(postings, node.children, path)
    if isinstance(node, tree.Phrase):
        return _all_words(postings, tokens(node.value.strip('"')), path)
    if isinstance(node, tree.Proximity):
        return _all_words(postings, tokens(node.term.value.strip('"')), path)
    if isinstance(node, tree.Word):
        return _word(postings, node.value.replace("\\", ""), path)
    if path is not None and isinstance(node, (tree.Range, tree.From, tree.To)):
        return _range(postings, node, path)
    return None


def _range(postings: Postings, node: tree.Range | tree.From | tree.To, path: Path) -> Subjects:
    """Candidates for a range term in a field (see ``query._leaf``)."""
    if isinstance(node, tree.Range):
        low, high = range_bound(node.low), range_bound(node.high)
        bits = range_bits(postings, path, low, high, node.include_low, node.include_high)
    elif isinstance(node, tree.From):
        bits = range_bits(postings, path, range_bound(node.a), None, node.include, node.include)
    else:
        bits = range_bits(postings, path, None, range_bound(node.a), node.include, node.include)
    return None if bits is None else set(postings.subjects_in(bits))


def _any_of(postings: Postings, children: list[tree.Item], path: Path | None) -> Subjects:
    return _union_of_known([_node(postings, child, path) for child in children])


def _word(postings: Postings, word: str, path: Path | None) -> Subjects:
    """A word matches a value holding its words, or equal to it (``3.0``
    equals 3, ``2020-01-01`` equals ``2020``)."""
    if "*" in word or "?" in word:
        return _wildcard(postings, word, path)
    by_words = _all_words(postings, tokens(word), path)
    keys = _equality_keys(word)
    if by_words is None or keys is None:
        return None
    typed = [k for k in keys if k[0] in ("number", "date")]
    if path is None:
        extra = [postings.get(("equal-any", k)) for k in typed]
    else:
        extra = [postings.get(("equal", path, k)) for k in typed]
    return by_words | _union(extra) if extra else by_words


def _wildcard(postings: Postings, pattern: str, path: Path | None) -> Subjects:
    """A wildcard term's candidates. It matches a token, or a whole value,
    fitting the pattern; either starts with the pattern's literal start,
    so the value has a token starting with that start's first word. None
    (no narrowing) when the pattern starts with no word."""
    literal = re.split(r"[*?\[]", pattern.lower(), maxsplit=1)[0]
    words = tokens(literal)
    if not words or not literal.startswith(words[0]):
        return None
    return _union(postings.words_starting(words[0], path))


def _prefilters(request: dict[str, Any]) -> list[Any]:
    specs = request.get("filters") or []
    return [s for s in specs if not (isinstance(s, dict) and s.get("post_filter"))]


def _filter(postings: Postings, spec: dict[str, Any]) -> Subjects:
    """Candidates for one (already validated) GFilter."""
    kind = spec["type"]
    if kind == "and":
        return _intersect([_filter(postings, f) for f in spec["filters"]])
    if kind == "or":
        return _union_of_known([_filter(postings, f) for f in spec["filters"]])
    if kind == "range":
        bits = _range_filter_bits(postings, spec)
        return None if bits is None else set(postings.subjects_in(bits))
    if kind not in ("exists", "match_any", "match_all"):
        return None
    path = split_field(spec["field_name"])
    if kind == "exists":
        return postings.get(("field", path))
    per_value = [_equal_to(postings, path, wanted) for wanted in spec["values"]]
    if kind == "match_all":
        return _intersect(per_value)
    return _union_of_known(per_value)


def _equal_to(postings: Postings, path: tuple[str, ...], wanted: Any) -> Subjects:
    keys = _equality_keys(wanted)
    if keys is None:
        return None
    return _union([postings.get(("equal", path, k)) for k in keys])


def _equality_keys(wanted: Any) -> list[tuple[str, Any]] | None:
    try:
        return wanted_equality_keys(wanted)
    except (OverflowError, ValueError, TypeError):  # the exact check will say
        return None


# -- answers from the postings alone --------------------------------------------------
#
# A subject with one entry has exactly that entry's keys, so for such
# subjects the postings give the matches themselves, not candidates, when
# every narrowing part is exact: plain words (or none) in a simple query
# string, match_any/match_all/exists/range filters, visibility. A subject
# of several entries pools their keys (one entry may hold a word, another
# pass the filter), so for those the postings give candidates, which the
# engine checks entry by entry. These are worked out on the postings'
# bitmaps.


@dataclass(frozen=True)
class Ranked:
    """Exact matches as bitmaps: all of them, and by score, best first;
    and the candidates of several entries, to check."""

    matched: int
    by_score: list[tuple[int, int]]  # (score, bitmap of the subjects scoring it)
    to_check: int  # subjects of several entries that may match


def exact_matches(
    postings: Postings,
    request: dict[str, Any],
    principals: frozenset[str],
    *,
    bypass_visible_to: bool,
) -> Ranked | None:
    """The subjects of one entry ``request`` matches, by score, when the
    postings know them exactly (a simple query string of plain words
    scores each subject by how many of them it holds), with the subjects
    of several entries it may match; None when the postings cannot tell."""
    text = str(request.get("q") or "").strip()
    specs = request.get("filters") or []
    if postings.always:
        return None
    words: list[str] = []
    if text not in ("", "*"):
        terms = [] if request.get("advanced") else simple_terms(text)
        if not terms or any(len(term) != 1 for term in terms):
            return None
        words = [term[0] for term in terms]
    allowed = postings.every_bit()
    for spec in specs:
        bits = _filter_bits(postings, spec)
        if bits is None:
            return None
        allowed &= bits
    if not bypass_visible_to:
        seen = 0
        for principal in principals | {PUBLIC}:
            seen |= postings.bits(("principal", principal))
        allowed &= seen
    holding = [allowed & postings.bits(("word", w)) for w in words] or [allowed]
    reached = reduce(operator.or_, holding)
    one = ~postings.several_entries_bits()
    return Ranked(reached & one, _by_score([bits & one for bits in holding]), reached & ~one)


def _by_score(holding: list[int]) -> list[tuple[int, int]]:
    """Bitmaps of the subjects in exactly s of ``holding``, s from the most
    down to 1: the counts are kept as bitmaps of binary digits (a ripple
    adder working on every subject at once)."""
    digits: list[int] = []
    for bits in holding:
        carry, place = bits, 0
        while carry:
            if place == len(digits):
                digits.append(carry)
                break
            digits[place], carry = digits[place] ^ carry, digits[place] & carry
            place += 1
    found = []
    for score in range(len(holding), 0, -1):
        exactly = -1  # every bit set
        for place, digit in enumerate(digits):
            exactly &= digit if score >> place & 1 else ~digit
        if score >> len(digits) == 0 and exactly:
            found.append((score, exactly))
    return found


def _filter_bits(postings: Postings, spec: dict[str, Any]) -> int | None:
    """The bitmap of the subjects a filter keeps, when the postings know
    it exactly (None: they do not, or the filter is no match_any,
    match_all, exists or range, or a combination of them)."""
    kind = spec.get("type")
    if kind in ("and", "or"):
        parts = [_filter_bits(postings, f) for f in spec["filters"]]
        if None in parts:
            return None
        return reduce(operator.and_ if kind == "and" else operator.or_, parts)
    if kind == "range":
        return _range_filter_bits(postings, spec)
    if kind not in ("exists", "match_any", "match_all"):
        return None
    path = split_field(spec["field_name"])
    if kind == "exists":
        return postings.bits(("field", path))
    per_value = []
    for keys in map(_equality_keys, spec["values"]):
        if keys is None:  # a value no float holds
            return None
        per_value.append(reduce(operator.or_, [postings.bits(("equal", path, k)) for k in keys], 0))
    return reduce(operator.and_ if kind == "match_all" else operator.or_, per_value)


def _range_filter_bits(postings: Postings, spec: dict[str, Any]) -> int | None:
    """The bitmap of the subjects a range filter keeps (any of its ranges)."""
    path = split_field(spec["field_name"])
    found = 0
    for low, high in map(range_bounds, spec["values"]):
        bits = range_bits(postings, path, low, high)
        if bits is None:
            return None
        found |= bits
    return found


def term_counts(postings: Postings, field_name: str, matched: int) -> Counter[Any] | None:
    """How many of the ``matched`` subjects (of one entry each) hold each
    value of the field, when every value the field ever held is of one type
    (a terms facet merges 1, 1.0 and True, and breaks ties by text, in the
    order it met them) and there are fewer values than matches; else None."""
    path = split_field(field_name)
    kinds = postings.value_types.get(path, set())
    values = postings.values_of.get(path, set())
    if len(kinds) > 1 or not kinds <= {str, int, bool} or len(values) > matched.bit_count():
        return None
    counts: Counter[Any] = Counter()
    for value in values:
        count = (matched & postings.bits(("value", path, value))).bit_count()
        if count:
            counts[value] = count
    return counts
