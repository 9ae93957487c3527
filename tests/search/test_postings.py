"""The inverted index changes nothing but speed: every answer (hits, their
order, totals, facets, paging, scrolling) is the one a scan of every entry
gives, before and after updates and deletes, and after a state file."""

from __future__ import annotations

import json
import random

import globus_sdk
import pytest

from globus_testkit.services.search import engine

from .conftest import entry, gmeta_list, subjects

WORDS = ["ocean", "ice", "forest", "desert", "storm", "lidar", "salinity", "Ocean-Survey"]
DATES = ["2019-05-01", "2020", "2020-02-11T10:00:00Z", "2021-01-15", "2022-06"]


def corpus(
    seed: int, size: int, readers: list[str], subjects: int, entry_ids: tuple = (None, "extra")
) -> list[dict]:
    """Entries of every shape the queries below reach: words, numbers in
    several spellings, dates, booleans, nested and listed fields, several
    entries in a subject (now and then, or with three ``entry_ids``
    always), and entries only some callers may see."""
    rng = random.Random(seed)
    documents = []
    for n in range(size):
        content = {
            "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))),
            "size": rng.choice([n % 7, float(n % 7), str(n % 7), f"{n % 7}.0"]),
            "published": rng.choice(DATES),
            "open": rng.choice([True, False, "true", "TRUE"]),
            "keywords": rng.sample(WORDS[:5], rng.randint(0, 3)),
            "creator": {"name": rng.choice(["Ada", "Grace", "Edsger"]), "n": n % 3},
            "tag": rng.choice(["a", "b", "c"]),
        }
        if n % 5 == 0:
            del content["keywords"]
        visible = ["public"] if n % 4 else [rng.choice(readers)]
        several = len(entry_ids) > 2 or not n % 6
        entry_id = rng.choice(entry_ids) if several and subjects < size else None
        documents.append(entry(f"s{n % subjects}", content, visible, entry_id))
    return documents


