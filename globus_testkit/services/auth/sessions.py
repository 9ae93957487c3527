"""Sessions: which identities authenticated in the login behind a token,
when, and with MFA; and the one question every service asks of them,
:meth:`SessionRegistry.session_problems`.

A login records a new session that keeps the person's earlier
authentications (as a browser does) and adds those presented now. Every
token remembers the session it was minted under, and a refreshed token
keeps it, so assurance runs out on the clock until the person logs in
again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any, ClassVar

from ...derived import KeepsDerived
from .identities import IDENTITY_URN
from .policies import Policy, PolicyRegistry

if TYPE_CHECKING:
    from .identities import Identity
    from .tokens import TokenInfo


@dataclass(frozen=True)
class Authentication:
    identity_id: str
    idp_id: str
    auth_time: float
    mfa: bool


@dataclass
class Session:
    id: str
    identity_id: str  # who logged in
    authentications: dict[str, Authentication]
    created: float

    def to_session_info(self) -> dict[str, Any]:
        """As introspection's ``include=session_info`` shows it."""
        return {
            "session_id": self.id,
            "authentications": {
                a.identity_id: {
                    "auth_time": int(a.auth_time),
                    "idp": a.idp_id,
                    "custom_claims": {},
                    "acr": None,
                    "amr": ["mfa"] if a.mfa else None,
                }
                for a in self.authentications.values()
            },
        }


@dataclass
class SessionDemand:
    """What an authorize URL (or an error's ``authorization_parameters``)
    asks of a login."""

    identities: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    mfa: bool = False
    prompt_login: bool = False
    message: str | None = None


@dataclass
class SessionRequirement:
    """What a resource (a collection, a flow, a group...) demands of its
    callers' sessions; services keep one and ask Auth about it with
    :meth:`SessionRegistry.unmet`."""

    policy_ids: list[str] = field(default_factory=list)
    required_domains: list[str] = field(default_factory=list)
    required_identities: list[str] = field(default_factory=list)
    require_mfa: bool = False
    assurance_timeout: float | None = None
    message: str | None = None

    @classmethod
    def of(
        cls,
        *,
        policy: str | Iterable[str] | None = None,
        domains: str | Iterable[str] = (),
        identities: Iterable[Any] = (),
        mfa: bool = False,
        timeout: float | None = None,
        message: str | None = None,
    ) -> SessionRequirement:
        """The requirement test helpers take: a policy id (or ids), domains,
        identities (objects or ids), MFA, an assurance timeout in seconds."""
        policies = [policy] if isinstance(policy, str) else list(policy or ())
        return cls(
            policy_ids=policies,
            required_domains=[domains] if isinstance(domains, str) else list(domains),
            required_identities=[getattr(i, "id", i) for i in identities],
            require_mfa=mfa,
            assurance_timeout=timeout,
            message=message,
        )


