"""Helpers for admission tests: a fresh cell of N full members and a case walked up to a step."""

from __future__ import annotations

from datetime import date

import pytest

from chibo.admission import services
from chibo.members.models import Category, Member, Status


@pytest.fixture
def officer(actor_of):
    return actor_of("ban.tochuc")


def letters(n: int) -> str:
    out, n = "", n + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out.capitalize()


def add_member(officer, unit, n, *, status=Status.FULL, admitted=date(2015, 3, 2), confirmed=date(2016, 3, 2),
               name="Phạm Văn", birth=date(1985, 1, 10)):
    from chibo.members.services import member_create

    return member_create(actor=officer, unit=unit, status=status, full_name=f"{name} {letters(n)}",
                         gender="M", birth_date=birth, admission_date=admitted,
                         confirmation_date=confirmed if status == Status.FULL else None,
                         category=Category.MISSION_STAFF)


@pytest.fixture
def make_cell(officer, unit):
    from chibo.units.services import unit_create

    counter = {"n": 0}

    def make(full: int, *, probationary: int = 0, code: str = "") -> object:
        counter["n"] += 1
        cell = unit_create(actor=officer, parent=unit("PHAP"), kind="subordinate_cell",
                           name=f"Chi bộ thử nghiệm {counter['n']}", code=code or f"PHAP-T{counter['n']}",
                           country="FR", city="Lyon", opened_on=date(2010, 1, 4))
        for i in range(full):
            add_member(officer, cell, 100 * counter["n"] + i)
        for i in range(probationary):
            add_member(officer, cell, 100 * counter["n"] + 50 + i, status=Status.PROBATIONARY,
                       admitted=date(2025, 9, 1))
        return cell

    return make


def walk(actor, case, upto: str, *, intro=None):
    """Walk a case through the steps before ``upto`` (a Stage value), with valid data."""
    from chibo.admission.models import PIPELINE, Stage

    target = PIPELINE.index(upto)
    if PIPELINE.index(case.stage) < 1 <= target:
        case = services.case_course(actor=actor, case=case, certificate_no="GCN 145/2025",
                                    issuer="Đảng ủy Bộ Ngoại giao", on=date(2025, 10, 3))
    if PIPELINE.index(case.stage) < 2 <= target:
        case = services.case_application(actor=actor, case=case, application_on=date(2025, 10, 20),
                                         cv_on=date(2025, 10, 22))
    if PIPELINE.index(case.stage) < 3 <= target:
        a, b = intro
        case = services.case_introducers(actor=actor, case=case, on=date(2025, 11, 3), introducer1=a,
                                         introducer1_since=date(2023, 9, 1), introducer2=b,
                                         introducer2_since=date(2024, 1, 15))
    if PIPELINE.index(case.stage) < 4 <= target:
        case = services.case_comments(actor=actor, case=case, mass_org_on=date(2025, 11, 10),
                                      residence_on=date(2025, 11, 12))
    if PIPELINE.index(case.stage) < 5 <= target:
        case = services.case_verified(actor=actor, case=case, by="Đảng ủy Bộ Ngoại giao", on=date(2025, 12, 1),
                                      reference="45-KL/ĐUBNG")
    assert case.stage == Stage(upto)
    return case


def record_new_member_course(actor, member, on=date(2026, 6, 12)):
    """The new-member course certificate a probationary member needs before the cell considers confirmation."""
    from chibo.study.services import certificate_record

    return certificate_record(actor=actor, member=member, kind="new_member", issuer="Đảng ủy Bộ Ngoại giao",
                              number=f"GCN-ĐVM {member.pk}/2026", issued_on=on)


def full_case(officer, cell, settings):
    """A case in ``cell`` (≥ 3 full members) walked to full membership; the clock left at 15/03/2027."""

    members = list(Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk"))
    settings.CHIBO_TODAY = date(2026, 1, 12)
    case = services.applicant_record(actor=officer, unit=cell, full_name="Đỗ Thị Lan Anh", gender="F",
                                     birth_date=date(1998, 5, 19), recorded_on=date(2025, 9, 1)).case
    case = walk(officer, case, "verified", intro=(members[0], members[1]))
    n = len(members)
    case = services.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=n, no=0,
                                   resolution_no="03-NQ/CB")
    c = services.committee_members_on(case.deciding_unit, date(2025, 12, 22))
    case = services.case_committee_vote(actor=officer, case=case, held_on=date(2025, 12, 22), yes=c, no=0,
                                        resolution_no="12-NQ/ĐU")
    case = services.case_decision(actor=officer, case=case, decision_no="25-QĐ/ĐU", decided_on=date(2025, 12, 29),
                                  received_on=date(2026, 1, 2))
    case = services.case_ceremony(actor=officer, case=case, held_on=date(2026, 1, 9), helper=members[2],
                                  category="mission_staff")
    settings.CHIBO_TODAY = date(2027, 3, 15)
    record_new_member_course(officer, case.member)
    case = services.case_confirmation_vote(actor=officer, case=case, held_on=date(2027, 1, 14), yes=n, no=0,
                                           resolution_no="07-NQ/CB")
    c = services.committee_members_on(case.deciding_unit, date(2027, 1, 20))
    return services.case_confirm(actor=officer, case=case, held_on=date(2027, 1, 20), yes=c, no=0,
                                 resolution_no="30-NQ/ĐU", decision_no="31-QĐ/ĐU")
