"""Run every globus-cli command once, in-process, and print a JSON report.

Runs inside globus-cli's own Python (the test starts it with the
interpreter of the ``globus`` executable): ``python cli_sweep_driver.py
WORLD_JSON``, with the environment that sends the CLI to the emulator.
Each command gets fresh things to act on (a flow, a run, a group...),
made through the CLI itself, so a delete never hides a show. The report
maps each command to its exit code, the HTTP status the CLI printed (if
any) and, for a crash, the exception."""

from __future__ import annotations

import json
import re
import sys
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import click
from click.testing import CliRunner
from globus_cli.commands import main

HTTP_STATUS = re.compile(r"HTTP status:\s*(\d+)")
POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT_FLOW = {
    "StartAt": "W",
    "States": {
        "W": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/test",
            "Parameters": {"outcome": "inactive"},
            "End": True,
        }
    },
}
ASK_FLOW = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "CreateWebInput",
            "Parameters": {
                "input_type": "selection",
                "context": {"title": "Go on?", "presentation_style": "text", "text": "?"},
                "options": [{"label": "Yes", "description": "go"}],
            },
            "ResultPath": "$.question",
            "Next": "Wait",
        },
        "Wait": {
            "Type": "AwaitWebInput",
            "Parameters": {"WebInputId.$": "$.question.id"},
            "End": True,
        },
    },
}
REGISTERED_API = {
    "name": "get-group",
    "description": "Globus Groups: get a group",
    "target": {
        "type": "openapi",
        "openapi_version": "3.1",
        "destination": {"method": "get", "url": "https://groups.api.globus.org/v2/groups/{id}"},
        "specification": {
            "summary": "Get Group",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "security": [{"GlobusAuth": ["urn:globus:auth:scope:groups.api.globus.org:all"]}],
        },
    },
}
# Commands a sweep cannot run: they ask a person something, change the
# installation, or need a local Globus Connect Personal.
SKIPS = {
    "login": "interactive: asks a person to log in through a browser",
    "logout": "revokes the CLI's own login and asks for confirmation",
    "session consent": "interactive: a browser login to consent",
    "session update": "interactive: a browser login to add identities",
    "update": "upgrades globus-cli itself with pip",
    "endpoint local-id": "reads a local Globus Connect Personal installation",
}
# Options a command needs beyond its arguments
EXTRA = {
    "endpoint permission create": ["--permissions", "r", "--identity", "{other}"],
    "endpoint role create": ["--role", "activity_monitor", "--identity", "{other}"],
    "endpoint search": ["--filter-scope", "my-endpoints"],
    "flows start": ["--input", "{}"],
    "search delete-by-query": ["-q", "*"],
    "search query": ["-q", "*"],
    "task cancel": ["--all"],
    "task wait": ["--timeout", "1", "--polling-interval", "1"],
    "rm": ["--timeout", "1", "--polling-interval", "1"],
    "timer create flow": ["--interval", "1h"],
    "timer create transfer": ["--interval", "1h"],
    "gcs collection create mapped": ["--storage-gateway-id", "{gateway}"],
    "collection create mapped": ["--storage-gateway-id", "{gateway}"],
}
API_PATHS = {
    "api auth": "/v2/api/identities",
    "api flows": "/flows",
    "api gcs": "/api/info",
    "api groups": "/v2/groups/my_groups",
    "api search": "/v1/index_list",
    "api timers": "/jobs/",
    "api transfer": "/task_list",
}


