"""Transfer for administrators: endpoint roles, pause rules that pause,
admin pause/resume/cancel, endpoint_manager views and subscriptions, all
through globus-sdk's TransferClient."""

from __future__ import annotations

import globus_sdk
import pytest

from .test_tasks import delete, transfer


def _status(call) -> int:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call()
    return int(caught.value.http_status)


def _role(principal_type: str, principal: str, role: str) -> dict[str, str]:
    return {
        "DATA_TYPE": "role",
        "principal_type": principal_type,
        "principal": principal,
        "role": role,
    }


@pytest.fixture
def manual(globus_emulator):
    """Tasks wait for ``finish`` (or the clock), so a pause has time to bite."""
    globus_emulator.transfer.set_progress("manual")


# -- roles ----------------------------------------------------------------------------------

SUBSCRIPTION = "1a2b3c4d-0000-4000-8000-00000000abcd"


@pytest.fixture
def laptop(globus_emulator):
    """A managed Globus Connect Personal collection: Transfer's role API
    assigns roles on those only."""
    return globus_emulator.transfer.add_collection(
        "Laptop",
        entity_type="GCP_mapped_collection",
        subscription_id=SUBSCRIPTION,
        files={"/home/notes.txt": "notes"},
    )


def test_roles_round_trip_through_the_role_api(tc, laptop, globus_emulator):
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    created = tc.add_endpoint_role(laptop.id, _role("identity", monitor.id, "activity_monitor"))
    assert created["role"] == "activity_monitor"
    assert tc.get_endpoint_role(laptop.id, created["id"])["principal"] == monitor.id
    assert [r["id"] for r in tc.endpoint_role_list(laptop.id)] == [created["id"]]
    tc.delete_endpoint_role(laptop.id, created["id"])
    assert list(tc.endpoint_role_list(laptop.id)) == []
    with pytest.raises(globus_sdk.TransferAPIError) as gone:
        tc.get_endpoint_role(laptop.id, created["id"])
    assert (gone.value.http_status, gone.value.code) == (404, "RoleNotFound")


def test_a_duplicate_or_malformed_role_is_refused_and_changes_nothing(tc, laptop, globus_emulator):
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    tc.add_endpoint_role(laptop.id, _role("identity", monitor.id, "activity_monitor"))
    again = _role("identity", monitor.id, "activity_monitor")
    assert _status(lambda: tc.add_endpoint_role(laptop.id, again)) == 409
    wrong = _role("identity", monitor.id, "superuser")
    assert _status(lambda: tc.add_endpoint_role(laptop.id, wrong)) == 400
    assert len(list(tc.endpoint_role_list(laptop.id))) == 1


@pytest.mark.parametrize("role", ["administrator", "activity_manager", "activity_monitor"])
def test_roles_are_assigned_on_managed_personal_collections_only(tc, lab, globus_emulator, role):
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    unmanaged = globus_emulator.transfer.add_collection(
        "Unmanaged laptop", entity_type="GCP_mapped_collection"
    )
    document = _role("identity", monitor.id, role)
    # A Globus Connect Server collection's roles are its GCS Manager's.
    assert _status(lambda: tc.add_endpoint_role(lab.id, document)) == 400
    assert _status(lambda: tc.add_endpoint_role(unmanaged.id, document)) == 403
    assert list(tc.endpoint_role_list(lab.id)) == []
    assert list(tc.endpoint_role_list(unmanaged.id)) == []


def test_a_group_role_grants_what_it_names_to_the_groups_members(
    tc, laptop, scratch, globus_emulator, transfer_for
):
    task_id = transfer(tc, laptop.id, scratch.id, ("/home/notes.txt", "/notes.txt"))
    eve = globus_emulator.auth.add_identity("eve@example.org")
    group = globus_emulator.world.groups.create("ops", {eve.id: "member"})
    eve_tc = transfer_for(eve)
    assert _status(lambda: eve_tc.endpoint_manager_get_task(task_id)) == 403
    tc.add_endpoint_role(laptop.id, _role("group", group.id, "activity_monitor"))
    assert eve_tc.endpoint_manager_get_task(task_id)["task_id"] == task_id
    assert [c["id"] for c in eve_tc.endpoint_manager_monitored_endpoints()] == [laptop.id]


