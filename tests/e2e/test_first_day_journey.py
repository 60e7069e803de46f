"""The first day of a real installation, in a real Chromium, from an empty database (no demo):

``chibo setup`` creates the top unit and prints the first officer's one-time link; the officer activates
(password, then a second factor before anything), founds France's party organization and a cell, imports
30 members from a spreadsheet and invites the whole cell. One member opens the e-mailed link on a phone,
enrols TOTP and sees only their own record; the officer appoints that member secretary of the cell, and
the new secretary then sees the cell, records an applicant and opens the case with an invitation; the
applicant signs in to their dossier page. Screenshots: test-artifacts/first-day-*.png.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from playwright.sync_api import expect
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "trăng rằm soi bóng cửa sổ phía tây"
LINK = re.compile(r"https?://[^\s]+(/account/activate/[A-Za-z0-9_-]+/)")
FIRST_NAMES = ["Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Thu", "Hoàng Đức", "Vũ Ngọc"]
LAST_NAMES = ["An", "Bình", "Chi", "Dũng", "Giang"]


def mailed_link(mailoutbox, address: str) -> str:
    """Deliver the queued e-mails as the worker does; the path of the link the person received."""
    from chibo.notifications.models import Message
    from chibo.notifications.tasks import deliver_now

    for message in Message.objects.filter(state="queued"):
        deliver_now(message.pk)
    mails = [m for m in mailoutbox if address in m.to]
    assert mails, f"no e-mail to {address}"
    return LINK.search(mails[-1].body).group(1)


def activate(context, base: str, path: str, shot=None):
    """Open an activation link, set the password, enrol TOTP from the secret the page shows."""
    from chibo.accounts.services import totp_code

    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + path)
    if shot:
        shot(page, "activate")
    page.get_by_label("Mật khẩu mới").fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu và tiếp tục").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/**")  # a second factor before anything else
    secret = page.locator("#authenticator_secret").input_value()
    if shot:
        shot(page, "totp")
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit], form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/")
    return page


def found_unit(page, base: str, parent, kind: str, name: str, code: str, city: str = ""):
    """Found a unit under ``parent`` in France through its parent's page, as an officer does; the new unit."""
    from chibo.units.models import Unit

    page.goto(f"{base}/units/{parent.pk}/")
    page.get_by_role("link", name="Lập tổ chức trực thuộc").click()
    page.get_by_label("Loại tổ chức").select_option(kind)
    page.get_by_label("Tên").fill(name)
    page.get_by_label("Mã (không dấu)").fill(code)
    page.get_by_label("Quốc gia", exact=True).select_option("FR")
    if city:
        page.get_by_label("Thành phố").fill(city)
    page.get_by_label("Ngày thành lập").fill("02/09/2005")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return Unit.objects.get(code=code)


@dataclass
class Install:
    """An empty install brought to its first working state through the command line and the pages."""

    officer: Any          # the first officer's page (desktop), signed in with TOTP
    watch: PageWatch      # console, CSP and failed requests of the officer's pages
    root: Any
    france: Any
    cell: Any


def install_france(browser, base: str, tmp_path, sheet: bytes | None = None) -> Install:
    """``chibo setup`` creates the top unit and its officer, who activates and founds France's party organization
    and its embassy cell on the pages; the cell's members come in with ``chibo import`` (the first-day sheet of
    thirty unless ``sheet`` is given)."""
    from chibo.units.models import Unit

    out = io.StringIO()
    call_command("setup", "--no-input", "--unit-name", "Đảng ủy Bộ Ngoại giao", "--unit-code", "DUBNG",
                 "--opened-on", "01/01/2000", "--name", "Lê Thị Hồng", "--email", "hong@example.vn", stdout=out)
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    watch = PageWatch(context)
    officer = activate(context, base, LINK.search(out.getvalue()).group(1))
    root = Unit.objects.get(code="DUBNG")
    france = found_unit(officer, base, root, "grassroots_committee", "Đảng bộ Đại sứ quán Việt Nam tại Pháp", "PHAP")
    cell = found_unit(officer, base, france, "subordinate_cell", "Chi bộ Cơ quan Đại sứ quán", "PHAP-DSQ",
                      city="Paris")
    path = tmp_path / "chi-bo.xlsx"
    path.write_bytes(sheet or members_sheet("PHAP-DSQ"))
    call_command("import", "members", str(path), stdout=io.StringIO())
    return Install(officer, watch, root, france, cell)


