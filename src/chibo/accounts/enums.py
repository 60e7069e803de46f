"""Public enums of the accounts app: kinds of account, the states of an account and of an invitation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Đảng viên")
    APPLICANT = "applicant", _("Quần chúng xin vào Đảng")
    STAFF = "staff", _("Cán bộ")


class AccountState(models.TextChoices):
    INVITED = "invited", _("Đã mời, chưa kích hoạt")
    EXPIRED = "expired", _("Lời mời đã hết hạn")
    ACTIVE = "active", _("Đang hoạt động")
    DEACTIVATED = "deactivated", _("Đã khóa")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Chờ kích hoạt")
    USED = "used", _("Đã dùng")
    REVOKED = "revoked", _("Đã thu hồi")
    EXPIRED = "expired", _("Đã hết hạn")