QUERIES = [
    {"q": "ocean"},
    {"q": "ocean", "facets": [{"field_name": "keywords"}, {"field_name": "tag"}]},
    {"q": "*", "facets": [{"field_name": "size"}, {"field_name": "open"}]},
    {"q": "ocean storm", "limit": 20},
    {"q": "ocean ice forest storm lidar", "limit": 40, "facets": [{"field_name": "tag"}]},
    {"q": '"ocean survey" ice'},
    {"q": "nothing-here-at-all"},
    {"q": "size:3", "advanced": True},
    {"q": "size:3.0 OR title:lidar", "advanced": True},
    {"q": "published:2020-01-01", "advanced": True},
    {"q": "+keywords:ice -creator.name:Ada", "advanced": True},
    {"q": "title:(ocean AND storm)^2 OR tag:c", "advanced": True},
    {"q": "-tag:a", "advanced": True},
    {"q": "title:oce* AND size:[1 TO 4]", "advanced": True},
    # wildcards narrow by their first word (a token, or a whole value, fits)
    {"q": "oce*", "advanced": True},
    {"q": "Ocean* OR sur?ey", "advanced": True},
    {"q": "*cean", "advanced": True},
    {"q": "creator.name:gr* AND tag:?", "advanced": True},
    {"q": "size:3* published:2020-0*", "advanced": True},
    {"q": "open:tr* -title:ice*", "advanced": True},
    {"q": '"ocean survey"~3', "advanced": True},
    {"q": "open:true", "advanced": True},
    {"q": "keywords:ocean AND title:storm", "advanced": True},
    {"q": 'title:"ocean storm" OR creator.name:grace OR creator.n:1.0', "advanced": True},
    {
        "q": "*",
        "filters": [{"type": "match_any", "field_name": "size", "values": ["3", 4]}],
        "facets": [{"field_name": "creator.name", "size": 2}],
    },
    {"q": "ice", "filters": [{"type": "match_all", "field_name": "keywords", "values": ["ice"]}]},
    {"q": "*", "filters": [{"type": "match_any", "field_name": "open", "values": [True]}]},
    {"q": "*", "filters": [{"type": "match_any", "field_name": "open", "values": ["True"]}]},
    {"q": "*", "filters": [{"type": "exists", "field_name": "keywords"}], "offset": 5},
    {
        "q": "ocean",
        "filters": [
            {
                "type": "or",
                "filters": [
                    {"type": "match_any", "field_name": "tag", "values": ["a"]},
                    {"type": "not", "filter": {"type": "exists", "field_name": "keywords"}},
                ],
            }
        ],
    },
    {"q": "*", "filters": [{"type": "range", "field_name": "size", "values": [{"from": 2}]}]},
    {
        "q": "storm",
        "filters": [
            {"type": "match_any", "field_name": "tag", "values": ["b"], "post_filter": True}
        ],
        "facets": [{"field_name": "tag"}],
    },
    {"q": "ocean ice", "boosts": [{"field_name": "title", "factor": 3}]},
    {"q": "*", "sort": [{"field_name": "published", "order": "desc"}], "limit": 30},
    {
        "q": "*",
        "facets": [
            {"type": "sum", "field_name": "creator.n"},
            {
                "type": "numeric_histogram",
                "field_name": "size",
                "size": 3,
                "histogram_range": {"low": 0, "high": 7},
            },
            {"type": "date_histogram", "field_name": "published", "date_interval": "year"},
        ],
    },
    {"q": "ocean", "offset": 10, "limit": 5},
    {
        "q": "ocean ice",
        "facets": [{"field_name": "tag"}, {"type": "sum", "field_name": "creator.n"}],
        "limit": 30,
    },
    {
        "q": "*",
        "sort": [{"field_name": "size", "order": "desc"}, {"field_name": "tag"}],
        "filters": [{"type": "match_any", "field_name": "tag", "values": ["a", "b"]}],
        "facets": [{"field_name": "tag"}, {"field_name": "open"}],
        "limit": 25,
    },
    {
        "q": "storm ice",
        "sort": [{"field_name": "keywords"}, {"field_name": "published", "order": "desc"}],
        "filters": [{"type": "exists", "field_name": "keywords"}],
        "limit": 15,
    },
    # ranges: numbers in several spellings, dates ("2020" is a number and a
    # date too), text, booleans, lists, open ends, several ranges, bounds
    # comparing some values as numbers and others as dates
    *(
        {"q": "*", "filters": [{"type": "range", "field_name": field, "values": values}]}
        for field, values in [
            ("size", [{"from": 2, "to": 5}]),
            ("size", [{"from": "3.0", "to": "*"}]),
            ("size", [{"from": "*", "to": 1}, {"from": 5, "to": "*"}]),
            ("published", [{"from": "2020-01-01", "to": "2021-06"}]),
            ("published", [{"from": 2020, "to": 2021}]),
            ("published", [{"from": "2020"}]),
            ("published", [{"from": 1, "to": "2021-01-01"}]),
            ("title", [{"from": "f", "to": "p"}]),
            ("open", [{"from": "a", "to": "z"}]),
            ("open", [{"from": "*", "to": "*"}]),
            ("keywords", [{"from": "forest", "to": "ice"}]),
            ("creator.n", [{"from": 1, "to": 1}]),
            ("size", [{"from": 5, "to": 2}]),
        ]
    ),
    {
        "q": "ocean storm",
        "filters": [
            {"type": "range", "field_name": "size", "values": [{"from": 1, "to": 4}]},
            {
                "type": "or",
                "filters": [
                    {"type": "range", "field_name": "published", "values": [{"to": "2020-06"}]},
                    {"type": "match_any", "field_name": "tag", "values": ["c"]},
                ],
            },
        ],
        "facets": [{"field_name": "tag"}, {"field_name": "size"}],
        "limit": 25,
    },
    {"q": "size:[2 TO 4] OR published:{2020 TO *]", "advanced": True},
    {"q": "creator.n:>=1 AND title:[lidar TO storm}", "advanced": True},
    # sorts: mixed spellings and readings, several values (the least, or
    # descending the greatest, counts), ties (the next sort, then ingest
    # order), subjects without the field last, pages past the first
    *(
        {"q": "*", "sort": sort, "offset": offset, "limit": limit}
        for sort, offset, limit in [
            ([{"field_name": "size"}], 0, 20),
            ([{"field_name": "size", "order": "desc"}], 10, 15),
            ([{"field_name": "published"}], 0, 10),
            ([{"field_name": "keywords", "order": "desc"}], 80, 30),
            ([{"field_name": "keywords"}], 0, 100),
            ([{"field_name": "open"}], 0, 12),
            ([{"field_name": "tag"}, {"field_name": "size", "order": "desc"}], 0, 50),
            (
                [
                    {"field_name": "creator.n", "order": "desc"},
                    {"field_name": "published"},
                    {"field_name": "title"},
                ],
                30,
                30,
            ),
            ([{"field_name": "nothing"}, {"field_name": "creator.name"}], 0, 10),
        ]
    ),
    {
        "q": "ocean",
        "sort": [{"field_name": "published", "order": "desc"}],
        "filters": [{"type": "range", "field_name": "size", "values": [{"from": 3}]}],
        "facets": [{"field_name": "tag"}],
        "limit": 7,
    },
]


