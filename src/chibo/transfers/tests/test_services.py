"""The transfer state machine, rulebook deadlines, late flags, holds, bad input, letters' numbers."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.calendar import calendar_for
from chibo.deadlines.models import Deadline
from chibo.members import timeline
from chibo.members.models import ACTIVE_STATUSES, Category, Member, Status, TimelineEvent
from chibo.transfers import services
from chibo.transfers.models import Form, HoldKind, Kind, Letter, OutsideOrganization, State, Transfer

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


@pytest.fixture
def org(db):
    return OutsideOrganization.objects.get(name="Đảng bộ Vụ Châu Âu")


def plain_member(code: str) -> Member:
    return Member.objects.filter(unit__code=code, status=Status.FULL).order_by("pk").last()


def incoming_member(actor, root) -> Member:
    from chibo.members.services import member_create

    return member_create(actor=actor, unit=root, status=Status.FULL, full_name="Lê Văn Đông", gender="M",
                         birth_date=date(1985, 4, 2), admission_date=date(2010, 3, 3),
                         confirmation_date=date(2011, 3, 3), card_number="99000111", dossier_number="HN123456",
                         category=Category.MISSION_STAFF)


def steps(member) -> list[str]:
    """The member's transfer events, by type (one type per step)."""
    return [e.kind.removeprefix("transfer.") for e in
            TimelineEvent.objects.filter(member=member, kind__startswith="transfer.").order_by("pk")]


def test_posting_abroad_chain_with_late_report(actor_of, unit, org):
    officer, secretary = actor_of("ban.tochuc"), actor_of("bithu.phap")
    member = incoming_member(officer, unit("DUBNG"))
    t = services.transfer_register_incoming(
        actor=officer, member=member, kind=Kind.ABROAD, from_org=org, incoming_letter="45-GGT/ĐU",
        letter_date=date(2026, 4, 1), decision_doc="1234/QĐ-BNG", decision_date=date(2026, 3, 20),
        to_unit=unit("PHAP-DSQ"), reason="Nhiệm kỳ công tác tại Pháp", at_unit=unit("DUBNG"))
    assert t.state == State.ISSUED
    # start deadline: 60 working days from the decision, per the rulebook and the working calendar
    assert t.start_due == calendar_for(unit("DUBNG")).add_working_days(date(2026, 3, 20), 60)
    assert not t.late_start
    # the secretary in France cannot forward on behalf of the upper committee
    with pytest.raises(PermissionDenied):
        services.transfer_forward(actor=secretary, transfer=t, on=date(2026, 4, 3), signer_title="Bí thư",
                                  signer_name="X", dues_paid_through="03/2026")
    letter = services.transfer_forward(actor=officer, transfer=t, on=date(2026, 4, 3), signer_title="Phó Bí thư",
                                       signer_name="Trần Quốc Bảo", dues_paid_through="03/2026")
    assert letter.form == Form.ABROAD and letter.box == 2
    t.refresh_from_db()
    assert t.state == State.FORWARDED and t.report_due == date(2026, 5, 3)  # 30 calendar days
    dl = Deadline.objects.get(source=t.source, kind="transfer.report", state="open")
    assert dl.due_date == date(2026, 5, 3)
    services.transfer_receive(actor=secretary, transfer=t, on=date(2026, 4, 20))
    with pytest.raises(ValidationError) as exc:
        services.transfer_report_in(actor=secretary, transfer=t, on=date(2026, 5, 4))
    assert "late_reason" in exc.value.message_dict
    t = services.transfer_report_in(actor=secretary, transfer=t, on=date(2026, 5, 4), late_reason="Chờ thị thực")
    assert t.state == State.REPORTED and t.late_report and t.late_report_reason == "Chờ thị thực"
    member.refresh_from_db()
    assert member.unit.code == "PHAP-DSQ"
    dl.refresh_from_db()
    assert dl.state == "met" and dl.met_on == date(2026, 5, 4) and dl.reason == "Chờ thị thực"
    assert steps(member) == ["incoming", "forwarded", "received", "reported"]
    assert [timeline.describe(e) for e in TimelineEvent.objects.filter(member=member, kind="transfer.forwarded")] \
        == [f"Đảng ủy Bộ Ngoại giao giới thiệu đến {unit('PHAP-DSQ').name}, giấy số "
            f"{Letter.objects.filter(member=member).get().number}"]
    assert TimelineEvent.objects.filter(member=member, kind="member.moved").exists()


