from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from chibo.notifications.models import Message
from chibo.notifications.services import outbox_hand_over_stale


class Command(BaseCommand):
    help = ("Hand the outbox messages whose task seems lost to the worker again and print the messages "
            "by state (`chibo reminders` does the same hand-over on each sweep).")

    def handle(self, *args, **options):
        result = outbox_hand_over_stale()
        counts = dict(Message.objects.order_by().values_list("state").annotate(n=Count("pk")))
        states = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "empty"
        self.stdout.write(f"Outbox: {result.handed} handed to the worker again; {states}.")
