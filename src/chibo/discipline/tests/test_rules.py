"""The rules of a case, through the services the pages and the API call: forms by status, competence, the
consequences of removal from post and expulsion, a dropped case lifting the hold, the appeal window in working
days when the rule says so, and the grading rule that reads the decisions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chibo.core.models import Rule
from chibo.discipline import services
from chibo.discipline.rules import appeal_ends
from chibo.members.models import CommitteePost, Member, Status
from chibo.transfers.models import TransferHold
from chibo.transfers.selectors import cell_voters_on
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def _open(actor, member, unit, considered="warning", **extra):
    return services.case_open(actor=actor, member=member, deciding_unit=unit, violation="Vi phạm quy định",
                              violated_on=date(2026, 3, 1), area="ordinary", considered=considered,
                              reference="1-TB/CB", **extra)


def _walk(actor, case, form):
    services.case_explain(actor=actor, case=case, explanation="Tôi nhận khuyết điểm và xin sửa chữa.", on=DAY)
    eligible = len(cell_voters_on(case.unit, DAY))
    services.case_vote(actor=actor, case=case, proposed=form, voted_on=DAY, yes=eligible, no=0)
    return services.case_decide(actor=actor, case=case, form=form, decision_no="9-QĐ/ĐU", decided_on=DAY)


@override_settings(CHIBO_TODAY=DAY)
def test_forms_competence_and_consequences(actor_of, personas):
    boss = actor_of("ban.tochuc")
    france = Unit.objects.get(code="PHAP")
    probationary = Member.objects.filter(status=Status.PROBATIONARY, unit__path__startswith=france.path).first()
    with pytest.raises(ValidationError) as refused:
        _open(boss, probationary, probationary.unit, considered="removal")
    assert "chỉ có thể bị khiển trách, cảnh cáo" in str(refused.value)

    # A member of France's committee is not disciplined by their own cell: France (or above) decides.
    post = CommitteePost.objects.filter(unit=france, to_date__isnull=True).select_related("member").first()
    leader = post.member
    assert leader.unit != france
    with pytest.raises(ValidationError) as refused:
        _open(boss, leader, leader.unit)
    assert "không có thẩm quyền quyết định" in str(refused.value) and "296-QĐ/TW" in str(refused.value)
    case = _open(boss, leader, france)
    _walk(boss, case, "removal")
    assert not CommitteePost.objects.filter(member=leader, to_date__isnull=True).exists()  # cách chức

    plain = Member.objects.filter(unit__path__startswith=france.path, status=Status.FULL).exclude(
        pk=leader.pk).exclude(pk__in=CommitteePost.objects.values("member_id")).first()
    # A cell decides up to a warning (discipline.competence.<kind>): it only proposes an expulsion.
    with pytest.raises(ValidationError) as refused:
        _open(boss, plain, plain.unit, considered="expulsion")
    assert "Thẩm quyền kỷ luật của chi bộ trực thuộc" in str(refused.value.message_dict["deciding_unit"])
    in_cell = _open(boss, plain, plain.unit)
    services.case_explain(actor=boss, case=in_cell, explanation="Tôi nhận khuyết điểm và xin sửa chữa.", on=DAY)
    services.case_vote(actor=boss, case=in_cell, proposed="warning", voted_on=DAY,
                       yes=len(cell_voters_on(in_cell.unit, DAY)), no=0)
    with pytest.raises(ValidationError) as refused:
        services.case_decide(actor=boss, case=in_cell, form="expulsion", decision_no="9-QĐ/CB", decided_on=DAY)
    assert "chỉ đề nghị" in str(refused.value.message_dict["form"])
    services.case_drop(actor=boss, case=in_cell, reason="Chuyển cấp ủy cấp trên xem xét")
    expelled = _walk(boss, _open(boss, plain, france, considered="expulsion"), "expulsion")
    plain.refresh_from_db()
    assert plain.status == Status.EXPELLED  # khai trừ, through the members service
    # The level above annuls the expulsion on appeal: the member is back on the rolls, as the timeline says.
    services.case_appeal(actor=boss, case=expelled, text="Đề nghị xem xét lại quyết định khai trừ.", filed_on=DAY)
    services.case_appeal_decide(actor=boss, case=expelled, outcome="annulled", decision_no="3-QĐ/ĐUB",
                                decided_on=DAY)
    plain.refresh_from_db()
    assert plain.status == Status.FULL
    assert plain.timeline.filter(kind="member.status_changed", data__to="full", data__document="3-QĐ/ĐUB").exists()

    other = Member.objects.filter(unit__path__startswith=france.path, status=Status.FULL).exclude(
        pk__in=[leader.pk, plain.pk]).first()
    dropped = _open(boss, other, other.unit)
    services.case_drop(actor=boss, case=dropped, reason="Không đủ căn cứ")
    assert TransferHold.objects.get(pk=dropped.hold_id).closed_on == DAY


def test_an_appeal_window_in_working_days_follows_the_calendar(unit):
    # One source reads the window as 30 working days: the rule's unit decides how it is counted.
    Rule.objects.filter(key="discipline.appeal_within").update(value="30", unit="working_days")
    ends, basis = appeal_ends(date(2026, 2, 2), unit("PHAP-DSQ"))
    assert ends > date(2026, 3, 2) and "Thời hạn khiếu nại quyết định kỷ luật" in basis  # weekends, holidays skipped


@override_settings(CHIBO_TODAY=DAY)
def test_no_one_acts_on_their_own_case_and_the_hold_says_nothing_of_it(actor_of, client_of, personas):
    """France's secretary, under a case decided by France: they see it as its subject (no working papers), take
    none of the committee's steps, may not excuse a late appeal nor set the day they received the decision; the
    hold on their transfers names no document and only the case lifts it."""
    from chibo.transfers import services as transfers

    boss = actor_of("ban.tochuc")
    subject = personas["bithu.phap"].member
    case = _open(boss, subject, Unit.objects.get(code="PHAP"))
    hold = TransferHold.objects.get(pk=case.hold_id)
    assert hold.reference == transfers.CASE_HOLD_REFERENCE and "1-TB/CB" not in hold.reference
    with pytest.raises(ValidationError):
        transfers.hold_close(actor=boss, hold=hold, closed_on=DAY)
    own = client_of("bithu.phap")
    body = own.get(f"/api/v1/discipline/cases/{case.pk}/").json()
    assert "reference" not in body and body["available_actions"] == ["explain"]
    services.case_explain(actor=actor_of("bithu.phap"), case=case, explanation="Tôi xin nhận khuyết điểm.", on=DAY)
    refused = own.post(f"/api/v1/discipline/cases/{case.pk}/actions/", {"action": "vote", "proposed": "warning",
                                                                          "voted_on": "10/03/2026", "yes": 1, "no": 0},
                       content_type="application/json")
    assert refused.status_code == 403
    eligible = len(cell_voters_on(case.unit, DAY))
    services.case_vote(actor=boss, case=case, proposed="warning", voted_on=DAY, yes=eligible, no=0)
    services.case_decide(actor=boss, case=case, form="warning", decision_no="9-QĐ/ĐU", decided_on=DAY)
    appeal = {"action": "appeal", "text": "Tôi đề nghị xem xét lại quyết định.", "filed_on": "10/03/2026"}
    answer = own.post(f"/api/v1/discipline/cases/{case.pk}/actions/",
                      {**appeal, "received_on": "10/03/2026", "late_reason": "Tự chấp nhận"},
                      content_type="application/json").json()
    assert "late_reason" in answer and "received_on" in answer
