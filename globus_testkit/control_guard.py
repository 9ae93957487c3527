"""Who may steer the world: the control plane's guards against browsers.

The control plane (and its dashboard) resets worlds and moves clocks, so
a web page the developer happens to have open must not reach it:

- **Loopback peers only** (unless ``serve --allow-remote-control``); an
  IPv4 peer on a dual-stack socket (``::ffff:127.0.0.1``) is loopback too.
- **DNS rebinding**: a page on ``attacker.example`` whose name later
  resolves to 127.0.0.1 sends ``Host: attacker.example``. Only loopback
  names and addresses and the host the server was bound to are answered
  (unless remote control is allowed: then any name may reach it).
- **Cross-site writes** (CSRF): a write (any method but GET, HEAD and
  OPTIONS) from another origin is refused, told by ``Origin``,
  ``Referer`` or ``Sec-Fetch-Site``; and so is any write carrying one of
  the content types a browser may send cross-site without asking first
  (``text/plain``, form encodings), since the control plane only reads
  JSON. Scripts and tools (curl, requests, other languages) send no
  ``Origin`` and are unaffected.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

from .http import Call

READS = frozenset(("GET", "HEAD", "OPTIONS"))
# The content types an HTML form or a "simple" fetch can send to another
# origin without a CORS preflight.
BROWSER_CONTENT_TYPES = frozenset(
    ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
)
LOOPBACK_NAMES = frozenset(("localhost",))


def is_loopback_address(address: str) -> bool:
    """A loopback peer, IPv4-mapped IPv6 (dual-stack sockets) included."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _hostname(authority: str) -> str | None:
    """The host of a ``host[:port]`` authority, lower-cased, IPv6 without
    brackets; None if it is not one."""
    try:
        parts = urlsplit(f"//{authority}")
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return parts.hostname


def host_allowed(host_header: str, bound_hosts: Collection[str]) -> bool:
    """Whether a Host header names this server: a loopback name or
    address, or a host the server was bound to."""
    hostname = _hostname(host_header)
    if hostname is None:
        return False
    if hostname in LOOPBACK_NAMES or is_loopback_address(hostname):
        return True
    return hostname in {h.strip("[]").lower() for h in bound_hosts}


def refusal(
    call: Call, *, remote_allowed: bool, bound_hosts: Collection[str]
) -> tuple[int, str] | None:
    """Why this control-plane call is refused (status, message), or None
    to answer it."""
    if not remote_allowed and not is_loopback_address(call.remote_addr):
        return 403, "the control plane answers loopback peers only"
    host = call.headers.get("host")
    if host is not None and not remote_allowed and not host_allowed(host, bound_hosts):
        return 403, (
            f"the control plane does not answer for Host {host[:100]!r} "
            "(only loopback names and the address it serves on)"
        )
    if call.method in READS:
        return None
    return _cross_site_write(call)


def _cross_site_write(call: Call) -> tuple[int, str] | None:
    own_origin = f"{urlsplit(call.base_url).scheme}://{call.headers.get('host', '')}".lower()
    origin = call.headers.get("origin")
    if origin is not None and origin.lower() != own_origin:
        return 403, f"cross-origin writes are refused (Origin {origin[:100]!r})"
    referer = call.headers.get("referer")
    if origin is None and referer is not None:
        parts = urlsplit(referer)
        if f"{parts.scheme}://{parts.netloc}".lower() != own_origin:
            return 403, "cross-origin writes are refused (Referer from another origin)"
    if call.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return 403, "cross-site writes are refused (Sec-Fetch-Site)"
    content_type = call.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type in BROWSER_CONTENT_TYPES:
        return 415, (
            f"control-plane writes take application/json, not {content_type} "
            "(the types a web page may post cross-site)"
        )
    return None
