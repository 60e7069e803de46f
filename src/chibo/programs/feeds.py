"""The open items of the programs a user keeps, as all-day events of their calendar feed on each item's due date
(``deadlines.feeds.register_source``): the unit's name and the due date, never the item's text or its owner."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext

from chibo.core import clock
from chibo.core.access import Actor
from chibo.deadlines.feeds import vevent
from chibo.programs.selectors import feed_items

FEED_LIMIT = 500


def item_events(actor: Actor, absolute: Callable[[str], str]) -> list[list[str]]:
    stamp, today = timezone.now(), clock.today()
    events = []
    for item in feed_items(actor)[:FEED_LIMIT]:
        url = absolute(f"/programs/items/{item.pk}/")
        what = (gettext("Hạn việc trong chương trình công tác (quá hạn)") if item.due_on < today
                else gettext("Hạn việc trong chương trình công tác"))
        events.append(vevent(uid=f"program-item-{item.pk}@chibo", day=item.due_on, stamp=stamp, url=url,
                             summary=f"{what} — {item.program.unit.name}",
                             description=url))
    return events
