"""Dues: a bank or portal statement imported into a cell's ledger. Lines match members by card number (a
column, else the transfer's text), the preview writes nothing, posting writes the matched lines with receipts and
one audit row, the rest is listed; the same statement imported again posts nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.models import AuditEvent
from chibo.dues import services
from chibo.dues.models import Entry
from chibo.dues.statements import (
    MAX_STATEMENT_ROWS,
    LineStatus,
    StatementPreview,
    _parse_amount,
    statement_post,
    statement_preview,
)
from chibo.dues.tests.test_ledger import TODAY, fixed, officer
from chibo.members.models import Member, Status

pytestmark = [pytest.mark.django_db]

CARD_A, CARD_B, CARD_C, CARD_ELSEWHERE = "99000001", "99000002", "99000003", "99000004"


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


@pytest.fixture
def cell(unit):
    """PHAP-DSQ with three full members carrying known card numbers: a and b pay 12,50 EUR a month from
    February (62,50 EUR due by June; at most 212,50 EUR with 12 months paid ahead), c has no dues profile; a
    member of another cell (DUC-FRA) carries CARD_ELSEWHERE."""
    root, here = unit("DUBNG"), unit("PHAP-DSQ")
    boss = officer(root)
    services.rate_define(actor=boss, category="mission_staff", currency="EUR", amount="12.50",
                         effective_from=date(2026, 2, 1), basis="Hướng dẫn của Đảng ủy (thử)")
    a, b, c = list(Member.objects.filter(unit=here, status=Status.FULL, admission_date__gte=date(2000, 1, 1))
                   .order_by("pk")[:3])
    elsewhere = Member.objects.filter(unit=unit("DUC-FRA"), status=Status.FULL).order_by("pk").first()
    assert elsewhere is not None
    for member, card in ((a, CARD_A), (b, CARD_B), (c, CARD_C), (elsewhere, CARD_ELSEWHERE)):
        Member.objects.filter(pk=member.pk).update(card_number=card)
        member.card_number = card
    fixed(boss, a)
    fixed(boss, b)
    return boss, here, (a, b, c, elsewhere)


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def statuses(preview: StatementPreview) -> list[str]:
    return [line.status for line in preview.lines]


BANK_CSV = (
    "Ngày giao dịch,Số tiền,Diễn giải,Số dư\n"
    '10/06/2026,"25,00",DANG PHI T2 T3 99000001 NGUYEN,1000\n'
    "11/06/2026,12.50,DP99000002 thang 2,1012.5\n"
    "12/06/2026,30.00,Chuyen tien an trua,1042.5\n"
    "12/06/2026,-50.00,Phi chuyen khoan,992.5\n"
    ",,Tổng cộng,\n"
)


def test_csv_with_vietnamese_headers_matches_cards_in_the_text_and_posts_once(cell):
    boss, here, (a, b, _c, _d) = cell
    data = csv_bytes(BANK_CSV, bom=True)
    preview = statement_preview(actor=boss, unit=here, data=data, filename="saoke-06-2026.csv")
    assert preview.kind == "csv"
    assert preview.columns == {"date": "Ngày giao dịch", "amount": "Số tiền", "reference": "Diễn giải"}
    assert preview.extra_columns == ["Số dư"]
    assert statuses(preview) == ["matched", "matched", "unmatched", "skipped", "skipped"]
    first, second, unknown, debit, total = preview.lines
    assert (first.member, first.amount, first.currency, first.date) == (a, Decimal("25.00"), "EUR", date(2026, 6, 10))
    assert second.member == b and second.row == 3
    assert "không tìm thấy số thẻ" in unknown.reason.lower() and unknown.amount == Decimal("30.00")
    assert "không phải khoản thu" in debit.reason.lower() and "tổng cộng" in total.reason.lower()
    assert preview.counts == {"matched": 2, "unmatched": 1, "already_posted": 0, "skipped": 2, "invalid": 0}
    assert preview.totals["matched"] == {"EUR": Decimal("37.50")}
    assert not Entry.objects.filter(unit=here).exists()  # the preview writes nothing

    result = statement_post(actor=boss, unit=here, data=data, filename="saoke-06-2026.csv")
    entries = list(Entry.objects.filter(unit=here).order_by("pk"))
    assert result.posted == entries and len(entries) == 2
    assert [(e.member_id, e.amount, e.paid_on, e.method, e.receipt) for e in entries] == [
        (a.pk, Decimal("25.00"), date(2026, 6, 10), "bank", "1/2026"),
        (b.pk, Decimal("12.50"), date(2026, 6, 11), "bank", "2/2026")]
    assert entries[0].reference == "DANG PHI T2 T3 99000001 NGUYEN" and entries[0].statement_key == first.key
    assert [line.reference for line in result.unmatched] == ["Chuyen tien an trua"]
    assert "Đã ghi 2 khoản thu" in result.message and "1 dòng chưa khớp" in result.message
    event = AuditEvent.objects.filter(action="dues.statement_posted").get()
    assert event.data["filename"] == "saoke-06-2026.csv" and event.data["posted"] == 2
    assert event.data["unmatched"] == 1 and event.data["skipped"] == 2
    assert AuditEvent.objects.filter(action="dues.payment_posted").count() == 2

    # The same file again: nothing posted, and it says so.
    again = statement_post(actor=boss, unit=here, data=data, filename="saoke-06-2026.csv")
    assert again.posted == [] and "đã được ghi từ trước" in again.message
    assert Entry.objects.filter(unit=here).count() == 2
    assert AuditEvent.objects.filter(action="dues.statement_posted").count() == 1
    seen = statement_preview(actor=boss, unit=here, data=data, filename="saoke-06-2026.csv")
    assert seen.counts["already_posted"] == 2 and seen.counts["matched"] == 0
    assert seen.lines[0].entry == entries[0] and "1/2026" in seen.lines[0].reason

    # A later statement overlapping this one: only its new line is posted.
    later = BANK_CSV + "14/06/2026,12.50,DANG PHI 99000002 T3,1005\n"
    more = statement_post(actor=boss, unit=here, data=csv_bytes(later), filename="saoke-06-2026-b.csv")
    assert [(e.member_id, e.amount, e.receipt) for e in more.posted] == [(b.pk, Decimal("12.50"), "3/2026")]
    assert Entry.objects.filter(unit=here).count() == 3


def test_semicolon_csv_with_a_card_column_and_a_currency(cell):
    boss, here, (a, b, _c, elsewhere) = cell
    data = csv_bytes(
        "Ngày;Số tiền;Nội dung;Số thẻ đảng viên;Loại tiền\n"
        "01/06/2026;12,50;Dang phi thang 2;99 000 001;EUR\n"
        "02/06/2026;12,50;Dang phi;99000004;EUR\n"
        "03/06/2026;10,00;Dang phi;99000002;USD\n"
        "04/06/2026;12,50;Dang phi 99000002;;eur\n")
    preview = statement_preview(actor=boss, unit=here, data=data, filename="portal.csv")
    assert set(preview.columns) == {"date", "amount", "reference", "card", "currency"}
    assert statuses(preview) == ["matched", "unmatched", "invalid", "matched"]
    assert preview.lines[0].member == a and preview.lines[0].card == CARD_A
    # A member of another cell never matches: only the rolls of this cell count.
    assert preview.lines[1].member is None and "99000004" in preview.lines[1].reason
    assert Member.objects.get(pk=elsewhere.pk).card_number == CARD_ELSEWHERE
    assert "USD" in preview.lines[2].reason and "EUR" in preview.lines[2].reason
    assert preview.lines[3].member == b  # no card in the column: found in the text
    result = statement_post(actor=boss, unit=here, data=data, filename="portal.csv", method="portal")
    assert [(e.member_id, e.amount, e.method) for e in result.posted] == [
        (a.pk, Decimal("12.50"), "portal"), (b.pk, Decimal("12.50"), "portal")]
    assert [line.row for line in result.invalid] == [4] and [line.row for line in result.unmatched] == [3]


def test_xlsx_with_banners_debit_and_credit_columns_and_a_total(cell):
    boss, here, (a, b, _c, _d) = cell
    data = xlsx_bytes([
        ["SAO KÊ TÀI KHOẢN"],
        ["Số tài khoản: 0011001234567", "Chủ tài khoản: Chi bộ Đại sứ quán"],
        [],
        ["Transaction date", "Description", "Debit", "Credit (EUR)", "Balance"],
        [datetime(2026, 6, 1, 9, 30), "CK DANG PHI 99000001", None, 37.5, 137.5],
        [datetime(2026, 6, 2), "Phi quan ly tai khoan", 5, None, 132.5],
        [datetime(2026, 6, 3), "99000002 dong dang phi", None, 12.5, 145],
        [datetime(2026, 6, 3), "Ung ho quy", None, 20, 165],
        [None, "Total", 5, 70, None],
    ])
    preview = statement_preview(actor=boss, unit=here, data=data, filename="statement.xlsx")
    assert preview.kind == "xlsx"
    assert preview.columns["amount"] == "Credit (EUR)" and preview.extra_columns == ["Balance"]
    assert statuses(preview) == ["matched", "skipped", "matched", "unmatched", "skipped"]
    assert [line.row for line in preview.lines] == [5, 6, 7, 8, 9]
    assert preview.lines[3].currency == "EUR"  # from the header, though nobody matched
    result = statement_post(actor=boss, unit=here, data=data, filename="statement.xlsx")
    assert [(e.member_id, e.amount, e.paid_on) for e in result.posted] == [
        (a.pk, Decimal("37.50"), date(2026, 6, 1)), (b.pk, Decimal("12.50"), date(2026, 6, 3))]
    assert statement_post(actor=boss, unit=here, data=data, filename="statement.xlsx").posted == []
    assert Entry.objects.filter(unit=here).count() == 2


def test_identical_lines_are_two_transfers_shown_as_duplicates(cell):
    boss, here, (a, _b, _c, _d) = cell
    data = csv_bytes("Date,Amount,Reference\n"
                     "2026-06-10,12.50,DP 99000001\n"
                     "2026-06-10,12.50,DP 99000001\n")
    preview = statement_preview(actor=boss, unit=here, data=data, filename="dup.csv")
    first, second = preview.lines
    assert statuses(preview) == ["matched", "matched"] and preview.duplicates == 1
    assert first.same_as is None and second.same_as == 2 and "Giống hệt dòng 2" in second.reason
    assert first.key != second.key
    result = statement_post(actor=boss, unit=here, data=data, filename="dup.csv")
    assert [(e.member_id, e.receipt) for e in result.posted] == [(a.pk, "1/2026"), (a.pk, "2/2026")]
    assert statement_post(actor=boss, unit=here, data=data, filename="dup.csv").posted == []
    assert Entry.objects.filter(member=a).count() == 2


def test_lines_the_ledger_would_refuse_are_invalid_and_the_rest_posts(cell):
    boss, here, (a, b, c, _d) = cell
    data = csv_bytes("Ngày,Số tiền,Nội dung\n"
                     "01/06/2026,150.00,DP 99000001 dong truoc\n"   # within 212,50 EUR
                     "02/06/2026,150.00,DP 99000001 lan 2\n"        # 300 in all: beyond the prepayment limit
                     "03/06/2026,500.00,DP 99000002\n"              # beyond the limit on its own
                     "04/06/2026,10.00,DP 99000003\n"               # no dues profile
                     "05/06/2026,12.50,DP 99000002\n"
                     "20/06/2026,12.50,DP 99000002 ngay sau\n"      # a date to come
                     "xx/06/2026,12.50,DP 99000002\n")
    preview = statement_preview(actor=boss, unit=here, data=data, filename="limit.csv")
    assert statuses(preview) == ["matched", "invalid", "invalid", "invalid", "matched", "invalid", "invalid"]
    reasons = [line.reason for line in preview.lines]
    assert "đóng trước" in reasons[1] and "đóng trước" in reasons[2] and "mức đóng" in reasons[3]
    assert "tương lai" in reasons[5] and "không phải là ngày" in reasons[6]
    assert preview.lines[3].member == c
    result = statement_post(actor=boss, unit=here, data=data, filename="limit.csv")
    assert [(e.member_id, e.amount) for e in result.posted] == [(a.pk, Decimal("150.00")), (b.pk, Decimal("12.50"))]
    assert len(result.invalid) == 5 and "5 dòng không ghi được" in result.message


def test_a_missing_required_column_is_named(cell):
    boss, here, _members = cell
    data = csv_bytes("Ngày,Nội dung,Ghi chú\n01/06/2026,DP 99000001,x\n")
    with pytest.raises(ValidationError) as caught:
        statement_preview(actor=boss, unit=here, data=data, filename="thieu.csv")
    message = caught.value.message_dict["file"][0]
    assert "thiếu cột bắt buộc: số tiền" in message.lower() and "«Ghi chú»" in message


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.7\n1 0 obj << >> endobj\n", "saoke.pdf", "CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "saoke.xls", ".xls"),
    (b"Ngay,So tien,Noi dung\n", "saoke.docx", "không được hỗ trợ"),
    (b"Ngay,So tien,Noi dung\n", "saoke.xlsx", "không phải bảng tính"),
    (b"", "saoke.csv", "rỗng"),
    ("Ngày,Số tiền,Nội dung\n".encode("utf-16"), "saoke.csv", "CSV"),
])
def test_unknown_or_unreadable_files_are_refused(cell, data, filename, message):
    boss, here, _members = cell
    with pytest.raises(ValidationError, match=message):
        statement_preview(actor=boss, unit=here, data=data, filename=filename)


def test_a_zip_that_is_not_a_workbook_and_oversized_statements_are_refused(cell):
    boss, here, _members = cell
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="không phải bảng tính"):
        statement_preview(actor=boss, unit=here, data=out.getvalue(), filename="saoke.xlsx")
    doctype = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Date", "Amount", "Reference"]]))) as src, \
            zipfile.ZipFile(doctype, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            dst.writestr(item, body)
    with pytest.raises(ValidationError, match="DOCTYPE"):
        statement_preview(actor=boss, unit=here, data=doctype.getvalue(), filename="saoke.xlsx")
    rows = "".join(f"01/06/2026,1.00,dong {n}\n" for n in range(MAX_STATEMENT_ROWS + 1))
    with pytest.raises(ValidationError, match="tối đa"):
        statement_preview(actor=boss, unit=here, data=csv_bytes("Date,Amount,Reference\n" + rows), filename="x.csv")
    with pytest.raises(ValidationError, match="quá lớn"):
        statement_preview(actor=boss, unit=here, data=b"Date,Amount,Reference\n" + b"x" * (6 * 1024 * 1024),
                          filename="x.csv")


def test_only_who_records_the_cells_dues_may_preview_or_post(cell, actor_of):
    _boss, here, _members = cell
    data = csv_bytes(BANK_CSV)
    for action in (statement_preview, statement_post):
        with pytest.raises(PermissionDenied):
            action(actor=actor_of("bithu.duc"), unit=here, data=data, filename="x.csv")
    assert not Entry.objects.filter(unit=here).exists()
    assert len(statement_post(actor=actor_of("bithu.phap"), unit=here, data=data, filename="x.csv").posted) == 2


def test_cards_on_other_rolls_or_of_members_struck_off_never_match(cell):
    boss, here, (a, _b, _c, _d) = cell
    Member.objects.filter(pk=a.pk).update(status=Status.STRUCK_OFF)
    preview = statement_preview(actor=boss, unit=here, data=csv_bytes("Date,Amount,Reference\n"
                                                                     "2026-06-10,12.50,DP 99000001\n"),
                                filename="x.csv")
    assert statuses(preview) == [LineStatus.UNMATCHED]


@pytest.mark.parametrize(("written", "amount", "currency"), [
    ("1.234.000", Decimal(1234000), None), ("500.000đ", Decimal(500000), "VND"), ("12,50", Decimal("12.50"), None),
    ("1,234.56", Decimal("1234.56"), None), ("1.234,56 EUR", Decimal("1234.56"), "EUR"),
    ("(25.00)", Decimal(-25), None),
    ("+12.5", Decimal("12.5"), None), ("50-", Decimal(-50), None), (37.5, Decimal("37.5"), None),
])
def test_amounts_are_read_as_statements_write_them(written, amount, currency):
    assert _parse_amount(written) == (amount, currency)
