"""Range filters and sorts are read off the postings' ordered keys (each
field's values by the reading a range compares them by, and by their sort
key): after any mix of ingests, replacements, deletes of subjects and of
entries, and copies, they must answer what checking every entry answers."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest

from globus_testkit.services.search import engine
from globus_testkit.services.search.models import PUBLIC, Entry, SearchIndex
from globus_testkit.services.search.ordered import range_bits
from globus_testkit.services.search.query import compile_filter

from .test_postings import by_entries_alone

# values of every reading: numbers in several spellings, dates (and "2020",
# a number and a date), text, booleans, and strings Python reads as NaN or
# infinity ("Nan" is a name too)
VALUES: list[Any] = [
    0, 3, 3.0, "3", "3.0", -2.5, 12, "12", 2020, "2020", "2020-05-01",
    "2021-01", "2019-12-31T23:00:00Z", "abc", "Ocean", "ocean", "zeta", "",
    True, False, "true", "inf", "-Infinity",
]  # fmt: skip
RANGES: list[tuple[Any, Any]] = [
    (None, None), (2, 12), ("3", None), (None, "3.0"), (2020, 2020), ("2020", "*"),
    ("2020-01-01", "2021-06"), ("a", "p"), ("A", "z"), (1, "2021-01-01"), (True, None),
    ("nan", None), (None, "zz"), (12, 2),
]  # fmt: skip
READERS = ["urn:someone", "urn:other"]
SORTS: list[list[dict[str, Any]]] = [
    [{"field_name": "v", "order": "asc"}],
    [{"field_name": "v", "order": "desc"}],
    [{"field_name": "w", "order": "desc"}, {"field_name": "v"}],
    [{"field_name": "w"}, {"field_name": "n.x", "order": "desc"}, {"field_name": "v"}],
    [{"field_name": "n.x", "order": "desc"}],
    [{"field_name": "absent"}],
]


def random_entry(
    draw: random.Random, subject: str, entry_ids: list[str | None], huge: bool = True
) -> Entry:
    content: dict[str, Any] = {}
    if draw.random() < 0.85:  # now and then "Nan": no order (sorts by v check every entry)
        content["v"] = "Nan" if draw.random() < 0.01 else draw.choice(VALUES)
    if draw.random() < 0.6:
        content["w"] = draw.sample(VALUES, draw.randint(0, 3))
    if draw.random() < 0.5:
        content["n"] = [{"x": draw.randint(0, 5)}, {"x": draw.choice([1.5, "7", None])}]
    if huge and draw.random() < 0.03:  # a number no float holds: keys after it are missing
        content = {"big": 10**400, **content}
    visible = [PUBLIC] if draw.random() < 0.7 else [draw.choice(READERS)]
    return Entry(subject, draw.choice(entry_ids), content, visible)


# who asks: the public, a reader of some entries, an owner bypassing visible_to
CALLERS = [
    (frozenset({PUBLIC}), False),
    (frozenset({PUBLIC, READERS[0]}), False),
    (frozenset({PUBLIC}), True),
]


def scanned(monkeypatch: pytest.MonkeyPatch, *asked: Any) -> Any:
    """``answer(*asked)`` with the postings switched off: every entry checked."""
    with monkeypatch.context() as patched:
        patched.setattr(engine, "candidate_subjects", lambda *a, **k: None)
        patched.setattr(engine, "exact_matches", lambda *a, **k: None)
        patched.setattr(engine, "sorted_subjects", by_entries_alone)
        return answer(*asked)


def answer(
    index: SearchIndex,
    request: dict[str, Any],
    needed: int | None,
    caller: tuple[frozenset[str], bool] = CALLERS[0],
) -> Any:
    principals, bypass = caller
    outcome = engine.run(index, request, principals, bypass_visible_to=bypass, needed=needed)
    hits = [(h.subject, [e.entry_id for e in h.entries]) for h in outcome.hits[:needed]]
    return hits, outcome.total, outcome.facet_results


def assert_agrees(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    postings = index.postings
    for path in [("v",), ("w",), ("n", "x")]:
        for low, high in RANGES:
            low, high = (None if b == "*" else b for b in (low, high))
            bits = range_bits(postings, path, low, high)
            if bits is None:
                continue  # the postings cannot tell: the engine checks every entry
            spec = {"type": "range", "field_name": ".".join(path)}
            keeps = compile_filter({**spec, "values": [{"from": low, "to": high}]})
            walked = [s for s, by_id in index.subjects.items() if any(map(keeps, by_id.values()))]
            # subjects keyed in part are always candidates
            found = postings.subjects_in(bits | postings.bitmap(postings.always))
            assert set(walked) <= set(found), (path, low, high)
            assert [s for s in found if s not in postings.always] == [
                s for s in walked if s not in postings.always
            ], (path, low, high)
    for prefix, values in postings.ordered_values.items():
        assert postings.in_order(prefix) == sorted(values)
    requests: list[dict[str, Any]] = [{"q": "*", "sort": sort} for sort in SORTS]
    requests += [
        {"q": "*", "filters": [{"type": "range", "field_name": f, "values": [{"from": 2}]}]}
        for f in ("v", "w")
    ]
    requests.append(
        {
            "q": "*",
            "filters": [{"type": "range", "field_name": "w", "values": [{"to": "m"}]}],
            "sort": [{"field_name": "v", "order": "desc"}],
            "facets": [{"field_name": "v"}],
        }
    )
    requests += [
        {"q": "ocean zeta abc", "facets": [{"field_name": "v"}, {"field_name": "w"}]},
        {
            "q": "ocean",
            "filters": [{"type": "exists", "field_name": "n.x"}],
            "sort": [{"field_name": "w"}],
        },
        {
            "q": "*",
            "filters": [{"type": "match_any", "field_name": "w", "values": [3, "ocean"]}],
            "facets": [{"type": "sum", "field_name": "n.x"}, {"field_name": "n.x"}],
            "sort": [{"field_name": "n.x"}, {"field_name": "v", "order": "desc"}],
        },
    ]
    for request in requests:
        for needed in (None, 1, 7):
            for caller in CALLERS:
                indexed = answer(index, request, needed, caller)
                scan = scanned(monkeypatch, index, request, needed, caller)
                assert indexed == scan, (request, needed, caller)


@pytest.mark.parametrize("seed", range(6))
def test_ranges_and_sorts_agree_with_checking_every_entry(seed, monkeypatch):
    draw = random.Random(seed)
    # one entry a subject (the postings answer alone), or up to three
    entry_ids: list[str | None] = [None] if seed % 2 else [None, None, "b", "c"]
    # numbers no float holds make every query check every entry: not always
    huge = seed < 4
    made = iter(range(1_000_000))

    def some_entries() -> list[Entry]:
        """New subjects, and now and then one replaced or given another entry."""
        found = []
        for _ in range(draw.randint(1, 4)):
            known = sorted(index.subjects)
            subject = draw.choice(known) if known and draw.random() < 0.3 else f"s{next(made)}"
            found.append(random_entry(draw, subject, entry_ids, huge))
        return found

    index = SearchIndex("i", "ordered", "", "2024-01-01")
    for _ in range(15):
        index.store(some_entries())
    assert_agrees(index, monkeypatch)  # the ordered keys are built, then kept up
    for _ in range(40):
        move = draw.random()
        if move < 0.5:
            index.store(some_entries())
        elif move < 0.7 and index.subjects:
            index.remove_subjects(draw.sample(sorted(index.subjects), 2))
        elif move < 0.9 and index.subjects:
            subject = draw.choice(sorted(index.subjects))
            index.remove_entries([(subject, draw.choice(list(index.subjects[subject])))])
        else:
            index = pickle.loads(pickle.dumps(index))  # a copy rebuilds the postings
        assert_agrees(index, monkeypatch)
