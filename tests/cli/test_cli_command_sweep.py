"""Every globus-cli 3.44 command, run once against a served world (through
the HTTPS proxy, as globus-cli wants its GCS Managers at https URLs): none
answers 501 (an unemulated route) or 500, and none crashes. The commands
run in one subprocess of globus-cli's own Python (tests/cli/cli_sweep_driver.py),
each on fresh things it made itself; a command the driver cannot run is
listed there with its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

GLOBUS = shutil.which("globus")
pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
DRIVER = Path(__file__).with_name("cli_sweep_driver.py")
SUBSCRIPTION = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"
# Commands that end non-zero here by the sweep's design, not the emulator's fault
EXPECTED_FAILURES = {
    "endpoint user-credential create s3": "the sweep's gateways are POSIX: 422, as GCS answers",
    "gcs user-credential create s3": "the sweep's gateways are POSIX: 422, as GCS answers",
    "rm": "tasks make no progress in this world (manual), so the 1s wait times out",
    "task wait": "tasks make no progress in this world (manual), so the 1s wait times out",
}


def cli_python() -> str:
    """The interpreter globus-cli is installed in (its script's #! line)."""
    assert GLOBUS is not None
    first = Path(GLOBUS).read_text(errors="replace").splitlines()[0]
    if not (first.startswith("#!") and "python" in first):
        pytest.skip(f"cannot tell globus-cli's Python from {GLOBUS}")
    return first[2:].strip()


@pytest.fixture
def world(globus_emulator):
    """What the CLI's identity (the service account) acts on."""
    e = globus_emulator
    me = e.service_account.client_id
    lab = e.transfer.add_collection("Lab", owner=me, files={"/data/a.txt": "a", "/data/b.txt": "b"})
    personal = e.transfer.add_collection(
        "Laptop", owner=me, entity_type="GCP_mapped_collection", subscription_id=SUBSCRIPTION
    )
    gcs = e.gcs.add_endpoint("Swept GCS", owner=me)
    gateway = e.gcs.add_storage_gateway(gcs, "disks")
    other = e.auth.add_identity("other@example.org")
    with e.lock:
        e.world.groups.create("Subscribed", {me: "admin"}, subscription_id=SUBSCRIPTION)
    e.transfer.set_progress("manual")  # tasks stay active, to be updated or cancelled
    return {
        **groups(e, me, other),
        "lab": lab.id,
        "personal": personal.id,
        "gcs": gcs.id,
        "gateway": gateway.id,
        "initiator": e.transfer.add_stream_access_point("Initiator", owner=me).id,
        "listener": e.transfer.add_stream_access_point("Listener", owner=me).id,
        "user": f"{me}@clients.auth.globus.org",
        "user_id": me,
        "other": other.username,
        "other_urn": f"urn:globus:auth:identity:{other.id}",
        "subscription": SUBSCRIPTION,
    }


def groups(e, me, other):
    """Groups in the states the membership commands act on."""

    def group(name, members, *extra):
        made = e.groups.create(name, members)
        for identity, role, status in extra:
            e.groups.add_member(made, identity, role, status)
        return made.id

    theirs, mine = {other.id: "admin"}, {me: "admin"}
    return {
        "invited_group": group("Invited", theirs, (me, "member", "invited")),
        "declined_group": group("Declined", theirs, (me, "member", "invited")),
        "open_group": e.groups.create(
            "Open", theirs, policies={"group_visibility": "authenticated", "join_requests": True}
        ).id,
        "member_group": group("Member", theirs, (me, "member", "active")),
        "requested_group": group("Requested", mine, (other.id, "member", "pending")),
        "rejected_group": group("Rejected", mine, (other.id, "member", "pending")),
        "roster_group": group("Roster", mine, (other.id, "member", "active")),
    }


def test_every_cli_command_runs_without_501_500_or_crash(globus_proxy, cli_env_for, world):
    done = subprocess.run(
        [cli_python(), str(DRIVER), json.dumps(world)],
        env=cli_env_for(globus_proxy.env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    broken = {
        name: entry
        for name, entry in report.items()
        if "crash" in entry or "setup" in entry or entry.get("http") in (500, 501)
    }
    assert not broken, json.dumps(broken, indent=1)
    failed = {name for name, entry in report.items() if entry.get("exit", 0) != 0}
    assert failed == set(EXPECTED_FAILURES), {n: report[n] for n in failed ^ set(EXPECTED_FAILURES)}
