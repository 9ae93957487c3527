"""Does an action provider keep the Action Provider Interface? Check by check.

``check_action_provider(url, token=..., body=...)`` drives any provider
(mounted in the emulator, on loopback, or real) through the interface and
returns a :class:`Report`: each named check with what was sent, what came
back and what the interface expects, readable by a person
(``print(report)``). Nothing here depends on how the provider is built.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from ..http import schema_validator
from ..services.actions.client import ProviderClient

__all__ = ["Check", "Report", "check_action_provider"]

FINISHED = ("SUCCEEDED", "FAILED")


@dataclass
class Check:
    name: str
    passed: bool | None  # None: not applicable to this provider
    expected: str
    sent: str = ""
    received: str = ""
    note: str = ""

    def line(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        text = f"[{mark}] {self.name}"
        if self.passed is not True:
            text += f"\n       expected: {self.expected}"
            if self.sent:
                text += f"\n       sent:     {self.sent}"
            if self.received:
                text += f"\n       received: {self.received}"
            if self.note:
                text += f"\n       note:     {self.note}"
        return text


@dataclass
class Report:
    url: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed is not False for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]

    def __getitem__(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def __str__(self) -> str:
        verdict = "conforms" if self.passed else f"{len(self.failed())} check(s) failed"
        lines = [f"Action Provider Interface conformance of {self.url}: {verdict}"]
        lines += [c.line() for c in self.checks]
        return "\n".join(lines)


def _shown(response: requests.Response | None) -> str:
    if response is None:
        return "(no response)"
    text = response.text
    return f"HTTP {response.status_code} {text[:300]}{'...' if len(text) > 300 else ''}"


def _invalid(document: Any, schema: str) -> str | None:
    errors = sorted(schema_validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].absolute_path) or "(document)"
    return f"{where}: {errors[0].message}"


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class _Checker:
    def __init__(self, url: str, client: ProviderClient, report: Report) -> None:
        self.url = url
        self.client = client
        self.report = report

    def record(self, check: Check) -> Check:
        self.report.checks.append(check)
        return check

    def expect(
        self,
        name: str,
        expected: str,
        sent: str,
        response: requests.Response,
        ok: Callable[[requests.Response], str | None],
    ) -> bool:
        """Run ``ok`` on the response: None means pass, a string says why not."""
        problem = ok(response)
        self.record(Check(name, problem is None, expected, sent, _shown(response), problem or ""))
        return problem is None


def _status_in(*codes: int) -> Callable[[requests.Response], str | None]:
    def ok(response: requests.Response) -> str | None:
        if response.status_code not in codes:
            return f"status {response.status_code} is not one of {codes}"
        return None

    return ok


def _valid_status(*codes: int) -> Callable[[requests.Response], str | None]:
    def ok(response: requests.Response) -> str | None:
        wrong = _status_in(*codes)(response)
        return wrong or _invalid(_json(response), "action_status")

    return ok


def _error_shaped(*codes: int) -> Callable[[requests.Response], str | None]:
    def ok(response: requests.Response) -> str | None:
        wrong = _status_in(*codes)(response)
        return wrong or _invalid(_json(response), "action_error")

    return ok


def check_action_provider(
    url: str,
    *,
    token: str,
    body: dict[str, Any],
    token_without_scope: str | None = None,
    outsider_token: str | None = None,
    invalid_body: dict[str, Any] | None = None,
    max_wait: float = 10.0,
) -> Report:
    """Check a provider against the Action Provider Interface.

    :param token: a token the provider should accept (its scope, for an
        identity allowed to run it)
    :param body: a valid ``body`` for ``/run``
    :param token_without_scope: a valid token lacking the provider's scope
    :param outsider_token: a token with the scope, for an identity not in
        the action's ``monitor_by``/``manage_by``
    :param invalid_body: a ``body`` that violates the input schema
    :param max_wait: real seconds to wait for an action to finish
    """
    client = ProviderClient(url, token)
    report = Report(url)
    checker = _Checker(url, client, report)

    introspected = client.introspect()
    checker.expect(
        "introspect describes the provider",
        "200 and an ActionProviderDescription",
        "GET /",
        introspected,
        lambda r: _status_in(200)(r) or _invalid(_json(r), "action_provider_description"),
    )
    description = _json(introspected) or {}

    anonymous = client.with_token(None).run(body)
    checker.expect(
        "run without a token is refused",
        "401 with {code, description}",
        "POST /run, no Authorization",
        anonymous,
        _error_shaped(401),
    )
    if token_without_scope is None:
        checker.record(
            Check(
                "run with a token lacking the scope is refused",
                None,
                "401/403",
                note="no token_without_scope given",
            )
        )
    else:
        lacking = client.with_token(token_without_scope).run(body)
        checker.expect(
            "run with a token lacking the scope is refused",
            "401 or 403 with {code, description}",
            "POST /run, token without the provider's scope",
            lacking,
            _error_shaped(401, 403),
        )
    if invalid_body is None:
        checker.record(
            Check(
                "input violating input_schema is refused",
                None,
                "400/422",
                note="no invalid_body given",
            )
        )
    else:
        refused = client.run(invalid_body)
        checker.expect(
            "input violating input_schema is refused",
            "400 or 422 with {code, description}",
            f"POST /run body={invalid_body!r}",
            refused,
            _error_shaped(400, 422),
        )

    request_id = str(uuid.uuid4())
    started = client.run(body, request_id=request_id)
    if not checker.expect(
        "run starts an action",
        "201 or 202 and a valid ActionStatus",
        f"POST /run request_id={request_id}",
        started,
        _valid_status(200, 201, 202),
    ):
        return report
    action = _json(started)
    action_id = action["action_id"]

    again = client.run(body, request_id=request_id)
    checker.expect(
        "a repeated request_id returns the same action",
        "200/201/202 and the same action_id",
        f"POST /run request_id={request_id} (again)",
        again,
        lambda r: (
            _valid_status(200, 201, 202)(r)
            or (None if _json(r)["action_id"] == action_id else "a different action_id")
        ),
    )

    status = client.status(action_id)
    checker.expect(
        "status describes the action",
        "200 and a valid ActionStatus with the same action_id",
        f"GET /{action_id}/status",
        status,
        lambda r: (
            _valid_status(200)(r)
            or (None if _json(r)["action_id"] == action_id else "a different action_id")
        ),
    )

    if outsider_token is None:
        checker.record(
            Check(
                "an identity outside monitor_by cannot see the action",
                None,
                "403/404",
                note="no outsider_token given",
            )
        )
    else:
        hidden = client.with_token(outsider_token).status(action_id)
        checker.expect(
            "an identity outside monitor_by cannot see the action",
            "401, 403 or 404, revealing nothing (globus-action-provider-tools answers 401)",
            f"GET /{action_id}/status as an outsider",
            hidden,
            _status_in(401, 403, 404),
        )

    current = (_json(status) or {}).get("status")
    if current in ("ACTIVE", "INACTIVE"):
        early = client.release(action_id)
        checker.expect(
            "release of a running action is refused",
            "409",
            f"POST /{action_id}/release while {current}",
            early,
            _status_in(409),
        )
    else:
        checker.record(
            Check(
                "release of a running action is refused",
                None,
                "409",
                note=f"the action was already {current} (a synchronous provider)",
            )
        )

    log = client.log(action_id)
    if description.get("log_supported"):
        checker.expect("log answers", "200", f"GET /{action_id}/log", log, _status_in(200))
    else:
        checker.expect(
            "log answers",
            "200, or 404/501 since log_supported is not true",
            f"GET /{action_id}/log",
            log,
            _status_in(200, 404, 405, 501),
        )

    finished = _wait(client, action_id, max_wait)
    if finished is None:
        checker.record(
            Check(
                "the action finishes",
                False,
                f"SUCCEEDED or FAILED within {max_wait} s",
                f"GET /{action_id}/status (polled)",
            )
        )
    else:
        released = client.release(action_id)
        checker.expect(
            "release of a finished action answers its status",
            "200 and a valid ActionStatus",
            f"POST /{action_id}/release",
            released,
            _valid_status(200),
        )
        gone = client.status(action_id)
        checker.expect(
            "a released action is gone",
            "404",
            f"GET /{action_id}/status after release",
            gone,
            _status_in(404),
        )

    second = client.run(body)
    if second.status_code in (200, 201, 202) and _json(second):
        cancel_id = _json(second)["action_id"]
        cancelled = client.cancel(cancel_id)
        checker.expect(
            "cancel answers the action's status",
            "200 and a valid ActionStatus (or 409 if it already finished)",
            f"POST /{cancel_id}/cancel",
            cancelled,
            lambda r: None if r.status_code == 409 else _valid_status(200)(r),
        )
    return report


def _wait(client: ProviderClient, action_id: str, max_wait: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + max_wait
    delay = 0.05
    while True:
        answer = client.status(action_id)
        document = _json(answer) or {}
        if document.get("status") in FINISHED:
            return dict(document)
        if time.monotonic() >= deadline:
            return None
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
