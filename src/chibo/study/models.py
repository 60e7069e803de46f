"""Course certificates (giấy chứng nhận) of members and applicants, and study sessions (học tập, quán triệt nghị
quyết) of a cell with attendance and private written reflections (bài thu hoạch). Changed only by services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.study.enums import CertificateKind, Presence


class Certificate(models.Model):
    """A course certificate of one person: a member or an admission applicant (exactly one of the two)."""

    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="course_certificates")
    applicant = models.ForeignKey("admission.Applicant", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="course_certificates")
    kind = models.CharField(gettext_noop("loại lớp"), max_length=12, choices=CertificateKind.choices)
    title = models.CharField(gettext_noop("tên lớp (lớp khác)"), max_length=200, blank=True)
    issuer = models.CharField(gettext_noop("nơi cấp"), max_length=200)
    number = models.CharField(gettext_noop("số giấy chứng nhận"), max_length=60)
    issued_on = models.DateField(gettext_noop("ngày cấp"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [models.CheckConstraint(
            condition=Q(member__isnull=False, applicant__isnull=True) | Q(member__isnull=True, applicant__isnull=False),
            name="certificate_one_person")]

    def __str__(self) -> str:
        return gettext("%(kind)s số %(number)s") % {"kind": gettext(self.get_kind_display()), "number": self.number}


class Session(models.Model):
    """A study session of a cell, standalone or held inside one of its meetings."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="study_sessions")
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="study_sessions")
    topic = models.CharField(gettext_noop("chủ đề"), max_length=300)
    # Documents of the library the cell's members may read (opened through the library, which records the read).
    documents = models.ManyToManyField("library.Document", blank=True, related_name="+",
                                       verbose_name=gettext_noop("tài liệu trong tủ tài liệu"))
    # Other materials, not in the library: titles and numbers typed by the secretary (one a line).
    materials = models.TextField(gettext_noop("tài liệu khác"), blank=True)
    held_on = models.DateField(gettext_noop("ngày học tập"))
    attendance_recorded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.topic

    @property
    def material_lines(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="study_attendance")
    presence = models.CharField(max_length=10, choices=Presence.choices)
    reason = EncryptedTextField(gettext_noop("lý do vắng"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="study_attendance_once")]


class Reflection(models.Model):
    """A member's short written reflection on a session: read only by the member and the cell's committee."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reflections")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="study_reflections")
    text = EncryptedTextField(gettext_noop("bài thu hoạch"))
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="study_reflection_once")]
