"""Working tasks on the virtual clock: how far each has come by now, the
steps carried out in the collections' trees, the events told on the way,
and how tasks end. No HTTP here."""

from __future__ import annotations

from ...clock import Clock, iso_seconds
from .admin import PauseRules
from .errors import Exists, IsADirectory, NotADirectory
from .filetree import FileTree, Node
from .models import TransferState
from .task_model import Op, Task
from .task_planning import plan_task


class TaskEngine:
    """The work on tasks; :class:`~.tasks.Tasks` adds keeping and finding them."""

    clock: Clock
    tasks: dict[str, Task]
    collections: TransferState
    mode: str
    bytes_per_second: float
    pause_rules: PauseRules

    def advance(self, task: Task) -> None:
        """Do the work the clock and the mode allow by now."""
        if task.done:
            return
        now = self.clock.now()
        if task.deadline is not None and now > task.deadline:
            self._finish(task, "FAILED", "DEADLINE_EXCEEDED", "the task's deadline passed")
            task.counts["subtasks_expired"] = len(task.plan or []) - task.next_op
            return
        if self._end_gone(task):
            return
        if self._paused(task, now):
            return
        if task.plan is None:
            task.plan = plan_task(task, self.collections)
            task.started_at = now
            task.nice_status = "OK"
        if self.mode == "manual":
            return
        budget = None
        if self.mode == "timed":
            budget = (now - task.started_at) * self.bytes_per_second
        self._work(task, budget)

    def _paused(self, task: Task, now: float) -> bool:
        """Whether an admin or a pause rule holds the task now; a paused
        task's clock stops, so timed progress resumes where it stopped."""
        task.is_paused = task.admin_pause_message is not None or bool(
            self.pause_rules.pausing(task)
        )
        if task.is_paused and task.paused_since is None:
            task.paused_since = now
            self._event(task, "PAUSED", "the task was paused by an endpoint administrator", False)
        elif not task.is_paused and task.paused_since is not None:
            if task.plan is not None:
                task.started_at += now - task.paused_since
            task.paused_since = None
            self._event(task, "RESUMED", "the task was resumed", False)
        return task.is_paused

    def finish(self, task_id: str) -> Task:
        """Manual mode: do all of a task's remaining work now."""
        task = self.tasks[task_id]
        if task.done or self._end_gone(task):
            return task
        if task.plan is None:
            task.plan = plan_task(task, self.collections)
        self._work(task, None)
        return task

    def _end_gone(self, task: Task) -> bool:
        """Fail a task whose source or destination was deleted before it
        finished (True if so): it can never go on, and reading it (or a
        list holding it) must not answer the missing endpoint's 404."""
        ends = (task.source_id, task.destination_id)
        gone = next((c for c in ends if c and c not in self.collections.collections), None)
        if gone is None:
            return False
        task.counts["subtasks_failed"] += max(len(task.plan or []) - task.next_op, 1)
        self._finish(task, "FAILED", "ENDPOINT_NOT_FOUND", f"the endpoint {gone} was deleted")
        return True

    def _blocked(self, task: Task) -> bool:
        """Whether trouble at either end holds the task back this time."""
        ends = [
            self.collections.collections.get(c or "") for c in (task.source_id, task.destination_id)
        ]
        present = [c for c in ends if c is not None]
        if any(c.credentials_expired for c in present):
            if task.status != "INACTIVE":
                task.status, task.nice_status = "INACTIVE", "AUTH"
                self._event(task, "AUTH", "credentials for an endpoint expired", True)
            return True
        if any(c.down for c in present):
            task.status, task.nice_status = "ACTIVE", "CONNECTION_FAILED"
            task.counts["faults"] += 1
            self._event(task, "CONNECTION_FAILED", "an endpoint is unreachable; retrying", True)
            return True
        if task.status == "INACTIVE" or task.nice_status == "CONNECTION_FAILED":
            task.status, task.nice_status = "ACTIVE", "OK"
            self._event(task, "PROGRESS", "the endpoints are reachable again", False)
        return False

    def _work(self, task: Task, budget: float | None) -> None:
        assert task.plan is not None
        if self._blocked(task):
            return
        spent = sum(op.size for op in task.plan[: task.next_op])
        while task.next_op < len(task.plan):
            op = task.plan[task.next_op]
            if budget is not None and spent + op.size > budget:
                return
            if not self._apply(task, op):
                return
            spent += op.size
            task.next_op += 1
        self._finish(task, "SUCCEEDED", None, "")

    def _apply(self, task: Task, op: Op) -> bool:
        """Carry out one step; False if it ended the task."""
        options = task.document
        if op.kind in ("missing", "not_a_dir", "denied"):
            code = {
                "missing": "FILE_NOT_FOUND",
                "not_a_dir": "NOT_A_DIRECTORY",
                "denied": "PERMISSION_DENIED",
            }[op.kind]
            self._event(task, code, f"{code.lower().replace('_', ' ')}: {op.source}", True)
            task.counts["faults"] += 1
            if op.kind == "missing" and (
                options.get("skip_source_errors") or options.get("ignore_missing")
            ):
                task.counts["subtasks_skipped_errors"] += 1
                task.skipped.append(
                    {
                        "DATA_TYPE": "skipped_error",
                        "source_path": op.source,
                        "destination_path": op.destination,
                        "error_code": code,
                        "error_time": iso_seconds(self.clock.now()),
                        "is_directory": False,
                        "checksum_algorithm": None,
                        "error_details": code,
                    }
                )
                return True
            task.counts["subtasks_failed"] += 1
            self._finish(task, "FAILED", code, f"{op.source}: {code}")
            return False
        if task.type == "DELETE":
            self._delete(task, op)
        else:
            try:
                self._copy(task, op)
            except (Exists, NotADirectory) as err:
                # The destination holds a directory where a file goes (or a
                # file where a directory goes): the task fails with an error
                # event; reading it must never answer an error itself.
                code = "IS_A_DIRECTORY" if isinstance(err, IsADirectory) else "NOT_A_DIRECTORY"
                self._event(task, code, f"{op.destination}: {err.message}", True)
                task.counts["faults"] += 1
                task.counts["subtasks_failed"] += 1
                self._finish(task, "FAILED", code, f"{op.destination}: {code}")
                return False
        task.counts["subtasks_succeeded"] += 1
        return True

    def _copy(self, task: Task, op: Op) -> None:
        source = self.collections.collection(task.source_id).tree
        destination = self.collections.collection(task.destination_id or "").tree
        if op.kind == "mkdir":
            destination.mkdir(op.destination, parents=True, exist_ok=True)
            task.counts["directories"] += 1
            return
        node = source.find(op.source)
        task.counts["files"] += 1
        if node.kind == "link":
            destination.link(op.destination, node.link_target or "")
            task.counts["symlinks"] += 1
            return
        if self._in_sync(task, node, destination, op.destination):
            task.counts["files_skipped"] += 1
            return
        keep_time = bool(task.document.get("preserve_timestamp"))
        destination.write(
            op.destination,
            content=node.content,
            size=node.size,
            mtime=node.mtime if keep_time else None,
        )
        task.counts["files_transferred"] += 1
        task.counts["bytes_transferred"] += node.size
        if task.document.get("verify_checksum"):
            task.counts["bytes_checksummed"] += node.size
        task.successful.append(
            {
                "DATA_TYPE": "successful_transfer",
                "source_path": op.source,
                "destination_path": op.destination,
            }
        )

    def _in_sync(self, task: Task, node: Node, tree: FileTree, path: str) -> bool:
        level = task.document.get("sync_level")
        if level is None or not tree.exists(path):
            return False
        existing = tree.find(path)
        if existing.kind != "file":
            return False
        if level >= 1 and existing.size != node.size:
            return False
        if level >= 2 and existing.mtime < node.mtime:
            return False
        return not (level >= 3 and existing.checksum() != node.checksum())

    def _delete(self, task: Task, op: Op) -> None:
        tree = self.collections.collection(task.source_id).tree
        node = tree.remove(op.source)
        if node.kind == "dir":
            task.counts["directories"] += 1
        else:
            task.counts["files"] += 1
        task.successful.append(
            {"DATA_TYPE": "successful_transfer", "source_path": op.source, "destination_path": None}
        )

    def end(self, task: Task, why: str) -> bool:
        """Cancel a task (for its owner or an admin); False if it had finished."""
        if task.done:
            return False
        remaining = len(task.plan or []) - task.next_op
        task.counts["subtasks_canceled"] = max(remaining, 1)
        self._finish(task, "FAILED", "CANCELED", why)
        return True

    def _finish(self, task: Task, status: str, code: str | None, description: str) -> None:
        task.status = status
        task.nice_status = None if status == "SUCCEEDED" else code
        task.completion_time = self.clock.now()
        if status == "SUCCEEDED":
            self._event(task, "SUCCEEDED", "succeeded", False)
        else:
            task.fatal_error = {"code": code or "FAILED", "description": description}
            self._event(task, code or "FAILED", description, True)

    def _event(self, task: Task, code: str, description: str, is_error: bool) -> None:
        task.events.append(
            {
                "DATA_TYPE": "event",
                "code": code,
                "description": description,
                "details": description,
                "is_error": is_error,
                "time": iso_seconds(self.clock.now()),
            }
        )
