"""Timers: schedules, timers and their runs on the world's clock. No HTTP here.

A timer belongs to the identity that made it and remembers which app's grant
it acts under (``client_id``): each run Timers checks, through Auth, that the
grant still holds, then acts with the dependent tokens it was given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, iso, parse_iso
from ...derived import KeepsDerived, ids_by
from ...ids import Ids
from ..flows.models import flow_scope

TIMERS_CLIENT_ID = "524230d7-ea86-4a52-8312-86065a9e0417"
TIMER_SCOPE = f"https://auth.globus.org/scopes/{TIMERS_CLIENT_ID}/timer"
TRANSFER_ACTION_URL = "https://transfer.actions.globus.org/transfer/run"
FLOWS_URL = "https://flows.automate.globus.org"
MIN_INTERVAL = 60
MAX_INTERVAL = 365 * 24 * 3600
# Statuses a timer runs in; "inactive" and "ended" ones do not.
RUNNABLE = ("new", "loaded")


class ScheduleError(ValueError):
    """A schedule the service refuses; the message says why."""


@dataclass
class Schedule:
    kind: str  # "once" | "recurring"
    start: float
    interval: int | None = None
    end_time: float | None = None
    end_count: int | None = None

    @classmethod
    def parse(cls, doc: dict[str, Any], now: float) -> Schedule:
        try:
            if doc["type"] == "once":
                when = doc.get("datetime")
                return cls("once", parse_iso(when) if when else now)
            interval = int(doc["interval_seconds"])
            start = parse_iso(doc["start"]) if doc.get("start") else now
            end = doc.get("end") or {}
        except ValueError as err:
            raise ScheduleError(f"not a date and time: {err}") from err
        if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise ScheduleError(
                f"interval_seconds must be between {MIN_INTERVAL} and {MAX_INTERVAL}"
            )
        schedule = cls("recurring", start, interval)
        if end.get("condition") == "time" or "datetime" in end:
            try:
                schedule.end_time = parse_iso(end["datetime"])
            except ValueError as err:
                raise ScheduleError(f"not a date and time: {err}") from err
        elif end:
            # globus-cli sends "count"; the SDK's documentation says "iterations".
            schedule.end_count = int(end.get("count", end.get("iterations", 0)))
            if schedule.end_count < 1:
                raise ScheduleError("an iterations end condition needs a count of at least 1")
        return schedule

    def to_api(self) -> dict[str, Any]:
        if self.kind == "once":
            return {"type": "once", "datetime": iso(self.start)}
        doc: dict[str, Any] = {
            "type": "recurring",
            "interval_seconds": self.interval,
            "start": iso(self.start),
        }
        if self.end_time is not None:
            doc["end"] = {"condition": "time", "datetime": iso(self.end_time)}
        elif self.end_count is not None:
            doc["end"] = {"condition": "iterations", "count": self.end_count}
        return doc

    def stop_after(self) -> dict[str, Any]:
        return {
            "date": iso(self.end_time) if self.end_time is not None else None,
            "n_runs": 1 if self.kind == "once" else self.end_count,
        }

    def after(self, ran: float, runs: int, now: float) -> float | None:
        """The next run once ``runs`` runs are done, the last due at ``ran``.
        Occurrences keep to the start's rhythm, and runs missed while
        nothing could run are not made up one by one."""
        if self.kind == "once" or self.interval is None:
            return None
        if self.end_count is not None and runs >= self.end_count:
            return None
        passed = math.floor((max(ran, now) - self.start) / self.interval) + 1
        later = self.start + max(passed, 1) * self.interval
        if self.end_time is not None and later > self.end_time:
            return None
        return later


@dataclass
class RunResult:
    """One occurrence: what Timers sent, and what came back."""

    ran_at: float
    status: int
    resource_id: str | None
    data: Any
    errors: Any

    @property
    def ok(self) -> bool:
        return self.status < 400

    def to_api(self) -> dict[str, Any]:
        return {
            "ran_at": iso(self.ran_at),
            "start_timestamp": iso(self.ran_at),
            "end_timestamp": iso(self.ran_at),
            "run_status": "success" if self.ok else "failure",
            "status": self.status,
            "http_status_submission": self.status,
            "resource_id": self.resource_id,
            "data": self.data,
            "errors": self.errors,
        }


@dataclass
class Timer:
    id: str
    name: str
    owner_id: str
    client_id: str  # the app whose grant the timer acts under
    timer_type: str  # "transfer" | "flow"
    body: dict[str, Any]
    schedule: Schedule
    submitted_at: float
    flow_id: str | None = None
    status: str = "new"
    inactive_reason: dict[str, Any] | None = None
    next_run: float | None = None
    last_ran_at: float | None = None
    number_of_runs: int = 0
    number_of_errors: int = 0
    results: list[RunResult] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # resource server -> token
    due_seq: int = 0  # the agenda entry that is this timer's next run

    @property
    def callback_url(self) -> str:
        if self.timer_type == "flow":
            return f"{FLOWS_URL}/flows/{self.flow_id}/run"
        return TRANSFER_ACTION_URL

    def activity(self) -> dict[str, Any] | None:
        if self.status == "inactive":
            return {"code": "paused", "start_timestamp": None}
        if self.status in RUNNABLE:
            return {"code": "awaiting_next_run", "start_timestamp": None}
        return None

    def to_timer(self) -> dict[str, Any]:
        """The v2 timer document (``POST /v2/timer``)."""
        doc = self._common()
        doc.update(
            {
                "timer_type": self.timer_type,
                "body": self.body,
                "number_of_runs": self.number_of_runs,
                "number_of_errors": self.number_of_errors,
            }
        )
        if self.flow_id is not None:
            doc["flow_id"] = self.flow_id
        return doc

    def to_job(self, results: list[RunResult], page_next: str | None) -> dict[str, Any]:
        """The job document of the ``/jobs`` API, one page of results in it."""
        doc = self._common()
        doc.update(
            {
                "timer_type": self.timer_type,
                "callback_url": self.callback_url,
                "callback_body": self.body if self.flow_id else {"body": self.body},
                "start": iso(self.schedule.start),
                "interval": self.schedule.interval,
                "stop_after": self.schedule.stop_after(),
                "scope": flow_scope(self.flow_id) if self.flow_id else None,
                "n_runs": self.number_of_runs,
                "n_errors": self.number_of_errors,
                "number_of_runs": self.number_of_runs,
                "number_of_errors": self.number_of_errors,
                "activity": self.activity(),
                "results": {"data": [r.to_api() for r in results], "page_next": page_next},
            }
        )
        return doc

    def _common(self) -> dict[str, Any]:
        return {
            "job_id": self.id,
            "name": self.name,
            "status": self.status,
            "inactive_reason": self.inactive_reason,
            "submitted_at": iso(self.submitted_at),
            "last_ran_at": iso(self.last_ran_at) if self.last_ran_at is not None else None,
            "next_run": iso(self.next_run) if self.next_run is not None else None,
            "schedule": self.schedule.to_api(),
        }


class TimersState(KeepsDerived):
    """Every timer, and the rules of their lives."""

    # owner id -> their timers' ids, oldest first: list_jobs costs the
    # caller's timers, not the world's (built when first asked)
    DERIVED = ("_by_owner",)
    _by_owner: dict[str, list[str]] | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.timers: dict[str, Timer] = {}

    def _owned_by(self, identity_id: str) -> list[str]:
        if self._by_owner is None:
            self._by_owner = ids_by(self.timers, lambda timer: timer.owner_id)
        return self._by_owner.get(identity_id, [])

    def add(
        self,
        owner_id: str,
        client_id: str,
        timer_type: str,
        body: dict[str, Any],
        schedule: Schedule,
        *,
        name: str | None = None,
        flow_id: str | None = None,
    ) -> Timer:
        now = self.clock.now()
        timer = Timer(
            id=self.ids.uuid(),
            name=name or f"Timer {iso(now)}",
            owner_id=owner_id,
            client_id=client_id,
            timer_type=timer_type,
            body=body,
            schedule=schedule,
            submitted_at=now,
            flow_id=flow_id,
            next_run=max(schedule.start, now),
        )
        self.timers[timer.id] = timer
        if self._by_owner is not None:
            self._by_owner.setdefault(owner_id, []).append(timer.id)
        return timer

    def delete(self, timer: Timer) -> None:
        """Forget a timer (its document, answered once more, says deleted)."""
        del self.timers[timer.id]
        if self._by_owner is not None:
            self._by_owner[timer.owner_id].remove(timer.id)
        timer.status, timer.next_run = "deleted", None

    def owned(self, timer_id: str, identity_id: str) -> Timer | None:
        """The timer if it exists and ``identity_id`` owns it."""
        timer = self.timers.get(timer_id)
        return timer if timer is not None and timer.owner_id == identity_id else None

    def listed(self, identity_id: str, statuses: set[str], order: str) -> list[Timer]:
        field_name, _, direction = order.partition(" ")
        mine = [
            timer
            for timer_id in self._owned_by(identity_id)
            if _status_group((timer := self.timers[timer_id]).status) in statuses
        ]
        key = field_name or "submitted_at"
        mine.sort(key=lambda t: (str(getattr(t, key, "") or ""), t.id))
        if direction.strip().lower() == "desc":
            mine.reverse()
        return mine

    def record(self, timer: Timer, due: float, result: RunResult) -> None:
        """An occurrence ran: count it and find the next one (if any)."""
        timer.results.append(result)
        timer.last_ran_at = due
        timer.number_of_runs += 1
        if not result.ok:
            timer.number_of_errors += 1
        if timer.status == "new":
            timer.status = "loaded"
        timer.next_run = timer.schedule.after(due, timer.number_of_runs, self.clock.now())
        if timer.next_run is None and timer.status in RUNNABLE:
            timer.status = "ended"

    def deactivate(self, timer: Timer, cause: str, detail: dict[str, Any] | None) -> None:
        timer.status = "inactive"
        timer.inactive_reason = {"cause": cause, "detail": detail}

    def reactivate(self, timer: Timer) -> None:
        """Back on schedule; a run missed meanwhile happens once, now."""
        timer.status = "loaded" if timer.number_of_runs else "new"
        timer.inactive_reason = None
        if timer.next_run is not None and timer.next_run < self.clock.now():
            timer.next_run = self.clock.now()


def _status_group(status: str) -> str:
    """The status names list filters use ("active", "inactive", "ended")."""
    return "active" if status in RUNNABLE else status