def members_sheet(cell_code: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức",
                  "Diện ở nước ngoài", "Mã chi bộ", "Thư điện tử"])
    for i in range(30):
        name = f"{FIRST_NAMES[i % 6]} {LAST_NAMES[i // 6]}"
        sheet.append([name, "Nữ" if "Thị" in name or "Thu" in name else "Nam",
                      date(1975 + i % 15, 1 + i % 12, 3 + i % 25),
                      f"7700{i:04d}", date(2010, 5, 19), date(2011, 5, 19), "Cán bộ cơ quan đại diện", cell_code,
                      f"dv{i:02d}@example.vn"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_first_day_from_an_empty_install(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.accounts.models import User
    from chibo.admission.models import AdmissionCase
    from chibo.members.models import Member
    from chibo.units.models import Unit

    assert not Unit.objects.exists() and not User.objects.exists() and not Member.objects.exists()
    base = empty_install.url
    today = date.today()

    def shot(page, name):
        page.screenshot(path=artifacts / f"first-day-{name}.png", full_page=True)

    # 1. The command line: the top unit and the first officer, a one-time link.
    out = io.StringIO()
    call_command("setup", "--no-input", "--unit-name", "Đảng ủy Bộ Ngoại giao", "--unit-code", "DUBNG",
                 "--opened-on", "01/01/2000", "--name", "Lê Thị Hồng", "--email", "hong@example.vn", stdout=out)
    path = LINK.search(out.getvalue()).group(1)

    officer_ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    watch = PageWatch(officer_ctx)
    officer = activate(officer_ctx, base, path, shot=lambda p, n: shot(p, f"01-officer-{n}"))
    shot(officer, "02-officer-home")
    expect(officer.locator("header, nav").first).to_contain_text("Tài khoản")

    # 2. France's party organization and its cell, through the unit pages.
    root = Unit.objects.get(code="DUBNG")
    france = found_unit(officer, base, root, "grassroots_committee", "Đảng bộ Đại sứ quán Việt Nam tại Pháp", "PHAP")
    cell = found_unit(officer, base, france, "subordinate_cell", "Chi bộ Cơ quan Đại sứ quán", "PHAP-DSQ",
                      city="Paris")
    assert cell.parent_id == france.pk and france.parent_id == root.pk
    shot(officer, "03-cell")

    # 3. Thirty members from a spreadsheet: a dry run, then the import.
    upload = tmp_path / "danh-sach-chi-bo.xlsx"
    upload.write_bytes(members_sheet("PHAP-DSQ"))
    officer.goto(f"{base}/bulk/import/")
    officer.get_by_label("Tệp danh sách").set_input_files(str(upload))
    officer.get_by_role("button", name="Kiểm tra (chạy thử)").click()
    officer.wait_for_url("**/bulk/import/*/")
    expect(officer.locator("body")).to_contain_text("30")
    shot(officer, "04-import-dry-run")
    assert not Member.objects.exists()
    officer.get_by_role("button", name="Nhập vào hồ sơ").click()
    expect(officer.locator("body")).to_contain_text("Hoàn tất")
    assert Member.objects.filter(unit=cell).count() == 30

    # 3b. The data quality board: the sheet had no citizen IDs and no admission decision dates, every card number.
    officer.goto(f"{base}/members/quality/")
    total = officer.locator('#quality tfoot tr[data-unit="total"]')
    expect(total.locator("th").nth(1)).to_have_text("30")
    for problem, count in (("no_citizen_id", "30"), ("no_decision_date", "30"), ("no_card_number", "0")):
        expect(total.locator(f'[data-problem="{problem}"]')).to_have_text(count)
    expect(officer.locator('#quality tbody tr[data-unit="PHAP"] td').nth(1)).to_have_text("30")
    officer.locator('#quality tbody tr[data-unit="PHAP"] a').first.click()  # down to France's cells
    expect(officer.locator('#quality tbody tr[data-unit="PHAP-DSQ"] [data-problem="no_citizen_id"]')).to_have_text(
        "30")
    officer.locator('#quality tbody tr[data-unit="PHAP-DSQ"] [data-problem="no_citizen_id"] a').click()
    expect(officer.locator("body")).to_contain_text(Member.objects.filter(unit=cell).order_by("name_sort")
                                                    .first().full_name)
    shot(officer, "04b-quality-board")

    # 4. The whole cell is invited from the member list.
    officer.goto(f"{base}/members/?unit={cell.pk}")
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.get_by_role("button", name="Mời cả Chi bộ Cơ quan Đại sứ quán dùng hệ thống").click()
    expect(officer.locator(".messages")).to_contain_text("đã gửi 30 lời mời")
    shot(officer, "05-cell-invited")

    # 5. One member activates on a phone and sees only their own record.
    member = Member.objects.get(card_number="77000007")
    phone_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    phone_watch = PageWatch(phone_ctx)
    mine = activate(phone_ctx, base, mailed_link(mailoutbox, member.email), shot=lambda p, n: shot(p, f"06-member-{n}"))
    assert_fits_the_screen(mine)
    mine.goto(f"{base}/members/me/")
    expect(mine.get_by_role("heading", level=1)).to_contain_text(member.full_name)
    shot(mine, "07-member-own-record")
    other = Member.objects.filter(unit=cell).exclude(pk=member.pk).first()
    assert mine.goto(f"{base}/members/{other.pk}/").status == 404
    assert mine.goto(f"{base}/units/{cell.pk}/").status == 200  # their own cell's page, not its members
    api = mine.request.get(f"{base}/api/v1/members/")
    assert api.status == 200 and [m["id"] for m in api.json()["results"]] == [member.pk]

    # 6. The officer appoints that member secretary of the cell: the role follows the post.
    officer.goto(f"{base}/units/{cell.pk}/")
    officer.get_by_role("link", name="Ghi quyết định chỉ định").click()
    officer.get_by_label("Đảng viên (mã hồ sơ)").select_option(str(member.pk))
    officer.get_by_label("Chức vụ").select_option("secretary")
    officer.get_by_label("Từ ngày").fill(f"{today:%d/%m/%Y}")
    officer.get_by_label("Số quyết định chỉ định").fill("12-QĐ/ĐUBNG")
    officer.get_by_label("Ngày quyết định").fill(f"{today - timedelta(days=1):%d/%m/%Y}")
    officer.get_by_role("button", name="Lưu").click()
    expect(officer.locator(".messages")).to_contain_text("Đã ghi quyết định chỉ định")
    assert User.objects.get(member=member).roles.filter(role="secretary", unit=cell).exists()

    # 7. The new secretary sees the cell, records an applicant and invites her to her dossier.
    mine.goto(f"{base}/members/?unit={cell.pk}")
    expect(mine.locator("body")).to_contain_text("30")
    api = mine.request.get(f"{base}/api/v1/members/?unit={cell.pk}")
    assert api.status == 200 and api.json()["count"] == 30
    mine.goto(f"{base}/admission/")
    mine.get_by_role("link", name="Ghi nhận quần chúng ưu tú, mở hồ sơ").click()
    mine.get_by_label("Họ và tên").fill("Đoàn Minh Châu")
    mine.get_by_label("Giới tính").select_option("F")
    mine.get_by_label("Ngày sinh").fill("12/04/1999")
    mine.get_by_label("Thư điện tử (gửi lời mời vào trang hồ sơ của mình)").fill("chau@example.vn")
    mine.get_by_label("Gửi ngay lời mời vào trang hồ sơ (cần thư điện tử)").check()
    shot(mine, "08-secretary-opens-a-case")
    mine.get_by_role("button", name="Ghi nhận và mở hồ sơ").click()
    expect(mine.get_by_role("heading", level=1)).to_contain_text("Đoàn Minh Châu")
    case = AdmissionCase.objects.get(applicant__full_name="Đoàn Minh Châu")
    assert case.unit_id == cell.pk
    assert_fits_the_screen(mine)

    # 8. The applicant signs in to her dossier page, and sees nothing else.
    applicant_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    applicant_watch = PageWatch(applicant_ctx)
    page = activate(applicant_ctx, base, mailed_link(mailoutbox, "chau@example.vn"))
    page.goto(f"{base}/dossier/")
    expect(page.locator("body")).to_contain_text("Đoàn Minh Châu")
    shot(page, "09-applicant-dossier")
    assert page.goto(f"{base}/members/{member.pk}/").status == 404
    assert page.request.get(f"{base}/api/v1/members/").json()["results"] == []

    for w in (watch, phone_watch, applicant_watch):
        assert not w.violations and not w.errors, (w.violations, w.errors)
    for ctx in (officer_ctx, phone_ctx, applicant_ctx):
        ctx.close()
