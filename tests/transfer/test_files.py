"""ls, stat, mkdir and rename through TransferClient, and their errors."""

from __future__ import annotations

import globus_sdk
import pytest


def test_ls_lists_a_directory_with_sizes_and_types(tc, lab):
    listing = tc.operation_ls(lab.id, path="/data/")
    entries = {e["name"]: (e["type"], e["size"]) for e in listing}
    assert entries["run1"][0] == "dir"
    assert entries["big.bin"] == ("file", 5_000_000_000)
    assert listing["path"] == "/data/"


def test_ls_hides_dotfiles_on_request_and_filters_and_orders(tc, lab):
    shown = [e["name"] for e in tc.operation_ls(lab.id, path="/data", show_hidden=False)]
    assert ".hidden" not in shown
    only_dirs = tc.operation_ls(lab.id, path="/data", filter="type:dir")
    assert [e["name"] for e in only_dirs] == ["run1"]
    by_size = tc.operation_ls(lab.id, path="/data", orderby="size DESC")
    assert by_size["DATA"][0]["name"] == "big.bin"


def test_a_mapped_collection_needs_data_access_consent_first(tc, globus_emulator):
    new = globus_emulator.transfer.add_collection("New", files={"/d/x": "x"})
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(new.id, path="/d")
    assert caught.value.http_status == 403
    assert caught.value.info.consent_required
    assert caught.value.info.consent_required.required_scopes == [
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{new.id}/data_access]"
    ]


def test_ls_pages_with_limit_and_offset(transfer_for, globus_emulator):
    many = globus_emulator.transfer.add_collection(
        "Many", files={f"/d/f{i:03}": "x" for i in range(30)}
    )
    tc = transfer_for(None, many.id)
    page = tc.operation_ls(many.id, path="/d", limit=10, offset=20)
    assert [e["name"] for e in page] == [f"f{i:03}" for i in range(20, 30)]
    assert (page["total"], page["offset"], page["limit"]) == (30, 20, 10)


def test_a_missing_directory_is_not_found(tc, lab):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(lab.id, path="/nope")
    assert caught.value.http_status == 404
    assert caught.value.code == "ClientError.NotFound"
    assert caught.value.raw_json["resource"].endswith(f"/operation/endpoint/{lab.id}/ls")


def test_listing_a_file_is_not_a_directory(tc, lab):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(lab.id, path="/data/run1/a.dat")
    assert caught.value.code == "ExternalError.DirListingFailed.NotDirectory"


def test_dot_dot_never_escapes_the_collection(tc, lab):
    listing = tc.operation_ls(lab.id, path="/data/../../../data")
    assert listing["path"] == "/data/"
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(lab.id, path="relative/path")
    assert caught.value.http_status == 400


def test_mkdir_creates_and_refuses_an_existing_directory(tc, lab, globus_emulator):
    result = tc.operation_mkdir(lab.id, path="/data/new")
    assert result["code"] == "DirectoryCreated"
    assert globus_emulator.transfer.exists(lab, "/data/new")
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_mkdir(lab.id, path="/data/new")
    assert caught.value.code == "ExternalError.MkdirFailed.Exists"


def test_rename_moves_a_file(tc, lab, globus_emulator):
    tc.operation_rename(lab.id, "/data/run1/a.dat", "/data/a-renamed.dat")
    assert globus_emulator.transfer.read(lab, "/data/a-renamed.dat") == b"alpha"
    assert not globus_emulator.transfer.exists(lab, "/data/run1/a.dat")


def test_stat_describes_one_entry(tc, lab):
    stat = tc.operation_stat(lab.id, path="/data/run1/b.dat")
    assert (stat["name"], stat["type"], stat["size"]) == ("b.dat", "file", 5)


def test_an_unknown_collection_is_endpoint_not_found(tc):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint("0b0b0b0b-0000-4000-8000-000000000000")
    assert caught.value.code == "EndpointNotFound"


def test_a_bad_mkdir_body_changes_nothing(tc, lab, globus_emulator):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.post(f"/v0.10/operation/endpoint/{lab.id}/mkdir", data={"path": "/x"})
    assert caught.value.http_status == 400
    assert caught.value.code == "ClientError.BadRequest"
    assert "DATA_TYPE" in caught.value.message
    assert not globus_emulator.transfer.exists(lab, "/x")


def test_endpoint_search_scopes_and_pages(tc, lab, scratch, globus_emulator, transfer_for):
    mine = [e["id"] for e in tc.endpoint_search(filter_scope="my-endpoints")]
    assert set(mine) == {lab.id, scratch.id}
    assert [e["id"] for e in tc.endpoint_search("fast disks")] == [scratch.id]
    pages = tc.paginated.endpoint_search(filter_fulltext="e", limit=1)
    everything = [e["id"] for e in pages.items()]
    assert set(everything) >= {lab.id, scratch.id}
    assert len(everything) == len(set(everything))
    other = transfer_for(globus_emulator.auth.add_identity("eve@example.org"))
    assert [e["id"] for e in other.endpoint_search(filter_scope="my-endpoints")] == []


def test_update_and_delete_endpoint(tc, scratch, globus_emulator):
    tc.update_endpoint(scratch.id, {"display_name": "Renamed scratch"})
    assert tc.get_endpoint(scratch.id)["display_name"] == "Renamed scratch"
    tc.delete_endpoint(scratch.id)
    with pytest.raises(globus_sdk.TransferAPIError):
        tc.get_endpoint(scratch.id)
