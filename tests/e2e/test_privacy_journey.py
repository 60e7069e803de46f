"""A member's request about their own data, from an empty install, in a real Chromium: ``chibo setup``, France and a
cell founded on the pages, thirty members imported. A member, invited from the command line, asks on their phone for
a copy of everything held on them; the officer in charge sees the request on the deadline radar and on the privacy
page with its 2-working-day clock (checked against the ``holidays`` package, not the product's calendar), reads the
member's record and answers within the clock. The member downloads the password-protected archive: it opens only
with the password, holds a section for every table that refers to the member with exactly the rows the database
holds, and a PDF summary (read whole) that agrees with the record. The member then sees who read their record: the
officer's read, by role and unit, never by name. Screenshots: test-artifacts/privacy-*.png.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import holidays
import pytest
import pyzipper
from django.core.management import call_command
from playwright.sync_api import expect
from test_first_day_journey import activate, install_france, mailed_link
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

pytestmark = pytest.mark.e2e

ARCHIVE_PASSWORD = "mây trắng bay về phía núi"


def two_working_days_after(day: date) -> date:
    """The second working day after ``day`` (``day`` itself not counted): weekends and Vietnam's public holidays
    (lunar Tết included) skipped, from the ``holidays`` package directly."""
    off = holidays.country_holidays("VN", years=range(day.year, day.year + 2))
    left = 2
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def test_a_members_export_request_from_an_empty_install(browser, empty_install, artifacts, mailoutbox, tmp_path):
    from chibo.accounts.models import User
    from chibo.core import clock
    from chibo.core.documents import pdf_text
    from chibo.deadlines.models import Deadline
    from chibo.members.models import Member
    from chibo.privacy import export
    from chibo.privacy.models import DataRequest

    base = empty_install.url
    today = clock.today()
    due = two_working_days_after(today)

    def shot(page, name):
        page.screenshot(path=artifacts / f"privacy-{name}.png", full_page=True)

    # 1. The install, France and a cell, thirty members.
    setup = install_france(browser, base, tmp_path)
    officer, watch, root, cell = setup.officer, setup.watch, setup.root, setup.cell
    subject = Member.objects.filter(unit=cell).order_by("pk")[4]

    # 2. The member, invited from the command line, files an export request on the phone.
    call_command("accounts", "invite-member", str(subject.pk), stdout=io.StringIO())
    phone_ctx = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True,
                                    accept_downloads=True)
    phone_watch = PageWatch(phone_ctx)
    mine = activate(phone_ctx, base, mailed_link(mailoutbox, subject.email))
    mine.get_by_role("link", name="Dữ liệu cá nhân", exact=True).click()
    expect(mine.locator("#own")).to_contain_text("Chưa có yêu cầu nào")
    mine.get_by_role("link", name="Gửi yêu cầu về dữ liệu của tôi").click()
    expect(mine.locator("main form")).not_to_contain_text("mã hồ sơ")  # a member asks about themself only
    mine.get_by_label("Nhận bản sao toàn bộ dữ liệu (tệp xuất)").check()
    mine.get_by_label("Nói rõ thêm").fill("Tôi cần bản sao toàn bộ dữ liệu của mình để lưu giữ.")
    assert_fits_the_screen(mine)
    shot(mine, "01-request-form")
    mine.get_by_role("button", name="Gửi yêu cầu").click()
    expect(mine.locator(".messages")).to_contain_text("Đã gửi yêu cầu")
    expect(mine.locator("[data-field=due]")).to_contain_text(f"{due:%d/%m/%Y}")
    expect(mine.locator("[data-field=state]")).to_contain_text("Đã gửi, chờ trả lời")
    expect(mine.locator("#act-answer")).to_have_count(0)  # the member never answers their own request
    assert_fits_the_screen(mine)
    shot(mine, "02-request-filed")
    req = DataRequest.objects.get()
    assert (req.member_id, req.kind, req.filed_on, req.due_on) == (subject.pk, "export", today, due)

    # 3. The officer in charge sees it on the deadline radar, then on the privacy page, with its clock.
    officer.goto(f"{base}/deadlines/")
    officer.get_by_role("link", name="Chưa xong (tất cả)").click()
    deadline = Deadline.objects.get(source=f"privacy:{req.pk}")
    row = officer.locator(f"tr[data-deadline='{deadline.pk}']")
    expect(row).to_contain_text("Trả lời yêu cầu về dữ liệu cá nhân")
    expect(row).to_contain_text(subject.full_name)
    expect(row.locator("time")).to_have_attribute("datetime", due.isoformat())
    expect(row).to_contain_text(f"còn {(due - today).days} ngày")
    shot(officer, "03-radar")
    officer.get_by_role("link", name="Dữ liệu cá nhân", exact=True).click()
    handled = officer.locator(f"#handled tr[data-request='{req.pk}']")
    expect(handled).to_contain_text(subject.full_name)
    expect(handled).to_contain_text(f"{due:%d/%m/%Y}")
    expect(handled).to_contain_text("Nhận bản sao toàn bộ dữ liệu")

    # 4. The officer reads the member's full record, then answers the request within the clock.
    officer.goto(f"{base}/members/{subject.pk}/")
    expect(officer.get_by_role("heading", level=1)).to_contain_text(subject.full_name)
    officer.goto(f"{base}/privacy/")
    officer.locator(f"#handled tr[data-request='{req.pk}'] a").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(subject.full_name)
    answer = officer.locator("#act-answer form")
    answer.get_by_label("Nội dung trả lời").fill("Tệp bản sao đã sẵn sàng; đồng chí tải trên trang này với mật khẩu "
                                                 "của mình.")
    answer.get_by_role("button", name="Trả lời yêu cầu").click()
    expect(officer.locator("[data-field=state]")).to_contain_text("Đã trả lời")
    expect(officer.locator("[data-field=due]")).not_to_contain_text("trả lời muộn")
    shot(officer, "04-answered")
    req.refresh_from_db()
    deadline.refresh_from_db()
    assert req.state == "answered" and req.answered_on == today <= req.due_on
    assert deadline.state == "met" and deadline.met_on == today

    # 5. The member reads the answer and downloads the archive with a password of their own.
    mine.goto(f"{base}/privacy/")
    expect(mine.locator(f"#own tr[data-request='{req.pk}']")).to_contain_text("Đã trả lời")
    mine.locator(f"#own tr[data-request='{req.pk}'] a").click()
    expect(mine.locator("[data-field=answer]")).to_contain_text("Tệp bản sao đã sẵn sàng")
    mine.get_by_label("Mật khẩu mở tệp").fill(ARCHIVE_PASSWORD)
    assert_fits_the_screen(mine)
    shot(mine, "05-download")
    with mine.expect_download() as started:
        mine.get_by_role("button", name="Tải tệp").click()
    download = started.value
    assert download.suggested_filename == f"du-lieu-ca-nhan-{req.pk}.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    # 6. The archive opens only with the password and holds every table that refers to the member.
    with pyzipper.AESZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["data.json", "tom-tat.pdf"]
        with pytest.raises(RuntimeError):
            zf.read("data.json", pwd=b"not the password")
        data = json.loads(zf.read("data.json", pwd=ARCHIVE_PASSWORD.encode()))
        pdf = zf.read("tom-tat.pdf", pwd=ARCHIVE_PASSWORD.encode())
    assert data["kind"] == "member"
    assert data["person"]["full_name"] == subject.full_name and data["person"]["id"] == subject.pk
    account = User.objects.get(member=subject)
    targets = {export.MEMBER: subject, export.APPLICANT: None, export.USER: account}
    held_somewhere = set()
    for key, field in export.person_fields():  # every field of every model that points at a person
        target = targets[field.related_model._meta.label_lower]
        if key in export.EXCLUDED or target is None:
            continue
        rows = sorted(field.model._default_manager.filter(**{field.name: target}).values_list("pk", flat=True))
        if not rows and key not in export.INCLUDED:
            continue  # (the export test, privacy/tests/test_export.py, holds the map of fields complete)
        assert key in data["sections"], f"{key} holds {len(rows)} rows about the member, none in the archive"
        assert sorted(r["id"] for r in data["sections"][key]) == rows, key
        if rows:
            held_somewhere.add(key)
    # What this journey wrote about the member is among them: their record's timeline, their account, their
    # second factor, the request and its clock.
    assert {"members.TimelineEvent.member", "accounts.User.member", "mfa.Authenticator.user",
            "privacy.DataRequest.member", "deadlines.Deadline.member"} <= held_somewhere, held_somewhere
    assert not any("password" in k.lower() or "secret" in k.lower() for k in data["person"])
    assert [r["role"] for r in data["record_reads"]] == ["Cán bộ tổ chức Đảng ủy cấp trên"]

    # 7. The PDF summary, read whole, agrees with the record.
    text = " ".join(pdf_text(pdf).split())
    for expected in ("BẢN SAO DỮ LIỆU CÁ NHÂN", f"Của {subject.full_name}", cell.name.upper(),
                     f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
                     f"Họ và tên: {subject.full_name}", f"Chi bộ: {cell.name}",
                     f"Ngày sinh: {subject.birth_date:%d/%m/%Y}", f"Số thẻ đảng viên: {subject.card_number}",
                     f"Ngày vào Đảng: {subject.admission_date:%d/%m/%Y}",
                     f"Ngày chính thức: {subject.confirmation_date:%d/%m/%Y}", "Tình trạng: Chính thức",
                     f"Thư điện tử: {subject.email}", "Số lần hồ sơ đầy đủ được mở xem: 1"):
        assert expected in text, (expected, text)
    for internal in ("full_name", "name_sort", "birth_date", f"{subject.birth_date:%Y-%m-%d}"):
        assert internal not in text, (internal, text)  # field names and ISO dates stay in data.json

    # 8. Who read my record: the officer's read, by role and unit, without the officer's name.
    mine.goto(f"{base}/privacy/")
    mine.get_by_role("link", name="Ai đã xem hồ sơ của tôi").click()
    reads = mine.locator("tr[data-read]")
    expect(reads).to_have_count(1)
    expect(reads.first).to_contain_text("Cán bộ tổ chức Đảng ủy cấp trên")
    expect(reads.first).to_contain_text(root.name)
    expect(mine.locator("main")).not_to_contain_text("Lê Thị Hồng")
    assert_fits_the_screen(mine)
    shot(mine, "06-who-read-my-record")

    for w, where in ((watch, "the officer"), (phone_watch, "the member's phone")):
        w.assert_clean(where)
    for ctx in (officer.context, phone_ctx):
        ctx.close()
