"""The dues pages and their API twins, driven through HTTP as the treasurer, the member and the committees use
them: a cell's month posted in one request, errors beside their fields with nothing posted, the member's own
page, receipts and the book downloaded and read back, a remittance sent, confirmed and rolled up, the level's
summary and chart, the "not yet remitted" board and its reminder, the statement page, rates and exchange rates."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from chibo.core.documents import pdf_text
from chibo.deadlines.models import Deadline
from chibo.dues import selectors, services
from chibo.dues.models import Entry, Remittance
from chibo.members.models import Member, Status

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


@pytest.fixture
def cell(unit, actor_of):
    """PHAP-DSQ with three plain full members paying 12,50 EUR a month from April (fixed amount abroad)."""
    boss = actor_of("ban.tochuc")
    services.rate_define(actor=boss, category="mission_staff", currency="EUR", amount="12.50",
                         effective_from=date(2026, 1, 1), basis="Hướng dẫn (thử)")
    cell = unit("PHAP-DSQ")
    members = list(Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1))
                   .order_by("pk")[:3])
    for m in members:
        services.profile_set(actor=boss, member=m, month=date(2026, 4, 1), base="abroad", currency="EUR",
                             category="mission_staff")
    return cell, members


def test_the_treasurer_posts_the_month_in_one_request(cell, client_of):
    unit, (a, b, c) = cell
    page = client_of("bithu.phap").get(f"/dues/units/{unit.pk}/?month=06/2026&fill=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="amount_{a.pk}"' in html and 'value="37.50"' in html  # three months owed, filled in
    response = client_of("bithu.phap").post(f"/dues/units/{unit.pk}/?month=06/2026", {
        "paid_on": "10/06/2026", "method": "cash", f"amount_{a.pk}": "37,50", f"amount_{b.pk}": "12.50",
        f"amount_{c.pk}": ""})
    assert response.status_code == 302
    entries = list(Entry.objects.filter(unit=unit).order_by("receipt_number"))
    assert {e.member_id: e.amount for e in entries} == {a.pk: Decimal("37.50"), b.pk: Decimal("12.50")}
    assert [e.receipt for e in entries] == ["1/2026", "2/2026"]  # in the page's order (by name)
    cm = selectors.cell_month(unit, date(2026, 6, 1))
    totals = cm.totals()["EUR"]
    assert totals["collected"] == Decimal("50.00")
    assert totals["due"] == sum((x.obligation.amount for x in cm.lines if x.obligation), Decimal(0))
    assert totals["arrears"] == Decimal("25.00") + Decimal("37.50")  # b owes April and May, c all three
    after = client_of("bithu.phap").get(f"/dues/units/{unit.pk}/?month=06/2026").content.decode()
    assert "1/2026" in after and "06/2026" in after


def test_one_bad_line_refuses_the_whole_month_with_the_error_beside_it(cell, client_of):
    unit, (a, b, _c) = cell
    response = client_of("bithu.phap").post(f"/dues/units/{unit.pk}/", {
        "paid_on": "10/06/2026", "method": "cash", f"amount_{a.pk}": "12.50", f"amount_{b.pk}": "-5"})
    assert response.status_code == 200
    assert "số tiền phải lớn hơn 0" in response.content.decode()
    assert not Entry.objects.exists()


def test_the_member_sees_their_own_dues_and_receipt(cell, client_of, personas, actor_of):
    unit, _members = cell
    own = personas["dangvien.phap"].member
    services.profile_set(actor=actor_of("ban.tochuc"), member=own, month=date(2026, 5, 1), base="abroad",
                         currency="EUR", category="mission_staff")
    posted = services.payments_post(actor=actor_of("bithu.phap"), unit=own.unit, paid_on=date(2026, 6, 2),
                                    method="bank", lines=[services.PaymentLine(own, "12,50")])
    client = client_of("dangvien.phap")
    page = client.get("/dues/").content.decode()  # a member's "Đảng phí" is their own page
    assert own.full_name in page and "05/2026" in page and "12,50 EUR" in page
    assert 'action="/dues/members/' not in page  # no treasurer's forms
    receipt = client.get(f"/dues/entries/{posted.entries[0].pk}/receipt.pdf")
    assert receipt.status_code == 200
    text = pdf_text(b"".join(receipt.streaming_content) if receipt.streaming else receipt.content)
    assert "BIÊN LAI THU ĐẢNG PHÍ" in text and "1/2026" in text and own.full_name in text
    assert "Mười hai euro và 50 cent" in text
    api = client.post(f"/api/v1/members/{own.pk}/dues/payments/", {"amount": "12.50", "method": "cash"},
                      content_type="application/json")
    assert api.status_code == 403 and Entry.objects.count() == 1


def test_the_book_as_pdf_and_xlsx_adds_up(cell, client_of, actor_of):
    unit, (a, b, _c) = cell
    services.payments_post(actor=actor_of("bithu.phap"), unit=unit, paid_on=date(2026, 6, 3), method="cash",
                           lines=[services.PaymentLine(a, "25"), services.PaymentLine(b, "12.50")])
    client = client_of("bithu.phap")
    xlsx = client.get(f"/dues/units/{unit.pk}/book/?month=06/2026&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)).active
    numbers = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, int | float)]
    assert 37.5 in numbers  # the collected total of the month
    pdf = client.get(f"/dues/units/{unit.pk}/book/?month=06/2026&format=pdf")
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "SỔ THU, NỘP ĐẢNG PHÍ" in text and "06/2026" in text and a.full_name in text


def test_a_remittance_goes_up_is_confirmed_and_rolls_up(cell, client_of, actor_of, unit):
    cell_unit, (a, b, _c) = cell
    france = unit("PHAP")
    services.payments_post(actor=actor_of("bithu.phap"), unit=cell_unit, paid_on=date(2026, 6, 3), method="cash",
                           lines=[services.PaymentLine(a, "12.50"), services.PaymentLine(b, "12.50")])
    board = {row.unit.code: row.state for row in selectors.remit_board(unit("DUBNG"), date(2026, 6, 1))}
    assert board["PHAP-DSQ"] == "missing"
    with override_settings(CHIBO_TODAY=date(2026, 7, 1)):  # the month over: a reminder on the cell's radar
        services.remit_sweep(date(2026, 7, 1))
        services.remit_sweep(date(2026, 7, 2))  # not twice
    reminder = Deadline.objects.get(kind="dues.remit", unit=cell_unit)
    assert reminder.source == f"dues.remit:{cell_unit.pk}:2026-06"
    response = client_of("bithu.phap").post(f"/dues/units/{cell_unit.pk}/remit/", {
        "month": "06/2026", "currency": "EUR", "sent_on": "15/06/2026"})
    assert response.status_code == 302
    sent = Remittance.objects.get(unit=cell_unit)
    assert (sent.collected, sent.kept_share, sent.kept, sent.due_up) == (Decimal("25.00"), "3/10", Decimal("7.50"),
                                                                          Decimal("17.50"))
    assert sent.collected == sent.kept + sent.due_up and sent.to_unit == france
    reminder.refresh_from_db()
    assert reminder.state == "met"
    again = client_of("bithu.phap").post(f"/dues/units/{cell_unit.pk}/remit/", {
        "month": "06/2026", "currency": "EUR"})
    assert again.status_code == 400 and Remittance.objects.count() == 1
    # France's committee confirms through the API; the amount counts in what France sends up.
    body = client_of("ban.tochuc").post(f"/api/v1/dues/remittances/{sent.pk}/actions/",
                                        {"action": "confirm", "on": "2026-06-15"}, content_type="application/json")
    assert body.status_code == 200 and body.json()["state"] == "confirmed"
    (figures,) = selectors.remit_figures(france, date(2026, 6, 1))
    assert (figures.collected, figures.received, figures.kept_share if hasattr(figures, "kept_share") else
            figures.share_text, figures.due_up) == (Decimal(0), Decimal("17.50"), "1/2", Decimal("8.75"))
    # The level's page: the month's summary per child, the chart, the board.
    page = client_of("ban.tochuc").get(f"/dues/?unit={unit('DUBNG').pk}&month=06/2026").content.decode()
    assert "<svg" in page and 'class="chart"' in page and "Pháp" in page
    summary = client_of("ban.tochuc").get(f"/api/v1/units/{france.pk}/dues/summary/?month=06/2026").json()
    total, *children = summary["monthly"]
    assert total["collected"] == [{"currency": "EUR", "amount": "25.000"}]
    cell_row = next(r for r in children if r["unit"] == cell_unit.pk)
    assert cell_row["collected"] == total["collected"] and cell_row["rate"] == round(25 * 100 / 37.5)
    assert client_of("bithu.duc").get(f"/api/v1/dues/remittances/{sent.pk}/").status_code == 404


def test_the_api_posts_a_month_and_says_what_is_wrong(cell, client_of):
    unit, (a, b, _c) = cell
    client = client_of("bithu.phap")
    url = f"/api/v1/units/{unit.pk}/dues/"
    bad = client.post(url, {"method": "cash", "lines": [{"member": a.pk, "amount": "12.50"},
                                                        {"member": 999999, "amount": "5"}]},
                      content_type="application/json")
    assert bad.status_code == 400 and "999999" in bad.content.decode() and not Entry.objects.exists()
    ok = client.post(url, {"method": "bank", "lines": [{"member": a.pk, "amount": "12.50"},
                                                       {"member": b.pk, "amount": "25", "reference": "CK 1"}]},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert [e["receipt"] for e in ok.json()["entries"]] == ["1/2026", "2/2026"]
    month = client.get(url + "?month=06/2026").json()
    assert {line["member"]: line["paid_in_month"] for line in month["lines"]}[b.pk] == "25.000"
    assert client.get(url + "?month=bogus").status_code == 400


def test_rates_and_exchange_rates_pages(client_of):
    officer = client_of("ban.tochuc")
    page = officer.post("/dues/rates/", {"category": "spouse", "currency": "JPY", "amount": "1500",
                                         "effective_from": "07/2026", "basis": "Hướng dẫn (thử)"})
    assert page.status_code == 302
    assert "dues.abroad.spouse.JPY" in officer.get("/dues/rates/").content.decode()
    bad = officer.post("/dues/rates/exchange/", {"currency": "EUR", "day": "01/07/2027", "vnd": "27000",
                                                 "source": "NHNN"})
    assert bad.status_code == 400 and "tương lai" in bad.content.decode()
    csv = io.BytesIO(b"currency,day,vnd\nEUR,2026-06-01,27500.5\nUSD,01/06/2026,25400\n")
    csv.name = "rates.csv"
    done = officer.post("/dues/rates/exchange/import/", {"file": csv, "source": "Vietcombank"})
    assert done.status_code == 302
    rates = officer.get("/api/v1/dues/exchange-rates/").json()
    assert {(r["currency"], r["vnd"]) for r in rates} == {("EUR", "27500.500000"), ("USD", "25400.000000")}
    assert client_of("bithu.phap").post("/dues/rates/exchange/", {"currency": "EUR", "day": "01/06/2026",
                                                                   "vnd": "1", "source": "x"}).status_code == 403


def test_the_statement_page_previews_then_posts_once(cell, client_of):
    unit, (a, b, _c) = cell
    for m, card in ((a, "DP1001"), (b, "DP1002")):
        Member.objects.filter(pk=m.pk).update(card_number=card)
    data = ("Ngày,Số tiền,Nội dung\n10/06/2026,12.50,Dang phi DP1001 thang 6\n"
            "11/06/2026,12.50,DP1002 nop dang phi\n12/06/2026,30,Khong ro nguoi nop\n").encode()
    client = client_of("bithu.phap")
    upload = io.BytesIO(data)
    upload.name = "saoke.csv"
    preview = client.post(f"/dues/units/{unit.pk}/statement/", {"file": upload, "method": "bank",
                                                                "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'data-status="matched"' in html and 'data-status="unmatched"' in html
    assert not Entry.objects.exists()
    carried = html.split('name="carried" value="', 1)[1].split('"', 1)[0]
    posted = client.post(f"/dues/units/{unit.pk}/statement/", {"carried": carried, "method": "bank",
                                                               "action": "commit"})
    assert posted.status_code == 302 and Entry.objects.count() == 2
    client.post(f"/dues/units/{unit.pk}/statement/", {"carried": carried, "method": "bank", "action": "commit"})
    assert Entry.objects.count() == 2  # the same statement again: nothing twice
    forged = client.post(f"/dues/units/{unit.pk}/statement/", {"carried": carried[:-3] + "abc", "action": "commit"})
    assert forged.status_code == 200 and "hết hạn" in forged.content.decode()
