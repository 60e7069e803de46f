"""Admission services: the state machine, the checks, the deadlines, the ceremony and confirmation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from chibo.admission import services
from chibo.admission.models import AdmissionCase, Stage, Vote
from chibo.admission.tests.conftest import add_member, record_new_member_course, walk
from chibo.core.audit import AuditEvent
from chibo.core.lifecycle import TransitionRefused
from chibo.deadlines.models import Deadline, State
from chibo.members.models import Member, Status, TimelineEvent, TimelineKind
from chibo.members.selectors import full_members_on

TODAY = date(2026, 1, 12)


@pytest.fixture(autouse=True)
def clock(settings):
    settings.CHIBO_TODAY = TODAY
    return settings


def snapshot():
    return {
        "cases": list(AdmissionCase.objects.order_by("pk").values_list("pk", "stage", "version")),
        "votes": Vote.objects.count(), "members": Member.objects.count(),
        "deadlines": list(Deadline.objects.order_by("pk").values_list("pk", "state", "due_date")),
        "timeline": TimelineEvent.objects.count(), "audit": AuditEvent.objects.count(),
    }


def refused(call, field=None):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    assert snapshot() == before, "a refused step wrote something"
    if field:
        assert field in exc.value.message_dict, exc.value.message_dict
    return exc.value.message_dict


def out_of_order(call) -> str:
    """A step the case's stage does not allow: refused for its state, nothing written; the reason."""
    before = snapshot()
    with pytest.raises(TransitionRefused) as exc:
        call()
    assert snapshot() == before, "a refused step wrote something"
    return exc.value.message


def new_case(officer, cell, *, birth=date(1998, 5, 19), recorded=date(2025, 9, 1)):
    applicant = services.applicant_record(actor=officer, unit=cell, full_name="Đỗ Thị Lan Anh", gender="F",
                                          birth_date=birth, recorded_on=recorded)
    return applicant.case


# -- vote arithmetic ---------------------------------------------------------------------------------

def test_denominator_counts_who_sat_in_the_cell_on_the_day(officer, make_cell):
    """A member who moved out after the vote date still counts for that date; one who moved in after
    it does not."""
    from chibo.members.services import member_move

    cell, other = make_cell(4), make_cell(3)
    leaving = Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk").first()
    arriving = Member.objects.filter(unit=other, status=Status.FULL).order_by("pk").first()
    vote_day = date(2025, 12, 10)
    assert len(full_members_on(cell, vote_day)) == 4
    member_move(actor=officer, member=leaving, to_unit=other, reason="Điều động", document="1-QĐ",
                effective_on=date(2026, 1, 5))
    member_move(actor=officer, member=arriving, to_unit=cell, reason="Điều động", document="2-QĐ",
                effective_on=date(2026, 1, 5))
    on_vote_day = full_members_on(cell, vote_day)
    assert leaving.pk in on_vote_day and arriving.pk not in on_vote_day and len(on_vote_day) == 4
    after = full_members_on(cell, date(2026, 2, 1))
    assert leaving.pk not in after and arriving.pk in after and len(after) == 4


@pytest.mark.parametrize(("full", "needed"), [(3, 2), (7, 5), (9, 6), (31, 21)])
def test_cell_vote_needs_two_thirds_of_all_full_members(officer, make_cell, full, needed):
    """Hand-computed: ⌈2/3 × n⌉. Probationary members, members confirmed after the vote date and
    members on temporary transfer are not in the denominator; a member struck off after it is."""
    from chibo.members.services import member_change_status
    from chibo.transfers.models import Kind, Transfer
    from chibo.transfers.models import State as TState

    cell = make_cell(full, probationary=2)
    members = list(Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk"))
    late = add_member(officer, cell, 999, confirmed=date(2025, 12, 20))  # full only after the vote date
    away = add_member(officer, cell, 998)                                # on temporary transfer (letter issued)
    Transfer.objects.create(member=away, kind=Kind.TEMPORARY, state=TState.ISSUED, from_unit=cell, unit=cell,
                            decision_doc="5-QĐ", decision_date=date(2025, 11, 1), reason="Học tập",
                            period_from=date(2025, 11, 15), period_to=date(2026, 6, 30), requested_on=date(2025, 11, 2))
    # Approved but the letter not issued yet: still here, still counted (the one definition of "away",
    # transfers.selectors.temporarily_away, shared with the resolution headcount).
    Transfer.objects.create(member=members[-1], kind=Kind.TEMPORARY, state=TState.APPROVED, from_unit=cell, unit=cell,
                            decision_doc="6-QĐ", decision_date=date(2025, 11, 1), reason="Học tập",
                            period_from=date(2025, 11, 15), period_to=date(2026, 6, 30), requested_on=date(2025, 11, 2))
    member_change_status(actor=officer, member=members[0], status=Status.STRUCK_OFF, reason="Bỏ sinh hoạt",
                         document="9-QĐ", effective_on=date(2026, 1, 5))  # still full on the vote date
    assert late.pk not in full_members_on(cell, date(2025, 12, 10))
    case = walk(officer, new_case(officer, cell), Stage.VERIFIED, intro=(members[1], members[2]))
    preview = services.cell_vote_preview(case, date(2025, 12, 10))
    assert (preview["eligible"], preview["needed"]) == (full, needed)
    refused(lambda: services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10),
                                            yes=full, no=1), "yes")  # more votes than eligible
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=needed,
                                   no=full - needed, resolution_no="03-NQ/CB")
    assert case.stage == Stage.CELL_VOTED and (case.cell_eligible, case.cell_needed) == (full, needed)
    vote = case.votes.get()
    assert (vote.eligible, vote.yes, vote.needed, vote.passed) == (full, needed, needed, True)