def test_an_administrator_role_manages_roles_and_the_endpoint(
    tc, laptop, globus_emulator, transfer_for
):
    admin = globus_emulator.auth.add_identity("admin@example.org")
    other = globus_emulator.auth.add_identity("other@example.org")
    admin_tc = transfer_for(admin)
    as_manager = _role("identity", other.id, "activity_manager")
    assert _status(lambda: admin_tc.add_endpoint_role(laptop.id, as_manager)) == 403
    tc.add_endpoint_role(laptop.id, _role("identity", admin.id, "administrator"))
    admin_tc.add_endpoint_role(laptop.id, as_manager)
    admin_tc.update_endpoint(laptop.id, {"description": "run by the admin"})
    assert tc.get_endpoint(laptop.id)["description"] == "run by the admin"
    # An activity manager may list roles but not grant them.
    manager_tc = transfer_for(other)
    assert len(list(manager_tc.endpoint_role_list(laptop.id))) == 2
    as_admin = _role("identity", other.id, "administrator")
    assert _status(lambda: manager_tc.add_endpoint_role(laptop.id, as_admin)) == 403


def test_a_role_held_by_a_linked_identity_works_for_the_whole_identity_set(
    tc, laptop, scratch, globus_emulator, transfer_for
):
    """The role names a linked identity, not the token's primary one."""
    primary = globus_emulator.auth.add_identity("ada@uni.example.org")
    linked = globus_emulator.auth.add_identity("ada@globusid.org")
    globus_emulator.auth.link_identities(primary, linked)
    ada_tc = transfer_for(primary)
    other = globus_emulator.auth.add_identity("other@example.org")
    as_monitor = _role("identity", other.id, "activity_monitor")
    assert _status(lambda: ada_tc.add_endpoint_role(laptop.id, as_monitor)) == 403
    tc.add_endpoint_role(laptop.id, _role("identity", linked.id, "administrator"))
    ada_tc.add_endpoint_role(laptop.id, as_monitor)  # as the linked identity's administrator
    task_id = transfer(tc, laptop.id, scratch.id, ("/home/notes.txt", "/n.txt"))
    assert ada_tc.endpoint_manager_get_task(task_id)["task_id"] == task_id
    ada_tc.update_endpoint(laptop.id, {"description": "Ada's now"})
    assert tc.get_endpoint(laptop.id)["description"] == "Ada's now"


def test_an_administrator_role_held_through_a_group_manages_roles(
    tc, laptop, globus_emulator, transfer_for
):
    ops = globus_emulator.auth.add_identity("ops@example.org")
    group = globus_emulator.world.groups.create("admins", {ops.id: "member"})
    tc.add_endpoint_role(laptop.id, _role("group", group.id, "administrator"))
    other = globus_emulator.auth.add_identity("other@example.org")
    created = transfer_for(ops).add_endpoint_role(
        laptop.id, _role("identity", other.id, "activity_monitor")
    )
    assert tc.get_endpoint_role(laptop.id, created["id"])["principal"] == other.id


# -- pause rules ----------------------------------------------------------------------------


def test_a_task_paused_by_a_rule_resumes_when_the_rule_is_deleted(
    tc, lab, scratch, globus_emulator, transfer_for
):
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(scratch, manager, "activity_manager")
    manager_tc = transfer_for(manager)
    globus_emulator.transfer.set_progress("timed", bytes_per_second=1)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    rule = manager_tc.endpoint_manager_create_pause_rule(
        {
            "DATA_TYPE": "pause_rule",
            "endpoint_id": scratch.id,
            "message": "disk maintenance",
            "pause_task_transfer_write": True,
            "pause_task_transfer_read": False,
        }
    )
    globus_emulator.clock.advance(60)
    task = tc.get_task(task_id)
    assert (task["status"], task["is_paused"]) == ("ACTIVE", True)
    info = tc.task_pause_info(task_id)
    assert [r["id"] for r in info["pause_rules"]] == [rule["id"]]
    assert info["pause_rules"][0]["message"] == "disk maintenance"
    # The end's pause messages are for explicit admin pauses, not rules.
    assert info["destination_pause_message"] is None
    assert "modified_by_id" not in info["pause_rules"][0]
    assert not globus_emulator.transfer.exists(scratch, "/a.dat")
    assert [r["id"] for r in tc.my_effective_pause_rule_list(scratch.id)] == [rule["id"]]

    manager_tc.endpoint_manager_delete_pause_rule(rule["id"])
    globus_emulator.clock.advance(60)
    task = tc.get_task(task_id)
    assert (task["status"], task["is_paused"]) == ("SUCCEEDED", False)
    assert globus_emulator.transfer.read(scratch, "/a.dat") == b"alpha"
    assert list(tc.my_effective_pause_rule_list(scratch.id)) == []


