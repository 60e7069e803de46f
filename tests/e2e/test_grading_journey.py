"""The yearly review from an empty install, in a real Chromium: ``chibo setup`` creates the top unit and its
officer, who founds France's party organization and a cell on the pages; thirty members come in with ``chibo
import``, one of them a self-funded student (form 2C). The officer opens the year's review for France on the
grading page. The student, invited from the command line, fills form 2C on a phone: saves a draft, is refused
"excellent" while a task is late (the rule named beside the field), then submits. The officer plans the cell's
meeting, opens it and takes the attendance; the cell's vote on the student's grade is recorded against the
meeting's headcount (a count above the members present is refused); the committee appraises and decides. The
printed form is read whole; the upper committee's summary, chart and XLSX agree with the decision; the decision is
on the member's timeline. Screenshots: test-artifacts/grading-*.png.
"""

from __future__ import annotations

import io
import re
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_first_day_journey import activate, install_france, mailed_link, members_sheet
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e


def _student_sheet(cell_code: str) -> bytes:
    """The thirty members of the first-day sheet, the fourth a self-funded student abroad."""
    book = load_workbook(BytesIO(members_sheet(cell_code)))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=5, column=headers.index("Diện ở nước ngoài") + 1, value="Lưu học sinh tự túc")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_yearly_review_from_an_empty_install(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.core import clock
    from chibo.core.documents import pdf_text
    from chibo.grading.models import Period, Review
    from chibo.members.models import Member
    from chibo.units.models import Unit

    assert not Unit.objects.exists()
    base = empty_install.url
    today = clock.today()

    def shot(page, name):
        page.screenshot(path=artifacts / f"grading-{name}.png", full_page=True)

    # 1. The install, its officer, France and a cell, thirty members (one of them a student).
    setup = install_france(browser, base, tmp_path, _student_sheet("PHAP-DSQ"))
    officer, watch, france, cell = setup.officer, setup.watch, setup.france, setup.cell
    members = list(Member.objects.filter(unit=cell).order_by("pk"))
    assert len(members) == 30
    student = Member.objects.get(unit=cell, category="self_student")

    # 2. The officer opens the year's review for France on the grading page.
    officer.get_by_role("navigation").get_by_role("link", name="Kiểm điểm", exact=True).click()
    expect(officer.locator("#periods")).to_contain_text("Chưa có kỳ kiểm điểm nào")
    form = officer.locator("#open form")
    form.locator("select[name=unit]").select_option(str(france.pk))
    form.get_by_label("Kỳ kiểm điểm").select_option("year")
    form.locator("input[name=year]").fill(str(today.year))
    form.get_by_role("button", name="Mở kỳ kiểm điểm").click()
    expect(officer.locator(".messages")).to_contain_text("30 đảng viên, 1 tổ chức")
    period = Period.objects.get()
    review = Review.objects.get(period=period, member=student)
    assert review.form == "2C" and Review.objects.filter(period=period, form="2A").count() == 29
    expect(officer.locator(f"#board tr[data-unit='{cell.code}'] td[data-state='pending']")).to_have_text("30")
    shot(officer, "01-period")

    # 3. The student is invited from the command line and fills form 2C on a phone.
    call_command("accounts", "invite-member", str(student.pk), stdout=io.StringIO())
    phone_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    phone_watch = PageWatch(phone_ctx)
    mine = activate(phone_ctx, base, mailed_link(mailoutbox, student.email))
    mine.goto(f"{base}/grading/")
    mine.locator(f"tr[data-review='{review.pk}'] a").click()
    expect(mine.locator("[data-field=form]")).to_contain_text("Mẫu 2C")
    self_form = mine.locator("#self form")
    labels = ["Tư tưởng chính trị", "Phẩm chất đạo đức, lối sống", "Ý thức tổ chức kỷ luật",
              "Kết quả học tập, lao động, công việc", "Thực hiện nhiệm vụ đảng viên được chi bộ phân công",
              "Gương mẫu chấp hành pháp luật nước sở tại"]
    points = [9, 9, 9, 36, 18, 9]  # 27 + 63 = 90
    self_form.get_by_label(labels[0]).fill("9")
    self_form.get_by_label("Ưu điểm").fill("Học tập đạt kết quả giỏi; tham gia đầy đủ sinh hoạt chi bộ.")
    self_form.get_by_role("button", name="Lưu bản nháp").click()
    expect(mine.locator(".messages")).to_contain_text("Đã lưu bản nháp")
    expect(mine.locator("#self form").get_by_label(labels[0])).to_have_value("9")
    self_form = mine.locator("#self form")
    for label, value in zip(labels, points, strict=True):
        self_form.get_by_label(label).fill(str(value))
    self_form.get_by_label("Hoàn thành mọi nhiệm vụ đúng tiến độ").select_option("no")
    self_form.get_by_label("Tỷ lệ nhiệm vụ hoàn thành vượt yêu cầu (%)").fill("40")
    self_form.get_by_label("Tự nhận mức xếp loại").select_option("excellent")
    self_form.get_by_role("button", name="Nộp bản tự đánh giá").click()
    refused = mine.locator("#self form")
    expect(refused).to_contain_text(
        "cần hoàn thành mọi nhiệm vụ đúng tiến độ («Khung điểm mức hoàn thành xuất sắc nhiệm vụ»")
    assert Review.objects.get(pk=review.pk).state == "pending"
    shot(mine, "02-refused")
    refused.get_by_label("Hoàn thành mọi nhiệm vụ đúng tiến độ").select_option("yes")
    refused.get_by_role("button", name="Nộp bản tự đánh giá").click()
    expect(mine.locator(".messages")).to_contain_text("Đã nộp bản tự đánh giá")
    expect(mine.locator("[data-field=score]")).to_have_text("90")
    expect(mine.locator("[data-field=state]")).to_contain_text("chờ chi bộ biểu quyết")
    assert_fits_the_screen(mine)
    shot(mine, "03-submitted")

    # 4. The cell meets: the officer plans the meeting, opens it and takes the attendance in one tap.
    officer.goto(f"{base}/meetings/new/")
    officer.locator("select[name=unit]").select_option(str(cell.pk))
    officer.locator("select[name=kind]").select_option("regular")
    officer.get_by_label("Tiêu đề").fill(f"Kiểm điểm, xếp loại đảng viên năm {today.year}")
    officer.get_by_label("Ngày họp").fill(f"{today:%d/%m/%Y}")
    officer.get_by_label("Giờ bắt đầu (giờ địa phương)").fill("18:30")
    officer.get_by_label("Thời lượng dự kiến (phút)").fill("120")
    officer.get_by_label("Địa điểm").fill("Phòng họp Đại sứ quán, Paris")
    officer.get_by_role("button", name="Lên lịch").click()
    officer.locator("#open-meeting").click()
    officer.locator("#all-present").click()  # nobody marked absent: one tap records the thirty present
    expect(officer.locator("#attendance")).to_contain_text("30 có mặt")

    # 5. The cell's vote on the student's grade: the denominator is the meeting's headcount.
    officer.goto(f"{base}/grading/periods/{period.pk}/?unit={cell.pk}")
    expect(officer.locator(f"#reviews tr[data-review='{review.pk}']")).to_contain_text("Đã nộp")
    officer.locator(f"#reviews tr[data-review='{review.pk}'] a").click()
    vote = officer.locator("#act-cell_vote form")
    expect(vote.get_by_label("Tổng điểm")).to_have_value("90")
    expect(vote.locator("select[name=grade]")).to_have_value("excellent")
    vote.get_by_label("Số phiếu tán thành mức xếp loại").fill("31")
    vote.get_by_label("Số phiếu không tán thành").fill("0")
    vote.get_by_label("Ý kiến nhận xét của chi bộ").fill("Đồng chí gương mẫu, học tập tốt, giữ liên hệ với chi bộ.")
    vote.get_by_role("button", name="Chi bộ nhận xét, biểu quyết").click()
    expect(officer.locator("#act-cell_vote")).to_contain_text("vượt số đảng viên chính thức có mặt có quyền biểu "
                                                             "quyết (30)")
    vote = officer.locator("#act-cell_vote form")
    vote.get_by_label("Số phiếu tán thành mức xếp loại").fill("28")
    vote.get_by_label("Số phiếu không tán thành").fill("2")
    vote.get_by_role("button", name="Chi bộ nhận xét, biểu quyết").click()
    expect(officer.locator(".messages")).to_contain_text("Đã ghi kết quả biểu quyết")
    expect(officer.locator("[data-field=cell_vote]")).to_contain_text(
        "28/30 đảng viên chính thức được triệu tập tán thành, 2 không tán thành (cần 16)")

    # 6. France's committee appraises and decides.
    appraise = officer.locator("#act-appraise form")
    expect(appraise.locator("select[name=grade]")).to_have_value("excellent")
    appraise.get_by_label("Ý kiến thẩm định của cấp ủy").fill("Nhất trí với đề nghị của chi bộ.")
    appraise.get_by_role("button", name="Cấp ủy thẩm định").click()
    expect(officer.locator(".messages")).to_contain_text("Đã ghi ý kiến thẩm định")
    decide = officer.locator("#act-decide form")
    decide.get_by_label("Số quyết định (thông báo) xếp loại").fill("05-TB/ĐU")
    decide.get_by_label("Ngày quyết định").fill(f"{today:%d/%m/%Y}")
    decide.get_by_role("button", name="Quyết định xếp loại").click()
    expect(officer.locator(".messages")).to_contain_text("Đã quyết định xếp loại")
    expect(officer.locator("[data-field=grade]")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    shot(officer, "04-decided")

    # 7. The printed form, read whole.
    paper = officer.request.get(f"{base}/grading/reviews/{review.pk}/paper/?format=pdf")
    assert paper.status == 200 and paper.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(paper.body()).split())
    for expected in ("Mẫu 2C", "BẢN KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN", student.full_name,
                     f"Kiểm điểm, xếp loại năm {today.year}", "Tổng cộng 100 90", "Tự nhận mức xếp loại: Hoàn thành "
                     "xuất sắc nhiệm vụ", "28/30 đảng viên chính thức được triệu tập tán thành, 2 không tán thành "
                     "(cần 16)", "Xếp loại: Hoàn thành xuất sắc nhiệm vụ (90 điểm)",
                     f"số 05-TB/ĐU ngày {today:%d/%m/%Y}", "CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN", "NGƯỜI TỰ KIỂM ĐIỂM"):
        assert expected in text, (expected, text)
    assert f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}" in text

    # 8. The upper committee's summary, chart and XLSX for France say the same.
    officer.goto(f"{base}/grading/periods/{period.pk}/?unit={france.pk}")
    first = officer.locator("#summary tbody tr").first
    expect(first).to_contain_text("toàn đơn vị")
    expect(first.locator("td[data-grade=excellent]")).to_have_text("1")
    expect(first.locator("td").nth(1)).to_have_text("30")
    expect(officer.locator(f"#chart svg g[data-unit='{cell.name}'] rect")).to_have_count(1)
    shot(officer, "05-summary")
    xlsx = officer.request.get(f"{base}/grading/periods/{period.pk}/summary.xlsx?unit={france.pk}")
    ws = load_workbook(BytesIO(xlsx.body())).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert rows[0][:7] == [f"{france.name} (toàn đảng bộ)", 30, 1, 0, 0, 0, 29]
    assert rows[1][:7] == [cell.name, 30, 1, 0, 0, 0, 29]
    assert all(sum(r[2:7]) == r[1] for r in rows)

    # 9. The grade is on the member's timeline.
    mine.goto(f"{base}/members/me/")
    expect(mine.locator("body")).to_contain_text("Quyết định xếp loại")
    expect(mine.locator("body")).to_contain_text("05-TB/ĐU")
    for w, where in ((watch, "the officer's pages"), (phone_watch, "the member's phone")):
        w.failed = [f for f in w.failed if not re.match(r"^4\d\d ", f)]  # the refused forms answer 400 on purpose
        w.assert_clean(where)
