"""Inspection and supervision from an empty install, in a real Chromium: ``chibo setup``, France and a cell founded on
the pages, thirty members imported. France's secretary adopts the year's inspection plan with one item (the cell)
and starts it, then opens an inspection on a member from the member's page. The member, invited from the command
line, writes their explanation on their phone without seeing the signs or the team; the committee concludes with
its recommendations and is offered to propose discipline. An inspection officer of another unit (the level above)
gets 404 on the case, and the attempt is audited. Screenshots: test-artifacts/inspection-*.png.
"""

from __future__ import annotations

import base64
import io
import re
import secrets

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect
from test_first_day_journey import DESKTOP, activate, install_france, mailed_link
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e


def test_an_inspection_from_an_empty_install(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.accounts import services as account_services
    from chibo.core import clock
    from chibo.core.access import SYSTEM, Role
    from chibo.core.models import AuditEvent
    from chibo.inspection.models import Inspection, Plan, PlanItem
    from chibo.members.models import Member

    base = empty_install.url
    today = clock.today()

    def shot(page, name):
        page.screenshot(path=artifacts / f"inspection-{name}.png", full_page=True)

    # 1. The install, France and a cell, thirty members.
    setup = install_france(browser, base, tmp_path)
    officer, watch, root, france, cell = setup.officer, setup.watch, setup.root, setup.france, setup.cell
    subject = Member.objects.filter(unit=cell).order_by("pk")[2]

    # 2. The officer appoints a member secretary of France's committee (the role follows the post).
    secretary_member = Member.objects.filter(unit=cell).order_by("pk")[0]
    call_command("accounts", "invite-member", str(secretary_member.pk), stdout=io.StringIO())
    sec_ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    sec_watch = PageWatch(sec_ctx)
    secretary = activate(sec_ctx, base, mailed_link(mailoutbox, secretary_member.email))
    officer.goto(f"{base}/units/{france.pk}/")
    officer.get_by_role("link", name="Ghi quyết định chỉ định").click()
    officer.get_by_label("Đảng viên (mã hồ sơ)").select_option(str(secretary_member.pk))
    officer.get_by_label("Chức vụ").select_option("secretary")
    officer.get_by_label("Từ ngày").fill(f"{today:%d/%m/%Y}")
    officer.get_by_label("Số quyết định chỉ định").fill("12-QĐ/ĐUBNG")
    officer.get_by_label("Ngày quyết định").fill(f"{today:%d/%m/%Y}")
    officer.get_by_role("button", name="Lưu").click()
    expect(officer.locator(".messages")).to_contain_text("Đã ghi quyết định chỉ định")

    # 3. The secretary adopts France's inspection plan of the year, adds the cell as an item and starts it.
    secretary.goto(f"{base}/")
    secretary.get_by_role("link", name="Kiểm tra, giám sát").click()
    expect(secretary.get_by_role("button", name="Mở kiểm tra tổ chức")).to_be_visible()  # an organization's way in
    adopt = secretary.locator("#plan-new form")
    adopt.get_by_label("Cấp ủy lập kế hoạch").select_option(str(france.pk))
    adopt.get_by_label("Loại kế hoạch").select_option("inspection")
    adopt.get_by_label("Văn bản ban hành kế hoạch (số, ký hiệu)").fill("05-KH/ĐU")
    adopt.get_by_role("button", name="Lập kế hoạch").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã lập kế hoạch kiểm tra")
    plan = Plan.objects.get()
    add = secretary.locator("#item-new form")
    add.get_by_label("hoặc tổ chức đảng trực thuộc").select_option(str(cell.pk))
    add.get_by_label("Nội dung kiểm tra, giám sát").fill("Việc chấp hành nghị quyết và chế độ sinh hoạt của chi bộ")
    add.get_by_label("Từ ngày").fill(f"01/01/{today.year}")
    add.get_by_label("Đến ngày").fill(f"31/12/{today.year}")
    add.get_by_role("button", name="Thêm nội dung").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã thêm nội dung")
    item = PlanItem.objects.get(plan=plan)
    secretary.locator(f"#item-{item.pk}-start").get_by_role("button", name="Bắt đầu tiến hành").click()
    expect(secretary.locator(f"#item-{item.pk} [data-field=state]")).to_contain_text("Đang tiến hành")
    expect(secretary.locator("[data-field=progress]")).to_contain_text("0/1")
    shot(secretary, "01-plan")

    # 4. The secretary opens an inspection on a member from the member's page.
    secretary.goto(f"{base}/members/{subject.pk}/")
    secretary.get_by_role("link", name="Mở kiểm tra").click()
    form = secretary.locator("main form")
    form.get_by_label("Cấp ủy tiến hành kiểm tra").select_option(str(france.pk))
    form.get_by_label("Dấu hiệu vi phạm").fill("Có đơn phản ánh đồng chí không chấp hành sự phân công của chi bộ.")
    form.get_by_label("Quyết định kiểm tra (số, ký hiệu)").fill("3-QĐ/ĐU")
    form.get_by_role("button", name="Mở kiểm tra").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã mở cuộc kiểm tra")
    case = Inspection.objects.get()
    shot(secretary, "02-opened")

    # 5. An inspection officer of another unit (the level above) and the top officer: 404, each attempt audited.
    inspector = account_services.user_create(actor=SYSTEM, username="kiemtra.tren", password=secrets.token_hex(16),
                                             full_name="Trần Văn Kiểm")
    account_services.staff_role_for_demo(actor=SYSTEM, user=inspector, role=Role.INSPECTOR, unit=root,
                                         starts_on=root.opened_on)
    account_services.totp_enrol(actor=SYSTEM, user=inspector, secret=base64.b32encode(secrets.token_bytes(20)).decode())
    upper = Client()
    upper.force_login(inspector)
    assert upper.get(f"/inspection/cases/{case.pk}/").status_code == 404
    assert upper.get(f"/api/v1/inspection/cases/{case.pk}/").status_code == 404
    assert officer.request.get(f"{base}/inspection/cases/{case.pk}/").status == 404
    assert AuditEvent.objects.filter(action="inspection.case_denied").count() == 3

    # 6. The member writes their explanation on the phone; the signs and the team stay with the committee.
    call_command("accounts", "invite-member", str(subject.pk), stdout=io.StringIO())
    phone_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    phone_watch = PageWatch(phone_ctx)
    mine = activate(phone_ctx, base, mailed_link(mailoutbox, subject.email))
    mine.goto(f"{base}/")
    mine.get_by_role("link", name="Kiểm tra, giám sát").click()  # the subject's way in
    expect(mine.locator("#about-me")).to_contain_text("Cuộc kiểm tra về đồng chí")
    mine.locator(f"#about-me [data-case='{case.pk}'] a").click()
    expect(mine.locator("main")).not_to_contain_text("Có đơn phản ánh")
    expect(mine.locator("main")).to_contain_text("3-QĐ/ĐU")
    explain = mine.locator("#act-explain form")
    explain.get_by_label("Giải trình").fill("Tôi đã nhận nhiệm vụ và thực hiện, xin gửi kèm báo cáo kết quả.")
    explain.get_by_role("button", name="Gửi giải trình").click()
    expect(mine.locator(".messages")).to_contain_text("Đã ghi giải trình")
    assert_fits_the_screen(mine)
    shot(mine, "03-explained")

    # 7. The committee concludes, with its recommendations, and may propose discipline.
    secretary.goto(f"{base}/inspection/cases/{case.pk}/")
    conclude = secretary.locator("#act-conclude form")
    conclude.get_by_label(re.compile(r"^Kết luận")).fill("Đồng chí chậm thực hiện sự phân công, đã nhận khuyết điểm.")
    conclude.get_by_label("Kiến nghị (nếu có)").fill("Chi bộ nhắc nhở, theo dõi việc khắc phục.")
    conclude.get_by_label("Số thông báo kết luận").fill("7-TB/ĐU")
    conclude.get_by_role("button", name="Kết luận kiểm tra").click()
    expect(secretary.locator("[data-field=state]")).to_contain_text("Đã kết luận")
    expect(secretary.get_by_role("link", name="Đề nghị xem xét kỷ luật")).to_have_attribute(
        "href", f"/discipline/new/?member={subject.pk}")
    shot(secretary, "04-concluded")
    mine.goto(f"{base}/inspection/cases/{case.pk}/")
    expect(mine.locator("[data-field=recommendations]")).to_contain_text("Chi bộ nhắc nhở")
    expect(mine.locator("main")).not_to_contain_text("Đoàn kiểm tra")
    team = list(case.team.values_list("username", flat=True))
    assert team, "the opener is on the team"
    for username in team:  # nor who is on it
        expect(mine.locator("main")).not_to_contain_text(username)
    for w, where in ((watch, "the officer"), (sec_watch, "the secretary"), (phone_watch, "the member's phone")):
        # the officer's probe (404) above was on purpose
        w.failed = [f for f in w.failed if not f.startswith("404 ")]
        w.console = [m for m in w.console if "status of 404" not in m]
        w.assert_clean(where)
