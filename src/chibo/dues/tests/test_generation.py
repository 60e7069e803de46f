"""The month's obligations in bulk (``dues.generation``, behind ``obligations_generate``) are the rows
``Computer.due`` gives member by member: the same amount, currency, basis, deferral and unit, and no row where it
gives none. Runs on SQLite (``bulk_create``) and PostgreSQL (COPY) alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core.access import SYSTEM, Actor, Grant, Role
from chibo.dues import generation, services
from chibo.dues import rules as drules
from chibo.dues.compute import Computer
from chibo.dues.models import Decision, Obligation, Profile
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.models import Member, Status
from chibo.members.selectors import members_on_rolls

TODAY = date(2026, 6, 15)
MONTH = date(2026, 6, 1)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


@pytest.fixture
def boss(unit) -> Actor:
    root = unit("DUBNG")
    actor = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="test officer")
    services.rate_define(actor=actor, category="mission_staff", currency="EUR", amount="12.50",
                         effective_from=date(2026, 1, 1), basis="Hướng dẫn (thử)")
    services.rate_define(actor=actor, category="labourer", currency="JPY", amount="1500",
                         effective_from=date(2026, 1, 1), basis="Hướng dẫn (thử)")
    return actor


def profile(member: Member, base: str, currency: str = "VND", *, amount: str | None = None,
            category: str = "domestic", voluntary: str = "0", month: date = date(2026, 1, 1)) -> Profile:
    """A profile written directly (as an import from an earlier system would): ``profile_set`` refuses an abroad
    amount without its rate, and would generate the obligations itself."""
    return Profile.objects.create(member=member, month=month, category=category, base=base, currency=currency,
                                  base_amount=None if amount is None else Decimal(amount),
                                  voluntary=Decimal(voluntary), created_by="test")


def decision(member: Member, kind: str, *, percent: int = 0, month_from: date = date(2026, 3, 1),
             month_to: date = date(2026, 8, 1), document: str = "12-QĐ/CB", revoked: bool = False) -> Decision:
    return Decision.objects.create(
        member=member, kind=kind, reason="hardship", percent=100 if kind == "exempt" else percent,
        month_from=month_from, month_to=month_to, document=document, decided_on=month_from,
        revoked_at=timezone.now() if revoked else None, created_by="test")


@pytest.fixture
def mix(boss):
    """Members on the rolls with every kind of profile and decision; one struck off with a profile."""
    members = list(Member.objects.filter(status=Status.FULL).order_by("pk")[:18])
    assert len(members) == 18
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        birth_date=date(1950, 1, 1), admission_date=date(2001, 3, 10), confirmation_date=date(2002, 3, 10))
    veteran, veteran_abroad = members[0], members[1]
    Member.objects.filter(pk__in=[veteran.pk, veteran_abroad.pk]).update(admission_date=date(1976, 4, 10),
                                                                          confirmation_date=date(1977, 4, 10))
    for m in members:
        m.refresh_from_db()
    (_, _, salary, pension, student, fixed, no_rate, reduced, deferred, exempt, revoked, later, outside,
     same_salary, odd_text, japan, kuwait, no_profile) = members
    profile(veteran, "salary", amount="9000000")  # 50 years of party age in April 2026: exempt
    profile(veteran_abroad, "abroad", "USD", category="spouse")  # exempt by age before any rate is needed
    profile(salary, "salary", amount="12345678")  # 1% rounded half up: 123,457
    profile(pension, "pension", amount="5123300", voluntary="20000")
    profile(student, "student")
    profile(fixed, "abroad", "EUR", category="mission_staff", voluntary="2.50")
    profile(no_rate, "abroad", "USD", category="spouse")  # no rate for spouses in USD: no obligation
    profile(reduced, "salary", amount="12345678")
    decision(reduced, "reduce", percent=30)
    profile(deferred, "pension", amount="7000000")
    decision(deferred, "defer")
    profile(exempt, "abroad", "EUR", category="mission_staff")
    decision(exempt, "exempt", document="3-QĐ/ĐUNN")
    profile(revoked, "salary", amount="8000000")
    decision(revoked, "exempt", revoked=True)
    profile(later, "salary", amount="6000000", month=date(2025, 1, 1))
    profile(later, "salary", amount="7000000")  # the one in force
    profile(later, "salary", amount="9000000", month=date(2026, 7, 1))  # not yet
    profile(outside, "salary", amount="6000000")
    decision(outside, "exempt", month_from=date(2026, 7, 1), month_to=date(2026, 9, 1))
    profile(same_salary, "salary", amount="12345678")  # the same due as ``salary``, computed once
    profile(odd_text, "salary", amount="5000000")
    decision(odd_text, "reduce", percent=50, document="7\\QĐ\tCB")  # COPY's escapes
    profile(japan, "abroad", "JPY", category="labourer", voluntary="100")
    profile(kuwait, "salary", "KWD", amount="1234.567")  # three minor digits
    gone = Member.objects.exclude(status__in=ACTIVE_STATUSES).order_by("pk").first()
    assert gone is not None
    profile(gone, "salary", amount="10000000")  # struck off, died, left: no obligation
    Obligation.objects.filter(month=MONTH).delete()
    return members + [gone], no_profile


def expected_rows(members: list[Member], month: date) -> dict[int, tuple]:
    computer = Computer.for_members([m.pk for m in members])
    out = {}
    for m in members:
        due = computer.due(m.pk, m.admission_date, month) if m.status in ACTIVE_STATUSES else None
        if due is not None:
            out[m.pk] = (due.amount, due.currency, due.basis, due.deferred, m.unit_id)
    return out


def stored_rows(members: list[Member], month: date) -> dict[int, tuple]:
    return {o.member_id: (o.amount, o.currency, o.basis, o.deferred, o.unit_id)
            for o in Obligation.objects.filter(month=month, member__in=members)}


@pytest.mark.parametrize("batch", [5000, 4])  # one chunk; chunks of four members (the keyset, the ranges)
def test_bulk_rows_equal_computer_due(mix, boss, batch):
    members, no_profile = mix
    expected = expected_rows(members, MONTH)
    assert no_profile.pk not in expected and members[6].pk not in expected  # no profile; no rate abroad
    assert expected[members[0].pk][:3] == (Decimal(0), "VND", "Miễn: từ 50 năm tuổi Đảng")
    assert expected[members[1].pk][:3] == (Decimal(0), "USD", "Miễn: từ 50 năm tuổi Đảng")
    assert expected[members[2].pk][0] == Decimal(123457)
    assert expected[members[8].pk][3] is True and "giảm 30%" in expected[members[7].pk][2]
    created = services.obligations_generate(actor=SYSTEM, month=MONTH, batch=batch)
    assert created == len(expected) == Obligation.objects.filter(month=MONTH).count()
    assert stored_rows(members, MONTH) == expected
    assert services.obligations_generate(actor=SYSTEM, month=MONTH, batch=batch) == 0


def test_a_unit_and_members_already_done(mix, boss):
    members, _ = mix
    cell = members[2].unit
    in_cell = [m for m in members if m.unit_id == cell.pk]
    expected = expected_rows(members, MONTH)
    first = next(pk for pk in expected if pk in {m.pk for m in in_cell})
    due = expected[first]
    Obligation.objects.create(member_id=first, unit_id=due[4], month=MONTH, currency=due[1], amount=due[0],
                              basis=due[2], deferred=due[3])
    created = services.obligations_generate(actor=boss, month=MONTH, unit=cell, batch=2)
    assert created == len([m for m in in_cell if m.pk in expected]) - 1
    assert stored_rows(in_cell, MONTH) == {m.pk: expected[m.pk] for m in in_cell if m.pk in expected}
    assert services.obligations_generate(actor=SYSTEM, month=MONTH) == len(expected) - created - 1
    assert stored_rows(members, MONTH) == expected


def test_a_row_written_meanwhile_is_skipped(mix, boss):
    """A profile changed during the run writes a member's obligation first: the chunk's COPY (PostgreSQL) fails
    on it, and the chunk is written again skipping it."""
    members, _ = mix
    salary = members[2]
    Obligation.objects.create(member=salary, unit_id=salary.unit_id, month=MONTH, currency="VND",
                              amount=Decimal(1), basis="written meanwhile")
    chunk = [(m.pk, m.unit_id, m.admission_date) for m in members if m.status in ACTIVE_STATUSES]
    generation.write_rows(MONTH, generation._Generator(MONTH).rows(chunk))
    expected = expected_rows(members, MONTH)
    expected[salary.pk] = (Decimal(1), "VND", "written meanwhile", False, salary.unit_id)
    assert stored_rows(members, MONTH) == expected


def test_rules_missing_that_month(mix, boss):
    """Before the rules' first versions (none in force) no obligation is due; after a new version, its value."""
    members, _ = mix
    old = date(1999, 12, 1)
    assert expected_rows(members, old) == {}
    assert generation.generate(members_on_rolls(), old) == 0
    services.rate_define(actor=boss, category="mission_staff", currency="EUR", amount="14",
                         effective_from=date(2026, 6, 1), basis="Hướng dẫn mới (thử)")
    assert services.obligations_generate(actor=SYSTEM, month=MONTH) == len(expected_rows(members, MONTH))
    assert stored_rows(members, MONTH) == expected_rows(members, MONTH)
    assert stored_rows([members[5]], MONTH)[members[5].pk][0] == Decimal("16.50")


