"""Independent checks through the API: the headcount and the pass/fail arithmetic, computed here
from the database and the rulebook without the meetings code."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from django.test import Client

from chibo.core.models import Rule
from chibo.meetings.models import Ballot, BallotVoter
from chibo.members.models import Member, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_of(personas):
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    return lambda name: Client(headers={"authorization": f"Token {token_create(actor=SYSTEM, user=personas[name])}"})


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def act(client, pk, action, **body):
    return post(client, f"/api/v1/meetings/{pk}/actions/", {"action": action, **body})


def test_headcount_and_pass_fail_through_the_api(api_of, unit):
    api = api_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    created = post(api, "/api/v1/meetings/", {"unit": cell.pk, "kind": "regular", "title": "Sinh hoạt tháng 12",
                                              "day": "2026-12-10", "time": "18:30", "planned_minutes": 90,
                                              "place": "Paris"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["local_start"] == "2026-12-10T18:30:00+01:00" and body["time_zone"] == "Europe/Paris"
    pk = body["id"]
    assert "open" in body["available_actions"] and "close" not in body["available_actions"]
    assert act(api, pk, "close").status_code == 409  # not open yet: refused for its state
    assert act(api, pk, "open").json()["state"] == "open"

    full = list(Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk"))
    excused, absent, *present = full
    for m in present:
        assert act(api, pk, "attendance", member=m.pk, presence="in_person").status_code == 200
    act(api, pk, "attendance", member=excused.pk, presence="excused", reason="Đi công tác", reason_approved=True)
    answer = act(api, pk, "attendance", member=absent.pk, presence="absent")
    head = answer.json()["headcount"]

    # Independently: full members on the rolls (full, exempt, suspended) minus suspended, exempt absent
    # (no exempt member is present here), and the one excused with an approved reason.
    rolls = Member.objects.filter(unit=cell, status__in=["full", "exempt", "suspended"]).count()
    not_counted = Member.objects.filter(unit=cell, status__in=["exempt", "suspended"]).count() + 1
    assert head["on_rolls"] == rolls
    assert head["count"] == rolls - not_counted
    assert excused.pk in {row["member"] for row in head["excluded"]}
    assert absent.pk not in {row["member"] for row in head["excluded"]}

    version = Rule.objects.get(key="resolution.pass_ratio", effective_to__isnull=True)
    assert (version.value, version.comparison) == ("1/2", "gt")
    needed = math.floor(Fraction(1, 2) * head["count"]) + 1  # "more than half"

    def vote(title, votes_for, votes_against=0, votes_abstain=0):
        items = act(api, pk, "resolution", title=title).json()["resolutions"]
        item = next(r for r in items if r["title"] == title)
        answer = act(api, pk, "open_vote", resolution=item["id"], votes_for=votes_for, votes_against=votes_against,
                     votes_abstain=votes_abstain)
        return answer, item["id"]

    passing = next(r for r in vote("Nghị quyết tháng 12", needed)[0].json()["resolutions"]
                   if r["title"] == "Nghị quyết tháng 12")
    assert (passing["headcount"], passing["needed"], passing["passed"]) == (head["count"], needed, True)
    failing = next(r for r in vote("Nội dung 2", needed - 1, 1)[0].json()["resolutions"] if r["title"] == "Nội dung 2")
    assert failing["passed"] is False
    if head["count"] % 2 == 0:  # exactly half is not more than half
        half = next(r for r in vote("Nội dung 3", head["count"] // 2)[0].json()["resolutions"]
                    if r["title"] == "Nội dung 3")
        assert half["passed"] is False
    # Bad input: field-level errors, nothing written.
    bad, item = vote("X", -1)
    assert bad.status_code == 400 and "votes_for" in bad.json()
    over, item = vote("Y", len(present) + 1)
    assert over.status_code == 400 and "votes_for" in over.json()
    assert {r["title"]: r["votes_for"] for r in api.get(f"/api/v1/meetings/{pk}/").json()["resolutions"]}["Y"] is None
    assert act(api, pk, "open_vote", resolution=item, votes_for=1, votes_against=0, votes_abstain=0,
               extra=1).status_code == 400  # unknown fields refused


def test_ballot_is_counts_only_and_hidden_until_close(api_of, actor_of, unit, personas):
    from chibo.meetings import services
    from chibo.meetings.tests.helpers import plan

    sec = actor_of("bithu.phap")
    meeting = plan(sec, unit("PHAP-DSQ"))
    services.meeting_open(actor=sec, meeting=meeting)
    third = Member.objects.filter(unit=meeting.unit, status=Status.FULL).exclude(
        pk__in=[personas[n].member.pk for n in ("bithu.phap", "dangvien.phap")]).order_by("pk").first()
    for member in (personas["bithu.phap"].member, personas["dangvien.phap"].member, third):
        services.attendance_record(actor=sec, meeting=meeting, member=member, presence="online")
    item = services.resolution_add(actor=sec, meeting=meeting, title="Bầu bí thư", secret=True)
    box = services.ballot_open(actor=sec, resolution=item)
    services.ballot_cast(actor=actor_of("dangvien.phap"), box=box, choice="against")
    ballot = api_of("bithu.phap").get(f"/api/v1/meetings/{meeting.pk}/").json()["resolutions"][0]["ballot"]
    assert api_of("bithu.phap").get(f"/api/v1/ballots/{box.pk}/").json()["totals"] is None
    assert ballot == {"state": "open", "online": True, "eligible_count": 3, "voted_online": 1, "totals": None}
    services.ballot_close(actor=sec, box=box)
    data = api_of("dangvien.phap").get(f"/api/v1/meetings/{meeting.pk}/").json()
    ballot = data["resolutions"][0]["ballot"]
    assert ballot["totals"]["against"] == 1 and ballot["totals"]["cast"] == 1
    text = json.dumps(data)
    assert not any(b in text for b in Ballot.objects.values_list("id", flat=True))
    assert "voted" not in {k for row in data["attendance"] for k in row}
    assert BallotVoter.objects.filter(box=box, voted=True).count() == 1
    # Scope: Germany's secretary and the applicant do not see French meetings.
    assert api_of("bithu.duc").get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert api_of("ungvien.phap").get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404


def test_a_member_casts_through_the_api_and_checks_the_receipt_by_post(api_of, actor_of, unit, personas):
    """The minimum of voters is said before opening and enforced; a late arrival joins the open ballot's roll;
    the member casts through the API (the receipt in the answer only) and checks it by POST after the count.
    Nothing the API answers says who chose what."""
    from chibo.meetings import services
    from chibo.meetings.tests.helpers import plan

    sec, api = actor_of("bithu.phap"), api_of("bithu.phap")
    meeting = plan(sec, unit("PHAP-DSQ"))
    services.meeting_open(actor=sec, meeting=meeting)
    late = personas["dangvien.phap"].member
    others = list(Member.objects.filter(unit=meeting.unit, status=Status.FULL).exclude(pk=late.pk).order_by("pk"))
    for member in others[:2]:
        services.attendance_record(actor=sec, meeting=meeting, member=member, presence="in_person")
    item = act(api, meeting.pk, "resolution", title="Bầu phó bí thư", secret=True)
    assert item.status_code == 200, item.content
    resolution = api.get(f"/api/v1/meetings/{meeting.pk}/").json()["resolutions"][0]["id"]
    minimum = int(Rule.objects.get(key="meeting.ballot_min_voters").value)
    assert minimum == 3
    # Before opening, the meeting says what the ballot needs; below it, opening is refused and writes nothing.
    assert api.get(f"/api/v1/meetings/{meeting.pk}/").json()["ballot_needs"] == {"minimum": 3, "present": 2}
    refused = act(api, meeting.pk, "ballot_open", resolution=resolution)
    assert refused.status_code == 400 and "ít nhất 3" in refused.content.decode()
    assert not BallotVoter.objects.filter(box__resolution_id=resolution).exists()
    services.attendance_record(actor=sec, meeting=meeting, member=others[2], presence="in_person")
    assert act(api, meeting.pk, "ballot_open", resolution=resolution).status_code == 200
    box_id = api.get(f"/api/v1/meetings/{meeting.pk}/").json()["resolutions"][0]["ballot_id"]
    member_api = api_of("dangvien.phap")
    # Not yet on the roll: the member arrives late and checks in; the open ballot's roll takes them in.
    assert post(member_api, f"/api/v1/ballots/{box_id}/actions/", {"action": "cast", "choice": "for"}).status_code \
        in (400, 403)
    assert act(member_api, meeting.pk, "check_in").status_code == 200
    assert api.get(f"/api/v1/ballots/{box_id}/").json()["eligible_count"] == 4
    cast = post(member_api, f"/api/v1/ballots/{box_id}/actions/", {"action": "cast", "choice": "for"})
    assert cast.status_code == 200, cast.content
    answer = cast.json()
    receipt = answer["receipt"]
    assert receipt and "for" not in json.dumps({k: v for k, v in answer.items() if k != "available_actions"})
    again = post(member_api, f"/api/v1/ballots/{box_id}/actions/", {"action": "cast", "choice": "against"})
    assert again.status_code == 400  # one slip each
    # The receipt is checked by POST (never in a URL): null while open, true once counted.
    assert member_api.get(f"/api/v1/ballots/{box_id}/receipt/?receipt={receipt}").status_code in (400, 405)
    assert post(member_api, f"/api/v1/ballots/{box_id}/receipt/", {"receipt": receipt}).json() == {"counted": None}
    close = post(api, f"/api/v1/ballots/{box_id}/actions/", {"action": "ballot_close"})
    assert close.status_code == 200, close.content
    assert post(member_api, f"/api/v1/ballots/{box_id}/receipt/", {"receipt": receipt}).json() == {"counted": True}
    assert post(member_api, f"/api/v1/ballots/{box_id}/receipt/", {"receipt": "0000-0000-0000-0000"}).json() == \
        {"counted": False}
    body = json.dumps(member_api.get(f"/api/v1/meetings/{meeting.pk}/").json())
    assert receipt not in body and not any(b in body for b in Ballot.objects.values_list("id", flat=True))
    # The schema documents the cast and the receipt check (a POST with a body).
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths["/api/v1/ballots/{id}/receipt/"]) == {"post"}
    assert "post" in paths["/api/v1/ballots/{id}/actions/"]
