"""Globus Search's HTTP surface (``/v1/...``): indexes, roles, ingest and
delete tasks, queries and scrolling. Errors are GError documents
(``{"@datatype": "GError", "code", "message", "status", "request_id"}``).

Queries work without a token (public entries only), as the real service
allows; everything else needs one.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, validate
from ..auth.models import IDENTITY_URN, identity_urn
from ..auth.spec import resolve_identity_id
from ..base import Routes, Service
from ..groups.models import GROUP_URN
from . import results
from .models import (
    ADMINS,
    MAX_RESULTS,
    OWNER,
    PUBLIC,
    ROLE_NAMES,
    WRITERS,
    Entry,
    SearchError,
    SearchIndex,
    SearchState,
    bad_query,
    forbidden,
)
from .models import MAX_SUBJECT_BYTES as _MAX_SUBJECT_BYTES

if TYPE_CHECKING:
    from ...emulator import World
    from ..auth.models import TokenInfo

routes = Routes()

SEARCH_RESOURCE_SERVER = "search.api.globus.org"
_SCOPE = "urn:globus:auth:scope:search.api.globus.org:"
ALL, SEARCH, INGEST = _SCOPE + "all", _SCOPE + "search", _SCOPE + "ingest"
QUERYING = frozenset((ALL, SEARCH))
WRITING = frozenset((ALL, INGEST))
ADMINISTERING = frozenset((ALL,))
V1 = "/v1"


class SearchService(Service):
    name = "search"
    hosts = ("search.api.globus.org",)
    resource_server = SEARCH_RESOURCE_SERVER
    routes = routes
    world_schema: ClassVar[dict[str, Any]] = {
        "search_indexes": {
            "type": "array",
            "description": "Search indexes, each owned by the world's user unless "
            "owner names an identity by username or id",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["display_name"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "display_name": {"type": "string"},
                    "description": {"type": "string"},
                    "owner": {"type": "string"},
                    "entries": {"type": "array", "items": {"type": "object"}},
                },
            },
        }
    }

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        for i, described in enumerate(spec.get("search_indexes", [])):
            given = described.get("owner", world.user_id)
            owner = resolve_identity_id(world, given, f"search_indexes[{i}].owner")
            index = world.search.create_index(
                owner,
                described["display_name"],
                described.get("description", ""),
                trial=False,
                index_id=described.get("id"),
            )
            if described.get("entries"):
                entries = [_entry(e, f"entries[{i}]") for i, e in enumerate(described["entries"])]
                world.search.submit(index, "ingest", entries=entries)
                world.search.settle(_delete_query_subjects)

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@datatype": "GError",
            "@version": "2017-09-01",
            "code": err.code,
            "message": err.message,
            "status": err.status,
            "request_id": call.request_id,
        }
        if "error_data" in err.extra:
            body["error_data"] = err.extra["error_data"]
        return body

    def handle(self, call: Call) -> Reply:
        # Every read and write sees the tasks that are due by now applied.
        self.state.settle(_delete_query_subjects)
        return super().handle(call)

    @property
    def state(self) -> SearchState:
        return self.world.search

    # -- who is calling ----------------------------------------------------------------

    def caller(self, call: Call, scopes: frozenset[str]) -> tuple[TokenInfo, frozenset[str]]:
        """The caller's token (with one of ``scopes``) and principal URNs."""
        info = self.authenticate(call)
        if self.world.auth.strict and scopes.isdisjoint(info.scopes):
            raise SearchError(
                403, "Forbidden.Generic", "the token lacks a Search scope this call needs"
            )
        return info, self.principal_urns(info.identity_id)

    def reader(self, call: Call) -> frozenset[str]:
        """Principals of an optional caller: queries without a token see
        only public entries."""
        if call.bearer() is None:
            return frozenset((PUBLIC,))
        return self.caller(call, QUERYING)[1] | {PUBLIC}

    def index_for(
        self,
        call: Call,
        index_id: str,
        scopes: frozenset[str],
        roles: frozenset[str],
        operation: str,
        *,
        open_only: bool = True,
    ) -> tuple[SearchIndex, frozenset[str], TokenInfo]:
        info, principals = self.caller(call, scopes)
        index = self.state.index(index_id)
        if not roles & index.roles_of(principals):
            raise forbidden(operation)
        if open_only and index.status != "open":
            index = self.state.index(index_id, open_only=True)
        return index, principals, info