def test_a_pause_rule_touches_only_what_it_names(
    tc, lab, scratch, globus_emulator, transfer_for, manual
):
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(lab, manager, "activity_manager")
    manager_tc = transfer_for(manager)
    someone = globus_emulator.auth.add_identity("someone@example.org")
    read_task = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    globus_emulator.clock.advance(1)
    rule = manager_tc.endpoint_manager_create_pause_rule(
        {
            "DATA_TYPE": "pause_rule",
            "endpoint_id": lab.id,
            "identity_id": someone.id,  # not the task's owner
            "pause_task_transfer_read": True,
        }
    )
    assert tc.get_task(read_task)["is_paused"] is False
    everyone = {"DATA_TYPE": "pause_rule", "identity_id": None}
    manager_tc.endpoint_manager_update_pause_rule(rule["id"], everyone)
    assert tc.get_task(read_task)["is_paused"] is True  # modify_existing by default
    new_only = {"DATA_TYPE": "pause_rule", "modify_existing": False}
    manager_tc.endpoint_manager_update_pause_rule(rule["id"], new_only)
    assert tc.get_task(read_task)["is_paused"] is False  # submitted before the rule
    later = delete(tc, lab.id, "/data/run1/b.dat")
    assert tc.get_task(later)["is_paused"] is True  # delete pausing is on by default
    shown = manager_tc.endpoint_manager_get_pause_rule(rule["id"])
    assert (shown["identity_id"], shown["modify_existing"]) == (None, False)
    assert [r["id"] for r in manager_tc.endpoint_manager_pause_rule_list()] == [rule["id"]]


def test_pause_rules_need_an_activity_manager(tc, lab, globus_emulator, transfer_for):
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    globus_emulator.transfer.set_role(lab, monitor, "activity_monitor")
    monitor_tc = transfer_for(monitor)
    document = {"DATA_TYPE": "pause_rule", "endpoint_id": lab.id}
    assert _status(lambda: monitor_tc.endpoint_manager_create_pause_rule(document)) == 403
    rule = tc.endpoint_manager_create_pause_rule(document)  # the owner administers
    assert monitor_tc.endpoint_manager_get_pause_rule(rule["id"])["id"] == rule["id"]
    assert _status(lambda: monitor_tc.endpoint_manager_delete_pause_rule(rule["id"])) == 403
    assert _status(lambda: tc.endpoint_manager_create_pause_rule({"message": "x"})) == 400


