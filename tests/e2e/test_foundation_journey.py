"""The foundation journey in a real Chromium.

The secretary of the organization in France signs in with password and TOTP, reads the dashboard,
searches "nguyen van" (htmx live search, diacritics-insensitive, scoped to France), opens a member,
edits the job title and sees the edit in the member's timeline; the same pages at a phone's width.
Every page is watched for Content-Security-Policy violations, script errors and failed requests.
Screenshots go to test-artifacts/foundation-*.png.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SECRETARY = "bithu.phap"
NEW_JOB = "Tham tán Công sứ, phụ trách lãnh sự"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
CSP_WORDS = ("Content Security Policy", "Refused to")

# Members of our own beside the demo's: the demo's Faker names rarely give a "Nguyễn Văn" in France.
# (unit code, full name, gender, job title, card number)
EXTRA_MEMBERS = [
    ("PHAP-DSQ", "Nguyễn Văn Hùng", "M", "Bí thư thứ hai", "2012051901"),
    ("PHAP-LHS", "Nguyễn Văn Thành", "M", "Nghiên cứu sinh", "2012051902"),
    ("PHAP-DSQ", "Nguyễn Thị Vân", "F", "Tùy viên", "2012051903"),  # "nguyen" and "van", ranked after
    ("DUC-DSQ", "Nguyễn Văn Phúc", "M", "Tham tán", "2012051904"),  # Germany: outside the secretary's scope
]


def fold(text: str) -> str:
    from chibo.core.text import fold as chibo_fold

    return chibo_fold(text)


@pytest.fixture
def journey_org(demo_org):
    from datetime import date

    from chibo.accounts.models import User
    from chibo.core.access import actor_from_user
    from chibo.members import services
    from chibo.members.models import Category, Education, Status, Theory
    from chibo.units.models import Unit

    officer = actor_from_user(User.objects.get(username="ban.tochuc"), ip="127.0.0.1")
    for i, (code, name, gender, job, card) in enumerate(EXTRA_MEMBERS):
        unit = Unit.objects.get(code=code)
        services.member_create(
            actor=officer, unit=unit, status=Status.FULL, full_name=name, gender=gender,
            birth_date=date(1988, 3, 14 + i), home_town="Nam Định", ethnicity="Kinh",
            education=Education.MASTER, political_theory=Theory.INTERMEDIATE, job_title=job,
            workplace=unit.mission_name or "Đại sứ quán", card_number=card, dossier_number=f"NG{card[-4:]}",
            admission_date=date(2012, 5, 19), confirmation_date=date(2013, 5, 19),
            category=Category.MISSION_STAFF, abroad_from=date(2024, 9, 1), abroad_to=date(2027, 8, 31),
            citizen_id=f"036{1 if gender == 'F' else 0}8800{1234 + i}",  # Nam Định, born 1988
            phone=f"+33 6 12 34 56 7{i}", email=f"nv{i}@example.vn",
        )
    return demo_org


class PageWatch:
    """Console messages, CSP violation reports, script errors and failed requests of a browser context."""

    def __init__(self, context):
        self.console: list[str] = []
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        context.expose_binding("__chiboCspViolation", lambda source, text: self.violations.append(text))
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.__chiboCspViolation("
            "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.documentURI));"
        )
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request):
        # The browser cancelling a request (net::ERR_ABORTED: a navigation started before the favicon or an image
        # arrived, a download handed over) is not a failure of the product; the server's errors arrive as
        # responses (above), refused connections and blocked loads as other net:: errors.
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} {request.url}")

    def csp_messages(self) -> list[str]:
        return [m for m in self.console if any(w in m for w in CSP_WORDS)] + self.violations

    def assert_clean(self, where: str):
        assert not self.csp_messages(), f"CSP violations on {where}: {self.csp_messages()}"
        assert not self.errors, f"script errors on {where}: {self.errors}"
        assert not self.failed, f"failed requests on {where}: {self.failed}"
        errors = [m for m in self.console if m.startswith("error")]
        assert not errors, f"console errors on {where}: {errors}"


def expected_scope():
    """What bithu.phap may see, computed from the database without the views: France's subtree."""
    from chibo.members.models import ACTIVE_STATUSES, Member
    from chibo.units.models import Unit

    france = Unit.objects.get(code="PHAP")
    units = Unit.objects.filter(path__startswith=france.path)
    members = Member.objects.filter(unit__in=units)
    by_status = {s: members.filter(status=s).count() for s in ACTIVE_STATUSES}
    return set(units.values_list("name", flat=True)), members, by_status


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def assert_fits_the_screen(page):
    """No horizontal scrolling: every element ends inside the viewport (names the ones that do not)."""
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
        ".map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id} ends at "
        "${Math.round(e.getBoundingClientRect().right)}px`)"
    )
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert not wide and width[0] <= width[1], (width, wide)


