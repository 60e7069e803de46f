"""Dues papers rendered for real (WeasyPrint, python-docx, openpyxl) and read back as their reader sees them: the
receipt of a payment (amount in figures and in words, a reversed receipt marked) and the cell's monthly dues book
(per member, receipt numbers, totals per currency equal to the sums of the rows); amounts in Vietnamese words."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from chibo.core.access import Actor, Grant, Role
from chibo.core.documents import docx_text, pdf_text, render_docx, render_pdf
from chibo.dues import selectors, services
from chibo.dues.documents import (
    XLSX_HEADERS,
    amount_in_words,
    book_document,
    book_rows,
    book_xlsx,
    number_in_words,
    receipt_document,
)
from chibo.dues.services import PaymentLine
from chibo.members.models import Member, Status

TODAY = date(2026, 6, 15)
JUNE = date(2026, 6, 1)


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def officer(unit_root) -> Actor:
    return Actor(user=None, grants=(Grant(Role.ORG_OFFICER, unit_root.pk, unit_root.path),), label="thuquy.phap")


@pytest.fixture
def cell_book(db, unit):
    """Three members of PHAP-DSQ from February 2026: a (12,50 EUR a month) paid February–June; b (EUR) paid
    February–March only, in arrears; c (15 USD a month) paid 30 USD, reversed, then 90 USD: June covered and
    15 USD of credit (July prepaid)."""
    root, cell = unit("DUBNG"), unit("PHAP-DSQ")
    boss = officer(root)
    for currency, amount in (("EUR", "12.50"), ("USD", "15")):
        services.rate_define(actor=boss, category="mission_staff", currency=currency, amount=amount,
                             effective_from=date(2026, 2, 1), basis="Hướng dẫn của Đảng ủy (thử)")
    a, b, c = list(Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1))
                   .order_by("pk")[:3])
    for member, currency in ((a, "EUR"), (b, "EUR"), (c, "USD")):
        services.profile_set(actor=boss, member=member, month=date(2026, 2, 1), base="abroad", currency=currency,
                             category="mission_staff")
    first = services.payments_post(actor=boss, unit=cell, paid_on=date(2026, 6, 10), method="cash", lines=[
        PaymentLine(a, "62.50"),
        PaymentLine(b, "25", month_from=date(2026, 2, 1), month_to=date(2026, 3, 1), reference="CK 0612"),
        PaymentLine(c, "30")])
    reversal = services.payment_reverse(actor=boss, entry=first.entries[2], reason="Ghi nhầm số tiền")
    second = services.payments_post(actor=boss, unit=cell, paid_on=TODAY, method="bank",
                                    lines=[PaymentLine(c, "90", month_from=JUNE, month_to=date(2026, 7, 1))])
    return {"cell": cell, "members": (a, b, c), "entries": [*first.entries, *second.entries], "reversal": reversal,
            "cm": selectors.cell_month(cell, JUNE)}


# --------------------------------------------------------------------------------------------------
# Amounts in words
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "currency", "words"), [
    ("0", "VND", "Không đồng"),
    ("5000", "VND", "Năm nghìn đồng"),
    ("1000005", "VND", "Một triệu không trăm linh năm đồng"),
    ("21", "VND", "Hai mươi mốt đồng"),
    ("105", "VND", "Một trăm linh năm đồng"),
    ("1000000000", "VND", "Một tỷ đồng"),
    ("10", "VND", "Mười đồng"),
    ("11", "VND", "Mười một đồng"),
    ("15", "VND", "Mười lăm đồng"),
    ("24", "VND", "Hai mươi tư đồng"),
    ("25", "VND", "Hai mươi lăm đồng"),
    ("210", "VND", "Hai trăm mười đồng"),
    ("1005", "VND", "Một nghìn không trăm linh năm đồng"),
    ("2050000", "VND", "Hai triệu không trăm năm mươi nghìn đồng"),
    ("1000000100", "VND", "Một tỷ một trăm đồng"),
    ("999999999999", "VND", "Chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín "
                            "nghìn chín trăm chín mươi chín đồng"),
    ("50", "EUR", "Năm mươi euro"),
    ("50.00", "EUR", "Năm mươi euro"),
    ("12.50", "EUR", "Mười hai euro và 50 cent"),
    ("0.05", "EUR", "Không euro và 5 cent"),
    ("1.999", "EUR", "Hai euro"),  # rounded to the cent first
    ("31.01", "USD", "Ba mươi mốt đô la Mỹ và 1 cent"),
    ("5", "JPY", "Năm yên Nhật"),
    ("1.5", "KWD", "Một KWD và 500 xu"),  # a currency without a Vietnamese name: its code; 3 minor digits
])
def test_amount_in_words(amount, currency, words):
    assert amount_in_words(Decimal(amount), currency) == words


def test_amount_in_words_refuses_a_negative_amount():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"), "VND")


DIGIT_VALUES = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
                "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def read_back(words: str) -> int:
    """The number a reader understands from the words (an independent reading, to check the writing)."""
    total = group = current = 0
    for word in words.split():
        if word in DIGIT_VALUES:
            current = DIGIT_VALUES[word]
        elif word == "trăm":
            group, current = group + current * 100, 0
        elif word == "mươi":
            group, current = group + current * 10, 0
        elif word == "mười":
            group += 10
        elif word == "nghìn" or word == "triệu":
            total, group, current = total + (group + current) * (1000 if word == "nghìn" else 10**6), 0, 0
        elif word == "tỷ":
            total, group, current = (total + group + current) * 10**9, 0, 0
        else:
            assert word == "linh", word
    return total + group + current


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 999_999_999_999))
def test_number_in_words_reads_back_and_follows_the_reading_rules(n):
    words = number_in_words(n)
    assert read_back(words) == n
    assert "  " not in words and words == words.strip()
    # "mươi một" is "mươi mốt", "mười năm"/"mươi năm" are "lăm", "linh" only between a hundred and a unit.
    assert not re.search(r"mươi một|mười năm|mươi năm|mười mốt", words)
    assert all(words.split()[i - 1] == "trăm" for i, w in enumerate(words.split()) if w == "linh")
    assert not words.startswith(("không trăm", "linh"))


# --------------------------------------------------------------------------------------------------
# The receipt
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_receipts_say_who_paid_how_much_in_figures_and_words(cell_book):
    a, b, c = cell_book["members"]
    pay_a, pay_b, pay_c, pay_c2 = cell_book["entries"]
    cases = [
        (pay_a, a, "Số 1/2026", "62,50 EUR", "Sáu mươi hai euro và 50 cent", "02/2026–06/2026",
         "Tiền mặt", "ngày 10 tháng 06 năm 2026"),
        (pay_b, b, "Số 2/2026", "25,00 EUR", "Hai mươi lăm euro", "02/2026–03/2026", "Tiền mặt",
         "ngày 10 tháng 06 năm 2026"),
        (pay_c2, c, "Số 4/2026", "90,00 USD", "Chín mươi đô la Mỹ", "06/2026–07/2026", "Chuyển khoản",
         "ngày 15 tháng 06 năm 2026"),
    ]
    for entry, member, number, figures, words, months, method, day in cases:
        doc = receipt_document(entry)
        for text in (squash(pdf_text(render_pdf(doc))), squash(docx_text(render_docx(doc)))):
            assert "BIÊN LAI THU ĐẢNG PHÍ" in text and number in text and day in text
            assert "CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN TẠI PHÁP" in text and "ĐẢNG BỘ ĐẠI SỨ QUÁN TẠI PHÁP" in text
            assert f"Họ và tên người nộp: {member.full_name}" in text
            assert "Sinh hoạt tại: Chi bộ Cơ quan Đại sứ quán tại Pháp" in text
            assert f"Số tiền: {figures}" in text and f"Bằng chữ: {words}" in text
            assert f"Nộp đảng phí cho các tháng: {months}" in text and f"Hình thức nộp: {method}" in text
            assert "Người thu: thuquy.phap" in text and "NGƯỜI THU" in text and "NGƯỜI NỘP" in text
            assert "ĐÃ HỦY" not in text
            assert ("Số chứng từ / nội dung chuyển khoản: CK 0612" in text) == (entry is pay_b)
    # The reversed payment: its receipt keeps its number and says it was cancelled, when and why.
    text = squash(pdf_text(render_pdf(receipt_document(pay_c, reversed_by=cell_book["reversal"]))))
    assert "Số 3/2026" in text and "Số tiền: 30,00 USD" in text and "Bằng chữ: Ba mươi đô la Mỹ" in text
    assert "ĐÃ HỦY bằng bút toán đảo ngày 15/06/2026: Ghi nhầm số tiền" in text
    # A reversal has no receipt; a reversal of another payment is not this one's.
    with pytest.raises(ValueError, match="no receipt"):
        receipt_document(cell_book["reversal"])
    with pytest.raises(ValueError):
        receipt_document(pay_a, reversed_by=cell_book["reversal"])


# --------------------------------------------------------------------------------------------------
# The monthly dues book
# --------------------------------------------------------------------------------------------------
EXPECTED_TOTALS = {  # due for June, collected in June (net), arrears and credit now
    "EUR": (Decimal("25.00"), Decimal("87.50"), Decimal("37.50"), Decimal(0)),
    "USD": (Decimal("15.00"), Decimal("90.00"), Decimal(0), Decimal("15.00")),
}


@pytest.mark.django_db
def test_the_book_as_pdf_per_member_with_totals_per_currency(cell_book):
    a, b, c = cell_book["members"]
    text = squash(pdf_text(render_pdf(book_document(cell_book["cm"]))))
    assert "SỔ THU, NỘP ĐẢNG PHÍ" in text and "Tháng 06/2026" in text
    assert "CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN TẠI PHÁP" in text and "ĐẢNG BỘ ĐẠI SỨ QUÁN TẠI PHÁP" in text
    assert "NGƯỜI GHI SỔ" in text and "T/M CHI ỦY" in text and "BÍ THƯ" in text
    assert "tính đến ngày 15/06/2026" in text
    # Each member's row, as printed (the name, the month's due, what was collected with the receipts, paid
    # through, arrears, credit; a row may break over a page, so a's figures are checked piece by piece).
    assert f"{b.full_name} 12,50 EUR 25,00 EUR (BL 2/2026) 03/2026 37,50 EUR —" in text
    assert (f"{c.full_name} 15,00 USD 90,00 USD (BL 3/2026 đã hủy, 4/2026) 07/2026 — 15,00 USD "
            "Biên lai 3/2026 ĐÃ HỦY (bút toán đảo ngày 15/06/2026: Ghi nhầm số tiền)") in text
    assert a.full_name in text and "62,50 EUR (BL 1/2026)" in text
    row_a = next(r for r in book_rows(cell_book["cm"]) if r.name == a.full_name)
    assert (row_a.due, row_a.collected, row_a.paid_through, row_a.arrears, row_a.credit) == (
        Decimal("12.50"), Decimal("62.50"), "06/2026", 0, 0)
    # Totals per currency, equal to the sums of the rows.
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for r in book_rows(cell_book["cm"]):
        if r.currency:
            for i, value in enumerate((r.due or Decimal(0), r.collected, r.arrears, r.credit)):
                sums[r.currency][i] += value
    assert {cur: tuple(v) for cur, v in sums.items()} == EXPECTED_TOTALS
    assert "Tổng cộng (EUR) 25,00 EUR 87,50 EUR 37,50 EUR 0,00 EUR" in text
    assert "Tổng cộng (USD) 15,00 USD 90,00 USD 0,00 USD 15,00 USD" in text
    assert "ĐÃ HỦY —" not in text  # the book itself is not void
    assert "Đóng đến" in squash(docx_text(render_docx(book_document(cell_book["cm"]))))


@pytest.mark.django_db
def test_the_book_as_xlsx_numbers_are_numbers_and_totals_add_up(cell_book):
    a, b, c = cell_book["members"]
    ws = load_workbook(io.BytesIO(book_xlsx(cell_book["cm"]))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "SỔ THU, NỘP ĐẢNG PHÍ" in rows[0][0] and "Chi bộ Cơ quan Đại sứ quán tại Pháp" in rows[0][0]
    assert "tháng 06/2026" in rows[0][0] and "15/06/2026" in rows[1][0]
    assert list(rows[2]) == XLSX_HEADERS
    body = [r for r in rows[3:] if r[1] != "Tổng cộng"]
    totals = {r[2]: r for r in rows[3:] if r[1] == "Tổng cộng"}
    by_name = {r[1]: r for r in body}
    # STT, name, currency, due, collected, receipts, paid through, arrears, credit, note
    assert by_name[a.full_name][2:9] == ("EUR", 12.5, 62.5, "1/2026", "06/2026", 0, 0)
    assert by_name[b.full_name][2:9] == ("EUR", 12.5, 25, "2/2026", "03/2026", 37.5, 0)
    assert by_name[c.full_name][2:9] == ("USD", 15, 90, "3/2026 đã hủy, 4/2026", "07/2026", 0, 15)
    assert "3/2026 ĐÃ HỦY" in by_name[c.full_name][9]
    assert [r[0] for r in body] == list(range(1, len(body) + 1))  # one row per member here (one currency each)
    for cur, expected in EXPECTED_TOTALS.items():
        for column, value in zip((3, 4, 7, 8), expected, strict=True):
            assert all(isinstance(r[column], int | float) for r in body if r[2] == cur)
            assert sum(Decimal(str(r[column] or 0)) for r in body if r[2] == cur) == value
            assert Decimal(str(totals[cur][column])) == value
    assert set(totals) == {"EUR", "USD"}
    cell = ws.cell(row=4 + [r[1] for r in body].index(a.full_name), column=5)
    assert cell.data_type == "n" and cell.number_format == "#,##0.00"


@pytest.mark.django_db
def test_the_book_xlsx_never_writes_a_formula(cell_book):
    a = cell_book["members"][0]
    Member.objects.filter(pk=a.pk).update(full_name='=HYPERLINK("http://x","y")')
    ws = load_workbook(io.BytesIO(book_xlsx(selectors.cell_month(cell_book["cell"], JUNE)))).active
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names
    assert not any(isinstance(v, str) and v.startswith("=") for row in ws.iter_rows(values_only=True) for v in row)
