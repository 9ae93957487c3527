"""The compact parts of a state file: a directory's files and Transfer's
tasks are saved as columns. They come back equal (shared directories
still shared), and columns that do not describe files or tasks are
refused with StateFileError, leaving the world as it was."""

from __future__ import annotations

import json

import globus_sdk
import pytest

from globus_testkit import Emulator, StateFileError
from globus_testkit.services.transfer import TRANSFER_ALL
from globus_testkit.services.transfer.filetree import Node


def _transfer_client(emulator: Emulator, *collections: str) -> globus_sdk.TransferClient:
    deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collections)
    token = emulator.auth.issue_token(emulator.user, f"{TRANSFER_ALL}[{deps}]")
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def _round_trip(emulator: Emulator, tmp_path) -> Emulator:
    emulator.save_state(tmp_path / "state")
    loaded = Emulator()
    loaded.load_state(tmp_path / "state")
    return loaded


def _every_node(root: Node, path: str = "/") -> dict[str, tuple[object, ...]]:
    """Each node under ``root`` by path, with every field but its children."""
    fields = ("name", "kind", "mtime", "size", "content", "link_target", "permissions", "user")
    found = {path: (*(getattr(root, f) for f in fields), root.group, root.children is None)}
    for name, child in (root.children or {}).items():
        found.update(_every_node(child, f"{path.rstrip('/')}/{name}"))
    return found


def test_a_tree_of_files_links_and_directories_comes_back_equal(tmp_path):
    emulator = Emulator()
    lab = emulator.transfer.add_collection(
        "Lab", files={"/a.txt": "alpha", "/empty": b"", "/big.bin": 5_000_000_000}
    )
    tree = lab.tree
    tree.write("/deep/er/still/c.bin", content=b"\x00\xff" * 40, mtime=1.5e9)
    tree.write("/deep/x", content=b"x")
    tree.mkdir("/nothing/here", parents=True)
    tree.link("/deep/to-a", "/a.txt")
    tree.find("/deep/x").permissions, tree.find("/deep/x").user = "0600", "alice"

    loaded = _round_trip(emulator, tmp_path).world.transfer.collections[lab.id].tree

    assert loaded.root == tree.root
    assert _every_node(loaded.root) == _every_node(tree.root)
    assert loaded.find("/big.bin").content is None and loaded.find("/big.bin").size == 5_000_000_000
    assert loaded.find("/deep").sorted_names() == ["er", "to-a", "x"]


def test_a_guest_collection_still_shares_its_hosts_directory_after_loading(tmp_path):
    emulator = Emulator()
    host = emulator.transfer.add_collection("Host", files={"/shared/a.txt": "alpha"})
    guest = emulator.world.transfer.create_guest_collection(
        "Guest", host=host.id, root="/shared", owner_id=emulator.user.id, owner_string="me"
    )

    world = _round_trip(emulator, tmp_path).world
    host_tree = world.transfer.collections[host.id].tree
    guest_tree = world.transfer.collections[guest.id].tree
    assert guest_tree.root is host_tree.find("/shared")
    guest_tree.write("/b.txt", content=b"bravo")  # one set of files, seen from both
    assert host_tree.find("/shared/b.txt").content == b"bravo"


