"""The iCalendar feed of a user: a secret, revocable URL (only its SHA-256 is stored) serving the
open deadlines that user may see, as all-day events, with no personal names in it.

The text building (``ical_text``, ``fold``, ``vevent``, ``vcalendar``) knows nothing of deadlines: the
apps above add their events to the same feed (``register_source``: the meetings, with ``vevent``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.models import OPEN_STATES, FeedToken
from chibo.deadlines.selectors import deadlines_visible

# A source of more events for a user's feed: (actor, absolute URL of a path) → VEVENTs.
FeedSource = Callable[[Actor, Callable[[str], str]], list[list[str]]]
_sources: list[FeedSource] = []


def register_source(source: FeedSource) -> None:
    """Add the events of an app above (its meetings…) to every user's feed (called at start-up)."""
    if source not in _sources:
        _sources.append(source)


def more_events(actor: Actor, absolute: Callable[[str], str]) -> list[list[str]]:
    return [event for source in _sources for event in source(actor, absolute)]


LINE_OCTETS = 75  # RFC 5545 §3.1: lines longer than 75 octets are folded
CRLF = "\r\n"


# --- RFC 5545 text ------------------------------------------------------------------------------

def ical_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    # Other control characters are not allowed in TEXT.
    return "".join(ch for ch in value if ch >= " " or ch == "\t")


def fold(line: str) -> str:
    """Fold one content line into physical lines of at most 75 octets (never inside a UTF-8 character)."""
    out: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, LINE_OCTETS
        current += ch
        size += width
    out.append(current)
    return CRLF.join(out)


def vevent(*, uid: str, day: date | datetime, summary: str, description: str = "", url: str = "",
           stamp: datetime | None = None, end: date | datetime | None = None) -> list[str]:
    """The content lines of one event (unfolded). A ``date`` makes an all-day event (DTEND the day
    after unless ``end``); an aware ``datetime`` a timed one in UTC, which every client shows in
    its own zone (``end`` required)."""
    stamp = (stamp or timezone.now()).astimezone(UTC)
    if isinstance(day, datetime):
        if not isinstance(end, datetime) or day.tzinfo is None:
            raise ValueError("a timed event needs an aware start and an end")
        when = [f"DTSTART:{day.astimezone(UTC):%Y%m%dT%H%M%SZ}", f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"]
    else:
        when = [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{(end or day + timedelta(days=1)):%Y%m%d}"]
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}", *when, f"SUMMARY:{ical_text(summary)}"]
    if description:
        lines.append(f"DESCRIPTION:{ical_text(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def vcalendar(events: Iterable[list[str]], *, name: str) -> str:
    """A whole VCALENDAR: CRLF line endings, every line folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chibo//Han va lich sinh hoat//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_text(name)}",
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


# --- tokens -------------------------------------------------------------------------------------

def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _own(actor: Actor, user) -> None:
    """A feed is personal: only its owner (or the system) creates or revokes it."""
    if actor.user is not None and getattr(actor.user, "pk", None) != user.pk:
        raise PermissionDenied("feeds.own")


@transaction.atomic
def feed_token_create(*, actor: Actor, user) -> str:
    """A new secret feed key for ``user`` (any previous one stops working). The key is returned once
    and only its hash is stored."""
    _own(actor, user)
    now = timezone.now()
    revoked = FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    key = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(user=user, key_hash=hash_key(key))
    audit(actor=actor, action="feed_token.created", obj=token,
          data={"user": user.pk, "replaced": revoked})
    return key


@transaction.atomic
def feed_token_revoke(*, actor: Actor, user) -> int:
    """Revoke the user's feed: its URL answers 404 from now on. Returns how many keys were revoked."""
    _own(actor, user)
    tokens = list(FeedToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    FeedToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    audit(actor=actor, action="feed_token.revoked", obj=tokens[0], data={"user": user.pk,
                                                                         "count": len(tokens)})
    return len(tokens)


def feed_active(user) -> FeedToken | None:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


def feed_user(key: str):
    """The active user owning a feed key, or None (unknown, revoked, or the account is closed)."""
    if not key or len(key) > 100:
        return None
    token = (FeedToken.objects.select_related("user")
             .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True).first())
    return token.user if token is not None else None


# --- the deadlines of a feed --------------------------------------------------------------------

def deadline_events(actor: Actor, *, detail_url, today: date | None = None) -> list[list[str]]:
    """VEVENTs of the open deadlines ``actor`` may see. No names: the kind and the unit's code only
    (a calendar app syncs to phones and clouds); the description is the link to the detail page."""

    today = today or clock.today()
    stamp = timezone.now()
    events = []
    rows = (deadlines_visible(actor).filter(state__in=OPEN_STATES).select_related("unit")
            .only("pk", "kind", "due_date", "unit__code").order_by("due_date", "pk"))
    for deadline in rows:
        label = KINDS[deadline.kind].label if deadline.kind in KINDS else deadline.kind
        prefix = gettext("[Quá hạn] ") if deadline.due_date < today else ""
        url = detail_url(deadline.pk)
        events.append(vevent(uid=f"deadline-{deadline.pk}@chibo", day=deadline.due_date,
                             summary=f"{prefix}{label} — {deadline.unit.code}", description=url, url=url,
                             stamp=stamp))
    return events
