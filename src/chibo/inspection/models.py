"""Inspection and supervision (docs/domain.md §8, 296-QĐ/TW): a committee's yearly plans and their items, its
notes of day-to-day supervision, and its inspections of a member or an organization showing signs of a violation.
Changed only by ``inspection.services``; read through ``inspection.selectors`` (an inspection case only by those
who need to know it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.inspection.enums import CaseState, ItemState, Kind

ONE_SUBJECT = (models.Q(subject_unit__isnull=True, subject_member__isnull=False)
               | models.Q(subject_unit__isnull=False, subject_member__isnull=True))


def subject_name(obj) -> str:
    """The name of the member or of the organization an item, a note or a case is about."""
    if obj.subject_member is not None:
        return obj.subject_member.full_name
    return obj.subject_unit.name if obj.subject_unit is not None else ""


class Plan(models.Model):
    """A committee's yearly plan of inspection or of supervision (kế hoạch kiểm tra / giám sát)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(gettext_noop("năm"))
    kind = models.CharField(gettext_noop("loại kế hoạch"), max_length=12, choices=Kind.choices)
    reference = models.CharField(gettext_noop("văn bản ban hành kế hoạch"), max_length=120)
    adopted_on = models.DateField(gettext_noop("ngày ban hành"))
    created_by = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "unit__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind"], name="inspection_plan_one_per_year")]

    def __str__(self) -> str:
        return gettext("Kế hoạch %(kind)s năm %(year)s") % {"kind": gettext(self.get_kind_display()).lower(),
                                                              "year": self.year}


class PlanItem(models.Model):
    """One inspection or supervision of the plan: its subject (a member or an organization of the committee's
    subtree, chosen from the records), its topic, its window, the officers in charge, its conclusion."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="items")
    subject_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    topic = models.CharField(gettext_noop("nội dung"), max_length=300)
    starts_on = models.DateField(gettext_noop("từ ngày"))
    ends_on = models.DateField(gettext_noop("đến ngày"))
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    state = models.CharField(max_length=12, choices=ItemState.choices, default=ItemState.PLANNED)
    conclusion = EncryptedTextField(gettext_noop("kết luận"), blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="inspection_item_one_subject"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="inspection_item_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def subject_name(self) -> str:
        return subject_name(self)


class SupervisionNote(models.Model):
    """A note of day-to-day supervision (giám sát thường xuyên) by a committee of a member or an organization of
    its subtree."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    subject_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    on = models.DateField(gettext_noop("ngày"))
    content = EncryptedTextField(gettext_noop("nội dung giám sát"))
    follow_up = models.CharField(gettext_noop("việc cần theo dõi tiếp"), max_length=300, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [models.CheckConstraint(condition=ONE_SUBJECT, name="inspection_note_one_subject")]

    @property
    def subject_name(self) -> str:
        return subject_name(self)


class Inspection(models.Model):
    """An inspection when there are signs of a violation (kiểm tra khi có dấu hiệu vi phạm), opened and concluded
    by the committee ``unit`` on a member or an organization of its subtree."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    subject_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    signs = EncryptedTextField(gettext_noop("dấu hiệu vi phạm"))
    decision_no = models.CharField(gettext_noop("quyết định kiểm tra"), max_length=60)
    opened_on = models.DateField(gettext_noop("ngày quyết định kiểm tra"))
    opened_by = models.CharField(max_length=150, blank=True)
    plan_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    state_since = models.DateField()
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # the subject's explanation (for an organization, recorded by its secretary)
    explanation = EncryptedTextField(gettext_noop("giải trình"), blank=True)
    explained_on = models.DateField(null=True, blank=True)
    conclusion = EncryptedTextField(gettext_noop("kết luận"), blank=True)
    recommendations = EncryptedTextField(gettext_noop("kiến nghị"), blank=True)
    conclusion_no = models.CharField(gettext_noop("số thông báo kết luận"), max_length=60, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    dropped_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [models.CheckConstraint(condition=ONE_SUBJECT, name="inspection_case_one_subject")]

    def __str__(self) -> str:
        return gettext("Cuộc kiểm tra %(number)s") % {"number": self.pk}

    @property
    def subject_name(self) -> str:
        return subject_name(self)