@pytest.mark.parametrize("full", [3, 7, 9, 31])
def test_one_vote_short_rejects_with_the_reason(officer, make_cell, full):
    cell = make_cell(full)
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    case = walk(officer, new_case(officer, cell), Stage.VERIFIED, intro=(members[0], members[1]))
    needed = {3: 2, 7: 5, 9: 6, 31: 21}[full]
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=needed - 1, no=1)
    assert case.stage == Stage.REJECTED and case.exit_stage == Stage.VERIFIED
    assert f"{needed - 1}/{full}" in case.exit_reason and f"cần {needed}" in case.exit_reason
    assert not Deadline.objects.filter(source=f"admission:{case.pk}").exists()


def test_committee_denominator_is_its_members_on_the_date(officer, unit):
    from django.db.models import Q

    from chibo.members.models import CommitteePost

    phap = unit("PHAP")
    on = date(2025, 12, 20)
    expected = (CommitteePost.objects.filter(unit=phap, from_date__lte=on)
                .filter(Q(to_date__isnull=True) | Q(to_date__gt=on)).values("member").distinct().count())
    assert expected >= 1
    assert services.committee_members_on(phap, on) == expected
    assert services.committee_members_on(phap, date(1990, 1, 1)) == 0


# -- the whole way, deadlines, ceremony, confirmation --------------------------------------------------

