"""Queries as Globus Search answers them: simple and advanced query
strings, filters, facets, sort, boosts, paging, scrolling and visibility."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit.services.search.fields import comparable, equal

from .conftest import entry, gmeta_list, subjects


def test_simple_queries_rank_by_how_many_words_match(sc, datasets):
    result = sc.search(datasets.id, "ocean climate")
    assert subjects(result)[0] == "0"  # both words
    assert sorted(subjects(result)) == ["0", "1", "2", "4"]
    assert result["total"] == 4 and result["count"] == 4


def test_simple_queries_treat_lucene_syntax_as_words(sc, datasets):
    assert subjects(sc.search(datasets.id, "keywords:lidar")) == ["3"]
    assert sc.search(datasets.id, "size:[1 TO 50]")["total"] == 0


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("keywords:ocean AND NOT creator.name:Grace", ["0", "2"]),
        ("size:[40 TO 100]", ["1", "2"]),
        ("size:{45 TO 100]", ["1"]),
        ("size:>=120", ["0", "3"]),
        ("published:[2020-01-01 TO 2020-12-31]", ["1", "2"]),
        ('title:"ocean salinity"', ["2"]),
        ("title:oce*", ["0", "2"]),
        ("creator.name:(Ada OR Barbara)", ["0", "2", "4"]),
        ("+keywords:climate -creator.name:Ada", ["1", "4"]),
        ("title:forrest~1", ["3"]),
    ],
)
def test_advanced_queries_follow_lucene_syntax(sc, datasets, q, expected):
    assert sorted(subjects(sc.search(datasets.id, q, advanced=True))) == expected


def test_an_unparsable_advanced_query_is_a_400(sc, datasets):
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.search(datasets.id, "title:(unclosed", advanced=True)
    assert (caught.value.http_status, caught.value.code) == (400, "BadRequest.Generic")


def test_filters_narrow_results(sc, datasets):
    def ids(*filters):
        query = globus_sdk.SearchQueryV1(q="*", filters=list(filters))
        return sorted(subjects(sc.post_search(datasets.id, query)))

    assert ids({"type": "match_any", "field_name": "keywords", "values": ["ice", "forest"]}) == [
        "1",
        "3",
    ]
    assert ids({"type": "match_all", "field_name": "keywords", "values": ["ocean", "climate"]}) == [
        "0"
    ]
    assert ids(
        {"type": "range", "field_name": "published", "values": [{"from": "2021-01-01", "to": "*"}]}
    ) == ["3", "4"]
    assert ids({"type": "exists", "field_name": "creator.name"}) == ["0", "1", "2", "3", "4"]
    assert ids(
        {
            "type": "not",
            "filter": {"type": "match_any", "field_name": "keywords", "values": ["climate"]},
        }
    ) == ["2", "3"]


def test_an_unknown_filter_type_is_a_400(sc, datasets):
    query = {"q": "*", "filters": [{"type": "nearby", "field_name": "x", "values": [1]}]}
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.post_search(datasets.id, query)
    assert caught.value.http_status == 400


def test_facets_count_over_the_filtered_results(sc, datasets):
    query = globus_sdk.SearchQueryV1(
        q="*",
        filters=[{"type": "match_any", "field_name": "keywords", "values": ["climate"]}],
        facets=[
            {"name": "Keywords", "field_name": "keywords"},
            {"name": "Total size", "type": "sum", "field_name": "size"},
            {"name": "Mean size", "type": "avg", "field_name": "size"},
            {
                "name": "By year",
                "type": "date_histogram",
                "field_name": "published",
                "date_interval": "year",
            },
            {
                "name": "Sizes",
                "type": "numeric_histogram",
                "field_name": "size",
                "size": 2,
                "histogram_range": {"low": 0, "high": 200},
            },
        ],
    )
    facets = {f["name"]: f for f in sc.post_search(datasets.id, query)["facet_results"]}
    assert facets["Keywords"]["buckets"][0] == {"value": "climate", "count": 3}
    assert {b["value"]: b["count"] for b in facets["Keywords"]["buckets"]} == {
        "climate": 3,
        "ocean": 1,
        "ice": 1,
        "desert": 1,
    }
    assert facets["Total size"]["value"] == 210
    assert facets["Mean size"]["value"] == 70
    assert [b["value"] for b in facets["By year"]["buckets"]] == [
        "2019-01-01",
        "2020-01-01",
        "2022-01-01",
    ]
    assert [b["count"] for b in facets["Sizes"]["buckets"]] == [2, 1]  # 80, 10 | 120


def test_post_facet_filters_apply_after_facets(sc, datasets):
    query = globus_sdk.SearchQueryV1(
        q="*",
        facets=[{"name": "Keywords", "field_name": "keywords"}],
        post_facet_filters=[{"type": "match_any", "field_name": "keywords", "values": ["ocean"]}],
    )
    result = sc.post_search(datasets.id, query)
    assert sorted(subjects(result)) == ["0", "2"]
    counts = {b["value"]: b["count"] for b in result["facet_results"][0]["buckets"]}
    assert counts["climate"] == 3  # counted before the post filter


def test_sort_orders_results_and_puts_missing_values_last(sc, datasets):
    sc.ingest(datasets.id, gmeta_list(entry("https://example.org/ds/9", {"title": "no size"})))
    query = globus_sdk.SearchQueryV1(q="*", sort=[{"field_name": "size", "order": "desc"}])
    assert subjects(sc.post_search(datasets.id, query)) == ["3", "0", "1", "2", "4", "9"]
    query["sort"] = [{"field_name": "creator.name", "order": "asc"}, {"field_name": "size"}]
    assert subjects(sc.post_search(datasets.id, query))[:2] == ["2", "0"]


def test_boosts_raise_matches_in_a_field(sc, datasets):
    plain = subjects(sc.search(datasets.id, "ada ocean"))
    query = globus_sdk.SearchQueryV1(
        q="ada ocean", boosts=[{"field_name": "creator.name", "factor": 5}]
    )
    boosted = subjects(sc.post_search(datasets.id, query))
    assert plain[0] in ("0", "2") and boosted[:2] == ["0", "2"]
    assert set(plain) == set(boosted)


def test_offset_and_limit_page_through_results(sc, datasets):
    first = sc.search(datasets.id, "*", limit=2)
    second = sc.search(datasets.id, "*", limit=2, offset=2)
    last = sc.search(datasets.id, "*", limit=2, offset=4)
    assert first["has_next_page"] and second["has_next_page"] and not last["has_next_page"]
    assert len(set(subjects(first) + subjects(second) + subjects(last))) == 5


def test_paging_past_ten_thousand_results_is_refused(sc, datasets):
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.search(datasets.id, "*", offset=9_999, limit=2)
    assert caught.value.http_status == 400


def test_scroll_reads_every_subject_once(sc, datasets):
    seen = []
    for page in sc.paginated.scroll(datasets.id, globus_sdk.SearchScrollQuery("*", limit=2)):
        seen.extend(subjects(page))
    assert sorted(seen) == ["0", "1", "2", "3", "4"] and len(seen) == 5


def test_a_forged_scroll_marker_is_a_400(sc, datasets):
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.scroll(datasets.id, globus_sdk.SearchScrollQuery("*", marker="not-a-marker"))
    assert caught.value.http_status == 400


def test_private_entries_are_seen_only_by_their_principals(sc, search_for, globus_emulator):
    alice = globus_emulator.auth.add_identity("alice@example.org")
    bob = globus_emulator.auth.add_identity("bob@example.org")
    index_id = sc.create_index("Mixed", "")["id"]
    sc.ingest(
        index_id,
        gmeta_list(
            entry("public", {"t": "shared"}),
            entry("alice", {"t": "shared"}, visible_to=[f"urn:globus:auth:identity:{alice.id}"]),
        ),
    )
    as_alice = search_for(alice, "urn:globus:auth:scope:search.api.globus.org:search")
    mine = as_alice.search(index_id, "shared")
    assert sorted(g["subject"] for g in mine["gmeta"]) == ["alice", "public"]
    alices = next(g for g in mine["gmeta"] if g["subject"] == "alice")
    assert alices["entries"][0]["matched_principal_sets"] == [
        f"urn:globus:auth:identity:{alice.id}"
    ]
    assert [g["subject"] for g in search_for(bob).search(index_id, "shared")["gmeta"]] == ["public"]
    assert [
        g["subject"] for g in globus_sdk.SearchClient().search(index_id, "shared")["gmeta"]
    ] == ["public"]
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        search_for(bob).get_subject(index_id, "alice")
    assert caught.value.http_status == 404


def test_group_visibility_follows_membership(sc, search_for, globus_emulator):
    member = globus_emulator.auth.add_identity("member@example.org")
    group = globus_emulator.world.groups.create("Readers", members={member.id: "member"})
    index_id = sc.create_index("Group data", "")["id"]
    sc.ingest(
        index_id,
        gmeta_list(entry("g", {"t": "x"}, visible_to=[f"urn:globus:groups:id:{group.id}"])),
    )
    assert search_for(member).search(index_id, "*")["total"] == 1
    globus_emulator.world.groups.remove_member(group.id, member.id)
    assert search_for(member).search(index_id, "*")["total"] == 0


def test_only_admins_may_bypass_visible_to(sc, search_for, globus_emulator):
    reader = globus_emulator.auth.add_identity("reader@example.org")
    index_id = sc.create_index("Private", "")["id"]
    sc.ingest(index_id, gmeta_list(entry("p", {"t": "x"}, visible_to=["urn:globus:groups:id:x"])))
    query = {"q": "*", "bypass_visible_to": True}
    assert sc.post_search(index_id, query)["total"] == 1
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        search_for(reader).post_search(index_id, query)
    assert caught.value.http_status == 403


def test_legacy_result_format_lists_contents(sc, datasets):
    result = sc.post_search(datasets.id, {"q": "salinity", "result_format_version": "2017-09-01"})
    [only] = result["gmeta"]
    assert only["@version"] == "2017-09-01" and only["content"][0]["size"] == 45


EQUALITY_SAMPLES = [1, 1.0, 0, True, False, "1", "1.0", " 1 ", "1e3", 1000, "true", "True"]
EQUALITY_SAMPLES += ["ocean", "Ocean", "2020", 2020, "2020-01-01", "2020-01-01T00:00:00Z"]
EQUALITY_SAMPLES += [None, "", [1], {"a": 1}]


@pytest.mark.parametrize("wanted", EQUALITY_SAMPLES, ids=repr)
def test_keyword_equality_reads_both_sides_as_one_type(wanted):
    # equal() keeps a test per wanted value (1, 1.0 and True apart); it
    # must say what comparing the two sides as one type says.
    for value in EQUALITY_SAMPLES:
        if isinstance(value, bool) or isinstance(wanted, bool):
            expected = str(value).lower() == str(wanted).lower()
        else:
            pair = comparable(value, wanted)
            expected = pair is not None and pair[0] == pair[1]
        assert equal(value, wanted) == expected, (value, wanted)
