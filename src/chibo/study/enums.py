"""Choices of the study app: kinds of course certificate, attendance at a study session."""

from django.db import models


class CertificateKind(models.TextChoices):
    AWARENESS = "awareness", "Lớp bồi dưỡng nhận thức về Đảng"
    NEW_MEMBER = "new_member", "Lớp bồi dưỡng đảng viên mới"
    OTHER = "other", "Lớp khác"


class Presence(models.TextChoices):
    PRESENT = "present", "Có mặt"
    EXCUSED = "excused", "Vắng có lý do"
    ABSENT = "absent", "Vắng không lý do"
