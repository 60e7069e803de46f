"""The transfer journey in a real Chromium: a member is posted to Paris.

The domestic letter arrives at the upper committee (ban.tochuc registers it and forwards the member
to the Paris organization with a 3-SHĐ letter, downloaded as PDF and read back); the secretary in
France (bithu.phap) records the receipt and the member reporting in 34 days after the letter (late:
the rule gives 30 days, so a reason is asked for and the late flag shows); three years later the
member files the self-review of the time abroad, the mission certifies it, and the cell introduces
the member home with a 10-box letter (DOCX read back). The member's timeline shows the whole chain.
The clock is moved with CHIBO_TODAY, never by sleeping. Screenshots: test-artifacts/transfers-*.png.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MEMBER = "Lê Văn Đông"


@pytest.fixture
def posted_member(demo_org):
    from chibo.accounts.models import User
    from chibo.core.access import actor_from_user
    from chibo.members.models import Category, Status
    from chibo.members.services import member_create
    from chibo.units.models import Unit

    officer = actor_from_user(User.objects.get(username="ban.tochuc"), ip="127.0.0.1")
    with override_settings(CHIBO_TODAY=date(2026, 4, 6)):
        # The upper committee opens the record from the dossier that came with the letter.
        member = member_create(actor=officer, unit=Unit.objects.get(code="DUBNG"), status=Status.FULL,
                             full_name=MEMBER, gender="M", birth_date=date(1986, 5, 12), home_town="Thái Bình",
                             admission_date=date(2011, 3, 26), confirmation_date=date(2012, 3, 26),
                             card_number="01088123", dossier_number="TB011234", category=Category.MISSION_STAFF,
                             job_title="Bí thư thứ nhất", abroad_from=date(2026, 5, 1))
    return demo_org.url, member


class Watch:
    def __init__(self, context):
        self.problems: list[str] = []
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" or "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def sign_in(page, base, username, totp_now):
    from chibo.accounts.models import User
    from chibo.demo.builder import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Mã xác thực").fill(totp_now(User.objects.get(username=username)))
    page.locator("#mfa-form").get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/")


def fits_the_screen(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def test_member_posted_to_paris_reports_late_serves_and_returns(browser, posted_member, totp_now, artifacts):
    from chibo.core.documents import docx_text, pdf_text
    from chibo.members.models import Member, TimelineEvent
    from chibo.transfers.models import Letter, State, Transfer
    from chibo.units.models import Unit

    base, live = posted_member
    paris = Unit.objects.get(code="PHAP-DSQ")

    def shot(page, name, **kw):
        page.screenshot(path=artifacts / f"transfers-{name}.png", full_page=True, **kw)

    # -- 1. The upper committee receives the domestic letter and forwards the member to Paris --------
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    with override_settings(CHIBO_TODAY=date(2026, 4, 6)):
        sign_in(page, base, "ban.tochuc", totp_now)
        page.goto(f"{base}/transfers/member/{live.pk}/")
        expect(page.locator("h1")).to_contain_text(MEMBER)
        expect(page.locator("body")).to_contain_text("đảng viên đơn lẻ do Đảng ủy cấp trên trực tiếp quản lý")
        page.get_by_role("link", name="Tiếp nhận giấy giới thiệu từ trong nước").click()
        page.get_by_label("Tổ chức đảng nơi đi").select_option(label="Đảng bộ Vụ Châu Âu")
        page.get_by_label("Số giấy giới thiệu của nơi đi").fill("45-GGT/ĐU")
        page.get_by_label("Ngày ghi trên giấy giới thiệu").fill("01/04/2026")
        page.get_by_label("Số quyết định cử đi công tác").fill("1234/QĐ-BNG")
        page.get_by_label("Ngày quyết định").fill("20/03/2026")
        # The whole tree lies under the upper committee: the unit picker is a search box, answers are radios.
        page.get_by_label("Giới thiệu đến").fill(paris.code)
        page.locator(f'input[type=radio][name=to_unit][value="{paris.pk}"]').check()
        page.locator("input[name=reason]").fill("Nhiệm kỳ công tác tại Đại sứ quán Việt Nam tại Pháp")
        shot(page, "01-incoming-form")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("[data-state]")).to_have_text("Đã cấp giấy giới thiệu")
        expect(page.locator("[data-field=destination]")).to_have_text(paris.name)
        forward = page.locator("#act-forward")
        forward.get_by_label("Họ tên người ký").fill("Trần Quốc Bảo")
        forward.get_by_label("Chức vụ người ký").fill("Phó Bí thư")
        forward.get_by_label("Đã đóng đảng phí đến hết tháng (mm/yyyy)").fill("03/2026")
        forward.get_by_role("button", name="Giới thiệu tiếp đến nơi đến").click()
        expect(page.locator("[data-state]")).to_have_text("Đảng ủy cấp trên đã giới thiệu tiếp")
        expect(page.locator("[data-field=report_due]")).to_have_text("06/05/2026")  # 30 days, from the rulebook
        shot(page, "02-forwarded")
        letter = Letter.objects.get(member=live, form="3-SHD")
        with page.expect_download() as download:
            page.locator(f"[data-letter='{letter.number}']").get_by_role("link", name="PDF").click()
        text = " ".join(pdf_text(open(download.value.path(), "rb").read()).split())
        for expected in ("GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG RA NƯỚC NGOÀI", "Mẫu 3-SHĐ", MEMBER, "01088123",
                         "TB011234", "Đã đóng đảng phí đến hết tháng: 03/2026", f"Kính gửi: {paris.name}",
                         "T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Trần Quốc Bảo", f"Số {letter.number}"):
            assert expected in text, expected
    assert not watch.problems, watch.problems
    context.close()

    # -- 2. Paris records the receipt and the member reporting in, late -----------------------------
    context = browser.new_context(viewport=PHONE, locale="vi-VN", accept_downloads=True)
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    transfer = Transfer.objects.get(member=live, kind="abroad")
    with override_settings(CHIBO_TODAY=date(2026, 5, 7)):
        sign_in(page, base, "bithu.phap", totp_now)
        page.get_by_role("navigation").get_by_role("link", name="Chuyển sinh hoạt").click()
        page.get_by_role("link", name=MEMBER).click()
        expect(page.locator("[data-late=overdue]")).to_be_visible()
        page.locator("#act-receive").locator("input[name=on]").fill("04/05/2026")
        page.locator("#act-receive").get_by_role("button").click()
        expect(page.locator("[data-state]")).to_have_text("Nơi đến đã nhận giấy")
        report = page.locator("#act-report")
        report.locator("input[name=on]").fill("07/05/2026")
        report.get_by_role("button").click()
        expect(page.locator(".errorlist, .error, [role=alert]").first).to_contain_text("Quá hạn xuất trình")
        shot(page, "03-late-needs-reason")
        page.get_by_label("Lý do chậm (nếu quá hạn)").fill("Chờ cấp thị thực của nước sở tại")
        report.get_by_role("button", name="Đảng viên đã đến sinh hoạt").click()
        expect(page.locator("[data-late=report]")).to_have_text("Đến sinh hoạt chậm")
        expect(page.locator("[data-field=reported_on]")).to_contain_text("Chờ cấp thị thực")
        fits_the_screen(page)
        shot(page, "04-reported-late-phone")
    transfer.refresh_from_db()
    assert transfer.state == State.REPORTED and transfer.late_report
    assert Member.objects.get(pk=live.pk).unit == paris

    # -- 3. Three years later: certified self-review, reintroduction home ---------------------------
    with override_settings(CHIBO_TODAY=date(2029, 4, 16)):
        page.goto(f"{base}/transfers/member/{live.pk}/")
        expect(page.locator("[data-field=unit]")).to_have_text(paris.name)
        page.get_by_role("link", name="Nộp tự kiểm điểm thời gian ở nước ngoài").click()
        page.get_by_label("Ở nước ngoài từ ngày").fill("07/05/2026")
        page.get_by_label("Đến ngày").fill("15/04/2029")
        page.get_by_label("Tự kiểm điểm thời gian ở nước ngoài").fill(
            "Trong thời gian công tác tại Pháp, tôi hoàn thành tốt nhiệm vụ, chấp hành nghiêm kỷ luật của Đảng.")
        page.get_by_role("button", name="Lưu").click()
        review = page.locator(".review").first
        review.get_by_label("Xác nhận bởi").select_option("mission")
        review.get_by_label("Tên tổ chức / cơ quan xác nhận").fill("Đại sứ quán Việt Nam tại Pháp")
        review.get_by_label("Ngày xác nhận").fill("16/04/2029")
        review.get_by_label("Số văn bản xác nhận").fill("88/ĐSQ-CT")
        review.get_by_role("button", name="Xác nhận").click()
        expect(page.locator("[data-field=certified]")).to_contain_text("Đại sứ quán Việt Nam tại Pháp")
        shot(page, "05-review-certified")
        # The transfers page starts it: find the member by name without diacritics, choose the kind by its words.
        page.get_by_role("navigation").get_by_role("link", name="Chuyển sinh hoạt").click()
        page.get_by_label("Đảng viên", exact=True).fill("le van dong")
        page.locator("#start").get_by_role("button", name="Tìm").click()
        page.locator(f"[data-member='{live.pk}']").get_by_role("link", name="Chuyển sinh hoạt").click()
        page.get_by_role("radio", name="Về nước, giới thiệu về tổ chức đảng trong nước").check()
        page.get_by_label("Nơi đến ngoài Đảng bộ (danh mục tổ chức)").select_option(label="Đảng bộ Vụ Châu Âu")
        page.get_by_label("Số quyết định điều động").fill("560/QĐ-BNG")
        page.get_by_label("Ngày quyết định").fill("01/04/2029")
        page.get_by_role("button", name="Lưu").click()  # no reason yet: refused, and nothing typed is lost
        expect(page.locator(".errorlist").first).to_be_visible()
        expect(page.get_by_role("radio", name="Về nước, giới thiệu về tổ chức đảng trong nước")).to_be_checked()
        expect(page.get_by_label("Số quyết định điều động")).to_have_value("560/QĐ-BNG")
        expect(page.locator("h1")).to_contain_text(MEMBER)
        page.locator("input[name=reason]").fill("Hết nhiệm kỳ, về nước nhận công tác")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("[data-state]")).to_have_text("Đã đề nghị")
        expect(page.locator("[data-steps=done]")).not_to_contain_text("đồng ý")  # not before it happened
        expect(page.locator("[data-steps=to_come] [data-step=approve]")).to_be_visible()
        page.locator("#act-approve").get_by_role("button").click()
        expect(page.locator("[data-steps=done] [data-step=approve]")).to_be_visible()
        issue = page.locator("#act-issue")
        expect(issue.get_by_label("Họ tên người ký")).not_to_have_value("")  # the sitting secretary
        issue.get_by_label("Đã đóng đảng phí đến hết tháng (mm/yyyy)").fill("03/2029")
        issue.get_by_role("button").click()
        expect(page.locator("[data-state]")).to_have_text("Đã cấp giấy giới thiệu")
        home = Letter.objects.get(member=live, form="10box")
        with page.expect_download() as download:
            page.locator(f"[data-letter='{home.number}']").get_by_role("link", name="DOCX").click()
        text = " ".join(docx_text(open(download.value.path(), "rb").read()).split())
        for expected in ("GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "ô số 1", MEMBER, "Kính gửi: Đảng bộ Vụ Châu Âu",
                         "Đã đóng đảng phí đến hết tháng: 03/2029", "T/M CHI ỦY", f"Số {home.number}",
                         "Quyết định điều động: 560/QĐ-BNG ngày 01/04/2029"):
            assert expected in text, expected
        page.locator("#act-receive").get_by_role("button").click()
        page.locator("#act-report").get_by_role("button").click()
        expect(page.locator("[data-state]")).to_have_text("Đảng viên đã đến sinh hoạt")
        shot(page, "06-returned-home")
        page.goto(f"{base}/members/{live.pk}/")
        timeline = page.locator("#timeline")
        for text in ("Tiếp nhận giấy giới thiệu: Giấy số 45-GGT/ĐU", "giới thiệu đến", "Đến sinh hoạt tại",
                     "chậm so với hạn 06/05/2026", "Bản tự kiểm điểm được xác nhận: Đại sứ quán Việt Nam tại Pháp",
                     "Đã đến sinh hoạt tại Đảng bộ Vụ Châu Âu"):
            expect(timeline).to_contain_text(text)
        fits_the_screen(page)
        shot(page, "07-timeline-phone")
    assert not watch.problems, watch.problems
    steps = [e.kind for e in TimelineEvent.objects.filter(member=live, kind__startswith="transfer.").order_by("pk")]
    assert steps == ["transfer.incoming", "transfer.forwarded", "transfer.received", "transfer.reported",
                     "transfer.return_review", "transfer.return_review_certified",
                     "transfer.requested", "transfer.approved", "transfer.letter_issued", "transfer.received",
                     "transfer.reported"]
    context.close()
