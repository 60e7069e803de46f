from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chibo.accounts.models import User
from chibo.accounts.services import totp_code, totp_secret


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (never for real accounts, never in production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("chibo totp is only available outside production.")
        user = User.objects.filter(username=username, is_demo=True).first()
        if user is None:
            raise CommandError(f"{username!r} is not a demo account.")
        secret = totp_secret(user)
        if not secret:
            raise CommandError(f"{username!r} has no TOTP enrolled.")
        self.stdout.write(totp_code(secret))