def test_full_journey_with_deadlines_ceremony_and_late_confirmation(officer, make_cell, settings):
    from chibo.core.calendar import calendar_for

    cell = make_cell(7)
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    case = walk(officer, new_case(officer, cell), Stage.VERIFIED, intro=(members[0], members[1]))
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=6, no=1,
                                   resolution_no="03-NQ/CB")
    decision = Deadline.objects.get(source=f"admission:{case.pk}", kind="admission.decision")
    cal = calendar_for(decision.unit)
    assert decision.start_date == date(2025, 12, 10)
    assert decision.due_date == cal.add_working_days(date(2025, 12, 10), 60)
    # extension with a reason, at most 30 working days
    refused(lambda: services.case_extend_decision(actor=officer, case=case, days=31, reason="Chờ thẩm tra bổ sung"),
            "days")
    refused(lambda: services.case_extend_decision(actor=officer, case=case, days=10, reason=""), "reason")
    case = services.case_extend_decision(actor=officer, case=case, days=10, reason="Chờ kết luận thẩm tra bổ sung")
    decision.refresh_from_db()
    assert decision.due_date == cal.add_working_days(cal.add_working_days(date(2025, 12, 10), 60), 10)
    assert case.decision_extension_reason == "Chờ kết luận thẩm tra bổ sung"
    # ceremony before the decision: out of order
    helper = members[2]
    assert "Chi bộ đã nghị quyết" in out_of_order(lambda: services.case_ceremony(
        actor=officer, case=case, held_on=date(2026, 1, 5), helper=helper, category="mission_staff"))
    committee = services.committee_members_on(case.deciding_unit, date(2025, 12, 22))
    case = services.case_committee_vote(actor=officer, case=case, held_on=date(2025, 12, 22), yes=committee, no=0,
                                        resolution_no="12-NQ/ĐU")
    assert case.committee_eligible == committee
    refused(lambda: services.case_decision(actor=officer, case=case, decision_no="25-QĐ/ĐU",
                                           decided_on=date(2025, 12, 29), received_on=date(2026, 2, 1)),
            "received_on")  # future
    case = services.case_decision(actor=officer, case=case, decision_no="25-QĐ/ĐU", decided_on=date(2025, 12, 29),
                                  received_on=date(2026, 1, 2))
    decision.refresh_from_db()
    assert decision.state == State.MET and decision.met_on == date(2025, 12, 29)
    ceremony = Deadline.objects.get(source=f"admission:{case.pk}", kind="admission.ceremony")
    assert ceremony.due_date == calendar_for(cell).add_working_days(date(2026, 1, 2), 30)
    refused(lambda: services.case_ceremony(actor=officer, case=case, held_on=date(2025, 12, 30), helper=helper,
                                           category="mission_staff"), "held_on")  # before receiving the decision
    from chibo.accounts.models import User

    account = User.objects.create(username="ungvien.moi", applicant=case.applicant)
    case = services.case_ceremony(actor=officer, case=case, held_on=date(2026, 1, 9), helper=helper,
                                  category="mission_staff", card_number="79123456", dossier_number="012345BNG")
    member = case.member
    account.refresh_from_db()
    assert account.member == member and account.applicant == case.applicant  # the new member sees their record
    assert (member.status, member.admission_date, member.unit_id) == (Status.PROBATIONARY, date(2026, 1, 9), cell.pk)
    assert (member.card_number, member.dossier_number) == ("79123456", "012345BNG")
    assert case.helper == helper and case.probation_end == date(2027, 1, 9)
    ceremony.refresh_from_db()
    assert ceremony.state == State.MET
    # the confirmation deadline is the one member_create opened, not a second one
    probation = Deadline.objects.get(member=member, kind="probation.confirmation")
    assert probation.start_date == date(2027, 1, 9)
    assert probation.due_date == calendar_for(cell).add_working_days(date(2027, 1, 9), 30)
    kinds = list(member.timeline.order_by("pk").values_list("kind", flat=True))
    assert kinds == [TimelineKind.CREATED, "admission.admitted"]
    # confirmation: a resolution dated before the end is refused
    settings.CHIBO_TODAY = date(2027, 3, 15)
    refused(lambda: services.case_confirmation_vote(actor=officer, case=case, held_on=date(2027, 1, 8), yes=6, no=0),
            "held_on")
    late_day = calendar_for(cell).add_working_days(date(2027, 1, 9), 35)  # late: after the 30 working days
    # without the new-member course certificate the cell cannot consider confirmation; nothing is written
    refused(lambda: services.case_confirmation_vote(actor=officer, case=case, held_on=late_day, yes=5, no=2),
            "held_on")
    assert not case.votes.filter(kind="confirmation").exists()
    record_new_member_course(officer, member)
    case = services.case_confirmation_vote(actor=officer, case=case, held_on=late_day, yes=5, no=2,
                                           resolution_no="07-NQ/CB")
    probation.refresh_from_db()
    assert probation.state == State.MET and probation.met_on == late_day > probation.due_date
    assert Deadline.objects.filter(member=member, kind="probation.confirmation").count() == 1
    committee = services.committee_members_on(case.deciding_unit, late_day)
    case = services.case_confirm(actor=officer, case=case, held_on=late_day, yes=committee, no=0,
                                 resolution_no="30-NQ/ĐU", decision_no="31-QĐ/ĐU")
    member.refresh_from_db()
    assert case.stage == Stage.FULL
    assert member.status == Status.FULL and member.confirmation_date == date(2027, 1, 9)  # the 12-month date
    assert list(member.timeline.order_by("pk").values_list("kind", flat=True))[-2:] == [
        "admission.confirmation_vote", TimelineKind.STATUS_CHANGED]


