"""A month's basis is kept in Vietnamese (the dues book prints it) and as said (``core.said``): the pages show it in
the reader's language, and a row whose Vietnamese was rewritten without what was said is shown as written."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.utils import translation

from chibo.dues import rules as drules


def _basis():
    base = drules.basis_rate(Fraction(1, 100), Decimal(5000000), "VND", pension=True)
    return drules.basis_deferred(drules.basis_voluntary(drules.basis_reduced(base, 50, "12-QĐ"), Decimal(10000),
                                                        "VND"), "13-QĐ")


def test_the_basis_is_kept_in_vietnamese_and_shown_in_english():
    due = drules.due_of(Decimal(35000), "VND", _basis(), deferred=True)
    assert due.basis == ("1% × 5.000.000 VND lương hưu, giảm 50% (QĐ 12-QĐ), tự nguyện thêm 10.000 VND, "
                         "cho chậm đóng (QĐ 13-QĐ)")
    with translation.override("en"):
        assert due.basis_shown == ("1% × 5.000.000 VND pension, reduced by 50% (decision 12-QĐ), plus 10.000 VND "
                                   "voluntary, payment deferred (decision 13-QĐ)")
    with translation.override("vi"):
        assert due.basis_shown == due.basis


def test_a_fixed_amount_names_the_category_in_the_readers_language():
    due = drules.due_of(Decimal(10), "EUR", drules.basis_fixed("spouse"))
    assert due.basis == "Mức cố định: Phu nhân/phu quân đi theo"
    with translation.override("en"):
        assert due.basis_shown.startswith("Fixed amount: ") and "Phu nhân" not in due.basis_shown


def test_a_basis_rewritten_without_what_was_said_is_shown_as_written():
    kept = drules.basis_student().stored()
    with translation.override("en"):
        assert drules.basis_shown(kept, "Mức học sinh, sinh viên") == "Student rate"
        assert drules.basis_shown(kept, "Miễn theo quyết định 7") == "Miễn theo quyết định 7"
        assert drules.basis_shown({}, "Miễn theo quyết định 7") == "Miễn theo quyết định 7"


def test_a_profile_set_for_one_member_keeps_what_was_said(personas, actor_of):
    from datetime import date

    from django.test import override_settings

    from chibo.dues import services
    from chibo.dues.models import Obligation

    boss, own = actor_of("ban.tochuc"), personas["dangvien.phap"].member
    with override_settings(CHIBO_TODAY=date(2026, 6, 15)):
        services.rate_define(actor=boss, category="spouse", currency="EUR", amount="8",
                             effective_from=date(2026, 4, 1), basis="thử")
        services.profile_set(actor=boss, member=own, month=date(2026, 4, 1), base="abroad", currency="EUR",
                             category="spouse")
    rows = list(Obligation.objects.filter(member=own, month__gte=date(2026, 4, 1)))
    assert rows and all(r.basis_said and drules.basis_shown(r.basis_said, r.basis) == r.basis for r in rows)
    with translation.override("en"):
        assert all(drules.basis_shown(r.basis_said, r.basis).startswith("Fixed amount: ") for r in rows)
