"""Per-request context (client IP) for code that has no request at hand, such as the audit log."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings

_ip: ContextVar[str | None] = ContextVar("chibo_ip", default=None)


def set_ip(ip: str | None):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the client: REMOTE_ADDR, unless it is one of the reverse proxies the deployment trusts
    (``CHIBO_TRUSTED_PROXIES``), in which case the right-most address of X-Forwarded-For that is not a trusted
    proxy (what a client writes to the left of it cannot be believed). Used by login throttling (axes and
    allauth), API throttling and the audit log alike."""
    remote = (request.META.get("REMOTE_ADDR") or "")[:45]
    networks = _networks(tuple(settings.CHIBO_TRUSTED_PROXIES))
    address = _address(remote)
    if not networks or address is None or not _trusted(address, networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        found = _address(hop)
        if found is None:
            return remote  # a malformed chain: keep the proxy's own address rather than guess
        if not _trusted(found, networks):
            return str(found)[:45]
    return remote
