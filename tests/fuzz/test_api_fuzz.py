"""The API fuzzed from its own OpenAPI schema (schemathesis): every operation, with a token of each of three
personas, a few generated inputs each; whatever the input, no answer is a server error, and every answer is one the
schema documents: its status, its content type and its body (chibo.core.schema documents the error answers). Bounded
in time."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db
FUZZ_PERSONAS = ("ban.tochuc", "bithu.phap", "dangvien.phap")
EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def schema_document() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def operations():
    schema = schemathesis.openapi.from_dict(schema_document())
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_documents_its_error_answers_as_json():
    missing = []
    for path, item in schema_document()["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            expected = {"401", "403", "404", "429"} | ({"400", "409"} if method in ("post", "put", "patch",
                                                                                  "delete") else set())
            missing += [f"{method.upper()} {path} {code}" for code in sorted(expected - set(answers))]
            missing += [f"{method.upper()} {path} {code} (no JSON body)" for code, answer in answers.items()
                        if code.startswith("4") and "application/json" not in answer.get("content", {})]
    assert not missing, missing[:20]


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
                    case.validate_response(response, checks=CHECKS)
                except (Exception, FailureGroup) as exc:  # noqa: BLE001 (collect every failure, then report)
                    failures.append(f"{case.method.upper()} {case.path} [{response.status_code}]: {str(exc)[:600]}")
                    return

        fuzz()
    assert not failures, "\n".join(sorted(set(failures))[:400])
    assert sum(statuses.values()) >= len(ops) * len(headers)  # every operation was called for every persona
    assert not [code for code in statuses if code >= 500], statuses
