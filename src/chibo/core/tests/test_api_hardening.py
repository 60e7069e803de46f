"""Hostile input to the API answers 400 in JSON, never a server error or an HTML page; nothing is written."""

from __future__ import annotations

import json

import pytest

from chibo.core.models import AuditEvent
from chibo.members.models import Member

pytestmark = pytest.mark.django_db


def state(member_pk: int):
    return Member.objects.get(pk=member_pk).version, AuditEvent.objects.filter(action__startswith="member.").count()


@pytest.mark.parametrize("body", [
    "[" * 5000 + "]" * 5000,                                     # deeper than the JSON decoder's recursion
    '{"job_title": ' + "[" * 20 + '"x"' + "]" * 20 + "}",           # deeper than allowed
    json.dumps({"version": 2**63, "job_title": "x"}),          # beyond the database's integers
    json.dumps({"version": -1, "job_title": "x"}),
    '{"version": 1, "job_title": "x"',                          # not JSON at all
])
def test_hostile_bodies_answer_400_in_json(client_of, personas, body):
    client = client_of("bithu.phap")
    member = personas["dangvien.phap"].member
    before = state(member.pk)
    answer = client.patch(f"/api/v1/members/{member.pk}/", body, content_type="application/json")
    assert answer.status_code == 400 and answer["Content-Type"].startswith("application/json"), answer.content[:200]
    assert state(member.pk) == before


@pytest.mark.parametrize("path", [
    "/api/v1/members/9223372036854775808/",        # 2^63 in the URL
    "/api/v1/units/99999999999999999999999/",
    "/api/v1/no-such-thing/",
])
def test_out_of_range_ids_and_unknown_urls_answer_json(client_of, path):
    answer = client_of("bithu.phap").get(path)
    assert answer.status_code in (400, 404) and answer["Content-Type"].startswith("application/json")
    assert "detail" in answer.json()


def test_an_id_too_large_in_a_body_is_refused_not_a_server_error(client_of, unit):
    answer = client_of("bithu.phap").post("/api/v1/meetings/", json.dumps({
        "unit": 2**63, "kind": "regular", "title": "x", "day": "2026-12-10", "time": "18:30", "planned_minutes": 90}),
        content_type="application/json")
    assert answer.status_code in (400, 404) and answer["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("name", ["Lê Thị \u202eHà", "Nguyễn\u2066 Văn An", "Trần \u200fMinh"])
def test_names_with_bidirectional_controls_are_refused(client_of, unit, name):
    cell = unit("PHAP-DSQ")
    before = Member.objects.count()
    member = client_of("bithu.phap").post("/api/v1/members/", json.dumps({
        "unit": cell.pk, "full_name": name, "gender": "F", "birth_date": "1995-09-02", "admission_date": "2026-02-03",
        "category": "mission_staff"}), content_type="application/json")
    assert member.status_code == 400 and "full_name" in member.json()
    applicant = client_of("bithu.phap").post("/api/v1/admission/cases/", json.dumps({
        "unit": cell.pk, "full_name": name, "gender": "F", "birth_date": "1999-04-12"}),
        content_type="application/json")
    assert applicant.status_code == 400 and "full_name" in applicant.json()
    assert Member.objects.count() == before


def test_other_text_loses_bidirectional_controls():
    from chibo.core.text import clean

    assert clean("12-QĐ/\u202eCB") == "12-QĐ/CB"


def test_a_date_before_every_rule_is_bad_input_not_a_server_error(client_of, personas):
    """Found by the fuzzer: an exemption from the year 230 asked the rulebook for a rule not yet in force."""
    member = personas["dangvien.phap"].member
    answer = client_of("bithu.phap").post("/api/v1/exemptions/", json.dumps({
        "member": member.pk, "period_from": "0230-07-11", "period_to": "0230-08-11", "reason": "Công tác một mình"}),
        content_type="application/json")
    assert answer.status_code == 400 and answer["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("name, problem", [
    ("Lê Thị 😀 Hà", "😀"), ("Nguyễn <b>Văn</b> An", "<"), ("<script>alert</script> An", "<"),
    ("Trần Minh 3", "chữ số"),
])
def test_names_with_emoji_markup_or_digits_are_refused_with_the_reason(client_of, unit, name, problem):
    answer = client_of("bithu.phap").post("/api/v1/members/", json.dumps({
        "unit": unit("PHAP-DSQ").pk, "full_name": name, "gender": "F", "birth_date": "1995-09-02",
        "admission_date": "2026-02-03", "category": "mission_staff"}), content_type="application/json")
    assert answer.status_code == 400 and problem in answer.json()["full_name"][0]


def test_names_are_written_with_capitals(client_of, unit):
    answer = client_of("bithu.phap").post("/api/v1/members/", json.dumps({
        "unit": unit("PHAP-DSQ").pk, "full_name": "  nguyễn   thị   bích  ", "gender": "F", "birth_date": "1995-09-02",
        "admission_date": "2026-02-03", "category": "mission_staff"}), content_type="application/json")
    assert answer.status_code == 201 and answer.json()["full_name"] == "Nguyễn Thị Bích"


def _get_operations():
    """(path, the query parameters the schema documents) of every GET operation of the API."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "get" in operations:
            yield path, {p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"}


def test_every_read_accepts_exactly_the_query_parameters_the_schema_documents(client_of, personas):
    """Each API read names its parameters once (``query_params``); the schema documents the same, and anything
    else (a misspelt filter, a repeated one) answers 400 in JSON before the view runs."""
    from django.urls import resolve

    from chibo.core.middleware import accepted_query

    client = client_of("ban.tochuc")
    member = personas["dangvien.phap"].member.pk
    operations = list(_get_operations())
    assert len(operations) > 30
    drift = []
    for path, documented in operations:
        concrete = path.replace("{id}", str(member)).replace("{pk}", str(member))
        view = resolve(concrete).func.cls
        if accepted_query(view) != documented:
            drift.append(f"{path}: schema {sorted(documented)}, accepted {sorted(accepted_query(view))}")
            continue
        answer = client.get(concrete, {"sapxep": "ten"})
        assert answer.status_code == 400 and answer["Content-Type"].startswith("application/json"), (path, answer)
        assert "sapxep" in answer.json(), (path, answer.json())
        for name in sorted(documented)[:1]:
            repeated = client.get(f"{concrete}?{name}=1&{name}=2")
            assert repeated.status_code == 400 and name in repeated.json(), (path, name, repeated.content[:200])
    assert not drift, "\n".join(drift)


def test_a_known_query_parameter_still_reaches_the_view(client_of):
    client = client_of("ban.tochuc")
    assert client.get("/api/v1/units/", {"open": "true"}).status_code == 200
    assert client.get("/api/v1/units/", {"open": "maybe"}).json() == {"open": ["Chỉ nhận true hoặc false."]}
    assert client.get("/api/v1/members/", {"sort": "name", "page": "1"}).status_code == 200
