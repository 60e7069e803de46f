"""The meetings journey in a real Chromium.

France's secretary plans this month's regular meeting of the embassy cell (local time, Paris),
attaches the draft resolution, sends the notice and opens the meeting; the members check in (the
plain member online, from a phone); a secret ballot runs: the secretary and the member vote online
(each gets a receipt), the paper totals of the room are entered, and the result appears only at
the close; the meeting ends, the minutes are drafted from the record, approved and locked, and the
PDF is served; the member checks the receipt. Screenshots go to test-artifacts/meetings-*.png.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
CSP_WORDS = ("Content Security Policy", "Refused to")


def sign_in(browser, base, username, totp_now, viewport):
    from chibo.accounts.models import User
    from chibo.demo.builder import DEMO_PASSWORD

    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Mã xác thực").fill(totp_now(User.objects.get(username=username)))
    page.locator("#mfa-form").get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/")
    return context, page, console


def no_csp_errors(console):
    bad = [m for m in console if any(w in m for w in CSP_WORDS) or m.startswith("error")]
    assert not bad, bad


def test_secretary_runs_a_meeting_with_a_secret_ballot_and_approved_minutes(browser, demo_org, totp_now, artifacts):
    from chibo.accounts.models import User
    from chibo.meetings.models import Ballot, BallotVoter, Meeting, MinutesState
    from chibo.members.models import Member, Status
    from chibo.units.models import Unit

    base = demo_org.url
    cell = Unit.objects.get(code="PHAP-DSQ")
    secretary_member = User.objects.get(username="bithu.phap").member
    plain_member = User.objects.get(username="dangvien.phap").member
    others = list(Member.objects.filter(unit=cell, status=Status.FULL)
                  .exclude(pk__in=[secretary_member.pk, plain_member.pk]).order_by("pk"))
    assert len(others) >= 4
    in_room, excused = others[:3], others[3]
    today_paris = datetime.now(ZoneInfo("Europe/Paris")).date()

    def shot(page, name):
        page.screenshot(path=artifacts / f"meetings-{name}.png", full_page=True)

    sec_ctx, sec, sec_console = sign_in(browser, base, "bithu.phap", totp_now, DESKTOP)
    mem_ctx = None
    try:
        # 1. Plan the meeting: the form speaks the cell's local time.
        sec.get_by_role("navigation").get_by_role("link", name="Sinh hoạt", exact=True).click()
        sec.wait_for_url("**/meetings/")
        shot(sec, "00-list")
        sec.get_by_role("link", name="Lên lịch cuộc họp").click()
        sec.locator("select[name=unit]").select_option(str(cell.pk))
        sec.locator("select[name=kind]").select_option("regular")
        sec.get_by_label("Tiêu đề").fill(f"Sinh hoạt chi bộ thường kỳ tháng {today_paris:%m/%Y}")
        sec.get_by_label("Ngày họp").fill(f"{today_paris:%d/%m/%Y}")
        sec.get_by_label("Giờ bắt đầu (giờ địa phương)").fill("18:30")
        sec.get_by_label("Thời lượng dự kiến (phút)").fill("120")
        sec.get_by_label("Địa điểm").fill("Phòng họp Đại sứ quán, Paris")
        sec.get_by_label("Đường dẫn họp trực tuyến").fill("https://hop.example.vn/chibo-dsq")
        sec.get_by_label("Chương trình").fill("1. Kiểm điểm công tác tháng\n2. Bầu tổ trưởng tổ đảng")
        sec.get_by_label("Dự thảo nghị quyết").fill("Chi bộ thống nhất phương hướng công tác tháng tới.")
        shot(sec, "01-plan")
        sec.get_by_role("button", name="Lên lịch").click()
        sec.wait_for_url(re.compile(r".*/meetings/\d+/$"))
        meeting = Meeting.objects.get(unit=cell, title__startswith="Sinh hoạt chi bộ thường kỳ tháng")
        assert meeting.time_zone == "Europe/Paris"
        assert meeting.starts_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "18:30"
        expect(sec.locator("#when")).to_contain_text(f"{today_paris:%d/%m/%Y}")
        expect(sec.locator("#when")).to_contain_text("18:30")
        expect(sec.locator("#warnings")).to_contain_text("Chưa gửi thông báo")

        # 2. Attach the draft resolution (unclassified), send the notice.
        sec.get_by_text("Đính kèm tài liệu").click()
        sec.get_by_label("Tên tài liệu").fill("Dự thảo nghị quyết tháng")
        sec.locator("#doc_file").set_input_files(files=[{"name": "du-thao.pdf", "mimeType": "application/pdf",
                                                          "buffer": b"%PDF-1.4\n% du thao nghi quyet\n"}])
        sec.get_by_label("Tôi xác nhận tài liệu không thuộc danh mục bí mật nhà nước").check()
        sec.get_by_role("button", name="Đính kèm", exact=True).click()
        expect(sec.locator("#documents")).to_contain_text("Dự thảo nghị quyết tháng")
        sec.locator("#send-notice").click()
        expect(sec.locator(".messages")).to_contain_text("Đã gửi thông báo")
        expect(sec.locator("#warnings")).not_to_contain_text("Chưa gửi thông báo")
        shot(sec, "02-planned")

        # 3. Open the meeting; the secretary checks in in the room.
        sec.locator("#open-meeting").click()
        expect(sec.locator("#state")).to_have_text("Đang họp")
        sec.get_by_role("button", name="Tôi có mặt tại phòng họp").click()
        expect(sec.locator("#check-in")).to_contain_text("Có mặt trực tiếp")

        # 4. The member, on a phone, joins online.
        mem_ctx, mem, mem_console = sign_in(browser, base, "dangvien.phap", totp_now, PHONE)
        mem.goto(f"{base}/meetings/")
        mem.locator(f"#upcoming tr[data-meeting='{meeting.pk}'] a").click()
        mem.get_by_role("button", name="Tôi tham gia trực tuyến").click()
        expect(mem.locator("#check-in")).to_contain_text("Có mặt trực tuyến")
        assert mem.locator("#attendance").count() == 0  # the sheet is the secretary's
        shot(mem, "03-member-checked-in-phone")

        # 5. The secretary records the rest: three in the room, one excused with an accepted reason.
        sec.reload()
        for m in in_room:
            sec.locator(f"select[name=presence_{m.pk}]").select_option("in_person")
        sec.locator(f"select[name=presence_{excused.pk}]").select_option("excused")
        sec.locator(f"input[name=reason_{excused.pk}]").fill("Đi công tác tại Lyon")
        sec.locator(f"input[name=approved_{excused.pk}]").check()
        sec.locator("#save-attendance").click()
        expect(sec.locator(".messages")).to_contain_text("Đã ghi điểm danh")
        rolls = Member.objects.filter(unit=cell, status__in=["full", "exempt", "suspended"]).count()
        left_out = Member.objects.filter(unit=cell, status__in=["exempt", "suspended"]).count() + 1
        headcount = rolls - left_out
        expect(sec.locator("[data-field=headcount]")).to_have_text(str(headcount))
        shot(sec, "04-attendance")

        # 6. A secret ballot: eligible list fixed at opening (the five present full members).
        sec.get_by_text("Thêm nội dung biểu quyết").click()
        sec.get_by_label("Nội dung biểu quyết").fill("Bầu đồng chí tổ trưởng tổ đảng")
        sec.get_by_label("Bỏ phiếu kín").check()
        sec.get_by_role("button", name="Thêm", exact=True).click()
        # Before opening, the page says how many eligible voters a secret ballot needs and how many are here.
        expect(sec.locator("[data-field=ballot-needs]")).to_contain_text("cần ít nhất 3")
        expect(sec.locator("[data-field=ballot-needs]")).to_contain_text("hiện có 5")
        sec.get_by_role("button", name="Mở bỏ phiếu kín").click()
        expect(sec.locator("[data-field=ballot-state]")).to_contain_text("0/5")

        # The secretary votes online and gets a receipt; so does the member.
        sec.locator("form.vote").get_by_role("button", name="Tán thành", exact=True).click()
        sec_code = sec.locator("#receipt-code").inner_text().strip()
        assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", sec_code)
        shot(sec, "05-receipt")
        mem.reload()
        shot(mem, "06-member-ballot-phone")
        mem.locator("form.vote").get_by_role("button", name="Không tán thành", exact=True).click()
        mem_code = mem.locator("#receipt-code").inner_text().strip()
        assert mem_code != sec_code
        mem.goto(f"{base}/meetings/{meeting.pk}/")
        expect(mem.locator("[data-resolution]")).to_contain_text("Đồng chí đã bỏ phiếu.")
        # Results stay hidden while the ballot runs.
        sec.goto(f"{base}/meetings/{meeting.pk}/")
        expect(sec.locator("[data-field=ballot-state]")).to_contain_text("2/5")
        assert sec.locator("[data-field=result]").count() == 0

        # 7. Paper totals of the three in the room, then the close: 1 + 2 for, 1 + 1 against.
        sec.get_by_text("Nhập kết quả kiểm phiếu giấy").click()
        paper = sec.locator("form.paper")
        paper.locator("input[name=votes_for]").fill("2")
        paper.locator("input[name=votes_against]").fill("1")
        paper.locator("input[name=votes_abstain]").fill("0")
        paper.locator("input[name=invalid]").fill("0")
        paper.get_by_role("button", name="Lưu phiếu giấy").click()
        expect(sec.locator(".messages")).to_contain_text("Đã nhập kết quả kiểm phiếu giấy")
        sec.locator("button.close-ballot").click()
        needed = headcount // 2 + 1
        passed = 3 >= needed
        result = sec.locator("[data-field=result]")
        expect(result).to_contain_text("THÔNG QUA" if passed else "KHÔNG THÔNG QUA")
        expect(result).to_contain_text("tán thành 3, không tán thành 2, không biểu quyết 0")
        expect(result).to_contain_text(f"cần ít nhất {needed}/{headcount}")
        expect(sec.locator("[data-field=ballot-totals]")).to_contain_text("Phiếu trực tuyến 2, phiếu giấy 3")
        shot(sec, "07-ballot-result")
        # Who voted is known, how they voted is not: the slips carry no voter.
        box = meeting.resolutions.get().box
        assert set(BallotVoter.objects.filter(box=box, voted=True).values_list("member_id", flat=True)) == {
            secretary_member.pk, plain_member.pk}
        assert Ballot.objects.filter(box=box).count() == 2 and (box.online_for, box.online_against) == (1, 1)

        # 8. End the meeting, record the discussion, draft the minutes from the record, approve and lock them.
        sec.locator("#close-meeting").click()
        expect(sec.locator("#state")).to_have_text("Đã họp")
        sec.get_by_label("Diễn biến, ý kiến thảo luận").fill("Các đồng chí thảo luận phương hướng công tác tháng tới.")
        sec.get_by_label("Kết luận của chủ trì").fill("Chi bộ thống nhất phương hướng công tác tháng tới.")
        sec.get_by_role("button", name="Lưu nội dung").click()
        sec.locator("#draft-minutes").click()
        text = sec.get_by_label("Biên bản")
        expect(text).to_contain_text("I. ĐIỂM DANH")
        expect(text).to_contain_text("Thời gian bắt đầu:")
        expect(text).to_contain_text("đảng viên chính thức và")
        expect(text).to_contain_text("Bầu đồng chí tổ trưởng tổ đảng (bỏ phiếu kín): tán thành 3")
        text.fill(text.input_value() + "\nChi bộ nhất trí với phương hướng công tác tháng tới.")
        sec.get_by_role("button", name="Lưu biên bản").click()
        sec.locator("#approve-minutes").click()
        expect(sec.locator("#minutes")).to_contain_text("Đã thông qua")
        expect(sec.locator(".minutes-text")).to_contain_text("Chi bộ nhất trí với phương hướng")
        assert sec.get_by_role("button", name="Lưu biên bản").count() == 0  # locked
        meeting.refresh_from_db()
        assert meeting.minutes_state == MinutesState.APPROVED
        shot(sec, "08-minutes-approved")
        pdf = sec.request.get(f"{base}/meetings/{meeting.pk}/minutes/")
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        from chibo.core.documents import pdf_text

        minutes = " ".join(pdf_text(pdf.body()).split())
        assert "BIÊN BẢN" in minutes and f"Số {meeting.minutes_number}-BB/CB" in minutes
        assert "THƯ KÝ" in minutes and "CHỦ TRÌ" in minutes
        assert minutes.split("THƯ KÝ")[0].count(plain_member.full_name) == 1  # the attendance once
        docx = sec.request.get(f"{base}/meetings/{meeting.pk}/minutes/?doc=resolution&fmt=docx")
        assert docx.status == 200 and docx.body()[:2] == b"PK"

        # 9. The member checks the receipt against the counted ballots and reads the minutes.
        mem.goto(f"{base}/meetings/{meeting.pk}/")
        mem.locator("input[name=receipt]").fill(mem_code)
        mem.get_by_role("button", name="Kiểm tra").click()
        expect(mem.locator("#receipt-result")).to_have_text("Phiếu có mã này đã được tính.")
        expect(mem.locator("#minutes")).to_contain_text("Biên bản PDF")
        shot(mem, "09-member-receipt-phone")
        width = mem.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        no_csp_errors(sec_console)
        no_csp_errors(mem_console)
    finally:
        sec_ctx.close()
        if mem_ctx is not None:
            mem_ctx.close()
