"""What Transfer checks of the caller's Auth before it touches a
collection: consent to the collection's ``data_access`` scope, and a
session meeting the collection's requirements (Auth judges the session:
``world.auth.unmet``; Transfer only words the answer).

Real Transfer words a session refusal two ways. A synchronous file
operation (ls, stat, mkdir, rename) reaches the storage gateway, whose
login fails: 502 ``ExternalError.<Op>Failed.LoginFailed`` with the
gateway's ``authorization_parameters`` lifted to the top level, as the
SDK's "ls with session handling" example shows. A task submission is
refused before any task exists: 403 ``AuthorizationRequired`` (the
generic code of a Globus Auth requirements error), which a GlobusApp with
``auto_redrive_gares`` redrives on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...http import SessionRequired
from . import TRANSFER_ALL
from .collection import Collection
from .errors import ConsentRequired

if TYPE_CHECKING:
    from ...world import World
    from ..auth.models import TokenInfo


# Which Transfer error family a refused endpoint login falls in, per operation.
_LOGIN_FAILURES = {
    "operation_ls": "DirListingFailed",
    "operation_stat": "StatFailed",
    "operation_mkdir": "MkdirFailed",
    "operation_rename": "RenameFailed",
}


def require_consent(world: World, info: TokenInfo, collections: Iterable[Collection]) -> None:
    """Mapped collections need their data_access scope consented beneath
    Transfer's, or Transfer answers the 403 the SDK knows how to redrive.
    One answer names every missing consent, so one redrive fixes all."""
    if not world.auth.strict:
        return
    missing = {
        c.id: c
        for c in collections
        if c.requires_data_access_consent
        and not world.auth.has_dependent_consent(info, TRANSFER_ALL, c.data_access_scope)
    }
    if not missing:
        return
    dependencies = " ".join(f"*{c.data_access_scope}" for c in missing.values())
    required = f"{TRANSFER_ALL}[{dependencies}]"
    names = ", ".join(c.display_name for c in missing.values())
    raise ConsentRequired(
        "Missing required data_access consent",
        required_scopes=[required],
        authorization_parameters={
            "session_message": f"{names} requires consent",
            "required_scopes": [required],
        },
    )


def require_login(world: World, operation: str, info: TokenInfo, collection: Collection) -> None:
    """A file operation on a collection whose storage gateway has session
    requirements the caller's session does not meet: the endpoint login
    fails (502)."""
    demanded = world.auth.unmet(info, collection.session_requirement)
    if demanded is None:
        return
    failure = _LOGIN_FAILURES.get(operation, "DirListingFailed")
    raise SessionRequired(
        demanded,
        status=502,
        code=f"ExternalError.{failure}.LoginFailed",
        message=(
            f"Command Failed: Error (login)\nEndpoint: {collection.display_name} "
            f"({collection.id})\nMessage: Login Failed\n---\nDetails: "
            f"{demanded['session_message']}"
        ),
    )


def require_submission_session(
    world: World, info: TokenInfo, collections: Iterable[Collection]
) -> None:
    """A task naming collections (a transfer's source, then destination; a
    delete's one) whose requirements the session does not meet is refused
    with 403 ``AuthorizationRequired`` and no task. The first collection
    that refuses is named: two collections' demands cannot always be merged
    into one login (two ``session_required_single_domain`` lists are "and",
    one list is "or"), so a second refusal, if any, follows the next try."""
    for collection in {c.id: c for c in collections}.values():
        demanded = world.auth.unmet(info, collection.session_requirement)
        if demanded is not None:
            raise SessionRequired(
                demanded,
                status=403,
                code="AuthorizationRequired",
                message=(
                    f"The collection {collection.display_name} ({collection.id}) requires "
                    f"you to re-authenticate: {demanded['session_message']}"
                ),
            )
