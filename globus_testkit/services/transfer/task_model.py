"""A transfer or delete task and the steps it is planned into: plain
data, saved in state files (see task_rows) and worked on by task_engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .access import Principals

MODES = ("immediate", "timed", "manual")


OP_KINDS = ("mkdir", "copy", "delete", "missing", "denied", "not_a_dir")

# What a task counts, as its document shows them.
COUNT_KEYS = (
    "files",
    "directories",
    "symlinks",
    "files_transferred",
    "files_skipped",
    "bytes_transferred",
    "bytes_checksummed",
    "subtasks_succeeded",
    "subtasks_failed",
    "subtasks_canceled",
    "subtasks_expired",
    "subtasks_skipped_errors",
    "faults",
)


@dataclass
class Op:
    kind: str  # one of OP_KINDS
    source: str
    destination: str = ""
    size: int = 0


@dataclass
class Task:
    id: str
    type: str  # "TRANSFER" | "DELETE"
    owner_id: str
    owner_string: str
    principals: Principals  # the owner's, when they submitted
    request_time: float
    submission_id: str
    source_id: str
    destination_id: str | None
    document: dict[str, Any]
    label: str | None = None
    deadline: float | None = None
    status: str = "ACTIVE"
    nice_status: str | None = "Queued"
    completion_time: float | None = None
    fatal_error: dict[str, str] | None = None
    plan: list[Op] | None = None
    next_op: int = 0
    started_at: float = 0.0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    events: list[dict[str, Any]] = field(default_factory=list)
    # a delete's entries name no destination (None)
    successful: list[dict[str, str | None]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    # Admins pause (with a message) and cancel; pause rules pause too.
    admin_pause_message: str | None = None
    admin_paused_by: str | None = None  # the end(s) whose manager paused it
    is_paused: bool = False
    paused_since: float | None = None
    canceled_by_admin: str | None = None
    canceled_by_admin_message: str | None = None
    # A finished task's document, built once (see task_document): derived,
    # so never saved in a state file, nor compared.
    finished_document: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def ends(self) -> tuple[str, ...]:
        """The endpoints the task has an end on (a delete's one; a transfer's
        two, or one if it copies within an endpoint)."""
        return tuple(dict.fromkeys(filter(None, (self.source_id, self.destination_id))))

    @property
    def done(self) -> bool:  # INACTIVE is not done: it resumes
        return self.status in ("SUCCEEDED", "FAILED")
