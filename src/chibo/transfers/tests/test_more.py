"""Delegation cells, trips, exemptions, declarations, bulk rotation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.calendar import calendar_for
from chibo.deadlines.models import Deadline
from chibo.members.models import CommitteePost, Member, Status
from chibo.transfers import services
from chibo.transfers.models import DeclarationState, Kind, Transfer, TripState

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def full_members(code: str, n: int) -> list[Member]:
    with_posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")
    return list(Member.objects.filter(unit__code=code, status=Status.FULL).exclude(pk__in=with_posts).order_by("pk")[:n])


def test_trip_application_comment_decision_report(actor_of, personas, unit):
    own, secretary = actor_of("dangvien.phap"), actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    with pytest.raises(ValidationError):  # after departure
        services.trip_apply(actor=own, member=member, country="JP", purpose="Thăm người thân",
                            depart_on=date(2026, 6, 10), return_on=date(2026, 6, 20))
    trip = services.trip_apply(actor=own, member=member, country="jp", purpose="Du lịch",
                               depart_on=date(2026, 7, 1), return_on=date(2026, 7, 10))
    with pytest.raises(PermissionDenied):
        services.trip_comment(actor=own, trip=trip, comment="Đồng ý")
    services.trip_comment(actor=secretary, trip=trip, comment="Đề nghị đồng ý")
    trip = services.trip_decide(actor=secretary, trip=trip, approve=True, document="12-QĐ/ĐU")
    assert trip.state == TripState.APPROVED
    assert trip.report_due == calendar_for(member.unit).add_working_days(date(2026, 7, 10), 7)
    assert Deadline.objects.get(source=trip.source, kind="trip.report").due_date == trip.report_due
    with pytest.raises(ValidationError) as exc:  # the trip has not ended
        services.trip_report(actor=own, trip=trip, text="Chuyến đi an toàn, không có vấn đề gì.")
    assert "chưa kết thúc" in exc.value.message_dict["text"][0]
    with override_settings(CHIBO_TODAY=date(2026, 7, 31)):
        trip = services.trip_report(actor=own, trip=trip, text="Chuyến đi an toàn, không có vấn đề gì.")
    assert trip.late_report and trip.state == TripState.REPORTED
    assert Deadline.objects.get(source=trip.source).state == "met"


def test_exemption_under_twelve_months(actor_of, personas):
    secretary = actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    with pytest.raises(ValidationError) as exc:
        services.exemption_grant(actor=secretary, member=member, period_from=date(2026, 7, 1),
                                 period_to=date(2027, 7, 1), reason="Công tác một mình", document="5-NQ/CB")
    assert "12 tháng" in exc.value.message_dict["period_to"][0]
    ex = services.exemption_grant(actor=secretary, member=member, period_from=date(2026, 7, 1),
                                  period_to=date(2027, 6, 30), reason="Công tác một mình", document="5-NQ/CB")
    assert ex.pk


def test_declaration_filed_opinion_decided(actor_of, personas):
    own, secretary = actor_of("dangvien.phap"), actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    d = services.declaration_file(actor=own, member=member, kind="foreign_award", country="FR",
                                  subject="Dự kiến nhận Huân chương Bắc đẩu bội tinh")
    with pytest.raises(ValidationError):
        services.declaration_decide(actor=secretary, declaration=d, approve=True, document="1")
    services.declaration_opinion(actor=secretary, declaration=d, opinion="Đề nghị đồng ý")
    d = services.declaration_decide(actor=secretary, declaration=d, approve=True, document="20-QĐ/ĐU")
    assert d.state == DeclarationState.APPROVED
    with pytest.raises(PermissionDenied):
        services.declaration_opinion(actor=actor_of("bithu.duc"), declaration=d, opinion="x")


def test_rotation_preview_then_all_or_nothing(actor_of, unit):
    secretary = actor_of("bithu.phap")
    people = full_members("PHAP-LHS", 4)
    kw = dict(actor=secretary, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"), decision_doc="30/QĐ-BNG",
              decision_date=date(2026, 6, 1), reason="Luân chuyển cuối nhiệm kỳ")
    before = Transfer.objects.count()
    rows = services.rotation_preview(members=people, **kw)
    assert Transfer.objects.count() == before
    assert all(not r["errors"] and r["start_due"] for r in rows)
    assert rows[0]["report_due"] == date(2026, 7, 15)
    services.transfer_request(member=people[2], **kw)  # a second open transfer will block one row
    rows = services.rotation_preview(members=people, **kw)
    assert [bool(r["errors"]) for r in rows] == [False, False, True, False]
    count = Transfer.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.rotation_commit(members=people, **kw)
    assert people[2].full_name in str(exc.value)
    assert Transfer.objects.count() == count  # nothing written
    done = services.rotation_commit(members=[people[0], people[1], people[3]], **kw)
    assert len(done) == 3