PROFILES = st.one_of(
    st.tuples(st.sampled_from(["salary", "pension"]), st.sampled_from(["VND", "EUR", "JPY", "KWD"]),
              st.decimals("0.001", "99999999", places=3), st.just("domestic")),
    st.tuples(st.just("student"), st.just("VND"), st.none(), st.just("domestic")),
    st.tuples(st.just("abroad"), st.sampled_from(["EUR", "JPY", "USD"]), st.none(),
              st.sampled_from(["mission_staff", "labourer", "spouse"])),
)
DECISIONS = st.one_of(st.none(), st.tuples(st.sampled_from(["exempt", "reduce", "defer"]),
                                           st.sampled_from([30, 50, 70]), st.text(min_size=1, max_size=100)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile_=PROFILES, decision_=DECISIONS, voluntary=st.decimals("0", "500", places=2),
       admitted=st.dates(date(1960, 1, 1), date(2026, 6, 1)), month=st.sampled_from([MONTH, date(2026, 1, 1)]))
def test_month_rules_due_is_due_for(boss, profile_, decision_, voluntary, admitted, month):
    """``MonthRules.due`` against ``rules.due_for`` for any profile, decision, party age and month."""
    base, currency, amount, category = profile_
    row = (category, base, amount, currency, voluntary)
    model = Profile(member_id=0, month=month, category=category, base=base, base_amount=amount, currency=currency,
                    voluntary=voluntary)
    decisions = [] if decision_ is None else [
        Decision(member_id=0, kind=decision_[0], percent=decision_[1] if decision_[0] == "reduce" else 0,
                 document=decision_[2], month_from=month, month_to=month)]
    fast_decision = None if not decisions else (decisions[0].kind, decisions[0].percent, decisions[0].document)
    try:
        expected = drules.due_for(admission_date=admitted, profile=model, decisions=decisions, month=month)
    except LookupError:
        expected = None
    assert generation.MonthRules(month).due(admitted, row, fast_decision) == expected


def test_the_fast_path_reads_the_rules_once(mix, boss):
    """A month's rules are read once, not once per member: the members, their profiles and decisions, each rule the
    month needs (7 here, one of them missing), the rows (and their savepoint on PostgreSQL), the audit event."""
    with CaptureQueriesContext(connection) as queries:
        assert services.obligations_generate(actor=SYSTEM, month=MONTH) == 16
    rules = [q["sql"] for q in queries.captured_queries if '"core_rule"' in q["sql"]]
    assert len(rules) <= 8 and len(queries.captured_queries) <= 16


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_thread_writes(migrated_data, monkeypatch):
    """Called outside any transaction (the daily sweep), PostgreSQL's rows are written by a thread with its own
    connection while the next members are read; the rows are the same, every batch is committed."""
    from chibo.members.services import member_create
    from chibo.units.services import unit_create

    if connection.vendor != "postgresql":
        pytest.skip("the threaded writer is PostgreSQL's (elsewhere the rows are written inline, as tested above)")
    monkeypatch.setattr(generation, "WRITE_ROWS", 3)
    with override_settings(CHIBO_TODAY=TODAY):
        root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy thử", code="DUES-GEN",
                           opened_on=date(2000, 1, 1))
        root.refresh_from_db()
        officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ thử", code="DUES-GEN-A",
                           opened_on=date(2001, 1, 1))
        members = [member_create(actor=officer, unit=cell, status=Status.FULL, full_name=f"Kiều Văn {chr(65 + n)}",
                                 gender="M", birth_date=date(1950, 2, 3), admission_date=date(1970 + 3 * n, 4, 5),
                                 confirmation_date=date(1971 + 3 * n, 4, 5), category="labourer")
                   for n in range(8)]
        for n, m in enumerate(members[:7]):
            profile(m, "salary", amount=str(5_000_000 + 250_000 * n), voluntary="10000" if n % 3 else "0")
        decision(members[5], "defer")
        assert services.obligations_generate(actor=officer, month=MONTH, unit=cell, batch=2) == 7
        expected = expected_rows(members, MONTH)
        assert len(expected) == 7 and stored_rows(members, MONTH) == expected
        assert expected[members[0].pk][0] == Decimal(0) and expected[members[3].pk][0] > 0  # 50 years; not yet
        assert services.obligations_generate(actor=officer, month=MONTH, unit=cell, batch=2) == 0
