"""allauth adapter: no self sign-up (accounts are issued by the organization)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _

from chibo.core.request_context import client_ip


class AccountAdapter(DefaultAccountAdapter):
    # allauth has no Vietnamese catalogue: the errors the sign-in pages show, in the UI's language.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Tài khoản này đang bị khóa."),
        "enter_current_password": _("Nhập mật khẩu hiện tại."),
        "incorrect_password": _("Mật khẩu không đúng."),
        "invalid_login": _("Đăng nhập không hợp lệ."),
        "rate_limited": _("Bạn gửi quá nhiều yêu cầu; hãy thử lại sau ít phút."),
        "too_many_login_attempts": _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau ít phút."),
        "username_password_mismatch": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The same client address as axes, the API throttles and the audit log (trusted proxies honoured)."""
        return client_ip(request)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _("Không thể tắt xác thực hai lớp."),
        "incorrect_code": _("Mã xác thực không đúng."),
    }


def axes_username(request, credentials=None) -> str | None:
    """The username django-axes counts failures against (AXES_USERNAME_CALLABLE).

    allauth authenticates with ``username=…`` while its form field is ``login``; usernames match
    case-insensitively, so the count is kept on the lower-cased name (else "BITHU.PHAP" would get
    five more guesses than "bithu.phap").
    """
    value = (credentials or {}).get("username") or (credentials or {}).get("login")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("login")
    if value is None:
        return None
    return str(value).strip().lower() or None