def test_secretary_signs_in_with_totp_finds_edits_and_sees_the_timeline(
    browser, journey_org, totp_now, artifacts
):
    from chibo.accounts.models import User
    from chibo.demo.builder import DEMO_PASSWORD
    from chibo.members.models import Member, TimelineEvent

    base = journey_org.url

    def shot(page, name, **kw):
        page.screenshot(path=artifacts / f"foundation-{name}.png", **kw)

    france_units, france_members, by_status = expected_scope()
    secretary = User.objects.get(username=SECRETARY)

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    watch = PageWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        # 1. Sign in: password first, in Vietnamese, inside chibo's layout.
        response = page.goto(f"{base}/accounts/login/")
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, csp
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("h1").inner_text() == "Đăng nhập"
        assert page.locator("header.top .brand").inner_text() == "chibo"
        assert page.locator("a[href*='signup']").count() == 0  # accounts are issued, not signed up for
        page.get_by_label("Tên đăng nhập").fill(SECRETARY)
        page.get_by_label("Mật khẩu").fill("not-the-password")
        page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
        assert page.get_by_label("Tên đăng nhập").input_value() == SECRETARY
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        shot(page, "01-login")
        page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()

        # 2. The second step asks for the TOTP code; nothing else is reachable yet.
        page.wait_for_url("**/accounts/2fa/authenticate/")
        assert page.locator("h1").inner_text() == "Xác thực hai lớp"
        assert page.locator("nav.nav").count() == 0  # not signed in yet: no navigation
        code = totp_now(secretary)
        page.get_by_label("Mã xác thực").fill("000000" if code != "000000" else "111111")
        page.locator("#mfa-form").get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_role("alert")).to_have_text("Mã xác thực không đúng.")
        assert page.url.endswith("/accounts/2fa/authenticate/")
        page.get_by_label("Mã xác thực").fill(totp_now(secretary))
        shot(page, "02-mfa")
        page.locator("#mfa-form").get_by_role("button", name="Xác nhận").click()

        # 3. The dashboard with the real counts of France's subtree.
        page.wait_for_url(f"{base}/")
        assert page.locator(".messages").inner_text().strip() == f"Đã đăng nhập với tài khoản {SECRETARY}."
        total = sum(by_status.values())
        assert total > 3  # the demo's members of France besides our three
        assert digits(page.locator("p.lead").inner_text()) == total
        for status, n in by_status.items():
            assert digits(page.locator(f"td[data-status='{status}']").inner_text()) == n, status
        assert page.locator("section.card", has_text="Theo quốc gia").locator("th").all_inner_texts() == ["Pháp"]
        shot(page, "03-dashboard", full_page=True)
        watch.assert_clean("sign-in and dashboard")

        # 4. Members → live search "nguyen van": diacritics-insensitive, France only, no page reload.
        page.get_by_role("navigation").get_by_role("link", name="Đảng viên", exact=True).click()
        page.wait_for_url("**/members/")
        assert digits(page.locator("#results > p.help").inner_text()) == france_members.count()
        page.evaluate("() => { window.__samePage = true; }")
        with page.expect_response(lambda r: query(r.url).get("q") == ["nguyen van"]
                                  and r.request.headers.get("hx-request") == "true"):
            page.locator("input[name=q]").press_sequentially("nguyen van", delay=20)
        expected = [m for m in france_members if "nguyen" in fold(m.full_name) and "van" in fold(m.full_name)]
        everywhere = Member.objects.filter(name_search__contains="nguyen").filter(name_search__contains="van")
        assert len(expected) >= 3 and everywhere.count() > len(expected)  # the scope really filters
        results = page.locator("#results")
        results.locator("p.help", has_text=re.compile(rf"^{len(expected)} đảng viên$")).wait_for()
        assert page.evaluate("() => window.__samePage === true")  # htmx swapped the results in place
        assert query(page.url).get("q") == ["nguyen van"]  # hx-push-url: the search is in the address bar
        rows = results.locator("tbody tr")
        names = rows.locator("td:nth-child(1)").all_inner_texts()
        units = rows.locator("td:nth-child(5)").all_inner_texts()
        assert sorted(names) == sorted(m.full_name for m in expected)
        assert set(units) <= france_units, set(units) - france_units
        assert "Nguyễn Văn Phúc" not in names  # Germany
        with_prefix = [n for n in names if n.startswith("Nguyễn Văn ")]
        assert {"Nguyễn Văn Hùng", "Nguyễn Văn Thành"} <= set(with_prefix)
        assert names[: len(with_prefix)] == with_prefix  # names starting "Nguyễn Văn" rank first
        shot(page, "04-search", full_page=True)

        # 5. Open a member.
        target = Member.objects.get(full_name="Nguyễn Văn Hùng")
        old_job = target.job_title
        results.get_by_role("link", name="Nguyễn Văn Hùng").click()
        page.wait_for_url(f"{base}/members/{target.pk}/")
        assert page.locator("h1").inner_text().startswith("Nguyễn Văn Hùng")
        record = page.locator("dl.record").first
        assert record.locator("dt", has_text="Chức vụ, nghề nghiệp").locator(
            "xpath=following-sibling::dd[1]").inner_text() == old_job
        shot(page, "05-member", full_page=True)

        # 6. Edit the job title.
        page.get_by_role("link", name="Sửa hồ sơ").click()
        page.wait_for_url(f"{base}/members/{target.pk}/edit/")
        assert page.locator("h1").inner_text() == "Sửa hồ sơ: Nguyễn Văn Hùng"
        job = page.get_by_label("Chức vụ, nghề nghiệp")
        assert job.input_value() == old_job
        job.fill(NEW_JOB)
        shot(page, "06-edit", full_page=True)
        page.get_by_role("button", name="Lưu").click()

        # 7. Saved: the message, the record and the timeline's "Cập nhật lý lịch" event.
        page.wait_for_url(f"{base}/members/{target.pk}/")
        assert page.locator(".messages").inner_text().strip() == "Đã lưu hồ sơ."
        assert record.locator("dt", has_text="Chức vụ, nghề nghiệp").locator(
            "xpath=following-sibling::dd[1]").inner_text() == NEW_JOB
        timeline = page.locator("section.card", has=page.get_by_role("heading", name="Quá trình (lý lịch)"))
        latest = timeline.locator("#timeline > li").first
        assert latest.get_attribute("data-kind") == "member.updated"
        text = latest.inner_text()
        assert "Cập nhật lý lịch" in text and NEW_JOB in text and old_job in text, text
        assert SECRETARY in text  # who made the change
        target.refresh_from_db()
        assert target.job_title == NEW_JOB
        event = TimelineEvent.objects.filter(member=target, kind="member.updated").get()
        assert SECRETARY in event.actor_label
        timeline.scroll_into_view_if_needed()
        shot(page, "07-timeline", full_page=True)
        timeline.screenshot(path=artifacts / "foundation-07-timeline-card.png")
        watch.assert_clean("search, member page and edit")

        # 8. A phone's width: nothing wider than the screen, the record and timeline still readable.
        page.set_viewport_size(PHONE)
        page.reload()
        assert_fits_the_screen(page)
        assert latest.is_visible() and NEW_JOB in latest.inner_text()
        assert page.get_by_role("link", name="Sửa hồ sơ").is_visible()
        shot(page, "08-member-phone", full_page=True)
        page.goto(f"{base}/members/?q=nguyen+van")
        assert_fits_the_screen(page)
        assert page.locator("#results tbody tr").count() == len(expected)
        shot(page, "09-search-phone", full_page=True)
        watch.assert_clean("phone-sized pages")

        # 9. The CSP watch itself works: an injected inline style is refused and reported.
        page.evaluate("() => { const s = document.createElement('style'); s.textContent = 'body { color: red }';"
                      " document.head.appendChild(s); }")
        for _ in range(40):
            if watch.violations:
                break
            page.wait_for_timeout(50)
        assert any("style-src" in v for v in watch.violations), watch.violations
        assert any("Content Security Policy" in m for m in watch.console), watch.console
    finally:
        context.close()
