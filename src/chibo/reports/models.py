"""Reports upward (docs/domain.md §14): the templates an upper committee defines for the units below it, versioned
once a unit has submitted against them, and each unit's periodic reports, their figures frozen when submitted and
corrected only by a new version with its reason. Changed only by ``reports.services``; read through
``reports.selectors``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, gettext_noop

from chibo.reports.enums import PeriodKind, State


class Template(models.Model):
    """One version of a report template: its name, the kind of period, the sections (each a narrative field) and
    the figures (keys of ``reports.figures``). ``family`` is the first version's id: a template's versions share
    it, only the latest is ``current``. A template without a unit is the installation's default."""

    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    family = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    number = models.PositiveSmallIntegerField(gettext_noop("phiên bản"), default=1)
    name = models.CharField(gettext_noop("tên mẫu báo cáo"), max_length=200)
    period_kind = models.CharField(gettext_noop("kỳ báo cáo"), max_length=8, choices=PeriodKind.choices)
    sections = models.JSONField(gettext_noop("các phần"), default=list)
    figures = models.JSONField(gettext_noop("các số liệu"), default=list)
    current = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "period_kind", "name", "-number"]

    def __str__(self) -> str:
        return gettext("%(name)s (phiên bản %(number)s)") % {"name": self.name, "number": self.number}


class Report(models.Model):
    """A unit's report for a period. Its figures are computed from live data while it is drafted and frozen into
    ``figures`` when it is submitted; only the narrative (one text per section of its template) is written by
    people. A correction supersedes the submitted version with a new draft (``number`` + 1) and its reason."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="reports")
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    number = models.PositiveSmallIntegerField(gettext_noop("lần"), default=1)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    narrative = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    opened_by = models.CharField(max_length=150, blank=True)
    opened_on = models.DateField()
    submitted_by = models.CharField(max_length=150, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    correction_reason = models.CharField(gettext_noop("lý do điều chỉnh"), max_length=500, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_start", "unit__path", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_kind", "period_start", "number"],
                                    name="reports_one_number_per_period"),
            models.UniqueConstraint(fields=["unit", "period_kind", "period_start"],
                                    condition=models.Q(state__in=["draft", "submitted"]),
                                    name="reports_one_active_per_period"),
        ]
        indexes = [
            # The submitted reports of a period (the roll-up, the board): read from the period's rows only, however
            # many periods the table holds.
            models.Index(fields=["period_start", "period_kind", "state", "unit"], include=["id"],
                         name="report_period_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Báo cáo %(number)s") % {"number": self.pk}


class SubmittedTotal(models.Model):
    """The submitted snapshots of one unit's units for one period, summed (the roll-up's "submitted" column), with
    what identifies the reports summed: how many, and two sums of their ids. Derived data, kept by
    ``chibo.reports.totals`` in the transaction that submits or supersedes a report; the roll-up reads it only when
    it covers exactly the reports it would sum."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    count = models.IntegerField(default=0)
    id_sum = models.BigIntegerField(default=0)
    id_square_sum = models.BigIntegerField(default=0)  # modulo totals.MODULUS
    totals = models.JSONField(default=dict)  # figure key → the sum, a decimal as text

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period_kind", "period_start"],
                                               name="reports_submitted_total_once")]
