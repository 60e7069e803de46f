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