@pytest.fixture
def scan(monkeypatch):
    """Answers with the postings switched off: every entry checked."""

    def switch_off() -> None:
        monkeypatch.setattr(engine, "candidate_subjects", lambda *a, **k: None)
        monkeypatch.setattr(engine, "exact_matches", lambda *a, **k: None)
        monkeypatch.setattr(engine, "sorted_subjects", by_entries_alone)

    return switch_off


def by_entries_alone(postings, bits, sorts, needed, by_entries):
    """``ordered.sorted_subjects`` without its sort keys: every match's
    entries read and sorted."""
    return by_entries(postings.subjects_in(bits), sorts)


def as_text(response: globus_sdk.GlobusHTTPResponse) -> str:
    """The answer as JSON text (in Python True == 1 == 1.0; not in JSON)."""
    return json.dumps(response.data, sort_keys=True)


def answers(client: globus_sdk.SearchClient, index_id: str) -> list[str]:
    found = []
    for query in QUERIES:
        found.append(as_text(client.post_search(index_id, query)))
        if "filters" not in query and "facets" not in query:
            advanced = query.get("advanced", False)
            found.append(as_text(client.search(index_id, query["q"], advanced=advanced)))
        scrolled = {k: v for k, v in query.items() if k in ("q", "advanced", "filters")}
        found.append(as_text(client.scroll(index_id, {**scrolled, "limit": 7})))
    return found


# subjects of the 120 entries, and the entry ids a subject's entries draw from
WORLDS = {
    "one entry a subject": (120, (None, "extra")),
    "some subjects of several entries": (90, (None, "extra")),
    # most subjects hold two or three entries, some of them seen by the
    # reader alone: each caller sees other entries of one subject
    "most subjects of several entries": (45, (None, "extra", "third")),
}


@pytest.fixture(params=list(WORLDS))
def world(request, globus_emulator, search_for):
    reader = globus_emulator.auth.add_identity("reader@example.org")
    group = globus_emulator.world.groups.create("Readers", members={reader.id: "member"})
    readers = [f"urn:globus:auth:identity:{reader.id}", f"urn:globus:groups:id:{group.id}"]
    owner = search_for()
    index_id = owner.create_index("Mixed", "indexed vs scanned")["id"]
    subjects, entry_ids = WORLDS[request.param]
    owner.ingest(index_id, gmeta_list(*corpus(7, 120, readers, subjects, entry_ids)))
    return owner, search_for(reader), index_id, readers


def both_ways(scan, clients, index_id) -> None:
    indexed = [answers(c, index_id) for c in clients]
    assert any(json.loads(a)["total"] for a in indexed[0])
    scan()
    assert [answers(c, index_id) for c in clients] == indexed


def test_answers_match_a_scan(world, scan, globus_emulator):
    owner, reader, index_id, _ = world
    anonymous = globus_sdk.SearchClient()
    both_ways(scan, [owner, reader, anonymous], index_id)


def test_answers_match_a_scan_after_updates_and_deletes(world, scan, globus_emulator):
    owner, reader, index_id, readers = world
    answers(owner, index_id)  # the postings (and their values in order) are built, then kept up
    owner.ingest(index_id, gmeta_list(*corpus(8, 40, readers, 40)))  # replaces and adds
    owner.delete_subject(index_id, "s3")
    owner.delete_entry(index_id, "s12", entry_id="extra")
    owner.delete_by_query(index_id, {"q": "desert", "filters": []})
    owner.ingest(index_id, gmeta_list(entry("s3", {"title": "ocean back again", "tag": "a"})))
    back = owner.post_search(index_id, {"q": "again"})
    assert [g["subject"] for g in back["gmeta"]] == ["s3"]
    assert owner.post_search(index_id, {"q": "desert"})["total"] == 0
    both_ways(scan, [owner, reader], index_id)


