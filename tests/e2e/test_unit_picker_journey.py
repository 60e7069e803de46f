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

DESKTOP_1366 = {"width": 1366, "height": 768}

# Every visible radio button and check box inside a label, measured: its box must keep its own small size and sit
# right before (or after) the first line of its words, never stretched across the form nor far from them.
CHOICES_FAR_FROM_THEIR_WORDS = """() => {
  const far = [];
  for (const input of document.querySelectorAll('label input[type=radio], label input[type=checkbox]')) {
    const box = input.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const label = input.closest('label');
    const lines = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      if (!walker.currentNode.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      lines.push(...[...range.getClientRects()].filter(r => r.width > 0));
    }
    const words = label.textContent.trim().slice(0, 40);
    if (!lines.length) { far.push(`${words}: no words`); continue; }
    const middle = (box.top + box.bottom) / 2;
    const beside = lines.filter(r => r.top - 4 <= middle && middle <= r.bottom + 4);
    const gap = Math.min(...beside.map(r => Math.max(r.left - box.right, box.left - r.right)));
    if (box.width > 24 || !beside.length || gap < 0 || gap > 16) {
      const at = lines.map(r => `${Math.round(r.left)}-${Math.round(r.right)}@${Math.round(r.top)}`).join(' ');
      far.push(`${words}: box ${Math.round(box.left)}-${Math.round(box.right)} at ${Math.round(middle)}, words ${at}`);
    }
  }
  return far;
}"""


def assert_choices_beside_their_words(page, least: int = 1):
    """Each radio button or check box of the page sits next to its words (bounding boxes, not pixels)."""
    far = page.evaluate(CHOICES_FAR_FROM_THEIR_WORDS)
    assert not far, far
    count = page.locator("label input[type=radio]:visible, label input[type=checkbox]:visible").count()
    assert count >= least, f"only {count} choices measured"


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
    folded = page.locator("details:has(#id_unit)")  # the filters, folded on a phone
    if folded.count() and folded.get_attribute("open") is None:
        folded.locator("summary").first.click()
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
    assert_choices_beside_their_words(page)
    page.screenshot(path=str(artifacts / "picker-3-filtered.png"), full_page=True)

    # Forms with radio groups and the unit picker, on the phone and on a 1366×768 screen: each box beside its words.
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP_1366)):
        page.set_viewport_size(viewport)
        page.goto(f"{demo_org.url}/bulk/import/")
        expect(page.get_by_text("Tất cả hoặc không gì cả")).to_be_visible()
        assert_choices_beside_their_words(page, least=3)  # the two ways to treat errors, the picker's own choice
        assert_fits_the_screen(page)
        page.screenshot(path=str(artifacts / f"picker-4-import-{size}.png"), full_page=True)
        page.goto(f"{demo_org.url}/members/new/")
        expect(page.locator("input[type=radio][name=unit]")).to_have_count(0)  # no lone "—" on a required field
        page.locator("#id_unit").fill("phap")
        expect(page.locator(f'input[type=radio][name=unit][value="{cell.pk}"]')).to_be_visible()
        assert_choices_beside_their_words(page, least=2)
        assert_fits_the_screen(page)
        page.screenshot(path=str(artifacts / f"picker-5-member-new-{size}.png"), full_page=True)
    assert not watch.violations and not watch.errors, (watch.violations, watch.errors)
    context.close()
