"""Web inputs: questions a run asks people and waits on. No HTTP here.

A ``CreateWebInput`` state makes one from its Parameters; an
``AwaitWebInput`` state (Parameters ``{"WebInputId": ...}``) holds its run
ACTIVE, with the run's ``blocking_web_input_id`` naming it, until a
respondent answers; the answer goes to the state's ResultPath. The
documents follow the Flows OpenAPI (``WebInputResponse``/``WebInputSummary``)
and the SDK's recordings; the only input type Flows has is ``selection``,
answered with the ``option_id`` of one of the options.

Roles are those the state names: ``viewer_urns`` may read the web input,
``respondent_urns`` may read and answer it (identities or groups). Its
creator (the run's owner) gets no role implicitly, as Flows documents; a
state naming no respondents makes the run's owner the respondent, so that
a web input is never unanswerable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...clock import Clock, iso
from ...derived import KeepsDerived, ids_by
from ...ids import Ids
from ..auth.models import identity_urn
from .models import Run

INPUT_TYPES = ("selection",)


@dataclass
class WebInput:
    id: str
    run_id: str
    flow_id: str
    flow_title: str
    run_label: str
    creator_id: str
    context: dict[str, Any]
    options: list[dict[str, Any]]
    viewer_urns: list[str]
    respondent_urns: list[str]
    created_at: float
    input_type: str = "selection"
    edited_at: float | None = None
    closed_at: float | None = None
    # what was answered, by whom (once closed by an answer)
    response: dict[str, Any] | None = None
    respondent: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def title(self) -> str:
        return str(self.context.get("title", ""))

    def user_roles(self, principals: set[str]) -> list[str]:
        roles = []
        if set(self.viewer_urns) & principals:
            roles.append("viewer")
        if set(self.respondent_urns) & principals:
            roles.append("respondent")
        return roles

    def option(self, value: Any) -> dict[str, Any] | None:
        """The option a response names (by ``option_id``), if any."""
        return next((o for o in self.options if o["option_id"] == value), None)

    def input_schema(self) -> dict[str, Any]:
        """The JSON Schema every response is checked against: one of the
        options' ids, as the recorded web inputs show it."""
        return {
            "$schema": "http://json-schema.org/draft-07/schema",
            "title": "Please select an option",
            "type": "string",
            "oneOf": [
                {"const": o["option_id"], "title": o["label"], "description": o["description"]}
                for o in self.options
            ],
        }

    def summary(self, principals: set[str]) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": "open" if self.open else "closed",
            "user_roles": self.user_roles(principals),
            "input_type": self.input_type,
            "title": self.title,
            "flow": {"id": self.flow_id, "title": self.flow_title},
            "run": {"id": self.run_id, "label": self.run_label or None},
            "created_timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at or self.created_at),
            "closed_timestamp": iso(self.closed_at) if self.closed_at is not None else None,
        }

    def to_api(self, principals: set[str]) -> dict[str, Any]:
        document = self.summary(principals)
        del document["title"]
        document.update(
            {
                "input_schema": self.input_schema(),
                "context": self.context,
                "options": [{k: v for k, v in o.items() if k != "value"} for o in self.options],
                "roles": {
                    "viewer_urns": list(self.viewer_urns),
                    "respondent_urns": list(self.respondent_urns),
                },
                "creator_urn": identity_urn(self.creator_id),
            }
        )
        return document

    def result(self) -> dict[str, Any]:
        """What an AwaitWebInput state stores at its ResultPath: the answer
        as it was sent (``response.value``), the option it picked, who
        answered and when. Globus publishes no shape for it; this one
        mirrors the respond request and the web input document."""
        assert self.response is not None
        chosen = self.option(self.response.get("value"))
        return {
            "web_input_id": self.id,
            # an option given a `Value` (the published form) answers with it:
            # Globus's example flows test `response` against those values
            "response": chosen["value"]
            if chosen is not None and "value" in chosen
            else dict(self.response),
            "option": chosen,
            "respondent_urn": self.respondent,
            "closed_timestamp": iso(self.closed_at) if self.closed_at is not None else None,
        }