def test_a_facet_over_mixed_types_counts_as_a_scan(sc, scan, globus_emulator):
    # 1, 1.0 and True are one bucket, shown as the first the scan meets
    values = [(1, "x"), (True, "y"), ("1", "y"), (1.0, "y")]
    index = globus_emulator.search.create_index(
        "mixed", entries=[entry(f"m{n}", {"v": v, "t": t}) for n, (v, t) in enumerate(values)]
    )
    query = {"q": "y", "facets": [{"field_name": "v"}]}
    indexed = as_text(sc.post_search(index.id, query))
    assert '"buckets": [{"count": 2, "value": true}, {"count": 1, "value": "1"}]' in indexed
    scan()
    assert as_text(sc.post_search(index.id, query)) == indexed


def test_a_state_file_rebuilds_the_index(world, globus_emulator, tmp_path):
    owner, reader, index_id, _ = world
    before = [answers(c, index_id) for c in (owner, reader)]
    path = tmp_path / "world.json"
    globus_emulator.save_state(path)
    saved = path.read_text()
    assert "_postings" not in saved and "_analysis" not in saved
    owner.delete_subject(index_id, "s1")
    globus_emulator.load_state(path)
    assert [answers(c, index_id) for c in (owner, reader)] == before


def test_a_wildcard_forgets_words_nobody_holds_any_more(sc, globus_emulator):
    index = globus_emulator.search.create_index(
        "words", entries=[entry("https://z/a", {"t": "zebra"}), entry("https://z/b", {"t": "zebu"})]
    )
    assert sc.search(index.id, "zeb*", advanced=True)["total"] == 2  # the postings are built
    sc.delete_subject(index.id, "https://z/a")
    assert subjects(sc.search(index.id, "zeb*", advanced=True)) == ["b"]
    assert subjects(sc.search(index.id, "t:zebr*", advanced=True)) == []


def test_subjects_ingested_together_keep_the_order_they_came_in(sc, scan, globus_emulator):
    index = globus_emulator.search.create_index("order", entries=[entry("https://o/a", {"t": "x"})])
    assert sc.search(index.id, "x")["total"] == 1  # the postings are built
    names = [f"n{k}" for k in range(30)]
    sc.ingest(index.id, gmeta_list(*[entry(f"https://o/{n}", {"t": "x", "k": 1}) for n in names]))
    queries = [{"q": "x", "limit": 40}, {"q": "*", "sort": [{"field_name": "k"}], "limit": 40}]
    indexed = [subjects(sc.post_search(index.id, query)) for query in queries]
    assert indexed == [["a", *names], [*names, "a"]]
    scan()
    assert [subjects(sc.post_search(index.id, query)) for query in queries] == indexed


# requests the postings answer with only subjects of several entries checked
EXACT_QUERIES = [
    {"q": "*", "sort": [{"field_name": "size", "order": "desc"}], "limit": 20},
    {"q": "ocean storm", "sort": [{"field_name": "published"}, {"field_name": "tag"}]},
    {"q": "ocean ice", "facets": [{"field_name": "tag"}, {"field_name": "keywords"}]},
    {
        "q": "*",
        "filters": [{"type": "range", "field_name": "size", "values": [{"from": 2, "to": 5}]}],
        "sort": [{"field_name": "creator.n"}, {"field_name": "keywords", "order": "desc"}],
        "facets": [{"field_name": "tag"}, {"type": "avg", "field_name": "creator.n"}],
        "limit": 40,
    },
]


def test_subjects_of_several_entries_are_checked_alone(world, scan, monkeypatch):
    owner, reader, index_id, _ = world

    def no_scan(*args, **kwargs):
        raise AssertionError("every candidate checked")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "_candidates", no_scan)
        indexed = [
            as_text(c.post_search(index_id, q)) for c in (owner, reader) for q in EXACT_QUERIES
        ]
    assert all(json.loads(a)["total"] for a in indexed)
    scan()
    assert [
        as_text(c.post_search(index_id, q)) for c in (owner, reader) for q in EXACT_QUERIES
    ] == indexed
