from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.accounts.models import User
from chibo.accounts.services import token_create
from chibo.core.access import Actor


class Command(BaseCommand):
    help = "API tokens. 'chibo token create USERNAME' prints a new token for that user (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--label", default="cli")

    def handle(self, *args, action, username, label, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        key = token_create(actor=Actor(user=None, label="cli"), user=user, label=label)
        self.stdout.write(key)