def test_report_in_time_is_not_late(actor_of, unit, org):
    officer = actor_of("ban.tochuc")
    member = incoming_member(officer, unit("DUBNG"))
    t = services.transfer_register_incoming(
        actor=officer, member=member, kind=Kind.ABROAD, from_org=org, incoming_letter="1", letter_date=date(2026, 4, 1),
        decision_doc="Q", decision_date=date(2026, 4, 1), to_unit=unit("PHAP-LHS"), reason="Học tập",
        at_unit=unit("DUBNG"))
    services.transfer_forward(actor=officer, transfer=t, on=date(2026, 4, 3), signer_title="Bí thư", signer_name="A",
                              dues_paid_through="03/2026")
    services.transfer_receive(actor=officer, transfer=t, on=date(2026, 5, 3))
    t = services.transfer_report_in(actor=officer, transfer=t, on=date(2026, 5, 3))
    assert not t.late_report


def test_outgoing_chain_and_late_start(actor_of, unit, org):
    secretary = actor_of("bithu.phap")
    member = plain_member("PHAP-LHS")
    unit_before = member.unit
    decision = date(2026, 1, 5)
    due = calendar_for(member.unit).add_working_days(decision, 60)
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(actor=secretary, member=member, kind=Kind.OFFICIAL_OUT, to_org=org,
                                  decision_doc="9/QĐ", decision_date=decision, reason="Về nước nhận công tác")
    assert "late_reason" in exc.value.message_dict and due.strftime("%d/%m/%Y") in str(exc.value)
    assert not Transfer.objects.filter(member=member).exists()
    t = services.transfer_request(actor=secretary, member=member, kind=Kind.OFFICIAL_OUT, to_org=org,
                                  decision_doc="9/QĐ", decision_date=decision, reason="Về nước nhận công tác",
                                  late_reason="Chờ bàn giao công việc")
    assert t.late_start and t.start_due == due
    assert Deadline.objects.get(source=t.source, kind="transfer.start").state == "met"
    services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
    letter = services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                            signer_name="Nguyễn Văn An", dues_paid_through="05/2026")
    assert letter.form == Form.TEN_BOX and letter.box == 1 and letter.issuer == member.unit
    assert letter.number == f"{letter.seq}-GGT/CB"
    t.refresh_from_db()
    assert t.state == State.ISSUED
    services.transfer_receive(actor=secretary, transfer=t, on=TODAY)
    t = services.transfer_report_in(actor=secretary, transfer=t, on=TODAY)
    assert t.state == State.REPORTED
    assert steps(member) == ["requested", "approved", "letter_issued", "received", "reported"]
    # Now on the rolls outside the tree: a former member here, off every active list.
    member.refresh_from_db()
    assert member.status == "transferred_out" and member.unit == unit_before
    assert not Member.objects.filter(pk=member.pk, status__in=ACTIVE_STATUSES).exists()


def test_temporary_transfer_period_from_rulebook(actor_of, unit):
    secretary = actor_of("bithu.phap")
    member = plain_member("PHAP-DSQ")
    kw = dict(actor=secretary, member=member, kind=Kind.TEMPORARY, to_unit=unit("PHAP-LHS"), decision_doc="5/QĐ",
              decision_date=date(2026, 6, 1), reason="Học ngắn hạn")
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(**kw, period_from=date(2026, 7, 1), period_to=date(2027, 7, 1))  # 12 months
    assert "period_to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.transfer_request(**kw, period_from=date(2026, 7, 1), period_to=date(2026, 9, 1))  # 2 months
    t = services.transfer_request(**kw, period_from=date(2026, 7, 1), period_to=date(2027, 6, 30))
    services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
    letter = services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                            signer_name="B", dues_paid_through="06/2026")
    assert letter.form == Form.TEMPORARY


