"""The journal stays bounded, and its control-plane pages let a poller see
every entry once, filtered or not."""

from __future__ import annotations

import globus_sdk
import pytest
import requests

from conftest import userinfo
from globus_testkit import Emulator
from globus_testkit.journal import Entry, Journal

TUTORIAL_COLLECTION = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def _entry(number: int, service: str = "auth") -> Entry:
    return Entry(float(number), service, f"op{number}", "GET", "/", 200, None, None, f"r{number}")


@pytest.fixture
def journal_url(globus_server):
    return f"{globus_server.url}/_testkit/journal"


@pytest.fixture
def transfer(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_the_journal_keeps_only_the_newest_entries_but_counts_them_all():
    journal = Journal(max_entries=3)
    for number in range(10):
        journal.record(_entry(number))
    assert [e.request_id for e in journal] == ["r7", "r8", "r9"]
    assert len(journal) == 3 and journal.total == 10
    page = journal.page(0, 100)
    assert page.oldest == 7 and page.next == 10 and not page.more


def test_an_emulator_journal_is_as_long_as_it_was_told(globus_emulator, auth_client_for):
    small = Emulator(journal_size=4)
    small.world.journal.record(_entry(0))
    assert small.journal.max_entries == 4
    client = auth_client_for()
    for _ in range(6):
        userinfo(client)
    # the default keeps far more than a test makes
    assert len(globus_emulator.journal) == 6
    globus_emulator.journal.resize(4)
    assert len(globus_emulator.journal) == 4 and globus_emulator.journal.total == 6


def test_the_size_survives_reset_and_state_files(tmp_path):
    emulator = Emulator(journal_size=2)
    for number in range(5):
        emulator.journal.record(_entry(number))
    emulator.save_state(tmp_path / "state")
    emulator.reset()
    assert emulator.journal.max_entries == 2 and emulator.journal.total == 0
    emulator.load_state(tmp_path / "state")
    assert [e.request_id for e in emulator.journal] == ["r3", "r4"]
    assert emulator.journal.total == 5


def test_polling_with_a_service_filter_sees_every_entry_once(
    journal_url, globus_emulator, auth_client_for, transfer
):
    auth = auth_client_for()
    for _ in range(3):
        userinfo(auth)
        transfer.get_endpoint(TUTORIAL_COLLECTION)
    seen: list[str] = []
    since = 0

    def poll() -> None:
        nonlocal since
        while True:
            page = requests.get(
                journal_url, params={"since": since, "service": "auth", "limit": 2}, timeout=5
            ).json()
            seen.extend(e["request_id"] for e in page["entries"])
            since = page["next"]
            if not page["has_more"]:
                return

    poll()
    poll()  # nothing new: nothing again
    assert len(seen) == 3
    userinfo(auth)
    transfer.get_endpoint(TUTORIAL_COLLECTION)
    poll()
    expected = [e.request_id for e in globus_emulator.journal if e.service == "auth"]
    assert seen == expected and len(seen) == 4
    assert since == globus_emulator.journal.total


def test_a_poller_that_fell_behind_learns_what_was_dropped(journal_url, globus_emulator):
    globus_emulator.journal.resize(3)
    for number in range(5):
        globus_emulator.journal.record(_entry(number))
    page = requests.get(journal_url, params={"since": 1}, timeout=5).json()
    assert page["oldest"] == 2
    assert [e["request_id"] for e in page["entries"]] == ["r2", "r3", "r4"]
    assert page["next"] == 5


@pytest.mark.parametrize("limit", ["0", "-1", "x", "100000"])
def test_a_bad_journal_page_size_is_refused(journal_url, limit):
    answer = requests.get(journal_url, params={"limit": limit}, timeout=5)
    assert answer.status_code == 400
    assert "limit" in answer.json()["message"]


def test_serve_takes_a_journal_size(capsys):
    from globus_testkit.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--journal-size", "0"])
    assert stopped.value.code == 2
    assert "--journal-size" in capsys.readouterr().err


def test_a_long_lived_in_process_emulator_keeps_no_record_of_old_answers():
    """responses records every mocked call; the in-process transport's
    private mock must not keep them (memory grew ~9 KB a request)."""
    with Emulator() as emulator:
        token = emulator.auth.issue_token(emulator.user, "openid")
        client = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        for _ in range(250):
            userinfo(client)
        transport = emulator._transport
        assert len(transport._mock.calls) <= 100
        assert emulator.journal.total == 250