class Sweep:
    def __init__(self, world: dict[str, str]) -> None:
        self.world = world
        self.runner = CliRunner()
        self._index: str | None = None

    def invoke(self, args: list[str]) -> Any:
        return self.runner.invoke(main, args, catch_exceptions=True)

    def made(self, args: list[str]) -> dict[str, Any]:
        done = self.invoke([*args, "-Fjson"])
        if done.exit_code != 0:
            raise RuntimeError(f"globus {' '.join(args)}: {done.output}")
        return dict(json.loads(done.output))

    # things a command acts on, made fresh for it
    def flow(self, definition: dict[str, Any] = WAIT_FLOW) -> str:
        return str(self.made(["flows", "create", "Swept", json.dumps(definition)])["id"])

    def run(self) -> str:
        return str(self.made(["flows", "start", self.flow(), "--input", "{}"])["run_id"])

    def group(self) -> str:
        return str(self.made(["group", "create", "Swept"])["id"])

    def index(self) -> str:
        return str(self.made(["search", "index", "create", "Swept", "swept"])["id"])

    def task(self) -> str:
        lab = self.world["lab"]
        args = ["transfer", f"{lab}:/data/a.txt", f"{lab}:/data/copy.txt"]
        return str(self.made(args)["task_id"])

    def timer(self) -> str:
        lab = self.world["lab"]
        args = ["timer", "create", "transfer", f"{lab}:/data/a.txt", f"{lab}:/data/t.txt"]
        made = self.made([*args, "--interval", "1h"])
        return str(made.get("timer", made)["job_id"])

    def tunnel(self) -> str:
        args = ["streams", "tunnel", "create", self.world["initiator"], self.world["listener"]]
        return str(self.made(args)["data"]["id"])

    def bookmark(self) -> str:
        name = f"mark-{uuid.uuid4().hex[:8]}"
        self.made(["bookmark", "create", f"{self.world['lab']}:/data/", name])
        return name

    def permission(self) -> tuple[str, str]:
        guest = self.guest()
        args = ["endpoint", "permission", "create", f"{guest}:/", "--permissions", "r"]
        rule = self.made([*args, "--identity", self.world["other"]])
        return guest, str(rule["access_id"])

    def guest(self) -> str:
        args = ["gcp", "create", "guest", "Swept guest", f"{self.world['lab']}:/data/"]
        return str(self.made(args)["id"])

    def guest_permission_target(self) -> str:
        return f"{self.guest()}:/"

    def transfer_role(self, role: str) -> tuple[str, str]:
        """``role`` for the other identity (who holds each role once)."""
        personal = self.world["personal"]
        args = ["endpoint", "role", "create", personal, "--role", role]
        made = self.made([*args, "--identity", self.world["other"]])
        return personal, str(made["id"])

    def gcs_role(self) -> str:
        args = ["gcs", "endpoint", "role", "create", self.world["gcs"], "administrator"]
        return str(self.made([*args, self.world["other"]])["id"])

    def gcs_collection(self) -> str:
        args = ["gcs", "collection", "create", "mapped", self.world["gcs"], "Swept mapped"]
        args += ["--storage-gateway-id", self.world["gateway"], "--allow-guest-collections"]
        return str(self.made(args)["id"])

    def gateway(self) -> str:
        """A fresh POSIX gateway (an identity has one credential per gateway)."""
        body = {"display_name": "Swept", "connector_id": POSIX, "allowed_domains": ["*"]}
        args = ["api", "gcs", self.world["gcs"], "POST", "/storage_gateways"]
        return str(self.made([*args, "--body", json.dumps(body)])["data"][0]["id"])

    def credential(self) -> str:
        args = ["gcs", "user-credential", "create", "posix", self.world["gcs"]]
        made = self.made([*args, self.gateway(), self.world["user"], "sweeper"])
        return str(made["id"])

    def cached_index(self) -> str:
        """One index for the commands that read or change entries (an
        identity owns at most three trial indexes)."""
        if self._index is None:
            self._index = self.index()
            self.ingest_task()
        return self._index

    def ingest_task(self) -> str:
        """Entries "show" and "delete" ingested into the cached index."""
        entries = [
            {"subject": subject, "visible_to": ["public"], "content": {"n": 1}}
            for subject in ("show", "delete")
        ]
        document = {"ingest_type": "GMetaList", "ingest_data": {"gmeta": entries}}
        args = ["search", "ingest", self.cached_index(), json.dumps(document)]
        return str(self.made(args)["task_id"])

    def gcp_mapped(self) -> str:
        return str(self.made(["gcp", "create", "mapped", "Swept laptop"])["id"])

    def guest_of_mapped(self) -> str:
        """A GCS mapped collection the CLI's identity has a credential for."""
        w = self.world
        # made once; a later call is refused as a duplicate, which is fine
        self.invoke(
            ["gcs", "user-credential", "create", "posix", w["gcs"], w["gateway"], w["user"], "u"]
        )
        return self.gcs_collection()

    def collection_role(self) -> list[str]:
        collection = self.gcs_collection()
        body = {
            "collection": collection,
            "principal": self.world["other_urn"],
            "role": "activity_monitor",
        }
        args = ["api", "gcs", self.world["gcs"], "POST", "/roles", "--body", json.dumps(body)]
        return [collection, str(self.made(args)["data"][0]["id"])]

    def ended_run(self) -> str:
        run = self.run()
        self.made(["flows", "run", "cancel", run])
        return run

    def paused_timer(self) -> str:
        timer = self.timer()
        self.invoke(["timer", "pause", timer])
        return timer

    def gcp_guest(self) -> str:
        args = ["gcp", "create", "guest", "Swept guest", f"{self.world['personal']}:/"]
        return str(self.made(args)["id"])

    def web_input(self) -> tuple[str, str]:
        """A web input a run of the CLI's waits on, and its first option."""
        run = self.made(["flows", "start", self.flow(ASK_FLOW), "--input", "{}"])
        shown = self.made(["flows", "run", "show", run["run_id"]])
        asked = self.made(["flows", "web-input", "show", shown["blocking_web_input_id"]])
        return str(asked["id"]), str(asked["options"][0]["option_id"])

    def registered_api(self) -> str:
        body = json.dumps(REGISTERED_API)
        return str(self.made(["api", "flows", "POST", "/registered_apis", "--body", body])["id"])

    def index_role(self) -> tuple[str, str]:
        index = self.cached_index()
        args = ["search", "index", "role", "create", index, "admin", self.world["other_urn"]]
        return index, str(self.made(args)["id"])


