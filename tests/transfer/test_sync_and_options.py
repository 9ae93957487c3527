"""sync_level, preserve_timestamp and verify_checksum, as docs/transfer.md
promises them, through TransferClient."""

from __future__ import annotations

import pytest

from .test_tasks import transfer


@pytest.fixture
def staged(globus_emulator, lab, scratch):
    """Destinations and sources written at known times (mtimes come from the clock)."""
    put = globus_emulator.transfer.write
    put(scratch, "/d/short.txt", "br")  # older and smaller than its source
    put(scratch, "/d/stale.txt", "xxxxx")  # older, same size
    globus_emulator.clock.advance(60)
    for name, content in [
        ("same", "alpha"),
        ("short", "bravo"),
        ("stale", "bravo"),
        ("changed", "delta"),
        ("new", "fresh"),
    ]:
        put(lab, f"/s/{name}.txt", content)
    put(lab, "/s/twin.txt", "twins")
    put(scratch, "/d/twin.txt", "TWINS")  # the same instant and size, other bytes
    globus_emulator.clock.advance(60)
    put(scratch, "/d/same.txt", "alpha")  # newer, same bytes
    put(scratch, "/d/changed.txt", "DELTA")  # newer, same size, other bytes
    globus_emulator.clock.advance(60)


@pytest.mark.parametrize(
    ("sync_level", "copied"),
    [
        (None, {"same", "short", "stale", "changed", "new", "twin"}),
        ("exists", {"new"}),
        ("size", {"new", "short"}),
        ("mtime", {"new", "short", "stale"}),
        ("checksum", {"new", "short", "stale", "changed", "twin"}),
    ],
)
def test_sync_level_copies_only_what_differs_at_that_level(
    tc, lab, scratch, staged, globus_emulator, sync_level, copied
):
    options = {} if sync_level is None else {"sync_level": sync_level}
    task_id = transfer(tc, lab.id, scratch.id, ("/s", "/d", True), **options)
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    done = {d["destination_path"] for d in tc.task_successful_transfers(task_id)}
    assert done == {f"/d/{name}.txt" for name in copied}
    assert (task["files_transferred"], task["files_skipped"]) == (len(copied), 6 - len(copied))
    assert globus_emulator.transfer.read(scratch, "/d/stale.txt") == (
        b"bravo" if "stale" in copied else b"xxxxx"
    )


def modified(tc, collection, path):
    return tc.operation_stat(collection.id, path=path)["last_modified"]


@pytest.mark.parametrize("preserve", [True, False])
def test_preserve_timestamp_keeps_the_source_mtime(tc, lab, scratch, globus_emulator, preserve):
    globus_emulator.clock.advance(3600)
    task_id = transfer(
        tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"), preserve_timestamp=preserve
    )
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    source, copy = modified(tc, lab, "/data/run1/a.dat"), modified(tc, scratch, "/a.dat")
    assert (copy == source) is preserve


@pytest.mark.parametrize("verify", [True, False])
def test_verify_checksum_counts_the_bytes_checksummed(tc, lab, scratch, verify):
    task_id = transfer(
        tc, lab.id, scratch.id, ("/data/run1", "/copy", True), verify_checksum=verify
    )
    task = tc.get_task(task_id)
    total = len("alpha") + len("bravo") + len("charlie")
    assert task["bytes_transferred"] == total
    assert task["bytes_checksummed"] == (total if verify else 0)
