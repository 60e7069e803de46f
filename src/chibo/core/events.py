"""Typed domain events: how a lower layer tells the layers above it that something happened.

The apps form layers (docs/architecture.md): an app may call the services and selectors of the
apps below it, never of those above. When a lower app's write must have consequences in a higher
app (a member is admitted as probationary → the confirmation deadline opens; a unit is about to
close → the members app refuses while members remain), the lower app's service publishes an
event and the higher app subscribes to it when Django starts (``AppConfig.ready``).

Events are plain frozen dataclasses. ``publish`` calls every subscriber synchronously, in order of
subscription, inside the publisher's transaction: a subscriber's write commits or rolls back with
the write that caused it, and a subscriber may refuse the write by raising ``ValidationError``.
Paths that write many rows at once publish one event for the batch (never one per row), so the
subscribers see bulk writes too — unlike Django's model signals, which the services never use.
Anything sent to people goes through the outbox (``chibo.notifications``), never from a subscriber
directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], None]

_subscribers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Decorator: ``@subscribe(UnitClosing)`` registers the function for that event type.

    Subscribing twice the same function is a no-op, so a module imported again registers once."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _subscribers[event_type]:
            _subscribers[event_type].append(handler)
        return handler

    return register


def publish(event: object) -> None:
    """Run every subscriber of ``type(event)`` now, in the caller's transaction."""
    for handler in list(_subscribers.get(type(event), ())):
        handler(event)


def subscribers(event_type: type) -> list[Handler]:
    """The handlers registered for an event type (for the architecture page and tests)."""
    return list(_subscribers.get(event_type, ()))