def arguments(sweep: Sweep, name: str, params: list[click.Parameter]) -> list[str]:
    """The command's arguments, by what each names."""
    w = sweep.world
    special: dict[str, Callable[[], list[str]]] = {
        "bookmark delete": lambda: [sweep.bookmark()],
        "bookmark rename": lambda: [sweep.bookmark(), "renamed"],
        "bookmark show": lambda: [sweep.bookmark()],
        "endpoint permission delete": lambda: list(sweep.permission()),
        "endpoint permission show": lambda: list(sweep.permission()),
        "endpoint permission update": lambda: [*sweep.permission(), "--permissions", "rw"],
        "endpoint role delete": lambda: list(sweep.transfer_role("access_manager")),
        "endpoint role show": lambda: list(sweep.transfer_role("activity_manager")),
        "gcs endpoint role delete": lambda: [w["gcs"], sweep.gcs_role()],
        "gcs endpoint role show": lambda: [w["gcs"], sweep.gcs_role()],
        "gcs user-credential delete": lambda: [w["gcs"], sweep.credential()],
        "gcs user-credential show": lambda: [w["gcs"], sweep.credential()],
        "endpoint user-credential delete": lambda: [w["gcs"], sweep.credential()],
        "endpoint user-credential show": lambda: [w["gcs"], sweep.credential()],
        "flows web-input respond": lambda: list(sweep.web_input()),
        "flows web-input show": lambda: [sweep.web_input()[0]],
        "search subject show": lambda: (sweep.ingest_task(), [sweep.cached_index(), "show"])[1],
        "search subject delete": lambda: [sweep.cached_index(), "delete"],
        "search task show": lambda: [sweep.ingest_task()],
        "endpoint delete": lambda: [sweep.gcp_mapped()],
        "collection create guest": lambda: [sweep.guest_of_mapped(), "/", "Swept guest"],
        "gcs collection create guest": lambda: [sweep.guest_of_mapped(), "/", "Swept guest"],
        "collection role delete": sweep.collection_role,
        "collection role show": sweep.collection_role,
        "gcs collection role delete": sweep.collection_role,
        "gcs collection role show": sweep.collection_role,
        "search index delete": lambda: [sweep.index()],
        "endpoint permission create": lambda: [sweep.guest_permission_target()],
        "flows run delete": lambda: [sweep.ended_run()],
        "timer resume": lambda: [sweep.paused_timer()],
        "gcp update guest": lambda: [sweep.gcp_guest()],
        "api gcs": lambda: [w["gcs"], "get", "/info"],
        "group invite accept": lambda: [w["invited_group"]],
        "group invite decline": lambda: [w["declined_group"]],
        "group join": lambda: [w["open_group"], "--request"],
        "group leave": lambda: [w["member_group"]],
        "group member approve": lambda: [w["requested_group"], w["other"]],
        "group member reject": lambda: [w["rejected_group"], w["other"]],
        "group member remove": lambda: [w["roster_group"], w["other"]],
        "search index role delete": lambda: list(sweep.index_role()),
        "rename": lambda: [w["lab"], "/data/b.txt", "/data/renamed.txt"],
        "mkdir": lambda: [f"{w['lab']}:/data/new-{uuid.uuid4().hex[:6]}"],
    }
    if name in special:
        return special[name]()
    gcs = name.startswith(("gcs ", "collection ", "endpoint storage-gateway", "endpoint user-"))
    values: dict[str, Callable[[], str]] = {
        "endpoint_id": lambda: w["gcs"] if gcs else w["personal"],
        "collection_id": lambda: sweep.gcs_collection() if gcs else w["personal"],
        "mapped_collection_id": sweep.gcs_collection,
        "endpoint_plus_path": lambda: f"{w['lab']}:/data/",
        "host_gcp_path": lambda: f"{w['personal']}:/",
        "source": lambda: f"{w['lab']}:/data/a.txt",
        "destination": lambda: f"{w['lab']}:/data/z.txt",
        "task_id": sweep.task,
        "flow_id": sweep.flow,
        "run_id": sweep.run,
        "group_id": sweep.group,
        "index_id": sweep.cached_index,
        "timer_id": sweep.timer,
        "tunnel_id": sweep.tunnel,
        "stream_access_point_id": lambda: w["initiator"],
        "initiator_stream_ap_id": lambda: w["initiator"],
        "listener_stream_ap_id": lambda: w["listener"],
        "definition": lambda: json.dumps(PASS_FLOW),
        "document": lambda: json.dumps(
            {
                "ingest_type": "GMetaEntry",
                "ingest_data": {"subject": "d", "visible_to": ["public"], "content": {}},
            }
        ),
        "user_credential_json": lambda: json.dumps(
            {"storage_gateway_id": sweep.gateway(), "identity_id": w["user_id"], "username": "u"}
        ),
        "values": lambda: w["user"],
        "user": lambda: w["other"],
        "globus_identity": lambda: w["user"],
        "principal": lambda: w["other_urn"],
        "subscription_id": lambda: w["subscription"],
        "storage_gateway": sweep.gateway,
        "registered_api_id": sweep.registered_api,
        "collection_base_path": lambda: "/",
        "status": lambda: "false",
        "role_name": lambda: "writer",
        "local_username": lambda: "sweeper",
        "path": lambda: API_PATHS.get(name, "/"),
    }
    found: list[str] = []
    for param in params:
        if not isinstance(param, click.Argument) or not param.required:
            continue
        if param.name in values:
            found.append(values[param.name]())
        elif isinstance(param.type, click.Choice):
            found.append("get" if param.name == "method" else str(param.type.choices[0]))
        else:
            found.append("swept")
    return found


