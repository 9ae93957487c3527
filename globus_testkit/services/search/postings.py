"""An index's inverted index: from words, field values, field names and
principals to the subjects whose entries hold them.

It is kept beside the entries (every write of a subject re-indexes that
subject) and is never saved: it is rebuilt from the entries. Queries use
it to find the subjects they can match; what a subject's postings say is
always a superset of what its entries match (several entries pool their
keys), so the query engine still checks each candidate as before and
answers exactly as a scan would. Where keys are exact for a subject with
one entry, :mod:`.plan` also counts and facets from them directly, as
bitmaps (bit ``rank`` set for each subject: one machine word holds 64
subjects, so and-ing, or-ing and counting them costs next to nothing).

The values of a field a range or a sort has asked about are also kept by
how ranges compare them and by how a sort orders them, with their
distinct keys in order (see :mod:`.ordered`): keyed when first asked,
then kept up by every write.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .fields import as_date, as_number, facet_key, sort_key, tokens, values_along

if TYPE_CHECKING:
    from .models import Entry

Key = tuple[Any, ...]
Path = tuple[str, ...]
_BOOLEAN_WORDS = ("true", "false")


class Postings:
    """Keys -> subjects, with each subject's keys to unindex it."""

    def __init__(self) -> None:
        self.subjects: dict[Key, set[str]] = {}
        # the entries each subject was indexed with, to unindex them (keeping
        # their keys instead would cost as much memory again)
        self.indexed: dict[str, tuple[Entry, ...]] = {}
        self.rank: dict[str, int] = {}  # subject -> its place in the index's order
        self.by_rank: dict[int, str] = {}
        self._bits: dict[Key, int] = {}  # bitmaps of keys asked for, until they change
        self.always: set[str] = set()  # subjects whose values could not be keyed
        self.multi_entry: set[str] = set()  # subjects holding more than one entry
        self.value_types: dict[Path, set[type]] = {}  # every type each field held
        self.values_of: dict[Path, set[Any]] = {}  # each field's values (facet keys)
        # the words held anywhere (None) and in each field, for wildcards
        self.vocabulary: dict[Path | None, set[str]] = {}
        # the distinct last parts of ordered keys (see ``_ORDERED``) by the
        # rest of the key, and those asked for in order, until they change
        self.ordered_values: dict[Key, set[Any]] = {}
        self._in_order: dict[Key, list[Any]] = {}
        self.ordered_paths: set[Path] = set()  # the fields keyed so
        self._next_rank = 0

    def get(self, key: Key) -> set[str]:
        return self.subjects.get(key, _EMPTY)

    def put(self, subject: str, entries: Iterable[Entry]) -> None:
        """(Re)index ``subject`` as holding ``entries`` (none: removed)."""
        self._unindex(subject)
        if self._bits:
            self._bits.pop(_EVERY, None)
            self._bits.pop(_SEVERAL, None)
        indexed = self.indexed[subject] = tuple(entries)
        if not indexed:
            del self.indexed[subject]
            self.by_rank.pop(self.rank.pop(subject, -1), None)
            return
        if subject not in self.rank:
            self.rank[subject] = self._next_rank
            self.by_rank[self._next_rank] = subject
            self._next_rank += 1
        if len(indexed) > 1:
            self.multi_entry.add(subject)
        keys, complete = self._keys(indexed)
        if not complete:  # a number no float holds: always a candidate
            self.always.add(subject)
        for key in keys:
            self._hold(subject, key)

    def _hold(self, subject: str, key: Key) -> None:
        if self._bits:
            self._bits.pop(key, None)
        holders = self.subjects.get(key)
        if holders is None:
            holders = self.subjects[key] = set()
            self._list(key)
        holders.add(subject)

    def keep_in_order(self, path: Path) -> None:
        """Key the values of ``path`` by their order from now on (the
        subjects' keys, as ``_keys`` works them out, gain them)."""
        if path in self.ordered_paths:
            return
        self.ordered_paths.add(path)
        for subject, entries in self.indexed.items():
            if subject in self.always:  # keyed in part: exactly as _keys stops
                keys = self._keys(entries)[0]
                found = [k for k in keys if k[0] in _ORDERED_KINDS and k[1] == path]
            else:
                values = [v for entry in entries for v in values_along(entry.content, path)]
                found = [k for value in values for k in _ordered_keys(path, value)]
            for key in found:
                self._hold(subject, key)

    def _unindex(self, subject: str) -> None:
        keys, _ = self._keys(self.indexed.pop(subject, ()))
        for key in keys:
            if self._bits:
                self._bits.pop(key, None)
            holders = self.subjects[key]
            holders.discard(subject)
            if not holders:
                del self.subjects[key]
                self._unlist(key)
        self.always.discard(subject)
        self.multi_entry.discard(subject)

    def _list(self, key: Key) -> None:
        self._listed(key).add(key[-1])
        if key[0] in _ORDERED and (in_order := self._in_order.get(key[:-1])) is not None:
            bisect.insort(in_order, key[-1])

    def _unlist(self, key: Key) -> None:
        self._listed(key).discard(key[-1])
        if key[0] in _ORDERED and (in_order := self._in_order.get(key[:-1])) is not None:
            del in_order[bisect.bisect_left(in_order, key[-1])]

    def in_order(self, prefix: Key) -> list[Any]:
        """The last parts, in order, of the ordered keys starting ``prefix``
        (sorted when first asked, then kept up by every write)."""
        found = self._in_order.get(prefix)
        if found is None:
            found = self._in_order[prefix] = sorted(self.ordered_values.get(prefix, ()))
        return found

    def _listed(self, key: Key) -> set[Any]:
        """Where a key's last part is listed while anyone holds it: a
        field's values, the words of the index or of a field, an ordered
        key's values (else nowhere)."""
        kind = key[0]
        if kind in _ORDERED:
            return self.ordered_values.setdefault(key[:-1], set())
        if kind == "value":
            return self.values_of.setdefault(key[1], set())
        if kind == "word":
            return self.vocabulary.setdefault(None, set())
        if kind == "field-word":
            return self.vocabulary.setdefault(key[1], set())
        return set()

    def words_starting(self, stem: str, path: Path | None = None) -> list[set[str]]:
        """The holders of each word starting with ``stem`` (in ``path``,
        or anywhere)."""
        kind: Key = ("word",) if path is None else ("field-word", path)
        found = []
        for word in self.vocabulary.get(path, ()):
            if word.startswith(stem):
                key = (*kind, word)
                found.append(self.subjects[key])
        return found

    # -- bitmaps ---------------------------------------------------------------------

    def bits(self, key: Key) -> int:
        """The bitmap of the subjects holding ``key``."""
        found = self._bits.get(key)
        if found is None:
            holders = self.subjects.get(key)
            if holders is None:
                return 0  # not kept: keys nobody holds come from queries
            found = self._bits[key] = self.bitmap(holders)
        return found

    def every_bit(self) -> int:
        if _EVERY not in self._bits:
            self._bits[_EVERY] = self.bitmap(self.rank)
        return self._bits[_EVERY]

    def several_entries_bits(self) -> int:
        """The bitmap of the subjects holding more than one entry."""
        if _SEVERAL not in self._bits:
            self._bits[_SEVERAL] = self.bitmap(self.multi_entry)
        return self._bits[_SEVERAL]

    def bitmap(self, subjects: Iterable[str]) -> int:
        raw = bytearray((self._next_rank >> 3) + 1)
        for subject in subjects:
            rank = self.rank[subject]
            raw[rank >> 3] |= 1 << (rank & 7)
        return int.from_bytes(raw, "little")

    def subjects_in(self, bits: int, limit: int | None = None) -> list[str]:
        """The subjects of a bitmap in the index's order (the first ``limit``)."""
        text = bin(bits)[:1:-1]  # bit 0 first
        found: list[str] = []
        at = text.find("1")
        while at >= 0 and (limit is None or len(found) < limit):
            found.append(self.by_rank[at])
            at = text.find("1", at + 1)
        return found

    def _keys(self, entries: tuple[Entry, ...]) -> tuple[set[Key], bool]:
        """The keys of ``entries``, and whether they are all there (else
        those before the value that stopped them)."""
        keys: set[Key] = set()
        try:
            for entry in entries:
                keys.update(self._entry_keys(entry))
        except (OverflowError, ValueError):
            return keys, False
        return keys, True

    def _entry_keys(self, entry: Entry) -> Iterator[Key]:
        for principal in entry.visible_to:
            yield ("principal", principal)
        for path, value in leaf_paths(entry.content):
            self.value_types.setdefault(path, set()).add(type(value))
            yield ("field", path)
            yield ("value", path, facet_key(value))
            for word in tokens(value):
                yield ("word", word)
                yield ("field-word", path, word)
            for key in stored_equality_keys(value):
                yield ("equal", path, key)
                if key[0] in ("number", "date"):
                    yield ("equal-any", key)
            if path in self.ordered_paths:
                yield from _ordered_keys(path, value)


