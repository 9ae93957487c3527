"""Search queries: the query string (simple or advanced), filters, facets,
boosts and sort, evaluated over an index's entries.

The advanced syntax is Lucene's query-string syntax, which Search takes
from Elasticsearch; it is parsed by luqum (a maintained Lucene-syntax
parser) rather than by hand, and its tree is evaluated here. The simple
syntax is plain words: any of them matching ranks a result, more matches
rank it higher.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene

from ...clock import iso
from .fields import (
    as_date,
    as_number,
    comparable,
    equal,
    equal_to,
    facet_key,
    sort_key,
    tokens,
    values_at,
)
from .models import Analysis, Entry, SearchError, bad_query

Values = Callable[[Entry], list[Any]]
Scorer = Callable[[Entry, "Values | None"], float]

MAX_QUERY_LENGTH = 2048
FACET_DEFAULT_SIZE = 10
DATE_INTERVALS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")


# -- the query string ---------------------------------------------------------------


def all_values(entry: Entry) -> list[Any]:
    return entry.analysis().values


def field_reader(name: str) -> Values:
    def read(entry: Entry) -> list[Any]:
        return values_at(entry.content, name)

    return read


@lru_cache(maxsize=512)
def compile_q(q: str, advanced: bool) -> Scorer:
    """A scorer for ``q``: 0 for entries it does not match, more for better."""
    if len(q) > MAX_QUERY_LENGTH:
        raise bad_query(f"query strings are limited to {MAX_QUERY_LENGTH} characters")
    text = q.strip()
    if text in ("", "*"):
        return lambda entry, values: 1.0
    if not advanced:
        return _simple(text)
    return _advanced(parse_advanced(text))


@lru_cache(maxsize=512)
def parse_advanced(text: str) -> tree.Item:
    """luqum's tree of an advanced query string (do not change it: cached)."""
    try:
        return lucene.parse(text)
    except (ParseError, Exception) as err:  # luqum raises several kinds
        raise bad_query(f"the advanced query string could not be parsed: {err}") from err


@lru_cache(maxsize=512)
def simple_terms(text: str) -> list[list[str]]:
    """A simple query's terms: its quoted phrases, then its other words, as
    tokens (do not change the list: cached)."""
    phrases = [p for p in re.findall(r'"([^"]*)"', text) if tokens(p)]
    words = tokens(re.sub(r'"[^"]*"', " ", text))
    return [tokens(p) for p in phrases] + [[w] for w in dict.fromkeys(words)]


def _simple(text: str) -> Scorer:
    terms = simple_terms(text)

    def score(entry: Entry, values: Values | None) -> float:
        if values is not None:
            seen = values(entry)
            return float(sum(1 for term in terms if _term_in(term, seen)))
        analysis = entry.analysis()
        return float(sum(1 for term in terms if _term_in_words(term, analysis)))

    return score


def _term_in_words(term: list[str], analysis: Analysis) -> bool:
    """_term_in over an entry's whole content, using its worked-out words."""
    if not analysis.vocabulary.issuperset(term):
        return False
    if len(term) == 1:
        return True
    width = len(term)
    return any(
        words[start : start + width] == term
        for words in analysis.words
        for start in range(len(words) - width + 1)
    )


def _term_in(term: list[str], values: Iterable[Any]) -> bool:
    """A word or phrase (as tokens) appears, consecutively, in some value."""
    width = len(term)
    for value in values:
        found = tokens(value)
        for start in range(len(found) - width + 1):
            if found[start : start + width] == term:
                return True
    return False


def _advanced(node: tree.Item) -> Scorer:
    compiled = _compile(node)

    def score(entry: Entry, values: Values | None) -> float:
        return compiled(entry, values or all_values)

    return score


# One node of luqum's tree, compiled once per query string (compile_q is
# cached): its score against an entry, reading values with ``values``.
NodeScore = Callable[[Entry, Values], float]


