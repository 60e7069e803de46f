"""Dues: profiles and decisions → monthly obligations; the append-only ledger with gap-free receipts;
reversals; credit and prepayment; arrears and the paid-through month; bad input refused with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core.access import SYSTEM, Actor, Grant, Role
from chibo.core.money import format_amount, parse_amount, quantize
from chibo.core.rulebook import describe_value, rule
from chibo.dues import selectors, services
from chibo.dues.models import Entry, Obligation, ReceiptCounter
from chibo.dues.services import PaymentLine
from chibo.members.models import Member, Status, TimelineEvent

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def officer(unit_root) -> Actor:
    return Actor(user=None, grants=(Grant(Role.ORG_OFFICER, unit_root.pk, unit_root.path),), label="test officer")


@pytest.fixture
def setup(unit):
    """Two plain full members of PHAP-DSQ (young in the party), the EUR amount for mission staff defined."""
    root, cell = unit("DUBNG"), unit("PHAP-DSQ")
    boss = officer(root)
    services.rate_define(actor=boss, category="mission_staff", currency="EUR", amount="12.50",
                         effective_from=date(2026, 2, 1), basis="Hướng dẫn của Đảng ủy (thử)")
    members = list(Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1))
                   .order_by("pk")[:2])
    assert len(members) == 2
    return boss, cell, members


def fixed(boss, member, month=date(2026, 2, 1)):
    return services.profile_set(actor=boss, member=member, month=month, base="abroad", currency="EUR",
                                category="mission_staff")


def test_money_is_decimal_in_the_currency_minor_unit():
    assert parse_amount("12,5", "EUR") == Decimal("12.50")
    assert parse_amount("1.234.000", "VND") == Decimal(1234000)
    assert quantize(Decimal("0.125"), "EUR") == Decimal("0.13")  # half up, as stated
    assert format_amount(Decimal("1234000"), "VND") == "1.234.000 VND"
    with pytest.raises(ValueError, match="2 chữ số"):
        parse_amount("1.234", "EUR")
    with pytest.raises(ValueError):
        parse_amount("NaN", "EUR")


def test_rates_abroad_are_rules_to_confirm(setup):
    version = rule("dues.abroad.mission_staff.EUR", on=date(2026, 3, 1))
    assert version.confidence == "to_confirm" and describe_value(version) == "12,50 EUR"
    boss = setup[0]
    with pytest.raises(ValidationError, match="ISO 4217"):
        services.rate_define(actor=boss, category="spouse", currency="XYZ", amount="5", effective_from=TODAY,
                             basis="x")
    with pytest.raises(ValidationError, match="chữ số"):
        services.rate_define(actor=boss, category="spouse", currency="EUR", amount="5.555", effective_from=TODAY,
                             basis="x")
    with pytest.raises(PermissionDenied):
        services.rate_define(actor=SYSTEM, category="spouse", currency="EUR", amount="5", effective_from=TODAY,
                             basis="x")


def test_profile_creates_obligations_and_a_timeline_event(setup):
    boss, cell, (a, _b) = setup
    fixed(boss, a)
    months = list(Obligation.objects.filter(member=a).order_by("month").values_list("month", "amount"))
    assert months == [(date(2026, m, 1), Decimal("12.50")) for m in range(2, 7)]
    assert TimelineEvent.objects.filter(member=a, kind="dues.profile_set").exists()
    # No rate for the currency asked: refused, saying what to do, nothing written.
    with pytest.raises(ValidationError, match="Mức đóng"):
        services.profile_set(actor=boss, member=a, month=date(2026, 7, 1), base="abroad", currency="USD")
    # A salary base: 1% of it.
    services.profile_set(actor=boss, member=a, month=date(2026, 6, 1), base="salary", currency="EUR",
                         base_amount="3000")
    assert Obligation.objects.get(member=a, month=date(2026, 6, 1)).amount == Decimal("30.00")


def test_payments_receipts_reversal_and_paid_through(setup, unit):
    boss, cell, (a, b) = setup
    fixed(boss, a)
    fixed(boss, b)
    posted = services.payments_post(actor=boss, unit=cell, paid_on=date(2026, 6, 10), method="cash", lines=[
        PaymentLine(a, "62.50"), PaymentLine(b, "25")])
    assert [e.receipt_number for e in posted.entries] == [1, 2]
    assert selectors.paid_through(a) == date(2026, 6, 1)
    position_b = selectors.member_position(b)
    assert position_b.paid_through == date(2026, 3, 1) and position_b.arrears == {"EUR": Decimal("37.50")}
    assert position_b.unpaid_months(2026) == [date(2026, 4, 1), date(2026, 5, 1)]  # June is not over yet
    # Reversal: a negative entry; the payment stays, its reversal is refused twice, a reversal is never reversed.
    reversal = services.payment_reverse(actor=boss, entry=posted.entries[1], reason="Ghi nhầm người")
    assert reversal.amount == Decimal("-25.00") and Entry.objects.filter(member=b).count() == 2
    with pytest.raises(ValidationError, match="đã được đảo"):
        services.payment_reverse(actor=boss, entry=posted.entries[1], reason="lại")
    with pytest.raises(ValidationError, match="bút toán đảo"):
        services.payment_reverse(actor=boss, entry=reversal, reason="lại")
    assert selectors.paid_through(b) is None
    # Prepayment: a credit covers the coming months, up to the rule's limit (12 months ahead).
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="bank",
                           lines=[PaymentLine(a, "25", month_from=date(2026, 6, 1))])
    assert selectors.paid_through(a) == date(2026, 8, 1)
    with pytest.raises(ValidationError, match="đóng trước"):
        services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(a, "500")])
    # Gap-free numbers: the refused request took none.
    third = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(b, "10")])
    assert third.entries[0].receipt_number == 4
    assert ReceiptCounter.objects.get(unit=cell, year=2026).last == 4


def test_a_cells_month_posts_in_a_fixed_number_of_queries_and_keeps_the_months_settled(setup, unit):
    """One request for the whole cell: the queries do not grow with the members (one read of every position, one
    run of receipt numbers, one insert); each entry keeps the months it settled, oldest unpaid first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    boss, cell, _ = setup
    members = list(Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1))
                   .order_by("pk")[:6])
    assert len(members) == 6
    for m in members:
        fixed(boss, m)

    def post(batch, amount):
        with CaptureQueriesContext(connection) as queries:
            posted = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                                            lines=[PaymentLine(m, amount) for m in batch])
        return posted, len(queries)

    first, _ = post(members[:1], "25")        # February and March (12.50 each); the year's counter begins
    two, few = post(members[1:3], "25")
    three, many = post(members[3:6], "25")
    assert few == many, (few, many)
    assert [e.receipt_number for e in first.entries + two.entries + three.entries] == [1, 2, 3, 4, 5, 6]
    assert {(e.settles_from, e.settles_to) for e in two.entries + three.entries} == {(date(2026, 2, 1),
                                                                                      date(2026, 3, 1))}
    part, _ = post(members[:1], "31.25")      # April, May and half of June
    assert (part.entries[0].settles_from, part.entries[0].settles_to) == (date(2026, 4, 1), date(2026, 6, 1))
    named = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[
        PaymentLine(members[1], "12.50", month_from=date(2026, 4, 1))]).entries[0]
    assert named.months == (date(2026, 4, 1), date(2026, 4, 1)) and named.settles_from == date(2026, 4, 1)


