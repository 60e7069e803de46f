"""Choices of the study app: kinds of course certificate, attendance at a study session."""

from django.db import models
from django.utils.translation import gettext_noop


class CertificateKind(models.TextChoices):
    AWARENESS = "awareness", gettext_noop("Lớp bồi dưỡng nhận thức về Đảng")
    NEW_MEMBER = "new_member", gettext_noop("Lớp bồi dưỡng đảng viên mới")
    OTHER = "other", gettext_noop("Lớp khác")


class Presence(models.TextChoices):
    PRESENT = "present", gettext_noop("Có mặt")
    EXCUSED = "excused", gettext_noop("Vắng có lý do")
    ABSENT = "absent", gettext_noop("Vắng không lý do")