def _delete_query_subjects(
    index: SearchIndex, query: dict[str, Any], principals: frozenset[str]
) -> list[str]:
    from . import engine  # with luqum under it: loaded by the first query

    outcome = engine.run(index, query, principals | {PUBLIC}, ordered=False)
    return [hit.subject for hit in outcome.hits]


# -- indexes -------------------------------------------------------------------------


@routes.route(f"{V1}/index", "POST", operation="create_index")
def create_index(svc: SearchService, call: Call) -> Reply:
    info, _ = svc.caller(call, ADMINISTERING)
    body = call.json_object()
    validate(body, "search_index_create", code="BadRequest.Generic")
    index = svc.state.create_index(info.identity_id, body["display_name"], body["description"])
    return Reply(index.to_api())


@routes.route(f"{V1}/index/<index_id>", "GET", operation="get_index")
def get_index(svc: SearchService, call: Call, index_id: str) -> Reply:
    svc.caller(call, QUERYING | WRITING)
    return Reply(svc.state.index(index_id).to_api())


@routes.route(f"{V1}/index/<index_id>", "PATCH", operation="update_index")
def update_index(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, ADMINISTERING, ADMINS, "index_update")
    body = call.json_object()
    validate(body, "search_index_update", code="BadRequest.Generic")
    index.display_name = body.get("display_name", index.display_name)
    index.description = body.get("description", index.description)
    return Reply(index.to_api())


