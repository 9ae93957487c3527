"""The run engine: a flow's states, executed on the virtual clock.

``advance(run)`` executes as many states as it can right now and stops
where it must wait: a Wait state's time, or an Action still running (polled
again after a back-off on the clock), or an INACTIVE action (until resumed).
Runs advance lazily, whenever they are read, so a flow whose providers
answer at once is finished by the first read. Providers are reached only
through an :class:`ActionCaller`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ...clock import Clock, iso, parse_iso
from .language import LanguageError, get_path, resolve, rule_matches, set_path
from .models import PendingAction, Run, handler
from .paths import select, visible
from .registered_apis import NotUsable, RegisteredApis, RequestProblem
from .web_inputs import WebInputs, config_problems, from_published_form

MAX_STEPS = 100_000
MAX_BACKOFF = 600.0


class ActionCaller(Protocol):
    def call(
        self,
        identity_id: str,
        method: str,
        url: str,
        scope: str,
        body: dict[str, Any] | None,
    ) -> tuple[int, Any]:
        """Call a provider as ``identity_id``: (HTTP status, JSON body)."""


class StateError(Exception):
    """An error a state raises and a Catch may handle."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


class Runner:
    def __init__(
        self,
        clock: Clock,
        caller: ActionCaller,
        scope_for: Callable[[str], str],
        web_inputs: WebInputs,
        registered_apis: RegisteredApis,
    ) -> None:
        self.clock = clock
        self.caller = caller
        self.scope_for = scope_for  # url -> the provider's scope
        self.web_inputs = web_inputs
        self.registered_apis = registered_apis

    def start(self, run: Run) -> None:
        self._log(run, "FlowStarted", "Starting the flow", {"input": visible(run.state)})
        self.advance(run)

    def advance(self, run: Run) -> None:
        for _ in range(MAX_STEPS):
            if run.status != "ACTIVE":
                return
            state = run.definition["States"][run.current]
            try:
                moved = self._step(run, run.current, state)
            except (StateError, LanguageError) as err:
                self._fail_state(run, state, err.error, err.cause)
                continue
            if not moved:
                return

    # -- one state ----------------------------------------------------------------

    def _step(self, run: Run, name: str, state: dict[str, Any]) -> bool:
        """Execute (part of) a state; True if the run moved on."""
        kind = state["Type"]
        if kind == "Action":
            return self._action(run, name, state)
        if kind == "Wait":
            return self._wait(run, name, state)
        if kind == "AwaitWebInput":
            return self._await_web_input(run, name, state)
        self._log(
            run, f"{kind}Started", f"State {name} started", {"state_name": name, "state_type": kind}
        )
        if kind == "Pass":
            if "Result" in state and "Parameters" not in state:
                result = state["Result"]
            else:
                result = _input(run, state)
            self._store(
                run,
                state,
                result,
                default_path=None
                if "Parameters" not in state and "Result" not in state and "InputPath" not in state
                else "$",
            )
        elif kind == "ExpressionEval":
            self._store(run, state, resolve(state["Parameters"], run.state), default_path="$")
        elif kind == "CreateWebInput":
            self._store(run, state, self._create_web_input(run, state), default_path="$")
        elif kind == "Choice":
            target = next(
                (c["Next"] for c in state["Choices"] if rule_matches(c, run.state)),
                state.get("Default"),
            )
            if target is None:
                raise StateError("States.NoChoiceMatched", f"no Choice rule matched in {name}")
            self._log(
                run,
                "ChoiceCompleted",
                f"Choice {name} chose {target}",
                {"state_name": name, "next_state": target},
            )
            run.current = target
            return True
        elif kind == "Fail":
            error = (
                select(run.state, state["ErrorPath"])
                if "ErrorPath" in state
                else state.get("Error", "States.Fail")
            )
            cause = (
                select(run.state, state["CausePath"])
                if "CausePath" in state
                else state.get("Cause", f"the flow reached the Fail state {name}")
            )
            self._finish(run, "FAILED", str(error), str(cause))
            return False
        self._log(
            run,
            f"{kind}Completed",
            f"State {name} completed",
            {"state_name": name, "output": visible(run.state)},
        )
        return self._next(run, state)

    def _wait(self, run: Run, name: str, state: dict[str, Any]) -> bool:
        if run.waiting_until is None:
            run.waiting_until = self._wait_until(run, state)
            self._log(
                run, "WaitStarted", f"Waiting until {iso(run.waiting_until)}", {"state_name": name}
            )
        if self.clock.now() < run.waiting_until:
            return False
        run.waiting_until = None
        self._log(run, "WaitCompleted", f"State {name} completed", {"state_name": name})
        return self._next(run, state)

    def _wait_until(self, run: Run, state: dict[str, Any]) -> float:
        now = self.clock.now()
        if "Seconds" in state:
            return now + float(state["Seconds"])
        if "SecondsPath" in state:
            seconds = get_path(run.state, state["SecondsPath"])
            if not isinstance(seconds, (int, float)):
                raise StateError("States.Runtime", "SecondsPath must name a number")
            return now + float(seconds)
        stamp = (
            state["Timestamp"]
            if "Timestamp" in state
            else get_path(run.state, state["TimestampPath"])
        )
        try:
            return parse_iso(str(stamp))
        except ValueError as err:
            raise StateError("States.Runtime", f"invalid timestamp {stamp!r}") from err

    # -- web inputs ---------------------------------------------------------------------

    def _create_web_input(self, run: Run, state: dict[str, Any]) -> dict[str, Any]:
        """A CreateWebInput state: a web input from its Parameters (or its
        InputPath); its document is the state's result."""
        config = from_published_form(_input(run, state))
        problems = config_problems(config)
        if problems:
            raise StateError("States.Runtime", "CreateWebInput: " + "; ".join(problems))
        web_input = self.web_inputs.create(run, config)
        document = web_input.to_api(set(web_input.respondent_urns) | set(web_input.viewer_urns))
        # the published example flows read the new input's id as `web_input_id`
        return {**document, "web_input_id": web_input.id}

    def _await_web_input(self, run: Run, name: str, state: dict[str, Any]) -> bool:
        """An AwaitWebInput state: the run stays ACTIVE, blocked on the web
        input its input names (``WebInputId`` in its Parameters), until it
        is answered."""
        inputs = self.web_inputs
        if run.web_input_id is None:
            parameters = _input(run, state)
            # `web_input_id`, as Globus's published example flows write it
            web_input_id = (
                parameters.get("WebInputId", parameters.get("web_input_id"))
                if isinstance(parameters, dict)
                else None
            )
            web_input = inputs.items.get(web_input_id) if isinstance(web_input_id, str) else None
            if web_input is None or web_input.run_id != run.id:
                raise StateError(
                    "States.Runtime",
                    f"{name}: WebInputId {web_input_id!r} names no web input of this run",
                )
            run.web_input_id = web_input.id
            self._log(
                run,
                "AwaitWebInputStarted",
                f"State {name} is waiting on web input {web_input.id}",
                {"state_name": name, "state_type": "AwaitWebInput", "web_input_id": web_input.id},
            )
            # While it waits, the run's details are that event, as an ACTIVE
            # run's details are its latest event on the service.
            run.details = dict(run.log[-1])
        web_input = inputs.items[run.web_input_id]
        if web_input.response is None:
            if web_input.open:
                return False
            run.web_input_id = None
            raise StateError("States.Runtime", f"{name}: web input {web_input.id} was closed")
        run.web_input_id = None
        result = web_input.result()
        return self._completed(run, name, state, result)

    # -- actions ----------------------------------------------------------------------

    def _action(self, run: Run, name: str, state: dict[str, Any]) -> bool:
        if run.action is None:
            return self._start_action(run, name, state)
        pending = run.action
        assert pending is not None
        now = self.clock.now()
        if now < pending.poll_at:
            if now >= pending.timeout_at:
                raise StateError("ActionTimeout", f"{name} did not finish in time")
            return False
        status, body = self._about_action(pending, "GET", "status")
        if status >= 400 or not isinstance(body, dict):
            raise StateError("ActionUnableToRun", f"status of {name} failed: HTTP {status}")
        return self._settle(run, name, state, body)

    def _start_action(self, run: Run, name: str, state: dict[str, Any]) -> bool:
        kind, target, given_scope = handler(state)
        if kind != "provider":
            return self._call_registered_api(run, name, state, kind, target or "")
        url = (target or "").rstrip("/")
        scope = given_scope or self.scope_for(url)
        parameters = _input(run, state)
        request = {
            "request_id": f"{run.id}-{len(run.log)}",
            "body": parameters,
            "label": run.label or None,
        }
        self._action_started(run, name, parameters, action_url=url)
        identity = self._runs_as(run, state)
        status, body = self.caller.call(identity, "POST", f"{url}/run", scope, request)
        if status >= 400 or not isinstance(body, dict) or "action_id" not in body:
            raise StateError(
                "ActionUnableToRun", f"{url}/run answered HTTP {status}: {str(body)[:300]}"
            )
        now = self.clock.now()
        run.action = PendingAction(
            url,
            scope,
            body["action_id"],
            identity,
            now,
            now + float(state.get("WaitTime", 300)),
            now + 1.0,
        )
        return self._settle(run, name, state, body, polled=False)

    def _call_registered_api(
        self, run: Run, name: str, state: dict[str, Any], kind: str, target: str
    ) -> bool:
        """An Action state whose Handler is a registered API: one HTTP call,
        made as the state's identity with a token for the API's scopes,
        through the same caller as providers (so never off the machine);
        the response templates make the answer the result or an error."""
        if kind == "handle":
            raise StateError(
                "ActionUnableToRun",
                f"{name}: the registered API {target} is not emulated by globus-testkit",
            )
        try:
            api = self.registered_apis.usable(target)
        except NotUsable as err:
            raise StateError("ActionUnableToRun", f"{name}: {err}") from err
        parameters = _input(run, state)
        try:
            method, url, body = api.request(parameters)
        except RequestProblem as err:
            raise StateError("ActionUnableToRun", f"{name}: {err}") from err
        self._action_started(run, name, parameters, registered_api_id=api.id)
        status, answer = self.caller.call(
            self._runs_as(run, state), method, url, " ".join(api.scopes), body
        )
        succeeded, result = api.outcome(status, answer)
        if not succeeded:
            failure = result if isinstance(result, dict) else {}
            raise StateError(
                str(failure.get("exception") or "ActionUnableToRun"),
                str(failure.get("cause", result))[:1000],
            )
        return self._completed(run, name, state, result)

    def _action_started(self, run: Run, name: str, parameters: Any, **called: str) -> None:
        """Log an Action state's start: what it calls (``called``) with what."""
        self._log(
            run,
            "ActionStarted",
            f"State {name} of type Action started",
            {"state_name": name, "state_type": "Action", **called, "parameters": parameters},
        )

    def _about_action(self, pending: PendingAction, method: str, verb: str) -> tuple[int, Any]:
        """A call to the provider about the action it is running (its
        status, cancel, resume), as whoever started it."""
        return self.caller.call(
            pending.identity_id,
            method,
            f"{pending.url}/{pending.action_id}/{verb}",
            pending.scope,
            None,
        )

    def _runs_as(self, run: Run, state: dict[str, Any]) -> str:
        """Whose credentials an Action uses: the run's user (the default),
        the flow's own identity, or the identity given for a role."""
        role = state.get("RunAs", "User")
        if role == "User":
            return run.owner_id
        if role == "Flow":
            return run.flow_id
        if role not in run.run_as:
            raise StateError("ActionUnableToRun", f"no token was given for the RunAs role {role}")
        return run.run_as[role]

    def _settle(
        self, run: Run, name: str, state: dict[str, Any], body: dict[str, Any], polled: bool = True
    ) -> bool:
        pending = run.action
        assert pending is not None
        status = body.get("status")
        if status == "SUCCEEDED" or (
            status == "FAILED" and not state.get("ExceptionOnActionFailure", True)
        ):
            run.action = None
            return self._completed(run, name, state, body)
        if status == "FAILED":
            run.action = None
            raise StateError("ActionFailedException", f"{name} failed: {body.get('details')}")
        if status == "INACTIVE":
            run.status, run.display_status = "INACTIVE", "INACTIVE"
            # The provider's details (a GARE among them) pass up unchanged.
            run.details = {
                "code": "ActionInactive",
                "description": f"{name} is inactive",
                "details": body.get("details"),
                "time": iso(self.clock.now()),
            }
            self._log(
                run,
                "ActionInactive",
                f"State {name} is inactive",
                {"state_name": name, "details": body},
            )
            return False
        now = self.clock.now()
        if now >= pending.timeout_at:
            self._about_action(pending, "POST", "cancel")
            run.action = None
            raise StateError("ActionTimeout", f"{name} did not finish in time")
        if polled:
            pending.backoff = min(pending.backoff * 2, MAX_BACKOFF)
        pending.poll_at = now + pending.backoff
        return False

    def resume(self, run: Run) -> None:
        if run.status != "INACTIVE":
            return
        if run.action is not None:
            self._about_action(run.action, "POST", "resume")
            run.action.poll_at = self.clock.now()
        run.status, run.display_status = "ACTIVE", "ACTIVE"
        run.details = {
            "code": "FlowResumed",
            "description": "The run was resumed",
            "details": {},
            "time": iso(self.clock.now()),
        }
        self._log(run, "FlowResumed", "The run was resumed", {})
        self.advance(run)

    def cancel(self, run: Run) -> None:
        if run.done:
            return
        if run.action is not None:
            self._about_action(run.action, "POST", "cancel")
            run.action = None
        # As the service reports it (the SDK's recorded cancel_run): FAILED,
        # with FlowCanceled as the reason.
        run.status, run.display_status = "FAILED", "FAILED"
        run.completion_time = self.clock.now()
        run.details = {
            "time": iso(run.completion_time),
            "code": "FlowCanceled",
            "description": "The Flow Instance was canceled by the user",
            "details": {},
        }
        run.web_input_id = None
        self.web_inputs.close_for_run(run.id)
        self._log(run, "FlowCanceled", "The run was canceled", {})

    # -- transitions ----------------------------------------------------------------------

    def _store(self, run: Run, state: dict[str, Any], value: Any, default_path: str | None) -> None:
        path = (
            state.get("ResultPath", default_path) if "ResultPath" in state or default_path else None
        )
        run.state = set_path(run.state, path, value)

    def _completed(self, run: Run, name: str, state: dict[str, Any], result: Any) -> bool:
        """A waiting state (an Action, an AwaitWebInput) done: its result
        stored at its ResultPath, logged, and the run moves on."""
        self._store(run, state, result, default_path="$")
        description = (
            f"State {name} of type Action completed"
            if state["Type"] == "Action"
            else f"State {name} completed"
        )
        self._log(
            run, f"{state['Type']}Completed", description, {"state_name": name, "output": result}
        )
        return self._next(run, state)

    def _next(self, run: Run, state: dict[str, Any]) -> bool:
        if state.get("End"):
            self._finish(run, "SUCCEEDED", None, "")
            return False
        run.current = state["Next"]
        return True

    def _fail_state(self, run: Run, state: dict[str, Any], error: str, cause: str) -> None:
        for catcher in state.get("Catch", []):
            if error in catcher["ErrorEquals"] or "States.ALL" in catcher["ErrorEquals"]:
                run.action = None
                self._log(
                    run,
                    "ActionFailed" if state["Type"] == "Action" else "StateFailed",
                    f"{error}: {cause}",
                    {"state_name": run.current, "error": error, "cause": cause, "caught": True},
                )
                run.state = set_path(
                    run.state, catcher.get("ResultPath", "$"), {"Error": error, "Cause": cause}
                )
                run.current = catcher["Next"]
                return
        if state["Type"] == "Action":
            self._log(
                run,
                "ActionFailed",
                f"{error}: {cause}",
                {"state_name": run.current, "error": error, "cause": cause},
            )
        self._finish(run, "FAILED", error, cause)

    def _finish(self, run: Run, status: str, error: str | None, cause: str) -> None:
        run.status = run.display_status = status
        run.completion_time = self.clock.now()
        output = visible(run.state)
        if status == "SUCCEEDED":
            run.details = {
                "code": "FlowSucceeded",
                "description": "The flow succeeded",
                "output": output,
            }
            self._log(run, "FlowSucceeded", "The flow succeeded", {"output": output})
        else:
            run.details = {
                "code": "FlowFailed",
                "description": cause,
                "output": output,
                "error": error,
                "cause": cause,
            }
            self._log(run, "FlowFailed", f"{error}: {cause}", {"error": error, "cause": cause})

    def _log(self, run: Run, code: str, description: str, details: dict[str, Any]) -> None:
        run.log.append(
            {
                "code": code,
                "description": description,
                "details": details,
                "time": iso(self.clock.now()),
            }
        )


def _input(run: Run, state: dict[str, Any]) -> Any:
    """What a state is given (an action provider, a registered API, a web
    input, a Pass): its Parameters filled in, else what its InputPath
    selects (the whole state by default). Either way, as :func:`select`
    reads it: never the run's private ``$._context`` unless named."""
    if "Parameters" in state:
        return resolve(state["Parameters"], run.state)
    return select(run.state, state.get("InputPath", "$"))


__all__ = ["ActionCaller", "Runner", "StateError"]
