"""Reports upward from an empty install, in a real Chromium: ``chibo setup``, France and its cell founded on the pages,
members imported, France's secretary appointed. The officer of the upper committee keeps the default quarterly
template; France's secretary opens the report of the last ended quarter, finds its figures computed, writes the
narrative and submits it; the officer sees France leave the "not yet filed" board and its figures in the roll-up,
then France's statistics: the members chart drawn on the server and its data table, both agreeing with the members
imported. Screenshots: test-artifacts/reports-*.png."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from test_first_day_journey import DESKTOP, activate, install_france, mailed_link
from test_foundation_journey import PageWatch

pytestmark = pytest.mark.e2e


def test_a_quarterly_report_filed_and_rolled_up(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.core import clock
    from chibo.members.enums import ACTIVE_STATUSES
    from chibo.members.models import Member
    from chibo.reports.models import Report
    from chibo.reports.periods import last_ended

    base = empty_install.url
    today = clock.today()
    period = last_ended("quarter", today)

    def shot(page, name):
        page.screenshot(path=artifacts / f"reports-{name}.png", full_page=True)

    # 1. The install, France and a cell, the members; the officer appoints France's secretary.
    setup = install_france(browser, base, tmp_path)
    officer, watch, root, france = setup.officer, setup.watch, setup.root, setup.france
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

    # 2. The officer looks at the templates and keeps the default quarterly one (six groups of questions).
    officer.goto(f"{base}/reports/templates/")
    officer.get_by_role("link", name="Báo cáo công tác đảng hằng quý").click()
    expect(officer.locator("main ol li")).to_have_count(6)

    # 3. France's secretary opens the report of the last ended quarter: its figures are already there.
    secretary.goto(f"{base}/reports/?period={period.code}")
    secretary.locator(f"[data-unit='{france.pk}']").get_by_role("button", name="Lập báo cáo").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã mở báo cáo")
    expect(secretary.locator("[data-figure='members.total'] .num")).to_have_text("30")
    for i, title in enumerate(("Giáo dục chính trị, tư tưởng", "Xây dựng tổ chức đảng", "Quản lý đảng viên",
                               "Công tác dân vận và bảo vệ chính trị nội bộ", "Nghiên cứu, tham mưu",
                               "Tổ chức bộ máy, con người và nguồn lực"), start=1):
        secretary.get_by_label(title).fill(f"Đánh giá phần {i}: đảng bộ thực hiện đầy đủ, đúng kế hoạch.")
    secretary.get_by_role("button", name="Lưu phần đánh giá").click()
    expect(secretary.locator(".messages")).to_contain_text("Đã lưu phần đánh giá")
    secretary.get_by_role("button", name="Nộp báo cáo").click()
    expect(secretary.locator("[data-field=state]")).to_contain_text("Đã nộp")
    shot(secretary, "01-submitted")
    report = Report.objects.get()
    assert report.state == "submitted" and report.figures["members.total"] == "30"

    # 4. The officer: France is no longer on the "not yet filed" board; the roll-up counts its figures.
    officer.goto(f"{base}/reports/board/?unit={root.pk}&period={period.code}")
    expect(officer.locator(f"#board [data-unit='{france.pk}']")).to_have_attribute("data-filed", "1")
    shot(officer, "02-board")
    officer.goto(f"{base}/reports/rollup/?unit={root.pk}&period={period.code}")
    row = officer.locator("#rollup [data-figure='members.total']")
    expect(row.locator("[data-col=submitted]")).to_have_text("30")
    expect(row.locator("[data-col=live]")).to_have_text("30")
    shot(officer, "03-rollup")

    # 5. The officer opens France's statistics: members at each year's end, as a chart and its data table, agree
    # with the members the journey imported (counted here from their records); this year's total is the report's.
    years = range(today.year - 4, today.year + 1)
    on_rolls = list(Member.objects.filter(unit__path__startswith=france.path, status__in=ACTIVE_STATUSES)
                    .values_list("admission_date", "confirmation_date"))
    expected = {}
    for y in years:
        end = date(y, 12, 31)
        admitted = [c for a, c in on_rolls if a is not None and a <= end]
        full = sum(1 for c in admitted if c is not None and c <= end)
        expected[y] = (full, len(admitted) - full)
    assert sum(expected[today.year]) == 30
    officer.goto(f"{base}/stats/?unit={france.pk}")
    members = officer.locator("[data-table=members]")
    expect(members.locator("h2")).to_have_text("Đảng viên cuối mỗi năm")
    chart = members.locator("svg.chart[role=img]")
    expect(chart).to_have_attribute("aria-label", "Đảng viên cuối mỗi năm")
    for y, (full, prob) in expected.items():
        row = members.locator(f"table tbody tr[data-row='{y}'] td")
        expect(row).to_have_text([str(full), str(prob), str(full + prob)])
        marks = chart.locator(f"g[data-column='{y}'] rect title")
        expect(marks).to_have_text([f"{label}: {n}" for label, n in (("Chính thức", full), ("Dự bị", prob)) if n])
    expect(officer.locator("[data-table=admissions] svg.chart")).to_be_visible()
    shot(officer, "04-stats")
    for w, where in ((watch, "the officer's pages"), (sec_watch, "the secretary's pages")):
        w.assert_clean(where)