def test_the_months_settled_count_a_month_not_generated_yet_and_the_credit_held(setup):
    boss, cell, (a, b) = setup
    fixed(boss, a)
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(a, "62.50")])
    # The 1st of July before the sweep made July's obligation: the next payment is for July, not August.
    with override_settings(CHIBO_TODAY=date(2026, 7, 1)):
        assert not Obligation.objects.filter(member=a, month=date(2026, 7, 1)).exists()
        july = services.payments_post(actor=boss, unit=cell, paid_on=date(2026, 7, 1), method="cash",
                                      lines=[PaymentLine(a, "12.50")]).entries[0]
        assert july.months == (date(2026, 7, 1), date(2026, 7, 1))
        assert selectors.paid_through(a) == date(2026, 7, 1)
    # Arrears in another currency (VND before the move abroad) and a credit in euros: the credit pays the coming
    # months first, so a new payment goes to the month after them.
    services.profile_set(actor=boss, member=b, month=date(2026, 2, 1), base="salary", currency="VND",
                         base_amount="10000000")
    fixed(boss, b, month=date(2026, 5, 1))
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(b, "62.50")])
    position = selectors.member_position(b)
    assert position.arrears == {"VND": Decimal("300000")} and position.credit == {"EUR": Decimal("37.50")}
    later = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                                   lines=[PaymentLine(b, "12.50")]).entries[0]
    assert later.months == (date(2026, 10, 1), date(2026, 10, 1))  # July to September are the credit's