def _compile(node: tree.Item) -> NodeScore:
    """The scorer of one node of luqum's tree (0 for no match). Whatever
    can be refused (bad syntax, a bad regex, a bad fuzziness) is refused
    here, so evaluating may stop at a conjunction's first miss."""
    if isinstance(node, tree.SearchField):
        inner, read = _compile(node.expr), field_reader(node.name)
        return lambda entry, values: inner(entry, read)
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return _compile(node.expr)
    if isinstance(node, tree.AndOperation):
        return _all_of([_compile(child) for child in node.children])
    if isinstance(node, tree.OrOperation):
        parts = [_compile(child) for child in node.children]
        return lambda entry, values: sum(part(entry, values) for part in parts)
    if isinstance(node, tree.UnknownOperation):
        return _implicit(node.children)
    if isinstance(node, (tree.Not, tree.Prohibit)):
        inner = _compile(node.a)
        return lambda entry, values: 0.0 if inner(entry, values) else 1.0
    if isinstance(node, tree.Plus):
        return _compile(node.a)
    if isinstance(node, tree.Boost):
        inner, force = _compile(node.expr), float(node.force or 1)
        return lambda entry, values: inner(entry, values) * force
    leaf = _leaf(node)
    return lambda entry, values: 1.0 if leaf(values(entry)) else 0.0


def _all_of(parts: list[NodeScore]) -> NodeScore:
    def score(entry: Entry, values: Values) -> float:
        total = 0.0
        for part in parts:
            got = part(entry, values)
            if not got:
                return 0.0
            total += got
        return total

    return score


def _leaf(node: tree.Item) -> Callable[[list[Any]], bool]:
    """Whether some of an entry's values (of the field in force) match a
    term, range, phrase, fuzzy term or regex."""
    if isinstance(node, tree.Range):
        low, high = range_bound(node.low), range_bound(node.high)
        return lambda found: any(
            _within(v, low, high, node.include_low, node.include_high) for v in found
        )
    if isinstance(node, (tree.From, tree.To)):
        at = range_bound(node.a)
        low, high = (at, None) if isinstance(node, tree.From) else (None, at)
        return lambda found: any(_within(v, low, high, node.include, node.include) for v in found)
    if isinstance(node, tree.Fuzzy):
        return _fuzzy(node.term.value.lower(), node.degree)
    if isinstance(node, tree.Proximity):
        words = set(tokens(node.term.value.strip('"')))
        return lambda found: any(words <= set(tokens(v)) for v in found)
    if isinstance(node, tree.Phrase):
        phrase = tokens(node.value.strip('"'))
        return lambda found: _term_in(phrase, found)
    if isinstance(node, tree.Regex):
        return _regex(node.value.strip("/"))
    if isinstance(node, tree.Word):
        return _word(node.value)
    raise bad_query(f"unsupported query syntax: {node}")


def _implicit(children: list[tree.Item]) -> NodeScore:
    """Lucene's default operator is OR, but ``+x`` must and ``-x`` must not match."""
    required = [
        (_compile(child), isinstance(child, tree.Plus))
        for child in children
        if isinstance(child, (tree.Plus, tree.Prohibit, tree.Not))
    ]
    optional = [
        _compile(child)
        for child in children
        if not isinstance(child, (tree.Plus, tree.Prohibit, tree.Not))
    ]

    def score(entry: Entry, values: Values) -> float:
        total = 0.0
        for part, counts in required:
            got = part(entry, values)
            if not got:
                return 0.0
            total += got if counts else 0.0
        scores = [part(entry, values) for part in optional]
        if not required and not any(scores):
            return 0.0
        return total + sum(scores) or 1.0

    return score


def _word(word: str) -> Callable[[list[Any]], bool]:
    word = word.replace("\\", "")
    if word == "*":
        return bool
    if "*" in word or "?" in word:
        pattern = word.lower()
        return lambda found: any(
            fnmatch.fnmatchcase(t, pattern) or fnmatch.fnmatchcase(str(v).lower(), pattern)
            for v in found
            for t in tokens(v)
        )
    is_word, term = equal_to(word), tokens(word)
    return lambda found: any(is_word(value) for value in found) or _term_in(term, found)


def range_bound(item: tree.Item) -> str | None:
    """A range bound of the advanced syntax (None: ``*``, open)."""
    value = str(item).strip('"')
    return None if value == "*" else value


def _within(value: Any, low: Any, high: Any, include_low: bool, include_high: bool) -> bool:
    if low is not None:
        pair = comparable(value, low)
        if pair is None or pair[0] < pair[1] or (pair[0] == pair[1] and not include_low):  # type: ignore[operator]
            return False
    if high is not None:
        pair = comparable(value, high)
        if pair is None or pair[0] > pair[1] or (pair[0] == pair[1] and not include_high):  # type: ignore[operator]
            return False
    return True


