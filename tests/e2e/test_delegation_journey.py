"""A delegation temporary cell in a real Chromium: the upper committee's officer (ban.tochuc) finds the
delegation's members by name and by card number (htmx live search, never a list of everyone), picks
them, appoints a secretary and a deputy, removes a wrong pick, enters the tasks as separate items
(one added with the "add a task" button), is refused for two secretaries with the picks kept, then sets
the cell up; the delegation page shows committee, tasks and members; on return the cell is closed and
everyone is back home. Screenshots: test-artifacts/delegation-*.png.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from playwright.sync_api import expect
from test_transfers_journey import DESKTOP, Watch, sign_in

pytestmark = pytest.mark.e2e

TODAY = date(2026, 6, 15)


def plain_members(code: str, n: int):
    from chibo.members.models import CommitteePost, Member
    from chibo.transfers.models import OPEN_STATES, Transfer
    from chibo.units.models import Unit

    root = Unit.objects.get(code=code)
    busy = Transfer.objects.filter(state__in=OPEN_STATES).values("member_id")
    posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")
    found = list(Member.objects.filter(unit__path__startswith=root.path, status="full", card_number__isnull=False)
                 .exclude(pk__in=busy).exclude(pk__in=posts).order_by("pk")[:n])
    assert len(found) == n
    return found


def test_officer_sets_up_and_closes_a_delegation_cell(browser, demo_org, totp_now, artifacts):
    from chibo.members.models import Member
    from chibo.transfers.models import Delegation

    base = demo_org.url
    people = plain_members("NHATBAN", 4)
    homes = {m.pk: m.unit_id for m in people}

    def shot(page, name):
        page.screenshot(path=artifacts / f"delegation-{name}.png", full_page=True)

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    with override_settings(CHIBO_TODAY=TODAY):
        sign_in(page, base, "ban.tochuc", totp_now)
        page.goto(f"{base}/transfers/delegations/")
        page.get_by_role("link", name="Lập chi bộ tạm thời cho đoàn").click()
        page.get_by_label("Tên chi bộ tạm thời").fill("Chi bộ tạm thời Đoàn công tác Osaka Expo")
        page.locator("#id_code").fill("DOAN-EXPO")
        page.get_by_label("Nước đến").select_option(label="Nhật Bản")  # picked by name, never a code
        page.get_by_label("Ngày thành lập").fill("01/06/2026")
        page.get_by_label("Dự kiến về nước").fill("20/07/2026")
        page.get_by_label("Số quyết định thành lập của Đảng ủy cấp trên").fill("702-QĐ/ĐUBNG")
        search = page.get_by_label("Tìm đảng viên theo họ tên hoặc số thẻ")
        results = page.locator("#delegation-results")
        # By name for the first three, by card number for the fourth.
        for m in people[:3]:
            search.fill(m.full_name)
            results.locator(f'li[data-member="{m.pk}"] button').click()
            expect(page.locator(f'#team-rows tr[data-member="{m.pk}"]')).to_be_visible()
        search.fill(people[3].card_number)
        results.locator(f'li[data-member="{people[3].pk}"] button').click()
        expect(page.locator("#team-rows tr")).to_have_count(4)
        # A member already picked is not offered again.
        search.fill(people[0].full_name)
        expect(results).not_to_contain_text(people[0].card_number)
        # The fourth was a wrong pick: removed.
        page.locator(f'#team-rows tr[data-member="{people[3].pk}"]').get_by_role("button", name="Bỏ").click()
        expect(page.locator("#team-rows tr")).to_have_count(3)
        page.locator(f'select[name="role_{people[0].pk}"]').select_option("secretary")
        page.locator(f'select[name="role_{people[1].pk}"]').select_option("secretary")
        texts = page.locator('input[name="task_text"]')
        texts.nth(0).fill("Lãnh đạo đoàn hoàn thành nhiệm vụ tại Expo")
        page.locator('input[name="task_due"]').nth(0).fill("10/07/2026")
        texts.nth(1).fill("Giữ gìn bí mật nhà nước")
        page.get_by_role("button", name="Thêm nhiệm vụ").click()
        expect(texts).to_have_count(4)
        texts.nth(3).fill("Báo cáo kết quả khi về nước")
        shot(page, "01-form")
        page.get_by_role("button", name="Lập chi bộ tạm thời").click()
        expect(page.locator(".nonfield")).to_contain_text("Chỉ chỉ định một bí thư")
        expect(page.locator("#team-rows tr")).to_have_count(3)  # the picks are kept
        shot(page, "02-two-secretaries")
        page.locator(f'select[name="role_{people[1].pk}"]').select_option("deputy_secretary")
        page.get_by_role("button", name="Lập chi bộ tạm thời").click()
        expect(page.locator("h1")).to_contain_text("Chi bộ tạm thời Đoàn công tác Osaka Expo")
        expect(page.locator("dl.record")).to_contain_text("Nhật Bản")  # the country by its name, not "JP"
        expect(page.locator("#committee")).to_contain_text("Phó bí thư")
        expect(page.locator("#tasks li")).to_have_count(3)
        expect(page.locator("#tasks")).to_contain_text("10/07/2026")
        for m in people[:3]:
            expect(page.locator("#attached")).to_contain_text(m.full_name)
        shot(page, "03-delegation")
        page.get_by_role("link", name="Đoàn về nước: kết thúc chi bộ tạm thời").click()
        page.get_by_label("Số quyết định").fill("760-QĐ/ĐUBNG")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("h1")).to_contain_text("đã về nước")
        shot(page, "04-closed")
    d = Delegation.objects.get(unit__code="DOAN-EXPO")
    assert d.unit.closed_on == TODAY and d.unit.country == "JP"
    assert {m.pk: m.unit_id for m in Member.objects.filter(pk__in=[p.pk for p in people])} == homes
    context.close()
    assert not watch.problems, watch.problems