def test_receipt_numbers_are_taken_as_a_run():
    from chibo.core.counters import take_numbers

    with pytest.raises(ValueError, match="at least 1"):
        take_numbers(ReceiptCounter, None, 2026, 0)


def test_a_month_already_paid_becomes_a_credit_said_clearly(setup):
    boss, cell, (a, _b) = setup
    fixed(boss, a)
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(a, "62.50")])
    again = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                                   lines=[PaymentLine(a, "12.50", month_from=date(2026, 6, 1))])
    assert again.notes and "đã đóng đủ" in again.notes[0] and "số dư có" in again.notes[0]
    assert selectors.member_position(a).credit == {"EUR": Decimal("12.50")}


@pytest.mark.parametrize(("line", "message"), [
    (lambda m: PaymentLine(m, "0"), "lớn hơn 0"),
    (lambda m: PaymentLine(m, "-5"), "lớn hơn 0"),
    (lambda m: PaymentLine(m, "abc"), "không phải một số tiền"),
    (lambda m: PaymentLine(m, "1.234"), "chữ số"),
])
def test_bad_amounts_are_refused_and_nothing_is_posted(setup, line, message):
    boss, cell, (a, b) = setup
    fixed(boss, a)
    fixed(boss, b)
    with pytest.raises(ValidationError, match=message):
        services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                               lines=[PaymentLine(b, "12.50"), line(a)])
    assert not Entry.objects.filter(member__in=[a, b]).exists()


def test_payments_for_people_not_on_the_rolls_or_elsewhere_are_refused(setup, unit):
    boss, cell, (a, _b) = setup
    former = Member.objects.filter(status=Status.STRUCK_OFF).first()
    with pytest.raises(ValidationError):
        services.payments_post(actor=boss, unit=former.unit, paid_on=TODAY, method="cash",
                               lines=[PaymentLine(former, "5")])
    with pytest.raises(ValidationError, match="mức đóng"):  # no profile yet
        services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(a, "5")])
    fixed(boss, a)
    with pytest.raises(ValidationError, match="không sinh hoạt"):
        services.payments_post(actor=boss, unit=unit("DUC-FRA"), paid_on=TODAY, method="cash",
                               lines=[PaymentLine(a, "5")])


def test_secretaries_record_only_their_own_subtree(setup, actor_of):
    boss, cell, (a, _b) = setup
    fixed(boss, a)
    services.payments_post(actor=actor_of("bithu.phap"), unit=cell, paid_on=TODAY, method="cash",
                           lines=[PaymentLine(a, "12.50")])
    with pytest.raises(PermissionDenied):
        services.payments_post(actor=actor_of("bithu.duc"), unit=cell, paid_on=TODAY, method="cash",
                               lines=[PaymentLine(a, "12.50")])


