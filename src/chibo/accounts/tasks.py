"""Background jobs of the accounts app (run by the worker)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

NOTICES = {
    "token.created": "Một mã truy cập API mới vừa được tạo cho tài khoản của bạn.",
    "mfa.changed": "Cài đặt xác thực hai lớp của tài khoản vừa thay đổi.",
}


@task()
def send_security_notice(user_id: int, kind: str) -> bool:
    """E-mail the account holder about a security-relevant change; no personal data in the body."""
    from chibo.accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    address = user.email if user else ""
    if not address and user and user.member_id:
        address = user.member.email
    if not address:
        return False
    send_mail("[chibo] Thông báo bảo mật", NOTICES.get(kind, kind) + "\nNếu không phải bạn, hãy báo ngay cho cán bộ tổ chức.",
              settings.DEFAULT_FROM_EMAIL, [address])
    return True
