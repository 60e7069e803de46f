"""The unit picker and the lazy tree in a real Chromium, on a phone-sized screen: the upper committee's
organization officer (whose scope is too large for a plain list) opens France in the tree, then filters
the member list by a cell found by typing part of its name without diacritics. No inline script or
style is needed (the CSP reports none). Screenshots: test-artifacts/picker-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_admission_journey import login
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e


def test_unit_picker_journey(browser, demo_org, totp_now, artifacts):
    from chibo.members.models import Member
    from chibo.units.models import Unit
    from chibo.units.picker import SMALL_SCOPE

    assert Unit.objects.count() > SMALL_SCOPE  # the officer gets the search box, not a <select>
    france, cell = Unit.objects.get(code="PHAP"), Unit.objects.get(code="PHAP-LHS")
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    watch = PageWatch(context)
    page = login(context, demo_org.url, "ban.tochuc", totp_now)

    page.goto(f"{demo_org.url}/units/")
    node = page.locator(f'li[data-unit="{france.code}"]')
    expect(node).to_be_visible()
    expect(page.locator('li[data-unit="PHAP-LHS"]')).to_have_count(0)  # not loaded until France is opened
    node.locator("summary").first.click()
    expect(page.locator('li[data-unit="PHAP-LHS"]')).to_be_visible()
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "picker-1-tree.png"), full_page=True)

    page.goto(f"{demo_org.url}/members/")
    expect(page.locator("select[name=unit]")).to_have_count(0)
    page.get_by_label("Tổ chức").fill("luu hoc sinh tai phap")
    choice = page.locator(f'input[type=radio][name=unit][value="{cell.pk}"]')
    expect(choice).to_be_visible()
    page.screenshot(path=str(artifacts / "picker-2-search.png"), full_page=True)
    choice.check()
    expect(page).to_have_url(re.compile(rf"unit={cell.pk}"))
    expect(page.locator("#results")).to_contain_text(cell.name)
    shown = {int(pk) for pk in re.findall(r'/members/(\d+)/', page.locator("#results").inner_html())}
    assert shown and shown <= set(Member.objects.filter(unit=cell).values_list("pk", flat=True))
    assert_fits_the_screen(page)
    page.screenshot(path=str(artifacts / "picker-3-filtered.png"), full_page=True)
    assert not watch.violations and not watch.errors, (watch.violations, watch.errors)
    context.close()
