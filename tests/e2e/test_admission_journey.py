"""The admission journey in a real Chromium, with a test clock (override_settings(CHIBO_TODAY=…); the
live server runs in this process, so the override applies to it).

The applicant in France (ungvien.phap) sees what is expected of her; the secretary of France walks
her case from the course certificate through introducers, comments, CV verification, the cell vote
(the page shows the denominator: every full member of the cell on that date; too many votes are
refused), the committee vote, the decision (deadline checked), the ceremony (member record created,
helper assigned) and, the clock moved 12 months on, the confirmation (a resolution dated before the
end of probation refused; refused too until the new-member course certificate is recorded on the member's
certificates page; full membership effective on the 12-month date). Papers are downloaded
and read; the applicant finally sees that she is a full member. Screenshots: test-artifacts/admission-*.png.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import override_settings
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}


def login(context, base, username, totp_now):
    from chibo.accounts.models import User
    from chibo.demo.builder import DEMO_PASSWORD

    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Mã xác thực").fill(totp_now(User.objects.get(username=username)))
    page.locator("#mfa-form").get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/")
    return page


def step(page, name: str, fields: dict[str, str], selects: dict[str, str] | None = None):
    form = page.locator(f"form[data-step={name}]")
    details = form.locator("xpath=ancestor::details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    for label, value in (selects or {}).items():
        form.get_by_label(label).select_option(label=value)  # a wrapping label's text includes the options
    form.get_by_role("button", name="Ghi").click()
    page.wait_for_load_state()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace(" :", ":")


def test_applicant_in_france_goes_from_course_certificate_to_full_member(browser, demo_org, totp_now, artifacts):
    from chibo.admission.models import AdmissionCase, Stage
    from chibo.core.calendar import calendar_for
    from chibo.core.documents import pdf_text
    from chibo.deadlines.models import Deadline, State
    from chibo.members.models import Member, Status
    from chibo.members.selectors import committee_members_on, full_members_on

    base = demo_org.url
    case = AdmissionCase.objects.select_related("unit", "applicant").get(applicant__full_name="Trần Thị Minh Thư")
    cell = case.unit
    assert cell.code == "PHAP-DSQ" and case.stage == Stage.RECORDED
    old_full = list(Member.objects.filter(unit=cell, status=Status.FULL, confirmation_date__lt=date(2024, 1, 1))
                    .order_by("pk"))
    assert len(old_full) >= 3
    intro1, intro2, helper = old_full[0], old_full[1], old_full[2]
    cal = calendar_for(cell)

    def shot(page, name, **kw):
        page.screenshot(path=artifacts / f"admission-{name}.png", **kw)

    # 1. The applicant sees only her dossier and what is expected of her.
    with override_settings(CHIBO_TODAY=date(2026, 2, 2)):
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        watch = PageWatch(context)
        page = login(context, base, "ungvien.phap", totp_now)
        page.get_by_role("link", name="Hồ sơ kết nạp").click()
        page.wait_for_url("**/dossier/")
        assert "lớp bồi dưỡng nhận thức về Đảng" in page.locator("[data-expected]").inner_text()
        assert page.locator("[data-stage]").get_attribute("data-stage") == Stage.RECORDED
        assert_fits_the_screen(page)
        shot(page, "01-applicant-start", full_page=True)
        assert page.goto(f"{base}/admission/{case.pk}/").status == 404  # the case page is for the cell
        watch.failed.clear()
        watch.console = [m for m in watch.console if "404" not in m]
        watch.assert_clean("applicant dossier")
        applicant_page = page  # kept signed in for the end of the journey

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    watch = PageWatch(context)
    with override_settings(CHIBO_TODAY=date(2026, 3, 2)):
        page = login(context, base, "bithu.phap", totp_now)
        # 2. The board of France: the case in its column.
        page.get_by_role("navigation").get_by_role("link", name="Kết nạp").click()
        page.wait_for_url("**/admission/")
        column = page.locator("section.column[data-stage=recorded]")
        assert "Trần Thị Minh Thư" in column.inner_text()
        shot(page, "02-board", full_page=True)
        column.get_by_role("link", name=re.compile("Trần Thị Minh Thư")).click()
        page.wait_for_url(f"**/admission/{case.pk}/")
        # 3. Out of the steps before the vote, one at a time.
        step(page, "course", {"Số giấy chứng nhận": "GCN 318/2026", "Nơi cấp": "Đảng ủy Bộ Ngoại giao",
                              "Ngày cấp": "10/02/2026"})
        assert page.locator("[data-stage]").first.get_attribute("data-stage") == Stage.COURSE
        step(page, "application", {"Ngày nhận đơn xin vào Đảng (1-KNĐ)": "16/02/2026",
                                   "Ngày nhận lý lịch (2-KNĐ)": "16/02/2026"})
        # An introducer who has not worked with her a year is refused, nothing written.
        step(page, "introducers", {"Người thứ nhất cùng công tác từ ngày": "01/09/2025", "Ngày phân công": "20/02/2026",
                                   "Hoặc: số nghị quyết giới thiệu của đoàn thể (thay người thứ hai)": "04-NQ/ĐTN"},
             {"Người giới thiệu thứ nhất": f"{intro1.full_name} (Chính thức)"})
        assert "ít nhất 1 năm" in page.locator("form[data-step=introducers]").inner_text()
        assert AdmissionCase.objects.get(pk=case.pk).stage == Stage.APPLICATION
        form = page.locator("form[data-step=introducers]")
        form.get_by_label("Hoặc: số nghị quyết giới thiệu của đoàn thể (thay người thứ hai)").fill("")
        form.get_by_label("Người thứ nhất cùng công tác từ ngày").fill("01/09/2024")
        form.get_by_label("Người thứ hai cùng công tác từ ngày").fill("15/01/2025")
        form.get_by_label("Người giới thiệu thứ hai").select_option(label=f"{intro2.full_name} (Chính thức)")
        form.get_by_role("button", name="Ghi").click()
        page.wait_for_load_state()
        assert AdmissionCase.objects.get(pk=case.pk).stage == Stage.INTRODUCERS
        step(page, "comments", {"Ngày có nhận xét của đoàn thể": "24/02/2026",
                                "Ngày có nhận xét của nơi cư trú": "25/02/2026"})
        step(page, "verified", {"Cấp ủy thẩm tra": "Đảng ủy Bộ Ngoại giao", "Ngày hoàn thành thẩm tra": "27/02/2026",
                                "Số văn bản kết luận": "12-KL/ĐUBNG"})
        # 4. The cell vote: the denominator is every full member of the cell on the day.
        n = len(full_members_on(cell, date(2026, 3, 2)))
        needed = -(-2 * n // 3)
        shown = page.locator(".denominator")
        assert (int(shown.get_attribute("data-eligible")), int(shown.get_attribute("data-needed"))) == (n, needed)
        assert f"Chi bộ có {n} đảng viên chính thức; cần ít nhất {needed} phiếu" in shown.inner_text()
        shot(page, "03-before-cell-vote", full_page=True)
        step(page, "cell_vote", {"Ngày họp": "02/03/2026", "Số tán thành": str(n), "Số không tán thành": "1",
                                 "Số nghị quyết": "05-NQ/CB"})
        assert (f"Số phiếu ({n + 1}) nhiều hơn số đảng viên chính thức của chi bộ có quyền biểu quyết ({n})"
                in page.locator("form[data-step=cell_vote]").inner_text())
        assert AdmissionCase.objects.get(pk=case.pk).votes.count() == 0
        step(page, "cell_vote", {"Ngày họp": "02/03/2026", "Số tán thành": str(n - 1), "Số không tán thành": "1",
                                 "Số nghị quyết": "05-NQ/CB"})
        decision_due = cal.add_working_days(date(2026, 3, 2), 60)
        banner = page.locator(".due-banner")
        assert f"Quyết định kết nạp: hạn {decision_due:%d/%m/%Y}" in flat(banner.inner_text())
        assert Deadline.objects.get(source=f"admission:{case.pk}", kind="admission.decision").due_date == decision_due

    with override_settings(CHIBO_TODAY=date(2026, 3, 16)):
        page.reload()
        # 5. Committee vote and decision; then the ceremony (the ceremony deadline checked).
        c = committee_members_on(cell.parent, date(2026, 3, 10))
        step(page, "committee_vote", {"Ngày họp": "10/03/2026", "Số tán thành": str(c), "Số không tán thành": "0",
                                      "Số nghị quyết": "21-NQ/ĐU"})
        step(page, "decision", {"Số quyết định kết nạp": "22-QĐ/ĐU", "Ngày quyết định": "12/03/2026",
                                "Ngày chi bộ nhận quyết định": "13/03/2026"})
        ceremony_due = cal.add_working_days(date(2026, 3, 13), 30)
        assert f"Tổ chức lễ kết nạp: hạn {ceremony_due:%d/%m/%Y}" in flat(page.locator(".due-banner").inner_text())
        # A ceremony date in the future is refused.
        step(page, "ceremony", {"Ngày lễ kết nạp (ngày vào Đảng)": "20/03/2026",
                                "Số thẻ đảng viên (nếu có)": "79031601"},
             {"Đảng viên chính thức giúp đỡ": f"{helper.full_name} (Chính thức)"})
        assert "tương lai" in page.locator("form[data-step=ceremony]").inner_text()
        step(page, "ceremony", {"Ngày lễ kết nạp (ngày vào Đảng)": "16/03/2026",
                                "Số thẻ đảng viên (nếu có)": "79031601"},
             {"Đảng viên chính thức giúp đỡ": f"{helper.full_name} (Chính thức)"})
        case.refresh_from_db()
        member = case.member
        assert (member.status, member.admission_date, member.card_number) == (Status.PROBATIONARY, date(2026, 3, 16),
                                                                              "79031601")
        assert case.helper_id == helper.pk and case.probation_end == date(2027, 3, 16)
        assert member.timeline.filter(kind="admission.admitted").exists()
        confirmation_due = cal.add_working_days(date(2027, 3, 16), 30)
        assert (f"Xét công nhận đảng viên chính thức: hạn {confirmation_due:%d/%m/%Y}"
                in flat(page.locator(".due-banner").inner_text()))
        shot(page, "04-probation", full_page=True)
        page.set_viewport_size(PHONE)  # the secretary on a phone: nothing wider than the screen
        assert_fits_the_screen(page)
        shot(page, "04b-probation-phone", full_page=True)
        page.set_viewport_size(DESKTOP)
        # 6. The papers so far, read back from the downloaded PDF.
        with page.expect_download() as dl:
            page.locator("[data-paper='6-KND-pdf']").click()
        text = flat(pdf_text(open(dl.value.path(), "rb").read()))
        assert "Mẫu 6-KNĐ" in text and "Số 05-NQ/CB" in text and "Họ và tên người vào Đảng: Trần Thị Minh Thư" in text
        assert f"Tổng số đảng viên chính thức: {n}" in text and f"Số tán thành: {n - 1}" in text
        with page.expect_download() as dl:
            page.locator("[data-paper='9-KND-pdf']").click()
        text = flat(pdf_text(open(dl.value.path(), "rb").read()))
        assert "Mẫu 9-KNĐ" in text and "Số 22-QĐ/ĐU" in text and "ngày 12 tháng 03 năm 2026" in text

    # 7. Twelve months on: confirmation. A resolution before the end of probation is refused.
    with override_settings(CHIBO_TODAY=date(2027, 3, 22)):
        page.reload()
        n2 = len(full_members_on(cell, date(2027, 3, 18), exclude_ids=(member.pk,)))
        step(page, "confirmation_vote", {"Ngày họp": "10/03/2027", "Số tán thành": str(n2), "Số không tán thành": "0"})
        assert "ngày hết thời kỳ dự bị (16/03/2027)" in page.locator("form[data-step=confirmation_vote]").inner_text()
        # Without the new-member course certificate the cell cannot consider it: refused, nothing written.
        step(page, "confirmation_vote", {"Ngày họp": "18/03/2027", "Số tán thành": str(n2), "Số không tán thành": "0",
                                         "Số nghị quyết": "09-NQ/CB"})
        form = page.locator("form[data-step=confirmation_vote]")
        assert "Chưa có giấy chứng nhận lớp bồi dưỡng đảng viên mới" in form.inner_text()
        assert not AdmissionCase.objects.get(pk=case.pk).votes.filter(kind="confirmation").exists()
        # The secretary records it on the member's certificates page, linked from the step, and comes back.
        form.get_by_role("link", name="Giấy chứng nhận của đảng viên").click()
        page.wait_for_url(f"**/study/certificates/?member={member.pk}")
        page.get_by_label("Loại lớp").select_option(label="Lớp bồi dưỡng đảng viên mới")
        page.get_by_label("Số giấy chứng nhận").fill("GCN-ĐVM 77/2026")
        page.get_by_label("Nơi cấp").fill("Đảng ủy Bộ Ngoại giao")
        page.get_by_label("Ngày cấp").fill("05/11/2026")
        page.get_by_role("button", name="Lưu giấy chứng nhận").click()
        page.wait_for_load_state()
        assert "GCN-ĐVM 77/2026" in page.locator("[data-list=certificates]").inner_text()
        shot(page, "05a-new-member-certificate", full_page=True)
        page.goto(f"{base}/admission/{case.pk}/")
        step(page, "confirmation_vote", {"Ngày họp": "18/03/2027", "Số tán thành": str(n2), "Số không tán thành": "0",
                                         "Số nghị quyết": "09-NQ/CB"})
        c2 = committee_members_on(cell.parent, date(2027, 3, 19))
        step(page, "confirm", {"Ngày họp": "19/03/2027", "Số tán thành": str(c2), "Số không tán thành": "0",
                               "Số nghị quyết": "40-NQ/ĐU", "Số quyết định công nhận": "41-QĐ/ĐU"})
        case.refresh_from_db()
        member.refresh_from_db()
        assert case.stage == Stage.FULL
        assert member.status == Status.FULL and member.confirmation_date == date(2027, 3, 16)
        probation = Deadline.objects.get(member=member, kind="probation.confirmation")
        assert probation.state == State.MET and probation.met_on == date(2027, 3, 18)
        with page.expect_download() as dl:
            page.locator("[data-paper='15-KND-pdf']").click()
        text = flat(pdf_text(open(dl.value.path(), "rb").read()))
        assert "Mẫu 15-KNĐ" in text and "Công nhận đảng viên chính thức từ ngày: 16/03/2027" in text
        shot(page, "05-full-member", full_page=True)
        page.goto(f"{base}/admission/thong-ke/")
        assert page.locator("svg.chart rect").count() >= 2
        assert page.locator("tr[data-year='2026'] td").nth(1).inner_text() == "1"
        assert page.locator("tr[data-year='2027'] td").nth(2).inner_text() == "1"
        shot(page, "06-stats", full_page=True)
        watch.assert_clean("secretary journey")
        context.close()

        # 8. The applicant (now a member) sees the outcome on her own page, on a phone.
        page = applicant_page
        page.goto(f"{base}/dossier/")
        assert "Bạn đã là đảng viên chính thức." in page.locator("[data-expected]").inner_text()
        assert "16/03/2027" in page.inner_text("main")
        assert_fits_the_screen(page)
        shot(page, "07-applicant-full", full_page=True)
        page.context.close()