def test_tasks_come_back_equal_and_read_the_same_through_the_sdk(globus_emulator, tmp_path):
    lab = globus_emulator.transfer.add_collection(
        "Lab", files={"/data/a.txt": "alpha", "/data/sub/b.txt": "bravo"}
    )
    tc = _transfer_client(globus_emulator, lab.id)
    data = globus_sdk.TransferData(lab.id, lab.id, label="copy", deadline="2099-01-01")
    data.add_item("/data", "/copy", recursive=True)
    done = tc.submit_transfer(data)["task_id"]
    missing = globus_sdk.DeleteData(lab.id, ignore_missing=False)
    missing.add_item("/absent")
    failed = tc.submit_delete(missing)["task_id"]
    finished = {t: tc.get_task(t).data for t in (done, failed)}
    globus_emulator.transfer.set_progress("manual")
    data = globus_sdk.TransferData(lab.id, lab.id)
    data.add_item("/data/a.txt", "/later.txt")
    waiting = tc.submit_transfer(data)["task_id"]
    before = {**finished, waiting: tc.get_task(waiting).data}
    assert before[done]["status"] == "SUCCEEDED" and before[failed]["status"] == "FAILED"
    world = globus_emulator.world
    tasks = {t: world.tasks.tasks[t] for t in before}

    globus_emulator.save_state(tmp_path / "state")
    globus_emulator.reset()
    globus_emulator.load_state(tmp_path / "state")

    loaded = globus_emulator.world.tasks
    assert {t: loaded.tasks[t] for t in before} == tasks
    assert loaded.tasks[done].plan == tasks[done].plan and loaded.tasks[done].plan
    assert {t: tc.get_task(t).data for t in before} == before
    assert [t["task_id"] for t in tc.task_list()] == [waiting, failed, done]
    globus_emulator.transfer.finish(waiting)  # the unfinished one goes on
    assert tc.get_task(waiting)["status"] == "SUCCEEDED"


def test_a_finished_task_shows_its_collections_new_name(globus_emulator, tmp_path):
    lab = globus_emulator.transfer.add_collection("Lab", files={"/a.txt": "alpha"})
    tc = _transfer_client(globus_emulator, lab.id)
    data = globus_sdk.TransferData(lab.id, lab.id)
    data.add_item("/a.txt", "/b.txt")
    task_id = tc.submit_transfer(data)["task_id"]
    assert tc.get_task(task_id)["source_endpoint_display_name"] == "Lab"  # finished, kept

    tc.update_endpoint(lab.id, {"display_name": "Lab (renamed)"})

    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["source_endpoint_display_name"] == "Lab (renamed)"
    assert task["destination_endpoint_display_name"] == "Lab (renamed)"
    # the kept document is not part of the world's state
    globus_emulator.save_state(tmp_path / "state")
    text = (tmp_path / "state").read_text()
    assert "Lab (renamed)" not in _tasks_part(json.loads(text))
    assert "finished_document" not in text


def _tasks_part(document: dict) -> str:
    text = json.dumps(document)
    start = text.index('"tasks": {"$plain"')
    return text[start : text.index('"mode"', start)]


def _saved(tmp_path) -> dict:
    """A saved world with a directory of two files and a link, and two tasks."""
    with Emulator() as emulator:
        lab = emulator.transfer.add_collection("Lab", files={"/d/a.txt": "a", "/d/b.txt": "b"})
        lab.tree.link("/d/l", "/d/a.txt")
        tc = _transfer_client(emulator, lab.id)
        for source, destination in (("/d", "/e"), ("/d/a.txt", "/f.txt")):
            data = globus_sdk.TransferData(lab.id, lab.id)
            data.add_item(source, destination)
            tc.get_task(tc.submit_transfer(data)["task_id"])
        emulator.save_state(tmp_path / "state")
    return json.loads((tmp_path / "state").read_text())


def _find(value: object, key: str) -> list[dict]:
    """Every JSON object in ``value`` that has ``key``."""
    if isinstance(value, dict):
        return [value] * (key in value) + [f for v in value.values() for f in _find(v, key)]
    if isinstance(value, list):
        return [f for v in value for f in _find(v, key)]
    return []


def _directory(document: dict) -> dict:
    """The packed columns of the directory /d (two files and a link)."""
    return next(c for c in _find(document, "names") if c["names"] == ["a.txt", "b.txt", "l"])


def _tasks(document: dict) -> dict:
    return _find(document, "$plain")[0]["$plain"]


def _spoil_names(document):
    d = _directory(document)
    d["names"] = ["a.txt", "../up", "l"]


def _spoil_rows(document):
    d = _directory(document)
    d["sizes"] = [1]


def _spoil_kind(document):
    d = _directory(document)
    d["kinds"] = ["file", "dir", "link"]


def _spoil_lengths(document):
    d = _directory(document)
    d["lengths"] = [1, 500, None]


def _spoil_duplicate(document):
    d = _directory(document)
    d["names"] = ["a.txt", "a.txt", "l"]


def _spoil_container(document):
    d = _directory(document)
    d["mtimes"] = {"every": "row"}