def _ordered_keys(path: Path, value: Any) -> Iterator[Key]:
    """A value's keys in the order ranges compare it (by its readings as
    a number, date and text, under the set of readings it has, which
    decides the one a range bound takes) and in the order a sort puts it.
    NaN has no place in an order: it is kept apart."""
    found = readings(value)
    signature = tuple(found)
    for kind, reading in found.items():
        if reading == reading:
            yield ("range", path, signature, kind, reading)
        else:
            yield ("range-nan", path, signature)
    key = sort_key(value)
    yield ("sort", path, key) if key[1] == key[1] else ("sort-nan", path)


_EMPTY: set[str] = set()
_ORDERED = ("range", "sort")  # keys whose last parts are kept in order
_ORDERED_KINDS = (*_ORDERED, "range-nan", "sort-nan")
_EVERY, _SEVERAL = ("every subject",), ("subjects of several entries",)


def leaf_paths(content: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(field path, value) for every leaf value, as ``values_at`` reaches
    them: keys literally (a dot in a key is part of it), lists transparent."""
    if isinstance(content, dict):
        for key, value in content.items():
            yield from leaf_paths(value, (*path, key))
    elif isinstance(content, list):
        for item in content:
            yield from leaf_paths(item, path)
    elif content is not None:
        yield path, content


# Equality keys: ``fields.equal(value, wanted)`` holds exactly when some key of
# the stored value is among the keys of the wanted one. Booleans compare as
# their lowercased text with anything; otherwise numbers, then dates, then
# strings, as ``fields.comparable`` tries them.


def stored_equality_keys(value: Any) -> list[tuple[str, Any]]:
    lowered = str(value).lower()
    if isinstance(value, bool):
        return [("boolean", lowered), ("as-boolean", lowered)]
    spelled = [("as-boolean", lowered)] if lowered in _BOOLEAN_WORDS else []
    return spelled + _typed_keys(value)


def wanted_equality_keys(wanted: Any) -> list[tuple[str, Any]]:
    lowered = str(wanted).lower()
    if isinstance(wanted, bool):
        return [("as-boolean", lowered)]
    return [("boolean", lowered), *_typed_keys(wanted)]


def _typed_keys(value: Any) -> list[tuple[str, Any]]:
    """A value's number, date and text keys (those it has)."""
    # NaN equals nothing
    return [(kind, reading) for kind, reading in readings(value).items() if reading == reading]


def readings(value: Any) -> dict[str, Any]:
    """A value read as a number, a date and text (those it reads as), in
    the order ``fields.comparable`` tries them."""
    found: dict[str, Any] = {}
    number = as_number(value)
    if number is not None:
        found["number"] = number
    if isinstance(value, str):
        date = as_date(value)
        if date is not None:
            found["date"] = date
        found["text"] = value
    return found