def test_decisions_exempt_reduce_defer_within_the_rules(setup):
    boss, cell, (a, b) = setup
    fixed(boss, a)
    services.decision_record(actor=boss, member=a, kind="reduce", reason="hardship", percent=50,
                             month_from=date(2026, 4, 1), month_to=date(2026, 6, 1), document="5-QĐ/CB",
                             decided_on=date(2026, 3, 20))
    amounts = dict(Obligation.objects.filter(member=a).values_list("month", "amount"))
    assert amounts[date(2026, 3, 1)] == Decimal("12.50") and amounts[date(2026, 4, 1)] == Decimal("6.25")
    with pytest.raises(ValidationError, match="30%, 50%, 70%"):
        services.decision_record(actor=boss, member=b, kind="reduce", reason="hardship", percent=40,
                                 month_from=date(2026, 4, 1), month_to=date(2026, 6, 1), document="6-QĐ/CB",
                                 decided_on=date(2026, 3, 20))
    with pytest.raises(ValidationError, match="12 tháng"):
        services.decision_record(actor=boss, member=b, kind="reduce", reason="hardship", percent=30,
                                 month_from=date(2026, 2, 1), month_to=date(2027, 6, 1), document="6-QĐ/CB",
                                 decided_on=date(2026, 3, 20))
    with pytest.raises(ValidationError, match="thu hồi"):  # overlaps the reduction
        services.decision_record(actor=boss, member=a, kind="exempt", reason="illness",
                                 month_from=date(2026, 5, 1), month_to=date(2026, 12, 1), document="7-QĐ/CB",
                                 decided_on=date(2026, 5, 2))
    fixed(boss, b)
    services.decision_record(actor=boss, member=b, kind="defer", reason="absence", month_from=date(2026, 2, 1),
                             month_to=date(2026, 5, 1), document="8-QĐ/CB", decided_on=date(2026, 2, 2))
    assert selectors.member_position(b).unpaid_months(2026) == []  # deferred: owed, but not "unpaid"


def test_fifty_years_of_party_age_exempts(setup, unit):
    boss = setup[0]
    veteran = Member.objects.filter(status=Status.FULL, admission_date__lte=date(1975, 1, 1)).first()
    if veteran is None:  # the demo may hold none: make one old enough
        veteran = Member.objects.filter(unit=unit("PHAP-DSQ"), status=Status.FULL).order_by("-pk").first()
        Member.objects.filter(pk=veteran.pk).update(admission_date=date(1976, 4, 10), birth_date=date(1950, 1, 1),
                                                    confirmation_date=date(1977, 4, 10))
        veteran.refresh_from_db()
    fixed(boss, veteran)
    rows = dict(Obligation.objects.filter(member=veteran).values_list("month", "amount"))
    assert rows[date(2026, 3, 1)] == Decimal("12.50") and rows[date(2026, 4, 1)] == Decimal(0)  # 50 years in April
    assert "50 năm tuổi Đảng" in Obligation.objects.get(member=veteran, month=date(2026, 5, 1)).basis


def test_generating_a_month_is_idempotent(setup):
    boss, cell, (a, b) = setup
    fixed(boss, a)
    Obligation.objects.filter(member=a, month=date(2026, 6, 1)).delete()
    assert services.obligations_generate(actor=boss, month=date(2026, 6, 1), unit=cell) == 1
    assert services.obligations_generate(actor=boss, month=date(2026, 6, 1), unit=cell) == 0
    with pytest.raises(ValidationError):
        services.obligations_generate(actor=boss, month=date(2026, 7, 1))


def test_a_posted_entry_is_never_edited_or_deleted(setup):
    boss, cell, (a, _b) = setup
    fixed(boss, a)
    entry = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                                   lines=[PaymentLine(a, "5")]).entries[0]
    entry.amount = Decimal(1)
    with pytest.raises(ValueError, match="reversal"):
        entry.save()
    with pytest.raises(ValueError, match="reversal"):
        entry.delete()


