"""Browser journeys: one headless Debian chromium per test module, driven by playwright.sync_api.

Playwright never downloads a browser here: it launches /usr/bin/chromium. The sync API runs an event
loop in the test thread, so Django's "async unsafe" guard is switched off for these tests.
"""

from __future__ import annotations

import os
import time

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _serve_one_request_at_a_time() -> None:
    """On SQLite the test database lives in memory, and the live server hands its one connection to
    every request thread: two requests at once (a search typed while the last one still runs) would
    both begin a transaction on it and one fails with "cannot start a transaction within a
    transaction". A server that answers one request at a time keeps the browser's requests in line,
    as a single-process deployment does. PostgreSQL gives each thread its own connection, so it keeps
    the threaded server."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server thread installs the shared connection itself; requests run on it.
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATime


_serve_one_request_at_a_time()

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def demo_org(live_server, migrated_data):
    """The demo organization inside the live server's (transactional) database.

    The session demo survives only until the first transactional test flushes the database, so the
    journey builds its own when the personas are missing.
    """
    from chibo.accounts.models import User
    from chibo.demo.builder import build_demo

    if not User.objects.filter(username="bithu.phap").exists():
        build_demo(seed=2026, members=200)
    return live_server


@pytest.fixture
def totp_now():
    """totp_now(user) → the user's current TOTP code, never one about to expire (allauth allows no
    clock tolerance by default)."""
    from chibo.accounts.services import totp_code, totp_secret

    def code(user) -> str:
        secret = totp_secret(user)
        assert secret, f"{user.username} has no TOTP enrolled"
        if 30 - time.time() % 30 < 4:
            time.sleep(30 - time.time() % 30 + 0.2)
        return totp_code(secret)

    return code