def test_failed_confirmation_votes_escalate_after_the_rule(officer, make_cell, settings):
    cell = make_cell(3)
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    case = walk(officer, new_case(officer, cell), Stage.VERIFIED, intro=(members[0], members[1]))
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=3, no=0)
    n = services.committee_members_on(case.deciding_unit, date(2025, 12, 22))
    case = services.case_committee_vote(actor=officer, case=case, held_on=date(2025, 12, 22), yes=n, no=0)
    case = services.case_decision(actor=officer, case=case, decision_no="26-QĐ/ĐU", decided_on=date(2025, 12, 29),
                                  received_on=date(2026, 1, 2))
    case = services.case_ceremony(actor=officer, case=case, held_on=date(2026, 1, 9), helper=members[2],
                                  category="mission_staff")
    settings.CHIBO_TODAY = date(2027, 4, 1)
    record_new_member_course(officer, case.member)
    for i, day in enumerate([date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]):
        case = services.case_confirmation_vote(actor=officer, case=case, held_on=day, yes=1, no=2)
        assert case.stage == (Stage.ESCALATED if i == 2 else Stage.PROBATION)
    assert services.confirmation_failures(case) == 3
    case = services.case_strike_off(actor=officer, case=case, on=date(2027, 3, 20), reason="Không đủ tư cách đảng viên",
                                    document="40-QĐ/ĐUBNG")
    assert case.stage == Stage.STRUCK_OFF
    case.member.refresh_from_db()
    assert case.member.status == Status.STRUCK_OFF


# -- bad input: refused with a clear message, nothing written -----------------------------------------

def test_introducer_checks(officer, make_cell):
    cell = make_cell(3, probationary=1)
    full = list(Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk"))
    probationary = Member.objects.get(unit=cell, status=Status.PROBATIONARY)
    case = walk(officer, new_case(officer, cell), Stage.APPLICATION)

    def intro(a, b, since=date(2023, 1, 1), union=""):
        return lambda: services.case_introducers(actor=officer, case=case, on=date(2025, 11, 3), introducer1=a,
                                                 introducer1_since=since, introducer2=b, introducer2_since=since,
                                                 union_resolution=union)

    assert "không phải đảng viên chính thức" in refused(intro(full[0], probationary), "introducer2")["introducer2"][0]
    # the applicant as introducer: a member record with the applicant's own name and birth date
    himself = add_member(officer, cell, 777, name="Đỗ Thị Lan", birth=date(1998, 5, 19))
    himself.full_name = "Đỗ Thị Lan Anh"
    Member.objects.filter(pk=himself.pk).update(full_name="Đỗ Thị Lan Anh")
    assert "chính người vào Đảng" in refused(intro(himself, full[0]), "introducer1")["introducer1"][0]
    assert "ít nhất 1 năm" in refused(intro(full[0], full[1], since=date(2025, 3, 1)),
                                      "introducer1_since")["introducer1_since"][0]
    refused(intro(full[0], full[0]), "introducer2")
    refused(intro(full[0], full[1], union="NQ 5/ĐTN"), "introducer2")  # union route: one member only
    case = services.case_introducers(actor=officer, case=case, on=date(2025, 11, 3), introducer1=full[0],
                                     introducer1_since=date(2024, 6, 1), union_resolution="05-NQ/ĐTN")
    assert case.stage == Stage.INTRODUCERS and case.introducer2 is None


def test_out_of_order_future_dates_and_age(officer, make_cell):
    cell = make_cell(3)
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    case = new_case(officer, cell)
    out_of_order(lambda: services.case_application(actor=officer, case=case, application_on=date(2025, 10, 1),
                                                   cv_on=date(2025, 10, 1)))
    refused(lambda: services.case_course(actor=officer, case=case, certificate_no="GCN 1", issuer="ĐUBNG",
                                         on=date(2026, 3, 1)), "on")
    refused(lambda: services.applicant_record(actor=officer, unit=cell, full_name="Vũ Minh Khoa", gender="M",
                                              birth_date=date(2000, 1, 1), recorded_on=date(2026, 5, 1)), "recorded_on")
    # under 18 counted in months on the day the case would open: 17 years 11 months is refused, 18 is not
    cell2 = make_cell(3)
    m2 = list(Member.objects.filter(unit=cell2).order_by("pk"))
    assert services.age_in_months(date(2007, 8, 15), date(2025, 8, 1)) == 215
    msg = refused(lambda: services.applicant_record(actor=officer, unit=cell2, full_name="Vũ Minh Khoa", gender="M",
                                                    birth_date=date(2007, 8, 15), recorded_on=date(2025, 8, 1)),
                  "birth_date")
    assert "17 tuổi 11 tháng" in msg["birth_date"][0]
    young = services.applicant_record(actor=officer, unit=cell2, full_name="Vũ Minh Khoa", gender="M",
                                      birth_date=date(2007, 8, 15), recorded_on=date(2025, 9, 1)).case
    young = walk(officer, young, Stage.VERIFIED, intro=(m2[0], m2[1]))
    young = services.case_cell_vote(actor=officer, case=young, held_on=date(2025, 12, 10), yes=3, no=0)
    assert young.age_months_at_vote == services.age_in_months(date(2007, 8, 15), date(2025, 12, 10)) == 219
    assert not young.over_age
    # over 60: allowed, flagged for the higher committee
    old = services.applicant_record(actor=officer, unit=cell, full_name="Lương Văn Cao", gender="M",
                                    birth_date=date(1964, 1, 2), recorded_on=date(2025, 9, 1)).case
    old = walk(officer, old, Stage.VERIFIED, intro=(members[0], members[1]))
    old = services.case_cell_vote(actor=officer, case=old, held_on=date(2025, 12, 10), yes=2, no=1)
    assert old.over_age and old.stage == Stage.CELL_VOTED


def test_withdrawal_waives_open_deadlines(officer, make_cell):
    cell = make_cell(3)
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    case = walk(officer, new_case(officer, cell), Stage.VERIFIED, intro=(members[0], members[1]))
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=2, no=1)
    refused(lambda: services.case_close(actor=officer, case=case, outcome=Stage.WITHDRAWN, on=date(2026, 1, 5),
                                        reason=""), "reason")
    case = services.case_close(actor=officer, case=case, outcome=Stage.WITHDRAWN, on=date(2026, 1, 5),
                               reason="Người vào Đảng xin rút hồ sơ vì về nước")
    assert case.stage == Stage.WITHDRAWN and case.exit_stage == Stage.CELL_VOTED
    assert Deadline.objects.get(source=f"admission:{case.pk}").state == State.WAIVED


