"""The dashboard: a page served by the emulator showing its world.

``/_testkit/dashboard`` is one static page; it polls
``/_testkit/dashboard/data`` (this module's :func:`view`) and redraws:
identities and clients, collections and their files, tasks and their
events, flows and runs with their logs, academy's exchange mailboxes, and
the live request journal.
It only reads the world.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from .clock import iso

if TYPE_CHECKING:
    from .emulator import World

MAX_FILES = 200
MAX_ROWS = 100


def view(world: World) -> dict[str, Any]:
    auth = world.auth
    return {
        "now": world.clock.isoformat(),
        "seed": world.seed,
        "identities": [
            {"id": i.id, "username": i.username, "name": i.name}
            for i in auth.identities.values()
            if i.identity_type == "login"
        ],
        "clients": [
            {"id": c.id, "name": c.name, "type": c.client_type}
            for c in auth.clients.values()
            if c.client_type != "resource_server"
        ],
        "collections": [_collection(c) for c in world.transfer.collections.values()],
        "tasks": [_task(world, t) for t in list(world.tasks.tasks.values())[-MAX_ROWS:]],
        "flows": [
            {"id": f.id, "title": f.title, "states": len(f.definition.get("States", {}))}
            for f in world.flows.flows.values()
        ],
        "runs": [
            {
                "id": r.id,
                "flow_title": r.flow_title,
                "label": r.label,
                "status": r.status,
                "log": [e["code"] for e in r.log[-20:]],
            }
            for r in list(world.flows.runs.values())[-MAX_ROWS:]
        ],
        "mailboxes": [
            m.summary(world.clock.now())
            for m in list(world.exchange.mailboxes.values())[-MAX_ROWS:]
        ],
        "journal": [e.to_dict() for e in world.journal.latest(MAX_ROWS)],
    }


def _collection(collection: Any) -> dict[str, Any]:
    # The first MAX_FILES only: the page refreshes every 2 s under the lock.
    walk = islice(collection.tree.iter_walk("/"), 1, MAX_FILES + 1)
    files = [{"path": path, "type": node.kind, "size": node.size} for path, node in walk]
    return {
        "id": collection.id,
        "display_name": collection.display_name,
        "entity_type": collection.entity_type,
        "files": files,
    }


def _task(world: World, task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "type": task.type,
        "status": task.status,
        "label": task.label,
        "files": task.counts["files_transferred"],
        "requested": iso(task.request_time),
        "events": [e["code"] for e in task.events],
    }


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>globus-testkit dashboard</title>
<style>
 body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #1d2733; background: #f6f8fa; }
 h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
 .meta { color: #5b6b7b; } section { background: #fff; border: 1px solid #d8dee4;
 border-radius: 6px; padding: .6em 1em; margin-bottom: 1em; }
 table { border-collapse: collapse; width: 100%; } td, th { text-align: left;
 padding: 2px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
 th { color: #5b6b7b; font-weight: 600; } code { font-size: 12px; }
 .SUCCEEDED { color: #1a7f37; } .FAILED { color: #cf222e; } .ACTIVE { color: #9a6700; }
 .INACTIVE, .ENDED, .TERMINATED { color: #6e7781; } .grid { display: grid;
 grid-template-columns: 1fr 1fr; gap: 1em; }
</style></head><body>
<h1>globus-testkit</h1>
<div class="meta">virtual time <span id="now"></span> &middot; seed <span id="seed"></span>
 &middot; refreshed <span id="refreshed"></span></div>
<div class="grid">
 <section><h2>Identities</h2><table id="identities"></table></section>
 <section><h2>Clients</h2><table id="clients"></table></section>
</div>
<section><h2>Collections</h2><div id="collections"></div></section>
<section><h2>Tasks</h2><table id="tasks"></table></section>
<div class="grid">
 <section><h2>Flows</h2><table id="flows"></table></section>
 <section><h2>Runs</h2><table id="runs"></table></section>
</div>
<section><h2>Exchange mailboxes</h2><table id="mailboxes"></table></section>
<section><h2>Journal</h2><table id="journal"></table></section>
<script>
function cell(row, text, cls) {
  const td = row.insertCell(); td.textContent = text == null ? "" : String(text);
  if (cls) td.className = cls; return td;
}
function table(id, headers, rows, fill) {
  const t = document.getElementById(id); t.textContent = "";
  const head = t.insertRow(); headers.forEach(h => {
    const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
  rows.forEach(r => fill(t.insertRow(), r));
}
async function refresh() {
  const data = await (await fetch("dashboard/data")).json();
  document.getElementById("now").textContent = data.now;
  document.getElementById("seed").textContent = data.seed;
  document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
  table("identities", ["username", "name", "id"], data.identities,
        (row, i) => { cell(row, i.username); cell(row, i.name); cell(row, i.id); });
  table("clients", ["name", "type", "id"], data.clients,
        (row, c) => { cell(row, c.name); cell(row, c.type); cell(row, c.id); });
  const box = document.getElementById("collections"); box.textContent = "";
  data.collections.forEach(c => {
    const h = document.createElement("h3"); h.textContent = c.display_name + " (" +
      c.entity_type + ")"; box.appendChild(h);
    const pre = document.createElement("code"); pre.style.whiteSpace = "pre";
    pre.textContent = c.files.map(f => (f.type === "dir" ? "[d] " : "    ") + f.path +
      (f.type === "file" ? "  " + f.size + " B" : "")).join("\\n");
    box.appendChild(pre);
  });
  table("tasks", ["task", "type", "status", "label", "files", "events"], data.tasks,
        (row, t) => { cell(row, t.id); cell(row, t.type); cell(row, t.status, t.status);
                      cell(row, t.label); cell(row, t.files); cell(row, t.events.join(", ")); });
  table("flows", ["title", "states", "id"], data.flows,
        (row, f) => { cell(row, f.title); cell(row, f.states); cell(row, f.id); });
  table("runs", ["flow", "label", "status", "log"], data.runs,
        (row, r) => { cell(row, r.flow_title); cell(row, r.label); cell(row, r.status, r.status);
                      cell(row, r.log.join(" > ")); });
  table("mailboxes", ["role", "name", "agent class", "status", "queued", "heartbeat", "uid"],
        data.mailboxes,
        (row, m) => { cell(row, m.role); cell(row, m.name); cell(row, m.agent_class);
                      cell(row, m.status, m.status); cell(row, m.queued);
                      cell(row, m.heartbeat_age == null ? "" :
                                 Math.round(m.heartbeat_age) + " s ago");
                      cell(row, m.uid); });
  table("journal", ["service", "operation", "method", "path", "status"],
        data.journal.slice().reverse(),
        (row, e) => { cell(row, e.service); cell(row, e.operation); cell(row, e.method);
                      cell(row, e.path); cell(row, e.status); });
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
"""
