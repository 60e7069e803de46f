"""The document library (unclassified documents sent down the tree, their versions and read receipts) and the
register of classified documents (never their contents on a networked install). Changed only by
``library.services``; read through ``library.selectors``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedBinaryField
from chibo.library.enums import DocKind, Level


class Document(models.Model):
    """An unclassified document a level sends to units of its subtree, to roles or to everyone below it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the sending level
    number = models.CharField(gettext_noop("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(gettext_noop("ngày ban hành"))
    issuer = models.CharField(gettext_noop("cơ quan ban hành"), max_length=200)
    kind = models.CharField(gettext_noop("loại văn bản"), max_length=12, choices=DocKind.choices)
    title = models.CharField(gettext_noop("trích yếu"), max_length=300)
    summary = models.TextField(gettext_noop("tóm tắt"), blank=True)
    search = models.CharField(max_length=400, db_index=True)  # folded title and number
    to_everyone = models.BooleanField(gettext_noop("gửi mọi đảng viên trong phạm vi"), default=False)
    roles = models.CharField(max_length=120, blank=True)  # ",secretary,committee," (empty: no role audience)
    read_by = models.DateField(gettext_noop("đọc trước ngày"), null=True, blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class Target(models.Model):
    """A unit the document is addressed to (its members and those of the units below it)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="library_target_once")]


class DocumentFile(models.Model):
    """One version of the document's file; a new version keeps the old ones."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()
    note = models.CharField(gettext_noop("ghi chú phiên bản"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="library_file_version_once")]


class Receipt(models.Model):
    """"Đã đọc": the first time a member opened the document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "member"], name="library_receipt_once")]


class ClassifiedEntry(models.Model):
    """A classified document in a unit's register (số đăng ký tài liệu mật): its particulars, never its content
    unless the install is on an isolated LAN."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(gettext_noop("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(gettext_noop("ngày văn bản"))
    issuer = models.CharField(gettext_noop("cơ quan ban hành"), max_length=200)
    level = models.CharField(gettext_noop("độ mật"), max_length=10, choices=Level.choices)
    copies = models.PositiveSmallIntegerField(gettext_noop("số bản"))
    custodian = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(gettext_noop("ngày nhận"))
    protected_until = models.DateField(gettext_noop("hết thời hạn bảo vệ (giải mật)"))
    filename = models.CharField(max_length=200, blank=True)
    content = EncryptedBinaryField(null=True, blank=True)  # only on an isolated LAN (CHIBO_ISOLATED_LAN)
    destroyed_on = models.DateField(null=True, blank=True)
    destruction_record = models.CharField(gettext_noop("biên bản tiêu hủy"), max_length=300, blank=True)
    declassified_on = models.DateField(null=True, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit__path", "-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(copies__gte=1), name="library_classified_copies")]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_level_display()})"


class Handover(models.Model):
    """A hand-over of a classified document between two members of the unit, acknowledged by the receiver."""

    entry = models.ForeignKey(ClassifiedEntry, on_delete=models.PROTECT, related_name="handovers")
    from_member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    to_member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    handed_on = models.DateField(gettext_noop("ngày giao"))
    copies = models.PositiveSmallIntegerField(gettext_noop("số bản"))
    recorded_by = models.CharField(max_length=150, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-handed_on", "-pk"]