def test_permission_outside_scope(actor_of, make_cell, officer):
    from django.core.exceptions import PermissionDenied

    cell = make_cell(3)
    case = new_case(officer, cell)
    with pytest.raises(PermissionDenied):
        services.case_course(actor=actor_of("bithu.duc"), case=case, certificate_no="1", issuer="x",
                             on=date(2025, 10, 1))
    case = services.case_course(actor=actor_of("bithu.phap"), case=case, certificate_no="GCN 9", issuer="ĐUBNG",
                                on=date(2025, 10, 1))
    assert case.stage == Stage.COURSE
    assert AdmissionCase.objects.values("stage").annotate(n=Count("pk")).exists()


def test_the_file_is_refused_without_a_valid_party_awareness_certificate(officer, make_cell, settings):
    """Submitting the application (1-KNĐ, 2-KNĐ) needs the party-awareness certificate valid that day under
    study.awareness_course_validity_months (60 months, 06-HD/TW): refused naming the rule, nothing written."""
    from chibo.study.models import Certificate

    cell = make_cell(3)
    settings.CHIBO_TODAY = date(2026, 1, 12)
    case = new_case(officer, cell)
    case = services.case_course(actor=officer, case=case, certificate_no="GCN 7/2021", issuer="ĐUBNG",
                                on=date(2021, 2, 1))
    cert = Certificate.objects.get(applicant=case.applicant)
    assert (cert.kind, cert.number, cert.issued_on) == ("awareness", "GCN 7/2021", date(2021, 2, 1))
    # valid through 01/02/2026 (60 months): a file submitted on 02/02/2026 is refused, naming the rule
    settings.CHIBO_TODAY = date(2026, 2, 10)
    with pytest.raises(ValidationError) as exc:
        services.case_application(actor=officer, case=case, application_on=date(2026, 2, 2), cv_on=date(2026, 2, 2))
    assert "Thời hạn giá trị của giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng" in str(
        exc.value.message_dict["application_on"])
    case.refresh_from_db()
    assert case.stage == Stage.COURSE and case.application_on is None
    # on the last valid day it goes through
    case = services.case_application(actor=officer, case=case, application_on=date(2026, 2, 1), cv_on=date(2026, 2, 1))
    assert case.stage == Stage.APPLICATION
    # an expired certificate is refused at the course step itself
    other = new_case(officer, cell)
    refused(lambda: services.case_course(actor=officer, case=other, certificate_no="GCN 1/2020", issuer="ĐUBNG",
                                         on=date(2020, 12, 1)), "on")
    assert not Certificate.objects.filter(applicant=other.applicant).exists()
