"""Per-request context (client IP) for code that has no request at hand, such as the audit log."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("chibo_ip", default=None)


def set_ip(ip: str | None):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()


def client_ip(request) -> str:
    """REMOTE_ADDR; behind a proxy, gunicorn is told the real address with --forwarded-allow-ips."""
    return (request.META.get("REMOTE_ADDR") or "")[:45]