class SessionRegistry(PolicyRegistry, KeepsDerived):
    """Sessions by id: a layer of :class:`AuthState`."""

    # identity id -> when it last authenticated, in any session: asked on
    # every request to a high-assurance group, so none walks the world's
    # sessions (built when first asked; sessions are only ever added)
    DERIVED: ClassVar[tuple[str, ...]] = (*PolicyRegistry.DERIVED, "_last_authenticated")
    _last_authenticated: dict[str, float] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: dict[str, Session] = {}
        self._latest_session: dict[str, str] = {}  # identity -> its newest session

    # -- recording logins ------------------------------------------------------

    def record_login(
        self,
        identity_id: str,
        present: Iterable[str],
        *,
        mfa: bool,
        prompt_login: bool = True,
        browser: bool = True,
    ) -> Session:
        """A person logged in as ``identity_id``, authenticating with every
        identity in ``present`` (their own linked identities), with MFA or
        not. Earlier authentications of the same person stay in the session.

        Without ``prompt_login`` (an authorize URL without ``prompt=login``)
        the browser's existing login of ``identity_id`` is reused, keeping
        its ``auth_time``; identities in ``present`` always authenticate anew.
        ``browser=False`` records a login of its own (tokens minted directly,
        a client's credentials) that neither reads nor changes the person's
        browser session.
        """
        set_ids = {i.id for i in self.identity_set(identity_id)}
        now = self.clock.now()
        kept: dict[str, Authentication] = {}
        previous = self.sessions.get(self._latest_session.get(identity_id, ""))
        if previous is not None and browser:
            kept.update(previous.authentications)
        presented = list(dict.fromkeys(present))
        for other in presented:
            if other not in set_ids:
                raise ValueError(f"{other} is not linked to {identity_id}")
        reused = kept.get(identity_id)
        if prompt_login or reused is None or (mfa and not reused.mfa):
            presented.insert(0, identity_id)
        for member in presented:
            provider = self.identities[member].identity_provider
            kept[member] = Authentication(member, provider, now, mfa)
        session = Session(self.ids.uuid(), identity_id, kept, now)
        self.sessions[session.id] = session
        if self._last_authenticated is not None:
            self._note_authentications(self._last_authenticated, session)
        if browser:
            for member in set_ids:
                self._latest_session[member] = session.id
        return session

    def identities_in_domains(self, identity_id: str, domains: Iterable[str]) -> list[Identity]:
        """The identities of ``identity_id``'s set from one of ``domains``
        (``fnmatch`` patterns, as required domains are), all without any:
        those a resource's refusal asks to authenticate again."""
        patterns = list(domains)
        return [
            i
            for i in self.identity_set(identity_id)
            if not patterns or _domain_matches(self.domain_of(i.id), patterns)
        ]

    def last_authentication(self, identity_id: str) -> float | None:
        """When ``identity_id`` last authenticated, in any session (epoch
        seconds on the clock), or None if never: what high-assurance groups
        measure their assurance timeout against."""
        if self._last_authenticated is None:
            self._last_authenticated = {}
            for session in self.sessions.values():
                self._note_authentications(self._last_authenticated, session)
        return self._last_authenticated.get(identity_id)

    @staticmethod
    def _note_authentications(latest: dict[str, float], session: Session) -> None:
        for a in session.authentications.values():
            latest[a.identity_id] = max(a.auth_time, latest.get(a.identity_id, a.auth_time))

    def session(self, session_id: str | None) -> Session | None:
        return self.sessions.get(session_id or "")

    def plan_login(self, identity_id: str, demand: SessionDemand) -> tuple[list[str], bool]:
        """What a cooperative person presents to meet ``demand``: the
        identities of their set that it names or whose domains it wants,
        and MFA if anything asks for it. (Headless logins use this unless a
        test chooses what to present.)"""
        members = self.identity_set(identity_id)
        present: list[str] = []
        wanted = {_bare(i) for i in demand.identities}
        present += [m.id for m in members if m.id in wanted]
        if demand.domains:
            present += [
                m.id for m in members if _domain_matches(self.domain_of(m.id), demand.domains)
            ][:1]
        mfa = demand.mfa
        for policy in self._known_policies(demand.policies):
            present += [m.id for m in members if policy.admits_domain(self.domain_of(m.id))][:1]
            mfa = mfa or policy.required_mfa
        return list(dict.fromkeys(present)), mfa

    # -- the question services ask -----------------------------------------------

    def session_problems(
        self,
        token: TokenInfo,
        *,
        policy_ids: Iterable[str] = (),
        required_domains: Iterable[str] = (),
        required_identities: Iterable[str] = (),
        require_mfa: bool = False,
        assurance_timeout: float | None = None,
        message: str | None = None,
    ) -> dict[str, Any] | None:
        """The ``authorization_parameters`` to demand of the caller, or None
        when the token's session satisfies every requirement.

        ``required_domains``: an identity from one of these domains must
        have authenticated in the session (within ``assurance_timeout``
        seconds if given, with MFA if ``require_mfa``).
        ``required_identities``: each must have authenticated in the session.
        ``policy_ids``: Auth policies; a high-assurance one is checked
        against the session, any other against the identity set.
        Each service raises :class:`~globus_testkit.http.SessionRequired`
        with the answer, in its own error shape.
        """
        session = self.session(token.session_id)
        if session is None and not token.session_id:
            # lenient tokens have no session and are taken as satisfying
            return None
        authentications = list(session.authentications.values()) if session else []
        now = self.clock.now()
        timeout, mfa = assurance_timeout, require_mfa
        params: dict[str, Any] = {}
        missing = [
            _bare(i)
            for i in required_identities
            if not any(
                a.identity_id == _bare(i) and _fresh(a, now, timeout, mfa) for a in authentications
            )
        ]
        if missing:
            params["session_required_identities"] = missing
        domains = list(required_domains)
        if domains and not any(
            _fresh(a, now, timeout, mfa) and _domain_matches(self.domain_of(a.identity_id), domains)
            for a in authentications
        ):
            params["session_required_single_domain"] = domains
        failing = [
            p.id
            for p in self._known_policies(policy_ids)
            if not self._satisfies(p, token, authentications, now)
        ]
        if failing:
            params["session_required_policies"] = failing
        if mfa and not any(_fresh(a, now, timeout, True) for a in authentications):
            params["session_required_mfa"] = True
        if not params:
            return None
        params["session_message"] = message or _default_message(params)
        return params

    def unmet(
        self, token: TokenInfo, requirement: SessionRequirement | None
    ) -> dict[str, Any] | None:
        """:meth:`session_problems` for a resource's stored requirement."""
        if requirement is None:
            return None
        return self.session_problems(
            token,
            policy_ids=requirement.policy_ids,
            required_domains=requirement.required_domains,
            required_identities=requirement.required_identities,
            require_mfa=requirement.require_mfa,
            assurance_timeout=requirement.assurance_timeout,
            message=requirement.message,
        )

    def assurance_window(self, requirement: SessionRequirement | None) -> float | None:
        """How long an authentication satisfies ``requirement`` (seconds):
        the longest of its own timeout and its high-assurance policies'
        timeouts; None when nothing in it lapses with time."""
        if requirement is None:
            return None
        windows = [
            float(p.authentication_assurance_timeout)
            for p in self._known_policies(requirement.policy_ids)
            if p.high_assurance and p.authentication_assurance_timeout is not None
        ]
        if requirement.assurance_timeout is not None:
            windows.append(float(requirement.assurance_timeout))
        return max(windows, default=None)

    def _satisfies(
        self, policy: Policy, token: TokenInfo, authentications: list[Authentication], now: float
    ) -> bool:
        if policy.high_assurance:
            timeout = policy.authentication_assurance_timeout
            return any(
                _fresh(a, now, timeout, policy.required_mfa)
                and policy.admits_domain(self.domain_of(a.identity_id))
                for a in authentications
            )
        return any(
            policy.admits_domain(self.domain_of(i.id)) for i in self.identity_set(token.identity_id)
        )

    def _known_policies(self, policy_ids: Iterable[str]) -> list[Policy]:
        # A resource naming a policy that was since deleted demands nothing
        # of it, as nothing could satisfy it.
        return [self.policies[p] for p in policy_ids if p in self.policies]


def _fresh(a: Authentication, now: float, timeout: float | None, mfa: bool) -> bool:
    """Authenticated recently enough (``timeout`` seconds, if any), and
    with MFA if ``mfa`` asks for it."""
    recent = timeout is None or now - a.auth_time <= timeout
    return recent and (a.mfa or not mfa)


def _bare(identity: str) -> str:
    return identity.removeprefix(IDENTITY_URN)


def _domain_matches(domain: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch(domain, pattern.lower()) for pattern in patterns)


def _default_message(params: dict[str, Any]) -> str:
    if "session_required_policies" in params:
        return "You must authenticate in a way that meets this resource's authentication policy"
    if "session_required_single_domain" in params:
        domains = ", ".join(params["session_required_single_domain"])
        return f"You must authenticate with an identity from one of these domains: {domains}"
    if "session_required_identities" in params:
        return "You must authenticate with the identities this resource requires"
    return "You must authenticate with multi-factor authentication"
