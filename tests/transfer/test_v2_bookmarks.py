"""Bookmarks through TransferClientV2 (``/v2/bookmarks``, JSON:API): the
same bookmarks TransferClient's v0.10 bookmark calls show."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import TUTORIAL_1, TUTORIAL_2

experimental = pytest.importorskip("globus_sdk.experimental")
if not hasattr(experimental, "TransferClientV2"):
    pytest.skip("this globus-sdk has no TransferClientV2", allow_module_level=True)


@pytest.fixture
def v2(globus_emulator):
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    return experimental.TransferClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def make(v2, collection=TUTORIAL_1, name="godata", path="/home/share/godata/"):
    return v2.create_bookmark(experimental.BookmarkCreateDocument(collection, name, path))


def error_of(call):
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        call()
    return caught.value


def test_created_bookmark_is_a_json_api_resource(v2):
    created = make(v2)
    assert created.http_status == 201
    bookmark = created["data"]
    assert bookmark["type"] == "Bookmark"
    assert bookmark["attributes"] == {"name": "godata", "path": "/home/share/godata"}
    assert bookmark["relationships"]["collection"]["data"] == {
        "id": TUTORIAL_1,
        "type": "Collection",
    }
    assert v2.get_bookmark(bookmark["id"])["data"] == bookmark


def test_v2_and_v0_10_show_the_same_bookmarks(v2, tc):
    made_in_v2 = make(v2)["data"]
    made_in_v1 = tc.create_bookmark(
        {"DATA_TYPE": "bookmark", "name": "two", "endpoint_id": TUTORIAL_2, "path": "/home/"}
    )
    assert {b["id"] for b in tc.bookmark_list()} == {made_in_v2["id"], made_in_v1["id"]}
    assert [b["id"] for b in v2.list_bookmarks()] == [made_in_v2["id"], made_in_v1["id"]]

    v2.update_bookmark(
        made_in_v1["id"], experimental.BookmarkUpdateDocument("renamed", "/home/share/")
    )
    shown = tc.get_bookmark(made_in_v1["id"])
    assert (shown["name"], shown["path"]) == ("renamed", "/home/share")

    tc.delete_bookmark(made_in_v2["id"])
    assert error_of(lambda: v2.get_bookmark(made_in_v2["id"])).http_status == 404
    v2.delete_bookmark(made_in_v1["id"])
    assert list(tc.bookmark_list()) == []


def test_include_collection_adds_each_bookmarked_collection_once(v2):
    make(v2, name="one")
    make(v2, name="two", path="/home/share/")
    listed = v2.list_bookmarks(query_params={"include": "collection"})
    (included,) = listed["included"]
    assert included["id"] == TUTORIAL_1
    assert included["type"] == "Collection"
    assert included["attributes"]["display_name"] == "Globus Tutorial Collection 1"
    assert "included" not in v2.list_bookmarks().data


def test_bookmarks_are_their_owners_alone(v2, globus_emulator):
    bookmark = make(v2)["data"]
    other_token = globus_emulator.auth.issue_token(
        globus_emulator.auth.add_identity("other@example.org"),
        "urn:globus:auth:scope:transfer.api.globus.org:all",
    )
    other = experimental.TransferClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(other_token))
    assert list(other.list_bookmarks()) == []
    assert error_of(lambda: other.get_bookmark(bookmark["id"])).http_status == 404
    assert error_of(lambda: other.delete_bookmark(bookmark["id"])).http_status == 404
    assert v2.get_bookmark(bookmark["id"])["data"] == bookmark


def test_a_linked_identitys_bookmarks_are_listed(v2, globus_emulator):
    linked = globus_emulator.auth.add_identity("linked@example.org")
    globus_emulator.auth.link_identities(globus_emulator.user, linked)
    linked_token = globus_emulator.auth.issue_token(
        linked, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    made = make(
        experimental.TransferClientV2(authorizer=globus_sdk.AccessTokenAuthorizer(linked_token))
    )["data"]
    assert [b["id"] for b in v2.list_bookmarks()] == [made["id"]]


def test_duplicate_name_is_refused_and_changes_nothing(v2):
    first = make(v2)["data"]
    second = make(v2, name="other")["data"]
    assert error_of(lambda: make(v2)).http_status == 409
    rename = experimental.BookmarkUpdateDocument("godata", "/elsewhere")
    assert error_of(lambda: v2.update_bookmark(second["id"], rename)).http_status == 409
    assert v2.get_bookmark(second["id"])["data"]["attributes"]["path"] == "/home/share/godata"
    assert [b["id"] for b in v2.list_bookmarks()] == [first["id"], second["id"]]


@pytest.mark.parametrize(
    ("document", "status"),
    [
        ({"data": {"type": "Bookmark", "attributes": {"name": "x", "path": "/"}}}, 422),
        ({"data": {"type": "Tunnel", "attributes": {"name": "x", "path": "/"}}}, 422),
        (
            {
                "data": {
                    "type": "Bookmark",
                    "attributes": {"name": "x", "path": "relative"},
                    "relationships": {
                        "collection": {"data": {"type": "Collection", "id": TUTORIAL_1}}
                    },
                }
            },
            400,
        ),
    ],
)
def test_bad_create_is_refused_and_makes_nothing(v2, document, status):
    err = error_of(lambda: v2.create_bookmark(document))
    assert err.http_status == status
    assert err.raw_json["errors"][0]["status"] == str(status)
    assert list(v2.list_bookmarks()) == []


def test_bookmark_of_an_unknown_collection_is_refused(v2):
    err = error_of(lambda: make(v2, collection="00000000-0000-4000-8000-000000000000"))
    assert err.http_status == 404
    assert list(v2.list_bookmarks()) == []


def test_v0_10_rename_keeps_names_unique_as_v2_does(v2, tc):
    make(v2)
    other = tc.create_bookmark(
        {"DATA_TYPE": "bookmark", "name": "two", "endpoint_id": TUTORIAL_2, "path": "/home/"}
    )
    assert error_of(lambda: tc.update_bookmark(other["id"], {"name": "godata"})).http_status == 409
    assert tc.get_bookmark(other["id"])["name"] == "two"
