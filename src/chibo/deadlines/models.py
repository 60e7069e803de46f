"""Deadlines (one row per obligation) and calendar feeds; reminders go through chibo.notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.said import say


class State(models.TextChoices):
    OPEN = "open", gettext_noop("Đang mở")
    MET = "met", gettext_noop("Đã thực hiện")
    LATE = "late", gettext_noop("Quá hạn")
    WAIVED = "waived", gettext_noop("Miễn / không áp dụng")


OPEN_STATES = (State.OPEN, State.LATE)


class Deadline(models.Model):
    """An obligation with a due date computed from the rulebook — never typed by hand.

    ``rule`` is the rule version used when the clock started; a later change of the regulation
    does not move this due date. ``late`` means the due date passed while still open; a late
    deadline that is then met becomes ``met`` with ``met_on`` after ``due_date``.
    """

    kind = models.CharField(max_length=40, db_index=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="deadlines")
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="deadlines")
    # The title in Vietnamese as the service wrote it, and what it said (``core.said``): ``title`` reads it in the
    # reader's language.
    title_vi = models.CharField(max_length=200, db_column="title")
    title_said = models.JSONField(default=dict, blank=True)
    start_date = models.DateField()
    due_date = models.DateField()
    rule = models.ForeignKey("core.Rule", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    met_on = models.DateField(null=True, blank=True)
    reason = models.CharField(gettext_noop("lý do (trễ hạn / miễn)"), max_length=500, blank=True)
    source = models.CharField(max_length=80, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Not stored: set by the pages and selectors that list deadlines, for display.
    kind_label: str
    days_left: int | None
    days_late: int

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="deadline_state_due_idx"),
            models.Index(fields=["unit", "state"], name="deadline_unit_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_date__gte=models.F("start_date")),
                                   name="deadline_due_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_date:%d/%m/%Y})"

    @property
    def title(self) -> str:
        return say(self.title_said, self.title_vi)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class FeedToken(models.Model):
    """The secret of a user's iCalendar feed URL; only its hash is stored; revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