def _fuzzy(term: str, degree: Any) -> Callable[[list[Any]], bool]:
    try:
        allowed = int(float(degree)) if degree is not None else 2
    except ValueError as err:
        raise bad_query(f"invalid fuzziness {degree!r}") from err
    return lambda found: any(
        _distance(term, t, allowed) <= allowed for v in found for t in tokens(v)
    )


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, giving up once it passes ``cap``."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


def _regex(pattern: str) -> Callable[[list[Any]], bool]:
    # User-supplied patterns run on RE2 (linear time) so none can stall the
    # emulator; without it regular expressions are refused.
    try:
        import re2
    except ImportError as err:
        raise bad_query("regular expression queries need google-re2 installed") from err
    try:
        compiled = re2.compile(pattern)
    except Exception as err:
        raise bad_query(f"invalid regular expression: {err}") from err
    return lambda found: any(compiled.fullmatch(t) for v in found for t in tokens(v))


# -- filters ------------------------------------------------------------------------


Predicate = Callable[[Entry], bool]


def compile_filter(spec: Any) -> Predicate:
    """A predicate for one GFilter document."""
    if not isinstance(spec, dict):
        raise bad_query("each filter must be an object")
    kind = spec.get("type")
    if kind in ("and", "or"):
        parts = [compile_filter(f) for f in _list(spec, "filters")]
        join = all if kind == "and" else any
        return lambda entry: join(p(entry) for p in parts)
    if kind == "not":
        inner = compile_filter(spec.get("filter"))
        return lambda entry: not inner(entry)
    name = spec.get("field_name")
    if not isinstance(name, str) or not name:
        raise bad_query(f"a {kind!r} filter needs a field_name")
    read = field_reader(name)
    if kind == "exists":
        return lambda entry: bool(read(entry))
    if kind in ("match_any", "match_all"):
        wanted = _list(spec, "values")
        join = any if kind == "match_any" else all
        return lambda entry: join(any(equal(v, w) for v in read(entry)) for w in wanted)
    if kind == "range":
        ranges = [range_bounds(r) for r in _list(spec, "values")]
        return lambda entry: any(
            _within(v, low, high, True, True) for v in read(entry) for low, high in ranges
        )
    if kind == "like":
        pattern = str(spec.get("value", "")).lower()
        return lambda entry: any(fnmatch.fnmatchcase(str(v).lower(), pattern) for v in read(entry))
    if kind in ("geo_bounding_box", "geo_shape"):
        raise SearchError(501, "NotEmulated", f"globus-testkit does not emulate {kind} filters")
    raise bad_query(f"unknown filter type {kind!r}")


def _list(spec: dict[str, Any], key: str) -> list[Any]:
    value = spec.get(key)
    if not isinstance(value, list) or not value:
        raise bad_query(f"a {spec.get('type')!r} filter needs a non-empty list of {key}")
    return value


def range_bounds(bounds: Any) -> tuple[Any, Any]:
    if not isinstance(bounds, dict):
        raise bad_query("range filter values must be objects with from and to")
    low = bounds.get("from", bounds.get("low", "*"))
    high = bounds.get("to", bounds.get("high", "*"))
    return (None if low == "*" else low), (None if high == "*" else high)


# -- facets -------------------------------------------------------------------------


TermCounts = Callable[[str], "Counter[Any] | None"]