def _spoil_task_column(document):
    t = _tasks(document)
    t["document"] = ["not a document"] * t["count"]


def _spoil_item_shape(document):
    _tasks(document)["document"]["items"]["shape"] = 5  # every item


def _spoil_event_column(document):
    _tasks(document)["events"]["groups"][0]["code"] = ["STARTED"]


def _spoil_event_rows(document):
    _tasks(document)["events"]["lengths"] = [1]


def _spoil_event_length(document):
    _tasks(document)["events"]["lengths"] = [-2, 6]


def _spoil_groups(document):
    _tasks(document)["successful"]["groups"] = [["source_path"]]


def _spoil_document_data(document):
    _tasks(document)["document"]["documents"]["groups"][0]["DATA"] = "rm -rf"  # every one


def _spoil_counts(document):
    _tasks(document)["counts"]["files"] = "many"


def _spoil_count_key(document):
    _tasks(document)["counts"]["__class__"] = 0


def _spoil_task_ids(document):
    t = _tasks(document)
    t["id"] = [t["id"][0]] * t["count"]


def _spoil_task_field(document):
    t = _tasks(document)
    del t["events"]


def _spoil_principals(document):
    t = _tasks(document)
    t["principals"] = [["x"]] * t["count"]


def _spoil_plan(document):
    t = _tasks(document)
    t["steps"]["kinds"] = "format_disk"  # every step


def _spoil_plan_length(document):
    t = _tasks(document)
    t["plan"] = [99] * t["count"]


def _spoil_count(document):
    t = _tasks(document)
    t["count"] = 1


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (_spoil_names, "distinct, plain names"),
        (_spoil_rows, "sizes has 1 rows, not 3"),
        (_spoil_kind, "files or links"),
        (_spoil_lengths, "do not add up"),
        (_spoil_duplicate, "distinct, plain names"),
        (_spoil_container, "mtimes must be a list of float/int"),
        (_spoil_task_column, "documents must be packed with their items apart"),
        (_spoil_item_shape, "DATA's records name unknown groups"),
        (_spoil_event_column, "code has 1 rows, not 4"),
        (_spoil_event_rows, "lengths has 1 rows, not 2"),
        (_spoil_event_length, "events must be counted records"),
        (_spoil_groups, "successful's groups must be columns by key"),
        (_spoil_document_data, "document must have its DATA packed apart"),
        (_spoil_counts, "files must be a list of int"),
        (_spoil_count_key, "one column per count"),
        (_spoil_task_ids, "distinct ids"),
        (_spoil_task_field, "columns of every task field"),
        (_spoil_principals, "principals must be ids around one null"),
        (_spoil_plan, "unknown step"),
        (_spoil_plan_length, "kinds has .* rows, not 198"),
        (_spoil_count, "rows, not 1"),
    ],
)
def test_corrupt_directory_or_task_columns_are_refused(tmp_path, spoil, problem):
    document = _saved(tmp_path)
    spoil(document)
    _refused(tmp_path, document, problem)


def _refused(tmp_path, document: dict, problem: str) -> None:
    (tmp_path / "state").write_text(json.dumps(document))
    emulator = Emulator()
    world = emulator.world
    with pytest.raises(StateFileError, match=f"is corrupt: .*{problem}"):
        emulator.load_state(tmp_path / "state")
    assert emulator.world is world


def test_the_saved_file_is_compact_columns_not_an_object_per_file(tmp_path):
    document = _saved(tmp_path)
    objects = [o["$object"] for o in _find(document, "$object")]
    assert not any(name.endswith(":Task") or name.endswith(":Op") for name in objects)
    directory = _directory(document)
    assert directory["user"] == "globus"  # one value every row shares
    assert len(_tasks(document)["id"]) == 2


def test_the_tasks_documents_events_and_counts_name_each_key_once(tmp_path):
    tasks = json.dumps(_tasks(_saved(tmp_path)))  # two tasks, each with events
    # a record's key names its column (a path both in the documents' items
    # and in the successful transfers)
    named = {"description": 1, "is_error": 1, "destination_path": 2, "files_transferred": 1}
    assert {key: tasks.count(f'"{key}"') for key in named} == named
