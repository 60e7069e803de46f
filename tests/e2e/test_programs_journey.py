"""Work programs and proposals from an empty install, in a real Chromium: ``chibo setup``, France and its cell
founded on the pages, members imported, France's secretary appointed. The officer of the upper committee makes the
year's work program, adds a task and hands it down to France; France's secretary finds it in France's program,
records it done with its evidence and raises a proposal to the upper committee; the officer sees the task done and
the proposal waiting on the follow-up board, and answers it. Screenshots: test-artifacts/programs-*.png."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from test_first_day_journey import DESKTOP, activate, install_france, mailed_link
from test_foundation_journey import PageWatch

pytestmark = pytest.mark.e2e


def test_a_program_handed_down_done_and_a_proposal_answered(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.core import clock
    from chibo.members.models import Member
    from chibo.programs.models import Item, Proposal

    base = empty_install.url
    today = clock.today()

    def shot(page, name):
        page.screenshot(path=artifacts / f"programs-{name}.png", full_page=True)

    # 1. The install, France and a cell, the members; the officer appoints France's secretary.
    setup = install_france(browser, base, tmp_path)
    officer, watch, france = setup.officer, setup.watch, setup.france
    secretary_member = Member.objects.filter(unit=setup.cell).order_by("pk")[0]
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

    # 2. The officer makes the upper committee's program of the year, adds a task and hands it down to France.
    officer.goto(f"{base}/")
    officer.get_by_role("link", name="Chương trình công tác").click()
    make = officer.locator("#program-new form")
    make.get_by_label("Tên chương trình").fill("Chương trình công tác năm của Đảng ủy")
    make.get_by_role("button", name="Lập chương trình").click()
    expect(officer.locator(".messages")).to_contain_text("Đã lập chương trình công tác")
    add = officer.locator("#item-new form")
    add.get_by_label("Nội dung công việc").fill("Rà soát, cập nhật danh sách đảng viên đi công tác ngắn hạn")
    add.get_by_label("hoặc chức danh, bộ phận phụ trách").fill("Ban Tổ chức")
    add.get_by_label("Hạn hoàn thành").fill(f"31/12/{today.year}")
    add.get_by_role("button", name="Thêm việc").click()
    expect(officer.locator(".messages")).to_contain_text("Đã thêm việc")
    officer.get_by_role("link", name="Rà soát, cập nhật danh sách").click()
    officer.locator("#act-hand_down summary").click()
    hand = officer.locator("#act-hand_down form")
    hand.get_by_label("Đảng bộ Đại sứ quán Việt Nam tại Pháp").check()
    hand.get_by_role("button", name="Giao cho tổ chức trực thuộc").click()
    expect(officer.locator("[data-field=handed-progress]")).to_contain_text("0/1")
    handed = Item.objects.get(parent__isnull=False)
    shot(officer, "01-handed-down")

    # 3. France's secretary finds the task in France's program, records it done, and raises a proposal.
    secretary.goto(f"{base}/programs/")
    secretary.get_by_role("link", name="Chương trình công tác năm").first.click()
    secretary.locator(f"[data-item='{handed.pk}'] a").click()
    done = secretary.locator("#act-complete form")
    done.get_by_label("Kết quả, minh chứng").fill("Đã rà soát 30 đồng chí; danh sách gửi Ban Tổ chức ngày hôm nay.")
    done.get_by_role("button", name="Ghi hoàn thành").click()
    expect(secretary.locator("[data-field=state]")).to_contain_text("Đã hoàn thành")
    shot(secretary, "02-done")
    secretary.goto(f"{base}/programs/proposals/new/")
    ask = secretary.locator("main form")
    ask.get_by_label("Vấn đề kiến nghị, đề xuất").fill("Tài liệu học tập nghị quyết bản điện tử")
    ask.get_by_label(re.compile(r"^Nội dung")).fill("Đề nghị Đảng ủy gửi tài liệu học tập nghị quyết bản điện tử.")
    ask.get_by_role("button", name="Gửi kiến nghị").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã gửi kiến nghị")
    proposal = Proposal.objects.get()

    # 4. The officer sees France's task done and the proposal on the follow-up board, and answers it.
    officer.reload()
    expect(officer.locator("[data-field=handed-progress]")).to_contain_text("1/1")
    officer.goto(f"{base}/programs/board/")
    officer.locator(f"#proposals [data-proposal='{proposal.pk}'] a").click()
    answer = officer.locator("#act-answer form")
    answer.get_by_label("Nội dung trả lời").fill("Ban Tổ chức gửi tài liệu qua mục Tài liệu trong tuần này.")
    answer.get_by_role("button", name="Trả lời").click()
    expect(officer.locator("[data-field=state]")).to_contain_text("Đã trả lời")
    shot(officer, "03-answered")
    secretary.goto(f"{base}/programs/proposals/{proposal.pk}/")
    expect(secretary.locator("[data-field=answer]")).to_contain_text("Ban Tổ chức gửi tài liệu")
    for w, where in ((watch, "the officer"), (sec_watch, "the secretary")):
        w.assert_clean(where)