# A sequence of operations on two members: set a profile, pay, reverse a payment, record a reduction.
OPS = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 1), st.decimals("0.01", "40", places=2)),
    st.tuples(st.just("reverse"), st.integers(0, 1), st.integers(0, 10)),
    st.tuples(st.just("profile"), st.integers(0, 1), st.integers(2, 6)),
    st.tuples(st.just("reduce"), st.integers(0, 1), st.integers(2, 6)),
), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_ledger_always_adds_up(setup, ops):
    """For any sequence: obligations − payments + reversals = arrears − credit per member, the unit's totals are
    the sum of its members', the paid-through month agrees with the allocation, and every level above rolls up
    exactly."""
    boss, cell, members = setup
    sid = transaction.savepoint()
    try:
        for m in members:
            fixed(boss, m)
        for op, who, arg in ops:
            member = members[who]
            try:
                if op == "pay":
                    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash",
                                           lines=[PaymentLine(member, Decimal(arg))])
                elif op == "reverse":
                    payments = list(Entry.objects.filter(member=member, kind="payment").order_by("pk"))
                    if payments:
                        services.payment_reverse(actor=boss, entry=payments[arg % len(payments)], reason="sửa")
                elif op == "profile":
                    services.profile_set(actor=boss, member=member, month=date(2026, arg, 1), base="salary",
                                         currency="EUR", base_amount=str(1000 + 250 * arg))
                else:
                    services.decision_record(actor=boss, member=member, kind="reduce", reason="hardship",
                                             percent=30, month_from=date(2026, arg, 1), month_to=date(2026, 6, 1),
                                             document=f"{arg}-QĐ", decided_on=date(2026, 1, 5))
            except ValidationError:
                pass  # refused (over the prepayment limit, a second reversal, an overlapping decision): nothing written
        unit_due = unit_paid = Decimal(0)
        for member in members:
            position = selectors.member_position(member)
            obligations = sum(Obligation.objects.filter(member=member).values_list("amount", flat=True), Decimal(0))
            payments = sum(Entry.objects.filter(member=member, kind="payment").values_list("amount", flat=True),
                           Decimal(0))
            reversals = -sum(Entry.objects.filter(member=member, kind="reversal").values_list("amount", flat=True),
                             Decimal(0))
            arrears = position.arrears.get("EUR", Decimal(0))
            credit = position.credit.get("EUR", Decimal(0))
            assert obligations - payments + reversals == arrears - credit
            assert arrears == 0 or credit == 0
            covered = [line for line in position.lines if line.covered]
            if arrears == 0:
                assert len(covered) == len(position.lines)
                assert position.paid_through is None or position.paid_through >= date(2026, 6, 1)
            else:
                assert position.paid_through is None or position.paid_through < date(2026, 6, 1)
            unit_due += obligations
            unit_paid += payments - reversals
        totals_due = selectors.due_in([cell.pk], date(2026, 1, 1), date(2026, 12, 1))
        totals_paid = selectors.collected([cell.pk], date(2026, 1, 1), date(2026, 12, 1))
        others_due = sum(Obligation.objects.filter(unit=cell).exclude(member__in=members)
                         .values_list("amount", flat=True), Decimal(0))
        others_paid = sum(Entry.objects.filter(unit=cell).exclude(member__in=members)
                          .values_list("amount", flat=True), Decimal(0))
        assert totals_due.get((cell.pk, "EUR"), Decimal(0)) == unit_due + others_due
        assert totals_paid.get((cell.pk, "EUR"), Decimal(0)) == unit_paid + others_paid
        _rolls_up(cell)
    finally:
        transaction.savepoint_rollback(sid)


