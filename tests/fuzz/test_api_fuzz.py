"""The API fuzzed from its own OpenAPI schema (schemathesis): every operation, with a token of each of three
personas, a few generated inputs each; whatever the input, no answer is a server error. Bounded in time."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.django_db
FUZZ_PERSONAS = ("ban.tochuc", "bithu.phap", "dangvien.phap")
EXAMPLES = 3


def operations():
    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def in_test_transaction():
    """Requests served in-process keep the test's connection: as Django's test client does, the handler does
    not close database connections at the start and end of each request (PostgreSQL would lose the test's
    transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_input_makes_the_api_fail(personas, in_test_transaction):
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    app = WSGIHandler()
    headers = [{"Authorization": f"Token {token_create(actor=SYSTEM, user=personas[n])}"} for n in FUZZ_PERSONAS]
    failures: list[str] = []
    statuses: dict[int, int] = {}
    ops = operations()
    assert len(ops) > 80  # the whole API, not a corner of it
    for operation in ops:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            for header in headers:
                response = case.call(app=app, headers=header)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                try:
                    case.validate_response(response, checks=[not_a_server_error])
                except Exception as exc:  # noqa: BLE001 (collect every operation's failure, then report)
                    failures.append(f"{case.method.upper()} {case.path}: {str(exc)[:300]}")
                    return

        fuzz()
    assert not failures, "\n".join(sorted(set(failures))[:40])
    assert sum(statuses.values()) >= len(ops) * len(headers)  # every operation was called for every persona
    assert not [code for code in statuses if code >= 500], statuses
