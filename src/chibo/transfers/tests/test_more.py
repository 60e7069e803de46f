"""Delegation cells, trips, exemptions, declarations, bulk rotation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.calendar import calendar_for
from chibo.core.lifecycle import TransitionRefused
from chibo.deadlines.models import Deadline
from chibo.members.models import CommitteePost, Member, Status, TimelineEvent
from chibo.transfers import services
from chibo.transfers.models import DeclarationState, ExemptionState, Kind, Transfer, TripState

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def full_members(code: str, n: int) -> list[Member]:
    with_posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")
    return list(Member.objects.filter(unit__code=code, status=Status.FULL).exclude(pk__in=with_posts)
                .order_by("pk")[:n])


def test_trip_application_comment_decision_report(actor_of, personas, unit):
    own, secretary = actor_of("dangvien.phap"), actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    with pytest.raises(ValidationError):  # after departure
        services.trip_apply(actor=own, member=member, country="JP", purpose="Thăm người thân",
                            depart_on=date(2026, 6, 10), return_on=date(2026, 6, 20))
    trip = services.trip_apply(actor=own, member=member, country="jp", purpose="Du lịch",
                               depart_on=date(2026, 7, 1), return_on=date(2026, 7, 10))
    with pytest.raises(PermissionDenied):  # the member does not give the cell's opinion
        services.trip_opinion(actor=own, trip=trip, opinion="Đồng ý")
    with pytest.raises(TransitionRefused):  # the committee decides after the cell's opinion, not before
        services.trip_decide(actor=secretary, trip=trip, approve=True, document="12-QĐ/ĐU")
    services.trip_opinion(actor=secretary, trip=trip, opinion="Đề nghị đồng ý")
    trip = services.trip_decide(actor=secretary, trip=trip, approve=True, document="12-QĐ/ĐU")
    assert trip.state == TripState.APPROVED
    assert trip.report_due == calendar_for(member.unit).add_working_days(date(2026, 7, 10), 7)
    assert Deadline.objects.get(source=trip.source, kind="trip.report").due_date == trip.report_due
    with pytest.raises(TransitionRefused) as refused:  # the trip has not ended
        services.trip_report(actor=own, trip=trip, text="Chuyến đi an toàn, không có vấn đề gì.")
    assert "chưa kết thúc" in refused.value.message
    with override_settings(CHIBO_TODAY=date(2026, 7, 31)):
        trip = services.trip_report(actor=own, trip=trip, text="Chuyến đi an toàn, không có vấn đề gì.")
    assert trip.late_report and trip.state == TripState.REPORTED
    assert Deadline.objects.get(source=trip.source).state == "met"


def test_exemption_under_twelve_months_reviewed_by_the_cell_and_the_committee(actor_of, personas):
    """The member applies for a period under the rule's months; the cell resolves, the committee above decides."""
    own, secretary = actor_of("dangvien.phap"), actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    with pytest.raises(ValidationError) as exc:
        services.exemption_apply(actor=own, member=member, period_from=date(2026, 7, 1), period_to=date(2027, 7, 1),
                                 reason="Công tác một mình")
    assert "12 tháng" in exc.value.message_dict["period_to"][0]
    ex = services.exemption_apply(actor=own, member=member, period_from=date(2026, 7, 1),
                                  period_to=date(2027, 6, 30), reason="Công tác một mình")
    assert ex.state == ExemptionState.FILED and ex.filed_on == TODAY
    with pytest.raises(PermissionDenied):
        services.exemption_opinion(actor=actor_of("bithu.duc"), exemption=ex, opinion="x")
    ex = services.exemption_opinion(actor=secretary, exemption=ex, opinion="Nghị quyết 5-NQ/CB: đề nghị miễn")
    ex = services.exemption_decide(actor=secretary, exemption=ex, approve=True, document="14-QĐ/ĐU")  # France's
    assert ex.state == ExemptionState.APPROVED and ex.decision_doc == "14-QĐ/ĐU"
    kinds = list(TimelineEvent.objects.filter(member=member, kind__startswith="exemption.").order_by("pk")
                 .values_list("kind", flat=True))
    assert kinds == ["exemption.filed", "exemption.opinion", "exemption.decided"]


def test_declaration_filed_opinion_decided(actor_of, personas):
    own, secretary = actor_of("dangvien.phap"), actor_of("bithu.phap")
    member = personas["dangvien.phap"].member
    d = services.declaration_file(actor=own, member=member, kind="foreign_award", country="FR",
                                  subject="Dự kiến nhận Huân chương Bắc đẩu bội tinh")
    with pytest.raises(TransitionRefused):  # the committee decides after the cell's opinion
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