def _rolls_up(cell) -> None:
    """Every level above ``cell`` (its summary for the year): the level's total is its children's plus its own
    members', and each child's row is what the ledger holds for that child's subtree, summed here row by row."""
    from chibo.units.models import Unit

    first, last = date(2026, 1, 1), date(2026, 12, 1)
    paths = dict(Unit.objects.values_list("pk", "path"))
    obligations = list(Obligation.objects.filter(month__gte=first, month__lte=last)
                       .values_list("unit_id", "currency", "amount"))
    entries = list(Entry.objects.filter(paid_on__gte=first, paid_on__lte=date(2026, 12, 31))
                   .values_list("unit_id", "currency", "amount"))

    def under(unit, rows):
        total: dict[str, Decimal] = {}
        for unit_id, currency, amount in rows:
            if paths[unit_id].startswith(unit.path):
                total[currency] = quantize(total.get(currency, Decimal(0)) + amount, currency)
        return {c: v for c, v in total.items() if v}

    def nonzero(amounts):
        return {c: v for c, v in amounts.items() if v}

    level = cell.parent
    while level is not None:
        top, *children = selectors.level_summary(level, first, last)
        assert nonzero(top.due) == under(level, obligations) and nonzero(top.collected) == under(level, entries)
        for row in children:
            assert nonzero(row.due) == under(row.unit, obligations), row.unit.code
            assert nonzero(row.collected) == under(row.unit, entries), row.unit.code
        own_due = {c: quantize(v, c) for c, v in Obligation.objects.filter(unit=level, month__gte=first,
                                                                          month__lte=last)
                   .values_list("currency").annotate(t=Sum("amount")).values_list("currency", "t")}
        for currency, value in top.due.items():
            parts = sum((r.due.get(currency, Decimal(0)) for r in children), Decimal(0))
            assert value == quantize(parts + own_due.get(currency, Decimal(0)), currency)
        level = level.parent


def test_the_transfer_letter_takes_the_paid_through_month_from_the_ledger(setup, unit):
    from chibo.transfers import services as transfers
    from chibo.transfers.models import Kind

    boss, cell, (a, b) = setup
    fixed(boss, a)
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(a, "37.50")])

    def letter(member, typed):
        t = transfers.transfer_request(actor=boss, member=member, kind=Kind.INTERNAL, to_unit=unit("PHAP-LHS"),
                                       decision_doc="15/QĐ-BNG", decision_date=date(2026, 6, 10), reason="Điều động")
        transfers.transfer_approve(actor=boss, transfer=t, on=TODAY)
        return transfers.transfer_issue_letter(actor=boss, transfer=t, on=TODAY, signer_title="Bí thư",
                                               signer_name="Nguyễn Văn An", dues_paid_through=typed)

    # The ledger knows a: its month wins over anything typed (February to April paid).
    assert letter(a, "12/2026").dues_paid_through == "04/2026"
    # b has no dues in the system yet: the typed month, which is then required.
    with pytest.raises(ValidationError, match="mm/yyyy"), transaction.atomic():
        letter(b, "")
    assert letter(b, "05/2026").dues_paid_through == "05/2026"


def test_the_sweep_generates_the_month_and_puts_arrears_on_the_radar(setup):
    from chibo.deadlines.models import Deadline
    from chibo.dues.services import dues_sweep

    boss, cell, (a, b) = setup
    fixed(boss, a)
    fixed(boss, b)
    services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="cash", lines=[PaymentLine(b, "50")])
    with override_settings(CHIBO_TODAY=date(2026, 7, 2)):
        result = dues_sweep(date(2026, 7, 2))
        assert Obligation.objects.filter(member=a, month=date(2026, 7, 1)).exists()
        assert result["obligations"] >= 2
        # a: February to June unpaid (5 ≥ 3): on the radar once; b paid through May, June unpaid: not flagged.
        flagged = Deadline.objects.filter(kind="dues.arrears", state="open")
        assert list(flagged.values_list("member_id", flat=True)) == [a.pk]
        assert flagged.get().unit == cell and "5 tháng" in flagged.get().title
        assert dues_sweep(date(2026, 7, 2))["arrears_opened"] == 0
        services.payments_post(actor=boss, unit=cell, paid_on=date(2026, 7, 2), method="cash",
                               lines=[PaymentLine(a, "75")])
        assert dues_sweep(date(2026, 7, 2))["arrears_met"] == 1
        assert not Deadline.objects.filter(kind="dues.arrears", state="open").exists()
