"""The import/export journey in a real Chromium, on a phone-sized screen: the secretary of France downloads the
template, uploads an old VNI-encoded list, sees the dry run (converted names, a row error), imports the valid
rows, then downloads the member list and the 7-HSĐV book. Screenshots: test-artifacts/bulk-*.png."""

from __future__ import annotations

import pytest
from test_admission_journey import login
from test_foundation_journey import PHONE, PageWatch, assert_fits_the_screen

from chibo.bulk import legacy

pytestmark = pytest.mark.e2e

HEADER = "Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức;Diện ở nước ngoài;Mã chi bộ"


def test_bulk_journey(browser, demo_org, totp_now, artifacts, tmp_path):
    from chibo.members.models import Member

    rows = [HEADER,
            f"{legacy.unicode_to_vni('Nguyễn Văn Đức')};Nam;05/03/1985;93000001;19/05/2010;19/05/2011;"
            "Lưu học sinh tự túc;PHAP-LHS",
            f"{legacy.unicode_to_vni('Trần Thị Hằng')};Nữ;7/8/92;93000002;02/03/2025;;Lưu học sinh tự túc;PHAP-LHS",
            f"{legacy.unicode_to_vni('Lê Quang Vinh')};Nam;31/02/1980;93000003;02/03/2020;;"
            "Lưu học sinh tự túc;PHAP-LHS"]
    upload = tmp_path / "danh-sach-cu.csv"
    upload.write_text("\n".join(rows), encoding="utf-8")
    context = browser.new_context(viewport=PHONE, accept_downloads=True, locale="vi-VN")
    watch = PageWatch(context)
    page = login(context, demo_org.url, "bithu.phap", totp_now)
    page.goto(f"{demo_org.url}/bulk/import/")
    with page.expect_download() as template:
        page.get_by_role("link", name="Tải tệp mẫu").click()
    assert template.value.suggested_filename.endswith(".xlsx")
    page.get_by_label("Tệp danh sách").set_input_files(str(upload))
    page.get_by_label("Chỉ các dòng hợp lệ").check()
    page.screenshot(path=str(artifacts / "bulk-1-upload.png"), full_page=True)
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Kiểm tra (chạy thử)").click()
    page.wait_for_url("**/bulk/import/*/")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "chạy thử" in body and "Nguyễn Văn Đức" in body and "Trần Thị Hằng" in body
    assert "không phải là ngày" in body
    page.screenshot(path=str(artifacts / "bulk-2-dry-run.png"), full_page=True)
    assert not Member.objects.filter(card_number__startswith="930000").exists()
    page.get_by_label("Chỉ các dòng hợp lệ").check()
    page.get_by_role("button", name="Nhập vào hồ sơ").click()
    page.wait_for_load_state()
    assert "Hoàn tất" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "bulk-3-done.png"), full_page=True)
    assert set(Member.objects.filter(card_number__startswith="930000").values_list("full_name", flat=True)) == {
        "Nguyễn Văn Đức", "Trần Thị Hằng"}
    page.goto(f"{demo_org.url}/bulk/import/")
    with page.expect_download() as listing:
        page.get_by_role("link", name="Danh sách đảng viên (Excel)").click()
    assert listing.value.suggested_filename == "danh-sach-dang-vien.xlsx"
    with page.expect_download() as book:
        page.get_by_role("link", name="Excel", exact=True).first.click()
    assert book.value.suggested_filename.startswith("7-HSDV-")
    page.screenshot(path=str(artifacts / "bulk-4-exports.png"), full_page=True)
    assert not watch.violations and not watch.errors, (watch.violations, watch.errors)
    context.close()