def test_bad_input_refused_nothing_written(actor_of, unit, org):
    secretary = actor_of("bithu.phap")
    member = plain_member("PHAP-DSQ")
    before = (Transfer.objects.count(), TimelineEvent.objects.count(), Deadline.objects.count())
    base = dict(actor=secretary, member=member, decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="R")
    cases = [
        (dict(kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ")), "to_unit"),            # same unit
        (dict(kind=Kind.INTERNAL, to_unit=unit("DOAN-APEC17")), "to_unit"),         # closed unit
        (dict(kind=Kind.OFFICIAL_OUT, to_org=None), "to_org"),
        (dict(kind=Kind.RETURN, to_org=org), "kind"),                               # no certified self-review
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.transfer_request(**{**base, **extra})
        assert field in exc.value.message_dict, (extra, exc.value)
    with pytest.raises(ValidationError) as exc:  # in the far future
        services.transfer_request(**{**base, "decision_date": date(2030, 1, 1)}, kind=Kind.INTERNAL,
                                  to_unit=unit("PHAP-LHS"))
    assert "decision_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # before admission
        services.transfer_request(**{**base, "decision_date": date(1950, 1, 1)}, kind=Kind.INTERNAL,
                                  to_unit=unit("PHAP-LHS"))
    assert "decision_date" in exc.value.message_dict
    assert (Transfer.objects.count(), TimelineEvent.objects.count(), Deadline.objects.count()) == before
    # a second open transfer for the same member
    services.transfer_request(**base, kind=Kind.INTERNAL, to_unit=unit("PHAP-LHS"))
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(**base, kind=Kind.INTERNAL, to_unit=unit("PHAP-UNESCO"))
    assert "chưa xong" in exc.value.message_dict["member"][0]
    # a sibling secretary may not start it
    with pytest.raises(PermissionDenied):
        services.transfer_request(actor=actor_of("bithu.duc"), member=plain_member("PHAP-LHS"), kind=Kind.INTERNAL,
                                  to_unit=unit("DUC"), decision_doc="1", decision_date=date(2026, 6, 1), reason="R")


def test_hold_blocks_transfer_and_letter(actor_of, unit):
    secretary, inspector = actor_of("bithu.phap"), actor_of("ub.kiemtra")
    member = plain_member("PHAP-LHS")
    t = services.transfer_request(actor=secretary, member=member, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                                  decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="Điều động")
    services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
    with pytest.raises(PermissionDenied):
        services.hold_open(actor=secretary, member=member, kind=HoldKind.INSPECTION, reference="K", opened_on=TODAY)
    hold = services.hold_open(actor=inspector, member=member, kind=HoldKind.INSPECTION, reference="12-QĐ/UBKT",
                              opened_on=TODAY)
    letters = Letter.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư", signer_name="A",
                                       dues_paid_through="06/2026")
    assert "kiểm tra" in exc.value.message_dict["member"][0]
    assert Letter.objects.count() == letters
    services.transfer_cancel(actor=secretary, transfer=t, reason="Đang kiểm tra")
    with pytest.raises(ValidationError):
        services.transfer_request(actor=secretary, member=member, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                                  decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="Điều động")
    services.hold_close(actor=inspector, hold=hold, closed_on=TODAY)
    services.transfer_request(actor=secretary, member=member, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                              decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="Điều động")


def test_numbers_sequential_per_unit_and_year_void_stays(actor_of, unit):
    secretary = actor_of("bithu.phap")
    issued = []
    for code in ("PHAP-LHS",):
        for member in Member.objects.filter(unit__code=code, status=Status.FULL).order_by("pk")[:3]:
            t = services.transfer_request(actor=secretary, member=member, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                                          decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="Điều động")
            services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
            issued.append(services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                                         signer_name="A", dues_paid_through="06/2026"))
    seqs = [x.seq for x in issued]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    voided = services.letter_void(actor=secretary, letter=issued[1], reason="Viết sai ô số 1")
    assert voided.is_void and Letter.objects.filter(pk=voided.pk).exists()
    t = Transfer.objects.get(pk=issued[1].transfer_id)
    assert t.state == State.APPROVED
    again = services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                           signer_name="A", dues_paid_through="06/2026")
    assert again.seq == seqs[-1] + 1  # a new number; the void one keeps its own
    with override_settings(CHIBO_TODAY=date(2027, 1, 4)):
        m = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk")[5]
        t2 = services.transfer_request(actor=secretary, member=m, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                                       decision_doc="1/QĐ", decision_date=date(2027, 1, 4), reason="Điều động")
        services.transfer_approve(actor=secretary, transfer=t2, on=date(2027, 1, 4))
        first = services.transfer_issue_letter(actor=secretary, transfer=t2, on=date(2027, 1, 4),
                                               signer_title="Bí thư", signer_name="A", dues_paid_through="12/2026")
    assert first.year == 2027 and first.seq == 1


def test_return_review_certified_then_reintroduced(actor_of, unit, org, personas):
    secretary = actor_of("bithu.phap")
    own = actor_of("dangvien.phap")
    member = personas["dangvien.phap"].member
    with pytest.raises(ValidationError):
        services.return_review_submit(actor=own, member=member, period_from=date(2023, 1, 1),
                                      period_to=date(2026, 6, 1), text="ngắn")
    review = services.return_review_submit(actor=own, member=member, period_from=date(2023, 1, 1),
                                           period_to=date(2026, 6, 1), text="Hoàn thành tốt nhiệm vụ được giao, " * 3)
    with pytest.raises(PermissionDenied):
        services.return_review_certify(actor=own, review=review, certified_by="cell", certifier_label="Tôi",
                                       certified_on=TODAY, certified_ref="1")
    services.return_review_certify(actor=secretary, review=review, certified_by="mission",
                                   certifier_label="Đại sứ quán Việt Nam tại Pháp", certified_on=TODAY,
                                   certified_ref="88/ĐSQ")
    t = services.transfer_request(actor=secretary, member=member, kind=Kind.RETURN, to_org=org, decision_doc="7/QĐ",
                                  decision_date=date(2026, 6, 1), reason="Hết nhiệm kỳ")
    assert t.destination == org.name
    kinds = set(TimelineEvent.objects.filter(member=member).values_list("kind", flat=True))
    assert {"transfer.return_review", "transfer.return_review_certified", "transfer.requested"} <= kinds