def facet_result(
    spec: Any, entries: Callable[[], list[Entry]], term_counts: TermCounts | None = None
) -> dict[str, Any]:
    """One GFacetResult for a GFacet over the matching entries (in the
    index's order). ``term_counts``, when it knows them, gives a terms
    facet's counts (how many entries hold each value) without the entries."""
    if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
        raise bad_query("each facet needs a field_name")
    name = spec.get("name") or spec["field_name"]
    kind = spec.get("type", "terms")
    if kind == "terms":
        size = _size(spec)
        counts = term_counts(spec["field_name"]) if term_counts else None
        if counts is None:
            counts = entry_term_counts(entries(), spec["field_name"])
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:size]
        return {"name": name, "buckets": [{"value": v, "count": c} for v, c in ranked]}
    read = field_reader(spec["field_name"])
    per_entry = [read(e) for e in entries()]
    if kind in ("sum", "avg"):
        numbers = [n for vals in per_entry for v in vals if (n := as_number(v)) is not None]
        if kind == "sum":
            return {"name": name, "value": float(sum(numbers))}
        return {"name": name, "value": (sum(numbers) / len(numbers)) if numbers else None}
    if kind == "numeric_histogram":
        return {"name": name, "buckets": _numeric_buckets(spec, per_entry)}
    if kind == "date_histogram":
        return {"name": name, "buckets": _date_buckets(spec, per_entry)}
    raise bad_query(f"unknown facet type {kind!r}")


def entry_term_counts(entries: Iterable[Entry], field_name: str) -> Counter[Any]:
    """How many of ``entries`` hold each value of the field (a terms
    facet's counts, in the order the entries meet the values)."""
    read = field_reader(field_name)
    return Counter(v for e in entries for v in {facet_key(v) for v in read(e)})


def _size(spec: dict[str, Any]) -> int:
    size = spec.get("size", FACET_DEFAULT_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 1000:
        raise bad_query("facet size must be an integer from 1 to 1000")
    return size


def _histogram_range(
    spec: dict[str, Any], parse: Callable[[Any], float | None]
) -> tuple[float, float]:
    bounds = spec.get("histogram_range")
    if not isinstance(bounds, dict):
        raise bad_query(f"a {spec.get('type')} facet needs a histogram_range with low and high")
    low, high = parse(bounds.get("low")), parse(bounds.get("high"))
    if low is None or high is None or low >= high:
        raise bad_query("histogram_range needs low < high")
    return low, high


def _numeric_buckets(spec: dict[str, Any], per_entry: list[list[Any]]) -> list[dict[str, Any]]:
    low, high = _histogram_range(spec, as_number)
    size = _size(spec)
    width = (high - low) / size
    counts = [0] * size
    for vals in per_entry:
        hit = {
            int((n - low) // width)
            for v in vals
            if (n := as_number(v)) is not None and low <= n < high
        }
        for slot in hit:
            counts[slot] += 1
    return [
        {"value": {"from": low + i * width, "to": low + (i + 1) * width}, "count": c}
        for i, c in enumerate(counts)
    ]


def _date_buckets(spec: dict[str, Any], per_entry: list[list[Any]]) -> list[dict[str, Any]]:
    interval = spec.get("date_interval")
    if interval not in DATE_INTERVALS:
        raise bad_query(f"date_interval must be one of {', '.join(DATE_INTERVALS)}")
    bounds = spec.get("histogram_range")
    low = high = None
    if bounds is not None:
        low, high = _histogram_range(spec, as_date)
    counts: Counter[str] = Counter()
    for vals in per_entry:
        seen = set()
        for value in vals:
            when = as_date(value)
            if when is None or (low is not None and not low <= when < high):  # type: ignore[operator]
                continue
            seen.add(_truncate(when, interval))
        counts.update(seen)
    return [{"value": k, "count": counts[k]} for k in sorted(counts)]


def _truncate(timestamp: float, interval: str) -> str:
    text = iso(timestamp)  # 2024-05-17T10:11:12+00:00
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    if interval == "year":
        return f"{year:04d}-01-01"
    if interval == "quarter":
        return f"{year:04d}-{(month - 1) // 3 * 3 + 1:02d}-01"
    if interval == "month":
        return f"{year:04d}-{month:02d}-01"
    if interval == "week":
        import datetime as _dt

        start = _dt.date(year, month, day) - _dt.timedelta(
            days=_dt.date(year, month, day).weekday()
        )
        return start.isoformat()
    if interval == "day":
        return text[:10]
    cut = {"hour": 13, "minute": 16, "second": 19}[interval]
    return text[:cut] + {"hour": ":00:00", "minute": ":00", "second": ""}[interval]


# -- sort ---------------------------------------------------------------------------


def sort_value(entries: list[Entry], field_name: str, descending: bool) -> tuple[int, Any] | None:
    found = [sort_key(v) for e in entries for v in values_at(e.content, field_name)]
    if not found:
        return None
    return max(found) if descending else min(found)