def commands(group: click.Group, path: list[str], ctx: click.Context | None) -> Any:
    here = click.Context(group, info_name=path[-1] if path else "globus", parent=ctx)
    for name in group.list_commands(here):
        command = group.get_command(here, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, [*path, name], here)
        else:
            yield [*path, name], command


def sweep_all(world: dict[str, str]) -> dict[str, dict[str, Any]]:
    sweep = Sweep(world)
    report: dict[str, dict[str, Any]] = {}
    for path, command in commands(main, [], None):
        name = " ".join(path)
        if name in SKIPS:
            report[name] = {"skipped": SKIPS[name]}
            continue
        try:
            args = arguments(sweep, name, command.params)
        except Exception as err:  # the things it acts on could not be made
            report[name] = {"exit": None, "setup": repr(err)[-400:]}
            continue
        extra = [
            a.replace("{other}", world["other"]).replace("{gateway}", world["gateway"])
            for a in EXTRA.get(name, [])
        ]
        done = sweep.invoke([*path, *args, *extra])
        status = HTTP_STATUS.search(done.output)
        entry: dict[str, Any] = {
            "args": args + extra,
            "exit": done.exit_code,
            "http": int(status.group(1)) if status else None,
            "output": done.output[-300:],
        }
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            entry["crash"] = "".join(traceback.format_exception(done.exception))[-800:]
        report[name] = entry
    return report


if __name__ == "__main__":
    print(json.dumps(sweep_all(json.loads(sys.argv[1]))))
