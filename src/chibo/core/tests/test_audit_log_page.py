"""The audit log as people read it, on the page and in the API: who (name and roles), what (the action in words),
on whom (the record's name, linked only when the reader may open it), when (local time); filters by person and
by action."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chibo.core.access import Actor, Grant, Role
from chibo.core.audit import audit
from chibo.core.models import AuditEvent
from chibo.home.audit_rows import readable
from chibo.members.models import Member

pytestmark = [pytest.mark.django_db]


def visible(page: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", page).split())


def test_a_read_of_a_record_reads_as_who_what_on_whom_and_when(client_of, personas):
    reader = personas["bithu.phap"]
    member = Member.objects.filter(unit__code="PHAP-LHS").order_by("pk").first()
    assert client_of("bithu.phap").get(reverse("members:detail", args=[member.pk])).status_code == 200
    row = AuditEvent.objects.filter(action="member.viewed", object_id=str(member.pk)).latest("id")

    response = client_of("ban.tochuc").get("/audit/", {"action": "member.viewed"})
    assert response.status_code == 200
    entry = next(e for e in response.context["entries"] if e.event.pk == row.pk)
    assert all(e.event.action == "member.viewed" for e in response.context["entries"])
    assert entry.what == "Xem hồ sơ đảng viên"
    assert entry.who == reader.member.full_name and "Bí thư" in entry.roles
    assert entry.on_name == member.full_name and entry.on_url == reverse("members:detail", args=[member.pk])
    assert entry.at.utcoffset().total_seconds() == 7 * 3600  # Asia/Ho_Chi_Minh
    page = response.content.decode()
    assert f'href="{entry.on_url}"' in page
    text = visible(page)
    assert "member.viewed" not in text and "bithu.phap" not in text and f"member {member.pk}" not in text
    assert entry.at.strftime("%d/%m/%Y %H:%M:%S") in text


def test_the_filters_are_by_person_and_by_action_in_words(client_of, personas, actor_of):
    page = client_of("ban.tochuc").get("/audit/").content.decode()
    assert '<option value="member.viewed">Xem hồ sơ đảng viên</option>' in page
    reader = personas["bithu.phap"].member.full_name
    audit(actor=actor_of("bithu.phap"), action="member.discarded")
    audit(actor=actor_of("bithu.duc"), action="member.discarded")
    found = client_of("ban.tochuc").get("/audit/", {"actor": reader, "action": "member.discarded"})
    entries = found.context["entries"]
    assert entries and {e.who for e in entries} == {reader}
    by_login = client_of("ban.tochuc").get("/audit/", {"actor": "bithu.duc", "action": "member.discarded"})
    assert [e.event.actor_id for e in by_login.context["entries"]] == [personas["bithu.duc"].pk]


def test_a_record_the_reader_may_not_open_is_named_by_its_kind_only(unit):
    """A reader whose audit scope is one country sees the row (it is about a unit of theirs) but not the name of a
    member who is now elsewhere, nor a link to them."""
    france = unit("PHAP")
    german = Member.objects.filter(unit__code="DUC-FRA").order_by("pk").first()
    row = audit(actor=Actor(user=None, label="system"), action="member.viewed", obj=german, unit=france.pk)
    inspector = Actor(user=None, grants=(Grant(Role.INSPECTOR, france.pk, france.path),), label="x")
    (entry,) = readable(inspector, [row])
    assert entry.on_kind == "Đảng viên" and entry.on_name == "" and entry.on_url == ""
    assert entry.who == "Hệ thống" and entry.unit == france.name
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, unit("DUBNG").pk, unit("DUBNG").path),), label="y")
    assert readable(officer, [row])[0].on_name == german.full_name


def test_the_api_answers_the_same_rows_in_words(client_of, personas):
    member = Member.objects.filter(unit__code="PHAP-LHS").order_by("pk").first()
    client_of("bithu.phap").get(reverse("members:detail", args=[member.pk]))
    api = client_of("ban.tochuc")
    body = api.get("/api/v1/audit/", {"action": "member.viewed"}).json()
    first = body["results"][0]
    assert first["action"] == "member.viewed" and first["action_label"] == "Xem hồ sơ đảng viên"
    assert first["actor"] == personas["bithu.phap"].member.full_name
    assert first["object_name"] == member.full_name and first["object_url"] == f"/members/{member.pk}/"
    assert api.get("/api/v1/audit/", {"action": "no.such_action"}).status_code == 400
    assert api.get("/api/v1/audit/", {"nonsense": "1"}).status_code == 400
    assert client_of("bithu.phap").get("/api/v1/audit/").status_code == 404
