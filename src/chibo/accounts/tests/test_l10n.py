"""The account pages allauth renders (security page, recovery codes, password change, re-authentication)
come out in Vietnamese through chibo's own catalogue (allauth ships none), English stays available as
the second locale, and the Vietnamese catalogue keeps every placeholder of allauth's msgids."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from chibo.demo.builder import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

VI_MO = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES" / "django.mo"
# Letters only Vietnamese uses: a msgid containing one is one of chibo's own (Vietnamese-source) strings.
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


@pytest.fixture(autouse=True)
def fresh_cache():
    """allauth's rate limits (re-authentication included) live in the cache."""
    cache.clear()
    yield
    cache.clear()


def text(response) -> str:
    """The page's HTML with whitespace collapsed (allauth's templates indent their text inside tags)."""
    assert response.status_code == 200, response.status_code
    html = re.sub(r"\s+<", "<", re.sub(r">\s+", ">", response.content.decode()))
    return re.sub(r"\s+", " ", html)


def assert_vietnamese(body: str, present: list[str], absent: list[str]) -> None:
    for phrase in present:
        assert phrase in body, f"missing Vietnamese text {phrase!r}"
    for phrase in absent:
        assert phrase not in body, f"English text {phrase!r} left on the page"


def test_security_page_is_vietnamese(client_of):
    body = text(client_of("bithu.phap").get("/accounts/2fa/"))
    assert_vietnamese(
        body,
        present=["<title>Xác thực hai lớp · chibo</title>", "Ứng dụng xác thực", "Khóa bảo mật", "Mã khôi phục",
                 "Còn 10 trên tổng số 10 mã khôi phục chưa sử dụng.", "Tổng quan"],
        absent=["Two-Factor Authentication", "Authenticator App", "Security Keys", "Recovery Codes",
                "recovery codes available", "Deactivate", "Download", "Generate"],
    )


def test_reauthentication_and_recovery_codes_are_vietnamese(client_of):
    client = client_of("bithu.phap")
    # Showing recovery codes needs a fresh re-authentication: that page first.
    response = client.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    body = text(client.get(response["Location"]))
    assert_vietnamese(
        body,
        present=["Xác nhận truy cập", "Để bảo đảm an toàn cho tài khoản, vui lòng xác thực lại.", "Nhập mật khẩu:",
                 "Dùng ứng dụng xác thực hoặc mã khôi phục"],
        absent=["Confirm Access", "Please reauthenticate", "Enter your password", "Use authenticator app",
                "Alternative options"],
    )

    response = client.post("/accounts/reauthenticate/",
                           {"password": DEMO_PASSWORD, "next": "/accounts/2fa/recovery-codes/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/recovery-codes/"
    body = text(client.get("/accounts/2fa/recovery-codes/"))
    assert_vietnamese(
        body,
        present=["<h1>Mã khôi phục</h1>", "Các mã chưa sử dụng", "Tải xuống các mã", "Tạo bộ mã mới"],
        absent=["Recovery Codes", "Unused codes", "Download codes", "Generate new codes",
                "recovery codes available"],
    )


def test_wrong_reauthentication_password_is_reported_in_vietnamese(client_of):
    client = client_of("bithu.phap")
    body = text(client.post("/accounts/reauthenticate/", {"password": "not-the-password"}))
    assert "Mật khẩu không đúng." in body
    assert "Incorrect password" not in body


def test_password_change_is_vietnamese(client_of):
    client = client_of("bithu.phap")
    body = text(client.get("/accounts/password/change/"))
    assert_vietnamese(
        body,
        present=["<title>Đổi mật khẩu · chibo</title>", "Mật khẩu hiện tại", "Mật khẩu mới (nhập lại)"],
        absent=["Change Password", "Current Password", "New Password", "Forgot your password?"],
    )
    # Validation errors too, including Django's password-length message (missing from Django's own vi).
    body = text(client.post("/accounts/password/change/",
                            {"oldpassword": "wrong", "password1": "ngan", "password2": "ngan"}))
    assert_vietnamese(
        body,
        present=["Mật khẩu quá ngắn: phải có ít nhất 12 ký tự."],
        absent=["This password is too short", "Please type your current password"],
    )


def test_logout_confirmation_is_vietnamese(client_of):
    body = text(client_of("bithu.phap").get("/accounts/logout/"))
    assert_vietnamese(body, present=["Bạn có chắc chắn muốn đăng xuất?"],
                      absent=["Sign Out", "Are you sure you want to sign out?"])


@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_english_remains_the_second_locale(client_of, how):
    client = client_of("bithu.phap")
    headers = {}
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    else:
        headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = text(client.get("/", **headers))
    assert '<html lang="en">' in body
    assert "Overview" in body and "Tổng quan" not in body
    # allauth's pages fall back to its English source text, not to the Vietnamese catalogue.
    body = text(client.get("/accounts/2fa/", **headers))
    assert "Two-Factor Authentication" in body and "Recovery Codes" in body
    assert "Xác thực hai lớp" not in body


def test_vietnamese_is_the_default(client_of):
    body = text(client_of("bithu.phap").get("/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="vi">' in body and "Tổng quan" in body


def test_vietnamese_catalogue_keeps_placeholders_and_holds_only_foreign_msgids():
    with VI_MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    entries = {key: value for key, value in catalogue._catalog.items() if key != ""}
    assert len(entries) > 250  # allauth's account/ and mfa/ strings
    for key, translated in entries.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # drop a msgctxt
        assert not VIETNAMESE_LETTERS.search(msgid), f"Vietnamese-source msgid in the vi catalogue: {msgid!r}"
        assert translated.strip(), f"empty translation for {msgid!r}"
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_allauth_strings_translate_through_django(settings):
    with translation.override("vi"):
        assert translation.gettext("Two-Factor Authentication") == "Xác thực hai lớp"
        assert translation.pgettext("field label", "Login") == "Tên đăng nhập"
        assert translation.ngettext("You have added %(count)s security key.",
                                    "You have added %(count)s security keys.", 2) % {"count": 2} \
            == "Đã thêm 2 khóa bảo mật."
    with translation.override("en"):
        assert translation.gettext("Two-Factor Authentication") == "Two-Factor Authentication"
