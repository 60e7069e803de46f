"""Import bookkeeping: the column mapping each unit used last, and background import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedTextField


class ColumnMapping(models.Model):
    """Spreadsheet header (folded) → member field, as last used for a unit; reused on the next import."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class JobState(models.TextChoices):
    QUEUED = "queued", gettext_noop("Đang chờ")
    RUNNING = "running", gettext_noop("Đang nhập")
    DONE = "done", gettext_noop("Hoàn tất")
    FAILED = "failed", gettext_noop("Lỗi")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


class JobPhase(models.TextChoices):
    """What a running job is doing now, shown beside its progress."""

    WAITING = "", gettext_noop("Đang chờ tiến trình nền")
    READING = "reading", gettext_noop("Đang đọc và kiểm tra tệp")
    WRITING = "writing", gettext_noop("Đang ghi vào hồ sơ")
    UNDOING = "undoing", gettext_noop("Đang hoàn tác phần đã ghi")
    WRITTEN = "written", gettext_noop("Đã ghi xong")


class ImportJob(models.Model):
    """A large import run by the worker; the page polls its progress. A running job holds a lease: its worker
    renews ``heartbeat_at`` at each batch; a job whose heartbeat is too old is stale (see jobs.job_is_stale)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", null=True)
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    mode = models.CharField(max_length=20)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    phase = models.CharField(max_length=20, choices=JobPhase.choices, default=JobPhase.WAITING, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class ImportedRecord(models.Model):
    """What a real import on SQLite has written so far, batch by batch, each row in the same short transaction
    as the record it names: the member created (``previous`` empty) or changed (``previous``: the changed
    fields' former values, encrypted, and ``version`` the version the import gave the record). A run that fails
    or is cancelled part-way is undone from these rows; they go once the run has finished."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    member_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=0)
    previous = EncryptedTextField(blank=True)
