"""Ranges and sorts read off the postings' ordered keys.

A range bound is compared with a value as a number if both read as one,
else as a date if both do, else as text if both are text
(``fields.comparable``); so which reading a value is compared by depends
only on the bound and on the set of readings the value has (its
signature). The postings keep each field's values by signature and
reading, in order, so a range is a few bisections per signature, and its
subjects a bitmap. A sort walks a field's sort keys from the first in its
order: a subject first met there is at its least (or, descending, its
greatest) key, which is where the sort puts it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import chain
from typing import Any

from .fields import split_field
from .postings import Path, Postings, readings

# every set of readings a value can have (a date or text reading is a string's)
SIGNATURES = (
    ("number",),
    ("number", "text"),
    ("number", "date", "text"),
    ("date", "text"),
    ("text",),
)


def range_bits(
    postings: Postings,
    path: Path,
    low: Any,
    high: Any,
    include_low: bool = True,
    include_high: bool = True,
) -> int | None:
    """The bitmap of the subjects holding a value of ``path`` from ``low``
    to ``high`` (None: open), as ``query._within`` decides; None when the
    postings cannot tell: a bound no float holds or NaN, or bounds that
    would compare some value by two different readings."""
    if low is None and high is None:
        return postings.bits(("field", path))  # any value at all
    try:
        lows, highs = _bound_readings(low), _bound_readings(high)
    except (OverflowError, ValueError):
        return None
    if any(r != r for bound in (lows, highs) if bound for r in bound.values()):
        return None  # every number is "within" NaN
    postings.keep_in_order(path)
    holders = []
    for signature in SIGNATURES:
        kinds = {_compared_as(signature, bound) for bound in (lows, highs) if bound is not None}
        if len(kinds) > 1:
            return None
        kind = kinds.pop()
        if kind is None:
            continue  # the value and a bound share no reading: never within
        prefix = ("range", path, signature, kind)
        values = postings.in_order(prefix)
        start, stop = 0, len(values)
        if lows is not None:
            start = (bisect_left if include_low else bisect_right)(values, lows[kind])
        if highs is not None:
            stop = (bisect_right if include_high else bisect_left)(values, highs[kind])
        holders += [postings.get((*prefix, value)) for value in values[start:stop]]
        if kind == "number":  # NaN is neither below nor above a bound
            holders.append(postings.get(("range-nan", path, signature)))
    return postings.bitmap(chain.from_iterable(holders))


def _bound_readings(bound: Any) -> dict[str, Any] | None:
    return None if bound is None else readings(bound)


def _compared_as(signature: tuple[str, ...], bound: dict[str, Any]) -> str | None:
    return next((kind for kind in signature if kind in bound), None)


# -- sorts ---------------------------------------------------------------------------

# (field name, descending) for each sort, the first deciding
Sorts = list[tuple[str, bool]]
# orders some subjects by some sorts reading their entries, as a scan does
ByEntries = Callable[[list[str], Sorts], list[str]]
# walking a field's keys costs about this many times less per key than
# reading a subject's entries costs per subject
_WALK_IS_CHEAPER = 4


def sorted_subjects(
    postings: Postings, bits: int, sorts: Sorts, needed: int | None, by_entries: ByEntries
) -> list[str]:
    """The subjects of ``bits`` in the order of ``sorts`` over all their
    entries: by the first sort's field (subjects without it last), ties
    by the next sorts, then in the index's order; at least the first
    ``needed`` of them (None: all). ``by_entries`` orders those whose keys
    the walk would not pay for, and all of them when a sort's field holds
    NaN: it has no order, so only sorting them all as a scan does gives
    the scan's."""
    if holds_nan(postings, sorts):
        return by_entries(postings.subjects_in(bits), sorts)[:needed]
    return _walk(postings, bits, sorts, needed, by_entries)


def holds_nan(postings: Postings, sorts: Sorts) -> bool:
    """Whether a value of some sort's field is NaN (which has no order),
    keeping the fields' keys in order from now on."""
    paths = [split_field(name) for name, _ in sorts]
    for path in paths:
        postings.keep_in_order(path)
    return any(postings.get(("sort-nan", path)) for path in paths)


def _walk(
    postings: Postings, bits: int, sorts: Sorts, needed: int | None, by_entries: ByEntries
) -> list[str]:
    """``sorted_subjects`` once no sort's field holds NaN."""
    if not sorts:
        return postings.subjects_in(bits, needed)
    (name, descending), rest = sorts[0], sorts[1:]
    path = split_field(name)
    count = bits.bit_count()
    keys = postings.in_order(("sort", path))
    if _walk_length(len(keys), needed, count) > count * _WALK_IS_CHEAPER:
        return by_entries(postings.subjects_in(bits), sorts)[:needed]
    found: list[str] = []
    seen: set[str] = set()
    for key in reversed(keys) if descending else keys:
        if needed is not None and len(found) >= needed:
            return found
        group = [
            subject
            for subject in postings.subjects[("sort", path, key)]
            if bits >> postings.rank[subject] & 1 and subject not in seen
        ]
        if not group:
            continue
        seen.update(group)
        left = None if needed is None else needed - len(found)
        if rest and len(group) > 1:
            found += _walk(postings, postings.bitmap(group), rest, left, by_entries)
        else:
            found += sorted(group, key=postings.rank.__getitem__)
    if needed is not None and len(found) >= needed:
        return found
    missing = bits & ~postings.bits(("field", path))
    left = None if needed is None else needed - len(found)
    return found + _walk(postings, missing, rest, left, by_entries)


def _walk_length(keys: int, needed: int | None, count: int) -> int:
    """About how many of ``keys`` a walk visits to meet the first
    ``needed`` of ``count`` subjects spread over them."""
    if needed is None or not count:
        return keys
    return min(keys, needed * keys // count + 1)
