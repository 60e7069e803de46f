"""Personal data requests and the breach register (docs/domain.md §10). Changed only by ``privacy.services``;
read through ``privacy.selectors``: a person sees their own requests, the officers in charge those of their
units, the top organization's officers the breaches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.privacy.enums import BreachState, PersonKind, RequestKind, RequestState


class DataRequest(models.Model):
    """A person's request about their own data: a member or an applicant files it, or an officer records it for a
    former member. It is answered within ``privacy.request_answer_within`` (the deadline on the radar)."""

    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="privacy_requests")
    applicant = models.ForeignKey("admission.Applicant", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="privacy_requests")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the unit in charge
    kind = models.CharField(gettext_noop("yêu cầu"), max_length=10, choices=RequestKind.choices)
    details = EncryptedTextField(gettext_noop("nội dung yêu cầu"), blank=True)
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.FILED)
    filed_on = models.DateField(gettext_noop("ngày nhận yêu cầu"))
    recorded_by_officer = models.BooleanField(default=False)  # an officer recorded it (a former member's)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    due_on = models.DateField(gettext_noop("hạn trả lời"))
    answer = EncryptedTextField(gettext_noop("nội dung trả lời"), blank=True)
    answered_on = models.DateField(gettext_noop("ngày trả lời"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(member__isnull=False, applicant__isnull=True)
                       | models.Q(member__isnull=True, applicant__isnull=False)),
            name="privacy_request_one_person")]

    def __str__(self) -> str:
        return gettext("Yêu cầu về dữ liệu cá nhân số %(number)s") % {"number": self.pk}

    @property
    def person_name(self) -> str:
        person = self.member or self.applicant
        return person.full_name if person is not None else ""

    @property
    def late(self) -> bool:
        return self.answered_on is not None and self.answered_on > self.due_on


class Breach(models.Model):
    """An incident affecting personal data: detected at a time (required), to be notified to the authority within
    ``privacy.breach_notify_within`` of it, counted in calendar hours."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the top organization
    detected_at = models.DateTimeField(gettext_noop("thời điểm phát hiện"))
    due_at = models.DateTimeField(gettext_noop("hạn thông báo"))
    summary = EncryptedTextField(gettext_noop("sự cố"))
    data_affected = EncryptedTextField(gettext_noop("dữ liệu và số người bị ảnh hưởng"))
    actions = EncryptedTextField(gettext_noop("biện pháp đã làm"), blank=True)
    state = models.CharField(max_length=10, choices=BreachState.choices, default=BreachState.OPEN)
    notified_at = models.DateTimeField(gettext_noop("thời điểm thông báo"), null=True, blank=True)
    notified_to = models.CharField(gettext_noop("cơ quan được thông báo"), max_length=200, blank=True)
    rule = models.ForeignKey("core.Rule", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-detected_at", "-pk"]

    def __str__(self) -> str:
        return gettext("Sự cố dữ liệu số %(number)s") % {"number": self.pk}

    @property
    def late(self) -> bool:
        return self.notified_at is not None and self.notified_at > self.due_at


class Anonymisation(models.Model):
    """A former member or a refused or withdrawn applicant anonymised once their retention period ran out: who and
    when, never the values removed (``privacy.anonymise``)."""

    kind = models.CharField(max_length=10, choices=PersonKind.choices)
    person_id = models.PositiveIntegerField()
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the person's last unit
    since = models.DateField(gettext_noop("ngày bắt đầu tính thời hạn lưu giữ"))
    kept_until = models.DateField(gettext_noop("hết thời hạn lưu giữ"))
    done_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    rows = models.PositiveIntegerField(default=0)  # rows changed or removed

    class Meta:
        ordering = ["-done_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "person_id"], name="privacy_anonymised_once")]

    def __str__(self) -> str:
        return gettext("Ẩn danh số %(number)s") % {"number": self.pk}