def test_a_pause_rule_refuses_the_file_operations_it_names_until_it_is_deleted(
    tc, lab, globus_emulator, transfer_for
):
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(lab, manager, "activity_manager")
    manager_tc = transfer_for(manager)
    someone = globus_emulator.auth.add_identity("someone@example.org")
    rule = manager_tc.endpoint_manager_create_pause_rule(
        {"DATA_TYPE": "pause_rule", "endpoint_id": lab.id, "identity_id": someone.id}
    )
    assert [e["name"] for e in tc.operation_ls(lab.id, path="/data/run1")][:1] == ["a.dat"]
    manager_tc.endpoint_manager_update_pause_rule(
        rule["id"],
        {"DATA_TYPE": "pause_rule", "identity_id": None, "message": "fsck", "pause_mkdir": False},
    )
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        tc.operation_ls(lab.id, path="/data/run1")
    assert (refused.value.http_status, refused.value.code) == (403, "PermissionDenied")
    assert "fsck" in refused.value.message
    assert _status(lambda: tc.operation_stat(lab.id, path="/data/run1/a.dat")) == 403
    assert _status(lambda: tc.operation_rename(lab.id, "/data/big.bin", "/data/b2.bin")) == 403
    tc.operation_mkdir(lab.id, "/data/new")  # pause_mkdir is off
    shown = manager_tc.endpoint_manager_get_pause_rule(rule["id"])
    assert (shown["pause_ls"], shown["modified_by_id"]) == (True, manager.id)

    manager_tc.endpoint_manager_delete_pause_rule(rule["id"])
    assert "run1" in [e["name"] for e in tc.operation_ls(lab.id, path="/data")]
    tc.operation_rename(lab.id, "/data/big.bin", "/data/b2.bin")
    with pytest.raises(globus_sdk.TransferAPIError) as gone:
        manager_tc.endpoint_manager_get_pause_rule(rule["id"])
    assert (gone.value.http_status, gone.value.code) == (404, "PauseRuleNotFound")


def test_endpoint_management_needs_a_managed_endpoint(tc, lab, globus_emulator, transfer_for):
    """Activity roles on a collection without a subscription grant nothing."""
    home = globus_emulator.transfer.add_collection(
        "Home NAS", entity_type="GCP_mapped_collection", files={"/a.txt": "a"}
    )
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(home, manager, "activity_manager")
    manager_tc = transfer_for(manager)
    task_id = transfer(tc, home.id, lab.id, ("/a.txt", "/a.txt"))
    document = {"DATA_TYPE": "pause_rule", "endpoint_id": home.id}
    assert _status(lambda: manager_tc.endpoint_manager_create_pause_rule(document)) == 403
    assert _status(lambda: manager_tc.endpoint_manager_get_task(task_id)) == 403
    assert _status(lambda: manager_tc.endpoint_manager_get_endpoint(home.id)) == 403
    assert list(manager_tc.endpoint_manager_monitored_endpoints()) == []
    with globus_emulator.lock:  # the collection comes under a subscription
        globus_emulator.transfer.collection(home).subscription_id = lab.subscription_id
    assert manager_tc.endpoint_manager_get_task(task_id)["task_id"] == task_id
    manager_tc.endpoint_manager_create_pause_rule(document)


# -- admin pause, resume and cancel --------------------------------------------------------


def test_an_administrator_cancels_anothers_task_while_a_non_administrator_cannot(
    tc, lab, scratch, globus_emulator, transfer_for, manual
):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/copy", True))
    admin = globus_emulator.auth.add_identity("admin@example.org")
    globus_emulator.transfer.set_role(scratch, admin, "administrator")
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    globus_emulator.transfer.set_role(scratch, monitor, "activity_monitor")
    stranger_tc = transfer_for(globus_emulator.auth.add_identity("eve@example.org"))

    for outsider in (transfer_for(monitor), stranger_tc):
        assert _status(lambda c=outsider: c.endpoint_manager_cancel_tasks([task_id], "no")) == 403
    assert tc.get_task(task_id)["status"] == "ACTIVE"

    admin_tc = transfer_for(admin)
    cancel = admin_tc.endpoint_manager_cancel_tasks([task_id], "quota exceeded")
    assert admin_tc.endpoint_manager_cancel_status(cancel["id"])["done"] is True
    assert _status(lambda: stranger_tc.endpoint_manager_cancel_status(cancel["id"])) == 404
    task = tc.get_task(task_id)
    assert (task["status"], task["canceled_by_admin"]) == ("FAILED", "DESTINATION")
    assert task["canceled_by_admin_message"] == "quota exceeded"


