"""Discipline cases, appeals and the notices of state bodies (docs/domain.md §8). Changed only by
``discipline.services``; read through ``discipline.selectors``, which let only those who need to know see a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.discipline.enums import Area, CaseState, Form, NoticeState, Outcome, StateForm


class Case(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="discipline_cases")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the member's unit then
    deciding_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="discipline_cases")
    # the violation: what and when (the limitation period runs from that day), its area and the level considered
    violation = EncryptedTextField(gettext_noop("nội dung vi phạm"))
    violated_on = models.DateField(gettext_noop("ngày vi phạm"))
    area = models.CharField(gettext_noop("lĩnh vực"), max_length=20, choices=Area.choices, default=Area.ORDINARY)
    considered = models.CharField(gettext_noop("mức xem xét"), max_length=10, choices=Form.choices)
    reference = models.CharField(gettext_noop("văn bản mở hồ sơ"), max_length=120)
    opened_on = models.DateField()
    opened_by = models.CharField(max_length=150, blank=True)
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    state_since = models.DateField()
    # the member's own explanation (bản tự kiểm điểm)
    explanation = EncryptedTextField(gettext_noop("bản tự kiểm điểm"), blank=True)
    explained_on = models.DateField(null=True, blank=True)
    # the vote on the proposed form
    proposed = models.CharField(max_length=10, choices=Form.choices, blank=True)
    voted_on = models.DateField(null=True, blank=True)
    eligible = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.PositiveSmallIntegerField(null=True, blank=True)
    no = models.PositiveSmallIntegerField(null=True, blank=True)
    needed = models.PositiveSmallIntegerField(null=True, blank=True)
    # the decision (in force from ``effective_on``, also while an appeal is pending)
    form = models.CharField(gettext_noop("hình thức kỷ luật"), max_length=10, choices=Form.choices, blank=True)
    decision_no = models.CharField(max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)  # when the member received the decision
    dropped_reason = models.CharField(max_length=500, blank=True)
    hold = models.ForeignKey("transfers.TransferHold", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="discipline_cases", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return gettext("Hồ sơ kỷ luật %(number)s") % {"number": self.pk}


class Appeal(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="appeal")
    instance = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(gettext_noop("ngày nộp đơn"))
    late_reason = models.CharField(gettext_noop("lý do chấp nhận đơn quá hạn"), max_length=500, blank=True)
    text = EncryptedTextField(gettext_noop("nội dung khiếu nại"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    new_form = models.CharField(max_length=10, choices=Form.choices, blank=True)
    decision_no = models.CharField(max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)


class Notice(models.Model):
    """A state body's notice that it disciplined a member: the party organization is to be told within
    ``discipline.state_notice_within`` of the state's decision (296-QĐ/TW). It then considers party discipline:
    a case opened from the notice, or closed with a reason."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="discipline_notices")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the organization told
    body = models.CharField(gettext_noop("cơ quan nhà nước ra quyết định"), max_length=200)
    state_form = models.CharField(gettext_noop("hình thức kỷ luật"), max_length=12, choices=StateForm.choices)
    decision_no = models.CharField(gettext_noop("số quyết định"), max_length=60)
    decided_on = models.DateField(gettext_noop("ngày quyết định"))
    summary = EncryptedTextField(gettext_noop("tóm tắt nội dung vi phạm"), blank=True)
    received_on = models.DateField(gettext_noop("ngày tổ chức đảng nhận thông báo"))
    due_on = models.DateField()  # the day the notice was due (the rule's version of the decision day)
    state = models.CharField(max_length=10, choices=NoticeState.choices, default=NoticeState.RECEIVED)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="notice")
    closed_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_on = models.DateField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["member", "decision_no", "decided_on"],
                                               name="discipline_notice_once")]

    def __str__(self) -> str:
        return gettext("Thông báo kỷ luật %(number)s") % {"number": self.pk}

    @property
    def late(self) -> bool:
        return self.received_on > self.due_on
