"""globus-sdk's timer-management scripts (docs/examples/timer_management/),
step for step: a UserApp for the tutorial client, a TimersClient on it, and
create_timer.py (a transfer timer ending at a naive local datetime),
create_timer_data_access.py (data_access scopes added for mapped
collections first), list_timers.py and delete_timer.py. The app logs in
through the emulator instead of a browser."""

from __future__ import annotations

import datetime
from typing import Any, cast

import globus_sdk
import pytest

from globus_testkit.apps import HeadlessLoginProvider

from .conftest import TUTORIAL_1, TUTORIAL_2

TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
HOUR = 3600
SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(
    SDK_MAJOR < 4, reason="the scripts use globus-sdk 4's apps and clients as context managers"
)


def example_app(globus_emulator) -> globus_sdk.UserApp:
    """``UserApp("manage-timers-example", client_id=NATIVE_CLIENT_ID)``,
    with the emulator as the person at the browser."""
    return globus_sdk.UserApp(
        "manage-timers-example",
        client_id=TUTORIAL_CLIENT_ID,
        config=globus_sdk.GlobusAppConfig(
            token_storage="memory",
            login_flow_manager=cast(Any, HeadlessLoginProvider(globus_emulator)),
        ),
    )


def create_timer(timers_client, source: str, destination: str, path: str, days: int = 2) -> str:
    """What both create scripts do once their scopes are settled."""
    body = globus_sdk.TransferData(source_endpoint=source, destination_endpoint=destination)
    body.add_item(path, path)
    schedule = globus_sdk.RecurringTimerSchedule(
        interval_seconds=HOUR,
        end={
            "condition": "time",
            "datetime": datetime.datetime.now() + datetime.timedelta(days=days),
        },
    )
    name = f"create-timer-example [created at {datetime.datetime.now().isoformat()}]"
    timer = timers_client.create_timer(
        timer=globus_sdk.TransferTimer(name=name, body=body, schedule=schedule)
    )
    return str(timer["timer"]["job_id"])


def listed(timers_client) -> list[tuple[str, str]]:
    """list_timers.py: the name and id of each active timer."""
    jobs = timers_client.list_jobs(query_params={"filter_active": True})["jobs"]
    return [(job["name"], job["job_id"]) for job in jobs]


def uses_data_access(transfer_client, collection_id: str) -> bool:
    doc = transfer_client.get_endpoint(collection_id)
    return doc["entity_type"] == "GCSv5_mapped_collection" and not doc["high_assurance"]


def add_data_access_scopes(app, timers_client) -> None:
    """create_timer_data_access.py's first step."""
    with globus_sdk.TransferClient(app=app) as transfer_client:
        for collection in (TUTORIAL_1, TUTORIAL_2):
            if uses_data_access(transfer_client, collection):
                timers_client.add_app_transfer_data_access_scope(collection)


def test_the_basic_script_is_asked_for_the_mapped_collections_data_access(globus_emulator):
    with example_app(globus_emulator) as app, globus_sdk.TimersClient(app=app) as client:
        with pytest.raises(globus_sdk.GlobusAPIError) as refused:
            create_timer(client, TUTORIAL_1, TUTORIAL_2, "/share/godata/file1.txt")
        assert (refused.value.http_status, refused.value.code) == (403, "ConsentRequired")
        (required,) = refused.value.raw_json["authorization_parameters"]["required_scopes"]
        for collection in (TUTORIAL_1, TUTORIAL_2):
            assert f"{collection}/data_access" in required
        assert listed(client) == []


def test_data_access_then_list_and_delete_scripts(globus_emulator):
    with example_app(globus_emulator) as app, globus_sdk.TimersClient(app=app) as client:
        add_data_access_scopes(app, client)
        requirements = " ".join(
            str(scope) for scope in app.scope_requirements[globus_sdk.TimersClient.resource_server]
        )
        assert f"{TUTORIAL_1}/data_access" in requirements
        assert f"{TUTORIAL_2}/data_access" in requirements
        job_id = create_timer(client, TUTORIAL_1, TUTORIAL_2, "/share/godata/file1.txt")
        ((name, listed_id),) = listed(client)
        assert name.startswith("create-timer-example [created at ")
        assert listed_id == job_id
        job = client.get_job(job_id)
        assert job["interval"] == HOUR
        assert job["stop_after"]["date"] is not None
        globus_emulator.clock.advance(1)
        job = client.get_job(job_id)
        assert job["n_runs"] == 1
        assert {r["status"] for r in job["results"]["data"]} == {202}
        client.delete_job(job_id)
        assert listed(client) == []


def test_the_timer_runs_hourly_until_its_end_date(globus_emulator):
    with example_app(globus_emulator) as app, globus_sdk.TimersClient(app=app) as client:
        add_data_access_scopes(app, client)
        job_id = create_timer(client, TUTORIAL_1, TUTORIAL_2, "/share/godata/file1.txt", days=1)
        globus_emulator.clock.advance(3 * HOUR + 1)
        assert client.get_job(job_id)["n_runs"] == 4
        # past the end date, well within the app's 48-hour token
        globus_emulator.clock.advance(22 * HOUR)
        job = client.get_job(job_id)
        # one run at creation and one per hour of the day it was given
        assert 24 <= job["n_runs"] <= 25
        assert job["status"] == "ended"
