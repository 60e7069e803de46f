"""Reads from PostgreSQL streaming replicas, when the installation has them (``DATABASE_REPLICA_URLS``).

What goes where:
- every write, and every read inside a transaction, goes to the primary (``default``): a service reads what it is
  about to change where it changes it;
- a request that may write (POST, PUT, PATCH, DELETE), and every request outside the web (the worker, ``chibo``
  commands), reads from the primary too;
- a page or API read (GET, HEAD) reads from a replica that is up and has replayed the primary's WAL to within
  ``CHIBO_REPLICA_MAX_LAG_BYTES``, and, for a browser or client that wrote a moment ago, has replayed that client's
  own write (read-your-writes: after a write, the response carries the primary's WAL position in a cookie; a replica
  that has not reached it is not used for that client until it has);
- sign-in, sessions and accounts always read from the primary (a password just changed, a session just ended).

A replica that is down or lags is left out for ``RECHECK_SECONDS`` and the read goes to the primary: the page says
nothing, it is only slower. Each process checks a replica at most once per ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import contextvars
import logging
import random
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PREFIX = "replica_"
COOKIE = "chibo_wal"
RECHECK_SECONDS = 1.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Apps read on every request to decide who is asking, or changed by the request that reads them next.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "account", "mfa", "usersessions", "axes",
                               "django_tasks_db"})
_LSN = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")

_reading: contextvars.ContextVar[str] = contextvars.ContextVar("chibo_reading", default=PRIMARY)


def aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(PREFIX)]


def lsn_value(text: str | None) -> int | None:
    """A WAL position ("16/B374D848") as a number; None for anything else (a cookie is hostile input)."""
    if not text or not _LSN.match(text.upper()):
        return None
    high, low = text.upper().split("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class _State:
    checked: float = 0.0
    replayed: int | None = None  # the replica's replay position; None: down or not a replica
    usable: bool = False


_states: dict[str, _State] = {}
_lock = threading.Lock()


def primary_position() -> str | None:
    """The primary's current WAL position (after a write), or None when the database is not PostgreSQL."""
    connection = connections[PRIMARY]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _check(alias: str) -> _State:
    state = _State(checked=time.monotonic())
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
            in_recovery, replayed = cursor.fetchone()
        primary = lsn_value(primary_position())
        state.replayed = lsn_value(replayed) if in_recovery else None
        lag = None if state.replayed is None or primary is None else max(0, primary - state.replayed)
        state.usable = lag is not None and lag <= settings.CHIBO_REPLICA_MAX_LAG_BYTES
        if not state.usable:
            logger.info("replica %s not used: %s", alias, "not in recovery" if lag is None else f"lag {lag} bytes")
    except DatabaseError as exc:
        logger.warning("replica %s not used: %s", alias, exc)
        connections[alias].close()
    return state


def _state(alias: str) -> _State:
    with _lock:
        state = _states.get(alias)
        if state is None or time.monotonic() - state.checked >= RECHECK_SECONDS:
            state = _states[alias] = _State(checked=time.monotonic())  # others use the old verdict meanwhile
            fresh = True
        else:
            fresh = False
    if fresh:
        state = _check(alias)
        with _lock:
            _states[alias] = state
    return state


def forget() -> None:
    """Check every replica again at the next read (tests; after a failover)."""
    with _lock:
        _states.clear()


def replica_for(written: str | None) -> str:
    """The replica a read may use, for a client whose last write left the primary at ``written`` (a cookie's
    value); the primary when none is up, caught up and past that write."""
    needed = lsn_value(written) or 0
    candidates = aliases()
    random.shuffle(candidates)
    for alias in candidates:
        state = _state(alias)
        if state.usable and state.replayed is not None and state.replayed >= needed:
            return alias
    return PRIMARY


def reading_from() -> str:
    return _reading.get()


def read_from(alias: str) -> contextvars.Token:
    return _reading.set(alias)


def stop_reading(token: contextvars.Token) -> None:
    _reading.reset(token)


class ReplicaRouter:
    """Django's database router: reads go where the request's middleware chose (``read_from``), unless they are
    inside a transaction or about sign-in and sessions; writes and migrations go to the primary."""

    def db_for_read(self, model, **hints) -> str:
        alias = _reading.get()
        if alias == PRIMARY or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Chooses where the request's reads go (``replica_for``) and, after a request that may have written, gives the
    client the primary's WAL position to wait for (read-your-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = bool(aliases())

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        token = read_from(replica_for(request.COOKIES.get(COOKIE)) if safe else PRIMARY)
        try:
            response = self.get_response(request)
        finally:
            stop_reading(token)
        if not safe:
            try:
                position = primary_position()
            except DatabaseError:
                position = None
            if position:
                response.set_cookie(COOKIE, position, max_age=settings.CHIBO_REPLICA_STICKY_SECONDS, httponly=True,
                                    secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response
