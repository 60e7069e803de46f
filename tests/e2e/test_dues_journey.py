"""Dues from an empty install, in a real Chromium: what a real organization does in its first month of dues.

``chibo setup`` creates the top unit and its first officer, who activates and founds France's party organization
and a cell through the pages; the members come in with ``chibo import``. The officer enters the rate abroad and
the day's exchange rate on the rates page. One member is invited (``chibo accounts invite-member``), activates,
and cannot keep the cell's book until the officer grants them the treasurer's role on their account page. The
treasurer sets one member's dues profile on the member's page (the rest come from ``chibo dues profile``), fills in
what everyone owes, leaves two members unpaid, posts the month in one request, opens two receipts (PDF, read back
whole), and sends the cell's share up. The officer confirms the remittance on its page and reads the level's
summary and chart; every figure on the way agrees with the others. Screenshots: test-artifacts/dues-*.png.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from test_first_day_journey import DESKTOP, activate, install_france, mailed_link
from test_foundation_journey import PageWatch

pytestmark = pytest.mark.e2e

RATE = Decimal("12.50")  # EUR a month, mission staff
FX = Decimal("27500")    # đồng for one euro, today


def _figure(text: str) -> Decimal:
    """«1.050,00 EUR» → Decimal('1050.00'): an amount as the pages print it."""
    number = re.search(r"[\d.]+(?:,\d+)?", text).group(0)
    return Decimal(number.replace(".", "").replace(",", "."))


def test_a_first_month_of_dues_from_an_empty_install(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.accounts.models import User
    from chibo.core import clock
    from chibo.core.documents import pdf_text
    from chibo.core.money import format_amount
    from chibo.dues.models import Entry, Remittance
    from chibo.members.models import Member
    from chibo.units.models import Unit

    assert not Unit.objects.exists() and not User.objects.exists()
    base = empty_install.url
    today = clock.today()  # the product's day (Vietnam time)
    month = today.replace(day=1)
    first = date(month.year - (month.month <= 2), (month.month - 3) % 12 + 1, 1)  # profiles start 2 months back
    owed = RATE * 3

    def shot(page, name):
        page.screenshot(path=artifacts / f"dues-{name}.png", full_page=True)

    # 1. The install, its officer, France and a cell, thirty members.
    setup = install_france(browser, base, tmp_path)
    officer, watch, root, france, cell = setup.officer, setup.watch, setup.root, setup.france, setup.cell
    members = list(Member.objects.filter(unit=cell).order_by("full_name", "pk"))
    assert len(members) == 30

    # 2. The officer enters the rate abroad and today's exchange rate on the rates page.
    officer.goto(f"{base}/dues/rates/")
    expect(officer.locator("#abroad")).to_contain_text("Chưa có mức nào")
    officer.locator("summary", has_text="Nhập mức đóng").click()
    form = officer.locator("#abroad form")
    form.get_by_label("Diện").select_option("mission_staff")
    form.get_by_label("Đồng tiền").select_option("EUR")
    form.get_by_label("Mức đóng mỗi tháng").fill("12,50")
    form.get_by_label("Áp dụng từ tháng").fill("01/2026")
    form.get_by_label("Căn cứ (văn bản)").fill("Hướng dẫn của Đảng ủy Bộ Ngoại giao về mức đảng phí ở nước ngoài")
    form.get_by_role("button", name="Ghi mức đóng").click()
    expect(officer.locator("#abroad table")).to_contain_text("Mức đảng phí ở nước ngoài: Cán bộ cơ quan đại diện, EUR")
    officer.locator("summary", has_text="Nhập một tỷ giá").click()
    form = officer.locator("#exchange form").first
    form.get_by_label("Ngoại tệ *", exact=True).select_option("EUR")
    form.get_by_label("Ngày *", exact=True).fill(f"{today:%d/%m/%Y}")
    form.get_by_label("Số đồng cho một đơn vị ngoại tệ").fill("27500")
    form.get_by_label("Nguồn").fill("Ngân hàng Ngoại thương, tỷ giá bán")
    form.get_by_role("button", name="Ghi tỷ giá").click()
    expect(officer.locator("#exchange table")).to_contain_text(f"{today:%d/%m/%Y}")
    shot(officer, "01-rates")

    # 3. A member is invited from the command line and activates; not yet the treasurer, the book is closed.
    keeper = next(m for m in members if m.card_number == "77000003")
    call_command("accounts", "invite-member", str(keeper.pk), stdout=io.StringIO())
    keeper_ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    keeper_watch = PageWatch(keeper_ctx)
    treasurer = activate(keeper_ctx, base, mailed_link(mailoutbox, keeper.email))
    assert treasurer.goto(f"{base}/dues/units/{cell.pk}/").status in (403, 404)

    # 4. The officer grants the treasurer's role on the member's account page.
    account = User.objects.get(member=keeper)
    officer.goto(f"{base}/users/{account.pk}/")
    officer.get_by_label("Vai trò").select_option("treasurer")
    officer.get_by_label("Tại tổ chức").select_option(str(cell.pk))
    officer.get_by_role("button", name="Trao vai trò").click()
    expect(officer.locator(".messages")).to_contain_text("Người thu đảng phí")

    # 5. Profiles: one on the member's page, the other 29 from the command line, all from two months back.
    treasurer.goto(f"{base}/dues/members/{members[0].pk}/")
    treasurer.locator("summary", has_text="Ghi mức đóng mới").click()
    form = treasurer.locator("#profile form")
    form.get_by_label("Áp dụng từ tháng").fill(f"{first:%m/%Y}")
    form.get_by_label("Cách tính").select_option("abroad")
    form.get_by_label("Đồng tiền").select_option("EUR")
    form.get_by_role("button", name="Ghi mức đóng").click()
    expect(treasurer.locator(".messages")).to_contain_text("Đã ghi mức đóng đảng phí")
    expect(treasurer.locator("#months")).to_contain_text("12,50")
    for m in members[1:]:
        call_command("dues", "profile", str(m.pk), "--base", "abroad", "--currency", "EUR", "--from",
                     f"{first:%m/%Y}", stdout=io.StringIO())

    # 6. The treasurer fills in what everyone owes, leaves two members unpaid, posts the month at once.
    treasurer.goto(f"{base}/dues/units/{cell.pk}/?month={month:%m/%Y}")
    treasurer.get_by_role("link", name="Điền sẵn số còn nợ của mọi người").click()
    unpaid = members[-2:]
    for m in members:
        field = treasurer.locator(f"input[name=amount_{m.pk}]")
        expect(field).to_have_value(f"{owed:.2f}")
        if m in unpaid:
            field.fill("")
    treasurer.get_by_label("Ngày thu").fill(f"{today:%d/%m/%Y}")
    shot(treasurer, "02-month-filled")
    treasurer.get_by_role("button", name="Ghi tất cả").click()
    expect(treasurer.locator(".messages")).to_contain_text("28")
    receipts = list(Entry.objects.filter(unit=cell).order_by("receipt_number"))
    assert [e.receipt for e in receipts] == [f"{n}/{today.year}" for n in range(1, 29)]
    assert {e.member_id for e in receipts} == {m.pk for m in members[:-2]}
    collected = owed * 28
    total = treasurer.locator("#month tfoot tr.sum")
    expect(total).to_contain_text("EUR")
    cells = total.locator("td")
    assert _figure(cells.nth(0).inner_text()) == RATE * 30               # due this month
    assert _figure(cells.nth(1).inner_text()) == collected              # collected this month
    assert _figure(cells.nth(3).inner_text()) == owed * 2                # arrears: the two who did not pay
    for m in unpaid:
        expect(treasurer.locator(f"tr[data-member='{m.pk}']")).to_contain_text(format_amount(owed, "EUR"))
    shot(treasurer, "03-month-posted")
    # The month prints as the book it is: the table whole, no menus, no inputs, no buttons.
    expect(treasurer.get_by_role("button", name="In trang này")).to_be_visible()
    treasurer.emulate_media(media="print")
    expect(treasurer.locator("header.top")).to_be_hidden()
    expect(treasurer.get_by_role("button", name="Ghi tất cả")).to_be_hidden()
    expect(treasurer.locator(f"input[name=amount_{members[0].pk}]")).to_be_hidden()
    expect(treasurer.locator("#month tfoot tr.sum")).to_be_visible()
    expect(treasurer.locator(f"tr[data-member='{unpaid[0].pk}']")).to_contain_text(unpaid[0].full_name)
    assert treasurer.pdf(format="A4")[:5] == b"%PDF-"
    treasurer.emulate_media(media="screen")

    # 7. Two receipts, read whole: the number, who paid, the amount in figures and words, the months, the signers.
    for entry in (receipts[0], receipts[-1]):
        link = treasurer.locator(f"tr[data-member='{entry.member_id}'] a", has_text=entry.receipt)
        response = treasurer.request.get(base + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        text = " ".join(pdf_text(response.body()).split())
        payer = next(m for m in members if m.pk == entry.member_id)
        for expected in ("BIÊN LAI THU ĐẢNG PHÍ", f"Số {entry.receipt}", payer.full_name, format_amount(owed, "EUR"),
                         "Ba mươi bảy euro và 50 cent", f"{first:%m/%Y}", f"{month:%m/%Y}",
                         "NGƯỜI THU", "NGƯỜI NỘP", keeper.full_name, "CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN"):
            assert expected.lower() in text.lower(), (expected, text)
        assert f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}" in text

    # 8. The cell sends its share up: figures computed, never typed; they add up.
    remit = treasurer.locator("#remit form")
    remit.get_by_label("Tháng").fill(f"{month:%m/%Y}")
    remit.get_by_label("Đồng tiền").select_option("EUR")
    remit.get_by_label("Số chứng từ").fill("UNC 15")
    remit.get_by_role("button", name="Ghi nộp lên cấp trên").click()
    treasurer.wait_for_url("**/dues/remittances/*/")
    remittance = Remittance.objects.get(unit=cell)
    facts = treasurer.locator("dl.facts")
    expect(facts.locator("[data-field=state]")).to_contain_text("Đã nộp lên cấp trên")
    expect(facts).to_contain_text(france.name)
    due_up = _figure(facts.locator("[data-field=due_up] strong").inner_text())
    assert remittance.collected == collected and remittance.kept + remittance.due_up == collected
    assert due_up == remittance.due_up and 0 < due_up <= collected
    expect(facts.locator("[data-field=due_up]")).to_contain_text(format_amount(due_up * FX, "VND"))
    expect(treasurer.locator("#act-confirm")).to_have_count(0)  # the level above confirms, not the sender
    shot(treasurer, "04-remittance-sent")

    # 9. The level above sees it on its board, confirms it on its page, and reads its summary and chart.
    officer.goto(f"{base}/dues/?unit={france.pk}&month={month:%m/%Y}")
    row = officer.locator("#board tr[data-unit='PHAP-DSQ']")
    expect(row).to_contain_text("Đã nộp lên cấp trên")
    row.get_by_role("link", name="Đã nộp lên cấp trên").click()
    officer.locator("#act-confirm").get_by_role("button", name="Xác nhận đã nhận đủ").click()
    expect(officer.locator(".messages")).to_contain_text("Đã xác nhận nhận đủ")
    expect(officer.locator("[data-field=state]")).to_contain_text("Cấp trên đã xác nhận nhận đủ")
    remittance.refresh_from_db()
    assert remittance.state == "confirmed" and remittance.answered_by

    officer.goto(f"{base}/dues/?unit={root.pk}&month={month:%m/%Y}")
    summary = officer.locator("#summary table").first
    top = summary.locator("tr.sum")
    expect(top).to_contain_text(format_amount(collected, "EUR"))
    france_row = summary.locator("tr[data-unit='PHAP'] td")
    assert _figure(france_row.nth(1).inner_text()) == RATE * 30     # due this month
    assert _figure(france_row.nth(2).inner_text()) == collected     # collected this month (arrears included)
    rate = min(100, round(collected / (RATE * 30) * 100))           # the summary's rate is capped at 100%
    assert france_row.nth(3).inner_text().strip() == f"{rate}%"
    expect(officer.locator("#chart svg")).to_be_visible()
    expect(officer.locator("#board tr[data-unit='PHAP']")).to_contain_text("Chưa nộp")  # France's turn now
    shot(officer, "05-level-summary")

    # 10. A member who paid sees their own months and receipt, nothing of the others'.
    assert treasurer.goto(f"{base}/dues/members/{keeper.pk}/").status == 200
    expect(treasurer.locator("#entries")).to_contain_text(
        next(e.receipt for e in receipts if e.member_id == keeper.pk))

    for w in (watch, keeper_watch):
        assert not w.violations and not w.errors, (w.violations, w.errors)
    for ctx in (officer.context, keeper_ctx):
        ctx.close()
