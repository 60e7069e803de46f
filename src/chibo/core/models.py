"""Shared kernel models: the hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop

from chibo.core.enums import CalendarDayKind, Comparison, Confidence, RuleUnit  # noqa: F401  (re-exported)


class AuditEvent(models.Model):
    """One append-only audit row. Written unsealed (``seq`` empty, ``digest`` covering its own fields), then
    sealed right after its transaction commits: ``seq``, and ``hash`` covering the row, its digest and the
    previous row's hash (``chibo.core.audit``).

    The production database role may be denied UPDATE except on the seal columns, and DELETE on this table
    (README, "Operations"); ``chibo audit verify`` detects any changed, inserted or deleted row.
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)  # indexed by audit_action_idx (equality only: no prefix twin)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    data = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        # Newest first; rows not yet sealed (no seq) are the newest, in the order they were written.
        ordering = [F("seq").desc(nulls_first=True), "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_unsealed_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}" if self.seq is not None else f"({self.pk}, not yet sealed) {self.action}"


class AuditHead(models.Model):
    """The single row holding the chain's tip; the sealer locks it for the moment it chains new rows, so the
    chain never forks. Rows up to ``legacy_seq`` were chained before rows had a digest."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    legacy_seq = models.BigIntegerField(default=0)


class Rule(models.Model):
    """One version of a rule of the rulebook: a threshold, deadline or rate with its legal basis.

    Versions of a key never overlap in time and are never edited in place: a changed regulation
    is a new version (the previous one gets its ``effective_to``), see ``core.rulebook``.
    """

    key = models.CharField(max_length=80, db_index=True)
    value = models.CharField(max_length=40, help_text="a number, or a fraction such as 2/3 for ratios")
    unit = models.CharField(max_length=20, choices=RuleUnit.choices)
    comparison = models.CharField(max_length=3, choices=Comparison.choices, blank=True)
    basis = models.CharField(gettext_noop("căn cứ"), max_length=200)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=12, choices=Confidence.choices, default=Confidence.CONFIRMED)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="rule_key_from_unique"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="rule_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(key)s = %(value)s %(unit)s (từ %(start)s)") % {
            "key": self.key, "value": self.value, "unit": gettext(self.get_unit_display()),
            "start": f"{self.effective_from:%d/%m/%Y}"}


class CalendarDay(models.Model):
    """A day the government announces for a year: an extra day off, or a make-up working day."""

    day = models.DateField(unique=True)
    kind = models.CharField(max_length=12, choices=CalendarDayKind.choices)
    note = models.CharField(max_length=200)
    document = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    # Not stored: what adding or withdrawing the day changed elsewhere, in words (set by the services).
    effects: list[str]

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"