@routes.route(f"{V1}/index/<index_id>", "DELETE", operation="delete_index")
def delete_index(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(
        call, index_id, ADMINISTERING, frozenset((OWNER,)), "index_delete", open_only=False
    )
    svc.state.mark_deleted(index)
    return Reply({"index_id": index.id, "acknowledged": True})


@routes.route(f"{V1}/index/<index_id>/reopen", "POST", operation="reopen_index")
def reopen_index(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(
        call, index_id, ADMINISTERING, frozenset((OWNER,)), "index_reopen", open_only=False
    )
    svc.state.reopen(index)
    return Reply({"index_id": index.id, "acknowledged": True})


@routes.route(f"{V1}/index_list", "GET", operation="index_list")
def index_list(svc: SearchService, call: Call) -> Reply:
    _, principals = svc.caller(call, QUERYING | WRITING)
    wanted = set(call.arg_csv("filter_roles"))
    if wanted - set(ROLE_NAMES):
        raise bad_query(f"filter_roles may name {', '.join(ROLE_NAMES)}")
    listed = []
    for index in svc.state.indexes_held(principals):
        roles = index.roles_of(principals)
        if roles and (not wanted or roles & wanted):
            listed.append({**index.to_api(), "permissions": sorted(roles)})
    return Reply({"index_list": listed})


# -- roles ---------------------------------------------------------------------------


@routes.route(f"{V1}/index/<index_id>/role", "POST", operation="create_role")
def create_role(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, principals, _ = svc.index_for(call, index_id, ADMINISTERING, ADMINS, "role_create")
    body = call.json_object()
    validate(body, "search_role_create", code="BadRequest.Generic")
    if body["role_name"] == OWNER and OWNER not in index.roles_of(principals):
        raise forbidden("role_create")
    role = svc.state.create_role(index, body["principal"], body["role_name"])
    return Reply(role.to_api())


@routes.route(f"{V1}/index/<index_id>/role_list", "GET", operation="get_role_list")
def get_role_list(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, ADMINISTERING, ADMINS, "role_list", open_only=False)
    return Reply({"role_list": [r.to_api() for r in index.roles.values()]})


@routes.route(f"{V1}/index/<index_id>/role/<role_id>", "DELETE", operation="delete_role")
def delete_role(svc: SearchService, call: Call, index_id: str, role_id: str) -> Reply:
    index, principals, _ = svc.index_for(call, index_id, ADMINISTERING, ADMINS, "role_delete")
    target = index.roles.get(role_id)
    if target is not None and target.role_name == OWNER and OWNER not in index.roles_of(principals):
        raise forbidden("role_delete")
    return Reply({"deleted": svc.state.delete_role(index, role_id).to_api(), "success": True})


# -- writes, as tasks ----------------------------------------------------------------


@routes.route(f"{V1}/index/<index_id>/ingest", "POST", operation="ingest")
def ingest(svc: SearchService, call: Call, index_id: str) -> Reply:
    return _ingest(svc, call, index_id, one_entry=False)


# Search's older entry routes (globus-sdk 3's create_entry and update_entry)
# are aliases of ingest: one GMetaEntry, written whether or not it exists.
@routes.route(f"{V1}/index/<index_id>/entry", "POST", operation="create_entry")
def create_entry(svc: SearchService, call: Call, index_id: str) -> Reply:
    return _ingest(svc, call, index_id, one_entry=True)


@routes.route(f"{V1}/index/<index_id>/entry", "PUT", operation="update_entry")
def update_entry(svc: SearchService, call: Call, index_id: str) -> Reply:
    return create_entry(svc, call, index_id)


def _ingest(svc: SearchService, call: Call, index_id: str, *, one_entry: bool) -> Reply:
    index, _, info = svc.index_for(call, index_id, WRITING, WRITERS, "ingest")
    body = call.json_object()
    if one_entry:
        body = {"ingest_type": "GMetaEntry", "ingest_data": body}
    validate(body, "search_ingest", code="BadRequest.Generic")
    if body["ingest_type"] == "GMetaEntry":
        documents = [body["ingest_data"]]
    else:
        documents = body["ingest_data"]["gmeta"]
    entries = [_entry(d, f"ingest_data.gmeta[{i}]") for i, d in enumerate(documents)]
    task = svc.state.submit(index, "ingest", entries=entries)
    return Reply(
        {
            "acknowledged": True,
            "success": True,
            "task_id": task.task_id,
            "num_documents_ingested": len(entries),
            "as_identity": identity_urn(info.identity_id),
        }
    )


def _entry(document: dict[str, Any], where: str) -> Entry:
    subject = document["subject"]
    if len(subject.encode("utf-8")) > _MAX_SUBJECT_BYTES:
        raise bad_query(f"{where}.subject is longer than {_MAX_SUBJECT_BYTES} bytes")
    for principal in document["visible_to"]:
        if principal != PUBLIC and not principal.startswith((IDENTITY_URN, GROUP_URN)):
            raise bad_query(f"{where}.visible_to: {principal!r} is not 'public' or a principal URN")
    return Entry(subject, document.get("id"), document["content"], list(document["visible_to"]))


@routes.route(f"{V1}/index/<index_id>/delete_by_query", "POST", operation="delete_by_query")
def delete_by_query(svc: SearchService, call: Call, index_id: str) -> Reply:
    from . import engine

    index, principals, _ = svc.index_for(call, index_id, WRITING, WRITERS, "delete_by_query")
    body = call.json_object()
    validate(body, "search_delete_by_query", code="BadRequest.Generic")
    engine.run(index, body, principals | {PUBLIC})  # refuse a bad query now, not in the task
    task = svc.state.submit(index, "delete-by-query", query=body, principals=principals)
    return Reply({"acknowledged": True, "task_id": task.task_id})


@routes.route(
    f"{V1}/index/<index_id>/batch_delete_by_subject", "POST", operation="batch_delete_by_subject"
)
def batch_delete_by_subject(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, WRITING, WRITERS, "batch_delete_by_subject")
    body = call.json_object()
    validate(body, "search_batch_delete", code="BadRequest.Generic")
    task = svc.state.submit(index, "delete-by-subject", subjects=body["subjects"])
    return Reply({"task_id": task.task_id})


# -- subjects and entries ------------------------------------------------------------


def _required_arg(call: Call, name: str) -> str:
    value = call.args.get(name)
    if value is None:
        raise bad_query(f"the {name} query parameter is required")
    return value


@routes.route(f"{V1}/index/<index_id>/subject", "GET", operation="get_subject")
def get_subject(svc: SearchService, call: Call, index_id: str) -> Reply:
    principals = svc.reader(call)
    index = svc.state.index(index_id)
    subject = _required_arg(call, "subject")
    bypass = _bypass(call.arg_bool("bypass_visible_to"), index, principals)
    visible = [
        e for e in index.subjects.get(subject, {}).values() if bypass or e.visible(principals)
    ]
    if not visible:
        raise SearchError(404, "NotFound.Generic", f"no subject {subject!r} visible to you")
    hit = results.Hit(subject, visible, 1.0)
    return Reply(results.gmeta(hit, principals, _result_version(call.args)))


@routes.route(f"{V1}/index/<index_id>/subject", "DELETE", operation="delete_subject")
def delete_subject(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, WRITING, WRITERS, "delete_subject")
    subject = _required_arg(call, "subject")
    task = svc.state.submit(index, "delete-by-subject", subjects=[subject])
    return Reply({"acknowledged": True, "task_id": task.task_id})


@routes.route(f"{V1}/index/<index_id>/entry", "GET", operation="get_entry")
def get_entry(svc: SearchService, call: Call, index_id: str) -> Reply:
    principals = svc.reader(call)
    index = svc.state.index(index_id)
    subject = _required_arg(call, "subject")
    entry_id = call.args.get("entry_id") or None
    entry = index.subjects.get(subject, {}).get(entry_id)
    bypass = _bypass(call.arg_bool("bypass_visible_to"), index, principals)
    if entry is None or not (bypass or entry.visible(principals)):
        raise SearchError(404, "NotFound.Generic", f"no entry {entry_id!r} of {subject!r}")
    hit = results.Hit(subject, [entry], 1.0)
    return Reply(results.gmeta(hit, principals, _result_version(call.args)))


@routes.route(f"{V1}/index/<index_id>/entry", "DELETE", operation="delete_entry")
def delete_entry(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, WRITING, WRITERS, "delete_entry")
    subject = _required_arg(call, "subject")
    entry_id = call.args.get("entry_id") or None
    task = svc.state.submit(index, "delete-by-entry-id", entry_keys=[(subject, entry_id)])
    return Reply({"acknowledged": True, "task_id": task.task_id})


# -- tasks ---------------------------------------------------------------------------


@routes.route(f"{V1}/task/<task_id>", "GET", operation="get_task")
def get_task(svc: SearchService, call: Call, task_id: str) -> Reply:
    _, principals = svc.caller(call, WRITING)
    task = svc.state.task(task_id)
    if not WRITERS & svc.state.index(task.index_id).roles_of(principals):
        raise forbidden("task_show")
    return Reply(task.to_api(svc.world.clock))


@routes.route(f"{V1}/task_list/<index_id>", "GET", operation="get_task_list")
def get_task_list(svc: SearchService, call: Call, index_id: str) -> Reply:
    index, _, _ = svc.index_for(call, index_id, WRITING, WRITERS, "task_list", open_only=False)
    tasks = svc.state.tasks_of(index.id)[:1000]
    return Reply({"index_id": index.id, "tasks": [t.to_api(svc.world.clock) for t in tasks]})


# -- queries -------------------------------------------------------------------------


@routes.route(f"{V1}/index/<index_id>/search", "GET", operation="search")
def search(svc: SearchService, call: Call, index_id: str) -> Reply:
    principals = svc.reader(call)
    request = {
        "q": _required_arg(call, "q"),
        "advanced": call.arg_bool("advanced"),
        "offset": call.arg_int("offset", 0),
        "limit": call.arg_int("limit", 10),
        "bypass_visible_to": call.arg_bool("bypass_visible_to"),
        "result_format_version": call.args.get("result_format_version"),
    }
    return Reply(_search(svc, index_id, request, principals))


@routes.route(f"{V1}/index/<index_id>/search", "POST", operation="post_search")
def post_search(svc: SearchService, call: Call, index_id: str) -> Reply:
    principals = svc.reader(call)
    body = call.json_object()
    validate(body, "search_request", code="BadRequest.Generic")
    if not (body.get("q") or body.get("filters")):
        raise bad_query("a search request needs q or filters")
    return Reply(_search(svc, index_id, body, principals))


def _search(
    svc: SearchService, index_id: str, request: dict[str, Any], principals: frozenset[str]
) -> dict[str, Any]:
    from . import engine

    index = svc.state.index(index_id)
    offset, limit = results.page_bounds(request.get("offset", 0), request.get("limit", 10))
    bypass = _bypass(bool(request.get("bypass_visible_to")), index, principals)
    outcome = engine.run(
        index, request, principals, bypass_visible_to=bypass, needed=offset + limit
    )
    page = outcome.hits[offset : offset + limit]
    version = _result_version(request)
    document: dict[str, Any] = {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "count": len(page),
        "total": outcome.total,
        "offset": offset,
        "has_next_page": offset + len(page) < min(outcome.total, MAX_RESULTS),
        "gmeta": [results.gmeta(hit, principals, version) for hit in page],
    }
    if request.get("facets"):
        document["facet_results"] = outcome.facet_results
    return document


@routes.route(f"{V1}/index/<index_id>/scroll", "POST", operation="scroll")
def scroll(svc: SearchService, call: Call, index_id: str) -> Reply:
    principals = svc.reader(call)
    body = call.json_object()
    validate(body, "search_scroll", code="BadRequest.Generic")
    from . import engine

    index = svc.state.index(index_id)
    limit = body.get("limit", 10)
    results.page_bounds(0, limit)
    after = _scroll_position(body.get("marker"))
    bypass = _bypass(bool(body.get("bypass_visible_to")), index, principals)
    outcome = engine.run(index, body, principals, bypass_visible_to=bypass, ordered=False)
    remaining = [h for h in outcome.hits if after is None or h.subject > after]
    page = remaining[:limit]
    more = len(remaining) > limit
    version = _result_version(body)
    return Reply(
        {
            "@datatype": "GScrollResult",
            "@version": "2017-09-01",
            "count": len(page),
            "total": outcome.total,
            "has_next_page": more,
            "marker": _scroll_marker(page[-1].subject) if more else None,
            "gmeta": [results.gmeta(hit, principals, version) for hit in page],
        }
    )


def _scroll_marker(subject: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": subject}).encode()).decode()


def _scroll_position(marker: Any) -> str | None:
    """The last subject a scroll marker names; a clear 400 for a bad one."""
    if marker in (None, ""):
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(marker).encode()))
        after = decoded["after"]
    except (ValueError, KeyError, TypeError) as err:
        raise bad_query("invalid scroll marker") from err
    if not isinstance(after, str):
        raise bad_query("invalid scroll marker")
    return after


def _bypass(asked: bool, index: SearchIndex, principals: frozenset[str]) -> bool:
    if asked and not ADMINS & index.roles_of(principals):
        raise forbidden("bypass_visible_to")
    return asked


def _result_version(request: Any) -> str:
    version = request.get("result_format_version") or results.RESULT_VERSION
    if version not in (results.RESULT_VERSION, results.LEGACY_RESULT_VERSION):
        raise bad_query(
            f"result_format_version must be {results.RESULT_VERSION} or "
            f"{results.LEGACY_RESULT_VERSION}"
        )
    return str(version)
