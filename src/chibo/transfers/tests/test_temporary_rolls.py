"""A member on temporary transfer stays on the home cell's rolls, checked through the API alone: the transfer is
reported in at the destination; the member's unit does not change; the home cell leaves them out of its headcount;
the destination marks them at its meeting, apart from its figures, without a vote there; the unit page lists
them on both sides. The expected figures are counted here from the database, not by the meetings code."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings

from chibo.members.models import Member, Status

pytestmark = [pytest.mark.django_db]

REPORTED_ON = date(2026, 7, 2)
MEETING_DAY = "2026-09-10"


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def step(client, pk: int, **body):
    answer = post(client, f"/api/v1/transfers/{pk}/actions/", body)
    assert answer.status_code == 200, answer.json()
    return answer.json()


def meeting_at(client, unit, day: str = MEETING_DAY) -> int:
    created = post(client, "/api/v1/meetings/", {"unit": unit.pk, "kind": "regular", "title": "Sinh hoạt chi bộ",
                                                 "day": day, "time": "18:30", "planned_minutes": 90, "place": "Paris"})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert post(client, f"/api/v1/meetings/{pk}/actions/", {"action": "open"}).status_code == 200
    return pk


def test_temporary_member_stays_home_and_takes_part_at_the_destination(client_of, unit):
    home, destination = unit("PHAP-DSQ"), unit("PHAP-LHS")
    member = Member.objects.filter(unit=home, status=Status.FULL).order_by("pk").last()
    secretary = client_of("bithu.phap")
    with override_settings(CHIBO_TODAY=date(2026, 6, 15)):
        asked = post(secretary, "/api/v1/transfers/", {
            "member": member.pk, "kind": "temporary", "to_unit": destination.pk, "decision_doc": "5/QĐ-ĐSQ",
            "decision_date": "2026-06-10", "reason": "Học ngắn hạn", "period_from": "2026-07-01",
            "period_to": "2027-03-31"})
        assert asked.status_code == 201, asked.json()
        pk = asked.json()["id"]
        step(secretary, pk, action="approve")
        step(secretary, pk, action="issue", signer_title="Bí thư", signer_name="Nguyễn Văn An",
             dues_paid_through="06/2026")
    with override_settings(CHIBO_TODAY=REPORTED_ON):
        step(secretary, pk, action="receive", on=REPORTED_ON.isoformat())
        assert step(secretary, pk, action="report", on=REPORTED_ON.isoformat())["state"] == "reported"
    # Still the home cell's member.
    assert secretary.get(f"/api/v1/members/{member.pk}/").json()["unit"] == home.pk

    with override_settings(CHIBO_TODAY=date(2026, 9, 10)):
        # At home: on the rolls, out of the headcount while away.
        at_home = meeting_at(secretary, home)
        head = secretary.get(f"/api/v1/meetings/{at_home}/").json()["headcount"]
        home_full = Member.objects.filter(unit=home, status__in=["full", "exempt", "suspended"]).count()
        assert head["on_rolls"] == home_full
        assert member.pk in {row["member"] for row in head["excluded"]}

        # At the destination: marked, outside the figures, no vote.
        there = meeting_at(secretary, destination)
        local = list(Member.objects.filter(unit=destination, status=Status.FULL).order_by("pk"))
        for m in [*local, member]:
            answer = post(secretary, f"/api/v1/meetings/{there}/actions/",
                          {"action": "attendance", "member": m.pk, "presence": "in_person"})
            assert answer.status_code == 200, answer.json()
        body = secretary.get(f"/api/v1/meetings/{there}/").json()
        assert {row["member"]: row["temporary"] for row in body["attendance"]} == {
            **{m.pk: False for m in local}, member.pk: True}
        assert body["headcount"]["on_rolls"] == Member.objects.filter(
            unit=destination, status__in=["full", "exempt", "suspended"]).count()
        assert member.pk not in {row["member"] for row in body["headcount"]["excluded"]}
        assert body["ballot_needs"]["present"] == len(local)  # the temporary member does not vote here

        # Both unit pages list the member, each side as what they are.
        page = secretary.get(f"/units/{destination.pk}/").content.decode()
        assert "Đảng viên chi bộ khác đến sinh hoạt tạm thời" in page and member.full_name in page
        page = secretary.get(f"/units/{home.pk}/").content.decode()
        assert "đang sinh hoạt tạm thời nơi khác" in page and destination.name in page

    # After the period the member is simply back: no longer listed at the destination, counted at home.
    with override_settings(CHIBO_TODAY=date(2027, 4, 15)):
        page = secretary.get(f"/units/{destination.pk}/").content.decode()
        assert 'id="temporary-members"' not in page
        later = meeting_at(secretary, destination, day="2027-04-15")
        answer = post(secretary, f"/api/v1/meetings/{later}/actions/",
                      {"action": "attendance", "member": member.pk, "presence": "in_person"})
        assert answer.status_code == 400 and "member" in answer.json(), answer.json()