def test_admin_pause_holds_a_task_until_resumed(
    tc, lab, scratch, globus_emulator, transfer_for, manual
):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(lab, manager, "activity_manager")
    manager_tc = transfer_for(manager)
    manager_tc.endpoint_manager_pause_tasks([task_id], "looking into it")
    assert tc.get_task(task_id)["is_paused"] is True
    assert tc.task_pause_info(task_id)["source_pause_message"] == "looking into it"
    admin_info = manager_tc.endpoint_manager_task_pause_info(task_id)
    assert admin_info["DATA_TYPE"] == "pause_info_limited"
    assert admin_info["source_pause_message"] == "looking into it"
    assert admin_info["destination_pause_message"] is None  # the manager's end is the source
    manager_tc.endpoint_manager_resume_tasks([task_id])
    assert tc.get_task(task_id)["is_paused"] is False
    codes = [e["code"] for e in manager_tc.endpoint_manager_task_event_list(task_id)]
    assert codes[:2] == ["RESUMED", "PAUSED"]


# -- endpoint_manager views -----------------------------------------------------------------


def test_managers_see_skipped_errors_hosted_endpoints_and_access_rules(
    tc, lab, scratch, globus_emulator, transfer_for
):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/missing", "/m"), skip_source_errors=True)
    guest = globus_emulator.transfer.add_collection(
        "Shared runs", entity_type="GCSv5_guest_collection", host_endpoint_id=lab.id
    )
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    globus_emulator.transfer.set_role(lab, monitor, "activity_monitor")
    globus_emulator.transfer.set_role(guest, monitor, "activity_monitor")
    monitor_tc = transfer_for(monitor)
    skipped = list(monitor_tc.endpoint_manager_task_skipped_errors(task_id))
    assert [s["source_path"] for s in skipped] == ["/data/missing"]
    assert [c["id"] for c in monitor_tc.endpoint_manager_hosted_endpoint_list(lab.id)] == [guest.id]
    assert monitor_tc.endpoint_manager_get_endpoint(lab.id)["id"] == lab.id
    assert list(monitor_tc.endpoint_manager_acl_list(guest.id)) == []
    assert _status(lambda: monitor_tc.endpoint_manager_get_endpoint(scratch.id)) == 403


# -- subscriptions --------------------------------------------------------------------------


def test_subscription_members_set_the_subscription_and_its_admins_verify(
    globus_emulator, transfer_for
):
    user = globus_emulator.user
    lab = globus_emulator.transfer.add_collection("Laptop", entity_type="GCP_mapped_collection")
    tc = transfer_for(user)
    boss = globus_emulator.auth.add_identity("boss@example.org")
    globus_emulator.world.groups.create(
        "Provider", {boss.id: "admin", user.id: "member"}, subscription_id=SUBSCRIPTION
    )
    assert _status(lambda: tc.set_subscription_id(lab.id, "f" * 8 + SUBSCRIPTION[8:])) == 403
    tc.set_subscription_id(lab.id, "DEFAULT")
    assert tc.get_endpoint(lab.id)["subscription_id"] == SUBSCRIPTION
    # The collection's owner may not grant verification; the subscription's admin may.
    assert _status(lambda: tc.set_subscription_admin_verified(lab.id, True)) == 403
    transfer_for(boss).set_subscription_admin_verified(lab.id, True)
    assert tc.get_endpoint(lab.id)["subscription_admin_verified"] is True
    tc.set_subscription_admin_verified(lab.id, False)  # administrators may revoke
    tc.set_subscription_id(lab.id, None)
    assert tc.get_endpoint(lab.id)["subscription_id"] is None


def test_an_endpoint_update_takes_the_apis_fields_and_a_refused_one_changes_nothing(
    globus_emulator, transfer_for
):
    laptop = globus_emulator.transfer.add_collection("Laptop", entity_type="GCP_mapped_collection")
    tc = transfer_for(None)
    tc.update_endpoint(
        laptop.id,
        {"is_globus_connect": True, "user_message": "hello", "network_use": "minimal"},
    )
    shown = tc.get_endpoint(laptop.id)
    assert (shown["user_message"], shown["network_use"]) == ("hello", "minimal")
    refused = {"description": "changed", "subscription_id": SUBSCRIPTION}  # not a member
    assert _status(lambda: tc.update_endpoint(laptop.id, refused)) == 403
    flipped = {"description": "changed", "is_globus_connect": False}
    assert _status(lambda: tc.update_endpoint(laptop.id, flipped)) == 400
    assert tc.get_endpoint(laptop.id)["description"] is None