class WebInputs(KeepsDerived):
    """Every web input, in creation order."""

    # each run's web inputs by id, built when first asked (see of_run)
    DERIVED = ("_by_run",)
    _by_run: dict[str, list[str]] | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.items: dict[str, WebInput] = {}

    def of_run(self, run_id: str) -> list[WebInput]:
        """A run's web inputs, oldest first (none is ever forgotten)."""
        if self._by_run is None:
            self._by_run = ids_by(self.items, lambda web_input: web_input.run_id)
        return [self.items[i] for i in self._by_run.get(run_id, [])]

    def create(self, run: Run, config: dict[str, Any]) -> WebInput:
        """A web input for ``run`` from a CreateWebInput state's (checked)
        Parameters; each option gets its ``option_id``."""
        roles = config.get("roles") or {}
        respondents = list(roles.get("respondent_urns") or []) or [identity_urn(run.owner_id)]
        web_input = WebInput(
            id=self.ids.uuid(),
            run_id=run.id,
            flow_id=run.flow_id,
            flow_title=run.flow_title,
            run_label=run.label,
            creator_id=run.owner_id,
            context=dict(config["context"]),
            options=[
                {
                    "option_id": self.ids.uuid(),
                    "label": option["label"],
                    "description": option.get("description", ""),
                    **({"value": option["value"]} if "value" in option else {}),
                }
                for option in config["options"]
            ],
            viewer_urns=list(roles.get("viewer_urns") or []),
            respondent_urns=respondents,
            created_at=self.clock.now(),
            input_type=config.get("input_type", "selection"),
        )
        self.items[web_input.id] = web_input
        if self._by_run is not None:
            self._by_run.setdefault(run.id, []).append(web_input.id)
        return web_input

    def answer(self, web_input: WebInput, value: Any, respondent_urn: str) -> None:
        """Close an open web input with a valid answer (the route checks)."""
        now = self.clock.now()
        web_input.response = {"value": value}
        web_input.respondent = respondent_urn
        web_input.closed_at = web_input.edited_at = now

    def close_for_run(self, run_id: str) -> None:
        """A run that ends unanswered (cancelled) closes its open inputs."""
        now = self.clock.now()
        for web_input in self.of_run(run_id):
            if web_input.open:
                web_input.closed_at = web_input.edited_at = now


def config_problems(config: Any) -> list[str]:
    """What is wrong with a CreateWebInput state's resolved Parameters:
    ``context`` (a ``title`` and either ``text`` or table ``rows``),
    ``options`` (each with a ``label``), optional ``input_type`` and
    ``roles`` (``viewer_urns``, ``respondent_urns``)."""
    if not isinstance(config, dict):
        return ["the Parameters must be an object"]
    problems = []
    unknown = sorted(set(config) - {"input_type", "context", "options", "roles"})
    if unknown:
        problems.append(f"unknown fields {unknown}")
    if config.get("input_type", "selection") not in INPUT_TYPES:
        problems.append(f"input_type must be one of {list(INPUT_TYPES)}")
    context = config.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("title"), str):
        problems.append("context needs a title")
    elif context.get("presentation_style", "text") == "text":
        if not isinstance(context.get("text"), str):
            problems.append("a text context needs its text")
    elif context.get("presentation_style") == "table":
        rows = context.get("rows")
        if not isinstance(rows, list) or not all(
            isinstance(r, dict) and isinstance(r.get("field"), str) and "value" in r for r in rows
        ):
            problems.append("a table context needs rows of {field, value}")
    else:
        problems.append("context.presentation_style must be text or table")
    options = config.get("options")
    if not isinstance(options, list) or not options:
        problems.append("a selection needs options")
    elif not all(
        isinstance(o, dict)
        and isinstance(o.get("label"), str)
        and isinstance(o.get("description", ""), str)
        for o in options
    ):
        problems.append("each option needs a label (and may have a description)")
    roles = config.get("roles", {})
    if not isinstance(roles, dict) or not all(
        isinstance(roles.get(k, []), list) and all(isinstance(u, str) for u in roles.get(k, []))
        for k in ("viewer_urns", "respondent_urns")
    ):
        problems.append("roles.viewer_urns and roles.respondent_urns must be lists of URNs")
    return problems


def from_published_form(parameters: Any) -> Any:
    """A CreateWebInput state's Parameters in the form Globus's published
    example flows write (``InputType: "Selection"``, ``Context`` with
    ``PresentationStyle``/``Title``/``Text``/``Rows`` of ``Field``/``Value``,
    ``Options`` of ``Value``/``Label``/``Description``, ``RespondentUrns``,
    ``ViewerUrns``) as the web input document's fields, which the rest of
    this module reads. Parameters already in the document's form pass as
    they are."""
    if not isinstance(parameters, dict) or not set(parameters) & set(_PUBLISHED):
        return parameters
    config: dict[str, Any] = {}
    roles: dict[str, Any] = {}
    for key, value in parameters.items():
        if key in ("RespondentUrns", "ViewerUrns"):
            roles[_PUBLISHED[key]] = value
        elif key == "InputType":
            config["input_type"] = value.lower() if isinstance(value, str) else value
        elif key in _PUBLISHED:
            config[_PUBLISHED[key]] = _lowered(value)
        else:
            config[key] = value  # unknown: config_problems names it
    if roles:
        config["roles"] = roles
    return config


_PUBLISHED = {
    "InputType": "input_type",
    "Context": "context",
    "Options": "options",
    "RespondentUrns": "respondent_urns",
    "ViewerUrns": "viewer_urns",
}
_FIELDS = {
    "PresentationStyle": "presentation_style",
    "Title": "title",
    "Text": "text",
    "Rows": "rows",
    "Field": "field",
    "Value": "value",
    "Label": "label",
    "Description": "description",
}


def _lowered(value: Any) -> Any:
    """Context and options with their fields renamed (``PresentationStyle``
    values too: ``Table`` is ``table``)."""
    if isinstance(value, list):
        return [_lowered(item) for item in value]
    if not isinstance(value, dict):
        return value
    renamed: dict[str, Any] = {}
    for field, item in value.items():
        name = _FIELDS.get(str(field), str(field))
        if name == "presentation_style" and isinstance(item, str):
            item = item.lower()
        elif name == "rows":
            item = _lowered(item)
        renamed[name] = item
    return renamed
