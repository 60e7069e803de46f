"""The library from an empty install, in a real Chromium: ``chibo setup``, France and a cell founded on the pages,
thirty members imported, a member appointed secretary of France's committee. The upper committee sends a resolution
(a real PDF) to France's units on the sending page; the member in France, invited from the command line, finds it
unread on a phone-size screen and reads it; France's "not read" list shrinks by that name. Then the phone goes
offline and the member reopens the resolution and its file from what the service worker kept (nothing else kept);
signing out empties it. Screenshots: test-artifacts/library-*.png.
"""

from __future__ import annotations

import io
import re
import time
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from test_first_day_journey import DESKTOP, activate, install_france, mailed_link
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e

TITLE = "Nghị quyết về tăng cường công tác xây dựng Đảng ở ngoài nước"
KEPT = "() => caches.open('chibo-library').then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname))"


def _kept(page, wanted: set[str], timeout: float = 10.0) -> list[str]:
    """The paths the offline reader keeps, once it keeps at least ``wanted``."""
    end = time.monotonic() + timeout
    while True:
        paths = page.evaluate(KEPT)
        if wanted <= set(paths) or time.monotonic() > end:
            return paths
        time.sleep(0.2)


def test_a_resolution_read_on_a_phone_and_offline(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.core import clock
    from chibo.core.documents import OfficialDocument, Paragraph, render_pdf
    from chibo.library.models import Document, Receipt
    from chibo.members.models import Member

    base = empty_install.url
    today = clock.today()

    def shot(page, name):
        page.screenshot(path=artifacts / f"library-{name}.png", full_page=True)

    # 1. The install, France and a cell, thirty members; one of them secretary of France's committee.
    setup = install_france(browser, base, tmp_path)
    officer, watch, france, cell = setup.officer, setup.watch, setup.france, setup.cell
    secretary_member, reader = Member.objects.filter(unit=cell).order_by("pk")[:2]
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

    # 2. The upper committee sends the resolution to France's units (its cells included).
    pdf = tmp_path / "nghi-quyet-57.pdf"
    pdf.write_bytes(render_pdf(OfficialDocument(title="NGHỊ QUYẾT", issuer="ĐẢNG ỦY BỘ NGOẠI GIAO",
                                                number="Số 57-NQ/ĐU", issued_on=date(today.year, 1, 2),
                                                blocks=[Paragraph(TITLE)])))
    officer.goto(f"{base}/library/")
    officer.get_by_role("link", name="Gửi tài liệu").click()
    form = officer.locator("main form")
    form.get_by_label("Số, ký hiệu").fill("57-NQ/ĐU")
    form.get_by_label("Ngày ban hành").fill(f"02/01/{today.year}")
    form.get_by_label("Cơ quan ban hành").fill("Đảng ủy Bộ Ngoại giao")
    form.get_by_label("Loại văn bản").select_option("resolution")
    form.get_by_label("Trích yếu (tên văn bản)").fill(TITLE)
    form.get_by_label("Tóm tắt nội dung").fill("Các chi bộ tổ chức học tập, quán triệt trong quý.")
    form.get_by_label(re.compile(r"^Tệp")).set_input_files(str(pdf))
    form.get_by_label(re.compile(r"Đảng bộ Đại sứ quán Việt Nam tại Pháp$")).check()
    form.get_by_role("button", name="Gửi", exact=True).click()
    expect(officer.locator(".messages")).to_contain_text("Đã gửi tài liệu")
    doc = Document.objects.get()
    assert list(doc.targets.values_list("unit_id", flat=True)) == [france.pk]
    shot(officer, "01-sent")

    # 3. France's secretary (addressed too: opening it counts them) sees who in the cell has not read it.
    not_read = secretary.locator(f"#readings tr[data-unit='{cell.pk}'] [data-field=not-read] .name")
    secretary.goto(f"{base}/library/documents/{doc.pk}/")
    expect(not_read).to_have_count(29)
    expect(not_read.filter(has_text=reader.full_name)).to_have_count(1)
    assert not secretary.locator("#offline").count()  # a page naming other members is never kept on a device

    # 4. The member reads it on the phone: unread first, then "đã đọc".
    call_command("accounts", "invite-member", str(reader.pk), stdout=io.StringIO())
    phone_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    phone_watch = PageWatch(phone_ctx)
    mine = activate(phone_ctx, base, mailed_link(mailoutbox, reader.email))
    mine.get_by_role("link", name="Tài liệu", exact=True).click()
    row = mine.locator(f"tr[data-document='{doc.pk}']")
    expect(row).to_have_attribute("data-read", "0")
    mine.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert_fits_the_screen(mine)
    shot(mine, "02-phone-unread")
    row.get_by_role("link").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(mine.locator("[data-field=read]")).to_have_text("Đã đọc")
    expect(mine.locator("#offline")).to_contain_text("đọc cả khi không có mạng")
    assert Receipt.objects.filter(document=doc, member=reader).count() == 1
    assert_fits_the_screen(mine)
    shot(mine, "03-phone-read")
    kept = _kept(mine, {f"/library/documents/{doc.pk}/", f"/library/documents/{doc.pk}/file/"})
    file_id = doc.files.get().pk
    assert set(kept) == {"/library/", f"/library/documents/{doc.pk}/", f"/library/documents/{doc.pk}/file/",
                         f"/library/files/{file_id}/"}, kept  # nothing else: no member record, no API

    # 5. France's "not read" list shrinks by that name.
    secretary.reload()
    expect(not_read).to_have_count(28)
    expect(not_read.filter(has_text=reader.full_name)).to_have_count(0)
    expect(secretary.locator(f"#readings tr[data-unit='{cell.pk}'] [data-field=share]")).to_contain_text("2/30")
    shot(secretary, "04-not-read-shrinks")
    for w, where in ((watch, "the officer"), (sec_watch, "the secretary"), (phone_watch, "the member's phone")):
        w.assert_clean(where)

    # 6. Offline, the member reopens the resolution and its file from the phone; anything else is not there.
    phone_ctx.set_offline(True)
    answer = mine.goto(f"{base}/library/documents/{doc.pk}/")
    assert answer is not None and answer.from_service_worker
    expect(mine.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(mine.locator("[data-field=number]")).to_have_text("57-NQ/ĐU")
    head = mine.evaluate(f"() => fetch('/library/documents/{doc.pk}/file/').then(r => r.arrayBuffer())"
                         ".then(b => new TextDecoder().decode(b.slice(0, 5)))")
    assert head == "%PDF-"
    assert_fits_the_screen(mine)
    shot(mine, "05-offline")
    missing = mine.goto(f"{base}/library/documents/{doc.pk + 1}/")  # never opened: not kept
    assert missing is not None and missing.status == 503
    expect(mine.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
    with pytest.raises(PlaywrightError):
        mine.goto(f"{base}/members/{reader.pk}/")  # the member's record was never kept

    # 7. Back online, signing out empties what the phone kept.
    phone_ctx.set_offline(False)
    mine.goto(f"{base}/library/")
    mine.get_by_role("button", name="Đăng xuất").click()
    mine.wait_for_url(re.compile(r"/accounts/login/"))
    assert mine.evaluate("() => caches.keys()") == []
    assert mine.evaluate("() => navigator.serviceWorker.getRegistrations().then(rs => rs.length)") == 0
