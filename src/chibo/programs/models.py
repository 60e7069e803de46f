"""Work programs (chương trình, kế hoạch công tác) of a unit for a year or a quarter, their items (handed down from
the upper committee's program or the unit's own), and the proposals a unit raises to the upper committee (kiến
nghị, đề xuất). Changed only by ``programs.services``; read through ``programs.selectors``."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.programs.enums import ITEM_OPEN_STATES, ItemState, ProposalState


def period_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a year (quarter 0) or of one of its quarters."""
    if not quarter:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def period_label(year: int, quarter: int) -> str:
    """The period as the reader's language says it ("Quý 2/2026", "Năm 2026")."""
    if quarter:
        return _("Quý %(quarter)s/%(year)s") % {"quarter": quarter, "year": year}
    return _("Năm %(year)s") % {"year": year}


def period_label_vi(year: int, quarter: int) -> str:
    """The period in Vietnamese whatever the reader's language: the words of a stored title."""
    with translation.override("vi"):
        return period_label(year, quarter)


class Program(models.Model):
    """A unit's work program for a year (quarter 0) or a quarter: one per unit and period."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(gettext_noop("năm"))
    quarter = models.PositiveSmallIntegerField(gettext_noop("quý"), default=0)  # 0: the whole year
    title = models.CharField(gettext_noop("tên chương trình"), max_length=200)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-quarter", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="programs_one_per_period"),
            models.CheckConstraint(condition=models.Q(quarter__lte=4), name="programs_quarter_0_4"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_label})"

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.quarter)

    @property
    def bounds(self) -> tuple[date, date]:
        return period_bounds(self.year, self.quarter)


class Item(models.Model):
    """One task of a program: what, who answers for it (a member of the unit, or a post or role — never a person
    outside the party), by when, where it stands and its evidence. ``parent`` is the upper committee's item this
    one carries out when it was handed down."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="handed")
    title = models.CharField(gettext_noop("nội dung công việc"), max_length=300)
    owner_member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    owner_role = models.CharField(gettext_noop("chức danh, bộ phận phụ trách"), max_length=120, blank=True)
    due_on = models.DateField(gettext_noop("hạn hoàn thành"))
    state = models.CharField(max_length=12, choices=ItemState.choices, default=ItemState.PLANNED)
    evidence = EncryptedTextField(gettext_noop("kết quả, minh chứng"), blank=True)
    document = models.ForeignKey("library.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    done_on = models.DateField(null=True, blank=True)
    dropped_reason = models.CharField(max_length=500, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(owner_member__isnull=True, owner_role=""),
                                   name="programs_item_has_owner"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in ITEM_OPEN_STATES

    @property
    def owner_name(self) -> str:
        return self.owner_member.full_name if self.owner_member is not None else self.owner_role


class Proposal(models.Model):
    """A proposal or a question a unit raises to the committee directly above it, answered by that committee
    within ``programs.proposal_answer_within`` (on its deadline radar until then)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(gettext_noop("vấn đề kiến nghị, đề xuất"), max_length=200)
    body = EncryptedTextField(gettext_noop("nội dung"))
    raised_on = models.DateField()
    raised_by = models.CharField(max_length=150, blank=True)
    due_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ProposalState.choices, default=ProposalState.RAISED)
    received_on = models.DateField(null=True, blank=True)
    answer = EncryptedTextField(gettext_noop("nội dung trả lời"), blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.CharField(max_length=150, blank=True)
    withdrawn_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_on", "-pk"]

    def __str__(self) -> str:
        return self.title
