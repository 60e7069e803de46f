"""Shared fixtures: one demo organization per test database, named personas, logged-in clients.

The demo is built once per test run (per xdist worker) right after the test database is created;
each test runs in a transaction rolled back at its end, so every test sees the same organization.
Tests that need a live server or a real worker process (transactional) build their own data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("CHIBO_ENV", "test")
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"

DEMO_MEMBERS = 300
PERSONAS = ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap")


# A test that reaches a database only through these fixtures or the django_db mark; one that reaches it otherwise
# (a subprocess, a database of its own, a client whose session needs one) names one of these words in its module.
DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                         "live_server"})
OWN_DATABASE = re.compile(r"run_chibo|subprocess|demo_db_copy|DATABASE_URL|postgres|Client\(|connection")


JOURNEYS = Path(__file__).resolve().parent / "tests" / "e2e"


def pytest_collection_modifyitems(config, items):
    """Each test runs where it tests something. ``make test`` runs the suite on SQLite, then on PostgreSQL:
    - the browser journeys (tests/e2e) run once, on PostgreSQL, the production database, with a threaded server as
      deployed; ``scripts/test.sh`` sets CHIBO_TEST_JOURNEYS_LATER=1 for the SQLite pass only when a PostgreSQL
      pass follows, so a run without PostgreSQL still runs them on SQLite;
    - on PostgreSQL, the tests that never touch a database (text, names, calendar arithmetic, papers rendered from
      plain data) are left out: the SQLite pass ran them, and a second run would test nothing new.
    Every other test runs on both."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    journeys_later = os.environ.get("CHIBO_TEST_JOURNEYS_LATER") == "1" and not on_postgres
    if not on_postgres and not journeys_later:
        return
    sources: dict[str, bool] = {}
    kept, left = [], []
    for item in items:
        path = str(item.path)
        if journeys_later:
            (left if JOURNEYS in item.path.parents else kept).append(item)
            continue
        if path not in sources:
            sources[path] = bool(OWN_DATABASE.search(Path(path).read_text(encoding="utf-8")))
        touches = (item.get_closest_marker("django_db") is not None
                   or bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or sources[path])
        (kept if touches else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def _vietnamese_outside_requests():
    """Each test starts in the product's own language. A request in English (a test client sending
    Accept-Language, a session that chose English) leaves the thread's language switched on after it, as Django's
    locale middleware does not switch back; a service called directly afterwards would then speak English."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from chibo.demo.builder import build_demo

    with django_db_blocker.unblock():
        build_demo(seed=2026, members=DEMO_MEMBERS)


@pytest.fixture
def personas(db):
    from chibo.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=PERSONAS)}


@pytest.fixture
def actor_of(personas):
    """actor_of("bithu.phap") → the Actor services and selectors receive for that persona."""
    from chibo.core.access import actor_from_user

    return lambda username: actor_from_user(personas[username], ip="127.0.0.1")


@pytest.fixture
def client_of(personas):
    """client_of("bithu.phap") → a Django test client logged in as that persona (MFA enrolled)."""
    from django.test import Client

    def make(username: str) -> Client:
        client = Client()
        client.force_login(personas[username])
        return client

    return make


@pytest.fixture
def unit(db):
    from chibo.units.models import Unit

    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def restore_migration_data() -> None:
    """A transactional test's flush also empties the tables data migrations fill (the rulebook); put them back
    so the next transactional test starts from a migrated database: every migration that seeds rules (a
    ``seed(apps, schema_editor)`` function) runs again, in the order ``migrate`` ran them (a later seed may
    replace an earlier one's rule)."""
    import importlib
    import sys

    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    from chibo.core.models import Rule

    if Rule.objects.exists():
        return
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    done: set[tuple[str, str]] = set()
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node in done:
                continue
            done.add(node)
            name = graph.nodes[node].__module__
            seed = getattr(sys.modules.get(name) or importlib.import_module(name), "seed", None)
            if name.startswith("chibo.") and callable(seed):
                seed(apps, None)


@pytest.fixture
def migrated_data(transactional_db):
    restore_migration_data()


@pytest.fixture
def flush_install(migrated_data):
    """A callable taking the database back to what `migrate` leaves (the rulebook, nothing else: no unit, account
    or member), as often as a test needs it."""
    from django.core.management import call_command

    def flush() -> None:
        call_command("flush", "--no-input", verbosity=0)
        restore_migration_data()

    return flush


@pytest.fixture
def empty_install(live_server, flush_install):
    """A database as `migrate` leaves it (the rulebook, nothing else: no unit, account or member), served live."""
    flush_install()
    return live_server
