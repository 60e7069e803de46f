"""Applicants (quần chúng ưu tú). The admission process itself builds on this record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext, gettext_noop

from chibo.core.crypto import BinaryCharField, EncryptedTextField

if TYPE_CHECKING:
    from chibo.deadlines.models import Deadline


class Applicant(models.Model):
    full_name = models.CharField(gettext_noop("họ và tên"), max_length=120)
    name_search = models.CharField(max_length=120, editable=False, db_index=True)
    name_sort = BinaryCharField(max_length=400, editable=False)
    gender = models.CharField(gettext_noop("giới tính"), max_length=1,
                              choices=[("M", gettext_noop("Nam")), ("F", gettext_noop("Nữ"))])
    birth_date = models.DateField(gettext_noop("ngày sinh"))
    # Only what the regulations need: the citizen ID tells a member or an open case apart; the e-mail
    # carries the invitation to the applicant's own dossier page. Both encrypted at rest.
    citizen_id = EncryptedTextField(gettext_noop("số CCCD"), blank=True, default="")
    citizen_id_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    email = EncryptedTextField(gettext_noop("thư điện tử"), blank=True, default="")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="applicants")
    recorded_on = models.DateField(gettext_noop("ngày ghi nhận"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_sort", "pk"]

    def __str__(self) -> str:
        return self.full_name


class Stage(models.TextChoices):
    """Steps of an admission case, in order; then the side exits."""

    RECORDED = "recorded", gettext_noop("Đã ghi nhận quần chúng ưu tú")
    COURSE = "course", gettext_noop("Đã học lớp bồi dưỡng nhận thức về Đảng")
    APPLICATION = "application", gettext_noop("Đã nhận đơn và lý lịch")
    INTRODUCERS = "introducers", gettext_noop("Đã có người giới thiệu")
    COMMENTS = "comments", gettext_noop("Đã có nhận xét của đoàn thể và nơi cư trú")
    VERIFIED = "verified", gettext_noop("Đã thẩm tra lý lịch")
    CELL_VOTED = "cell_voted", gettext_noop("Chi bộ đã nghị quyết đề nghị kết nạp")
    COMMITTEE_VOTED = "committee_voted", gettext_noop("Cấp ủy đã nghị quyết")
    DECIDED = "decided", gettext_noop("Đã có quyết định kết nạp")
    PROBATION = "probation", gettext_noop("Đảng viên dự bị")
    FULL = "full", gettext_noop("Đảng viên chính thức")
    WITHDRAWN = "withdrawn", gettext_noop("Rút hồ sơ")
    REJECTED = "rejected", gettext_noop("Không được đề nghị kết nạp")
    STRUCK_OFF = "struck_off", gettext_noop("Xóa tên trong thời kỳ dự bị")
    ESCALATED = "escalated", gettext_noop("Chuyển cấp ủy cấp trên xem xét")


PIPELINE: list[str] = [Stage.RECORDED, Stage.COURSE, Stage.APPLICATION, Stage.INTRODUCERS, Stage.COMMENTS,
                       Stage.VERIFIED, Stage.CELL_VOTED, Stage.COMMITTEE_VOTED, Stage.DECIDED, Stage.PROBATION,
                       Stage.FULL]
EXITS = [Stage.WITHDRAWN, Stage.REJECTED, Stage.STRUCK_OFF, Stage.ESCALATED]
AGE = gettext_noop("%(years)s tuổi %(months)s tháng")  # an applicant's age on the day of the cell's vote
OPEN_STAGES = [s for s in PIPELINE if s != Stage.FULL] + [Stage.ESCALATED]


class AdmissionCase(models.Model):
    """One applicant's way from the course certificate to full membership. Changed only by services."""

    applicant = models.OneToOneField(Applicant, on_delete=models.PROTECT, related_name="case")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="admission_cases")
    stage = models.CharField(gettext_noop("bước"), max_length=20, choices=Stage.choices, default=Stage.RECORDED)
    stage_since = models.DateField(gettext_noop("từ ngày"))
    # course (lớp bồi dưỡng nhận thức về Đảng)
    course_certificate_no = models.CharField(gettext_noop("số giấy chứng nhận"), max_length=60, blank=True)
    course_issuer = models.CharField(gettext_noop("nơi cấp"), max_length=200, blank=True)
    course_on = models.DateField(gettext_noop("ngày cấp"), null=True, blank=True)
    # application (1-KNĐ) and CV (2-KNĐ)
    application_on = models.DateField(gettext_noop("ngày nhận đơn"), null=True, blank=True)
    cv_on = models.DateField(gettext_noop("ngày nhận lý lịch"), null=True, blank=True)
    # introducers (3-KNĐ) or the union-resolution route (4-KNĐ) with one full member
    introducer1 = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    introducer1_since = models.DateField(gettext_noop("cùng công tác từ"), null=True, blank=True)
    introducer2 = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    introducer2_since = models.DateField(gettext_noop("cùng công tác từ"), null=True, blank=True)
    union_resolution = models.CharField(gettext_noop("nghị quyết giới thiệu của đoàn thể"), max_length=100, blank=True)
    introducers_on = models.DateField(null=True, blank=True)
    # comments of the mass organization and the place of residence (5-KNĐ): dates and references only
    mass_org_comment_on = models.DateField(null=True, blank=True)
    residence_comment_on = models.DateField(null=True, blank=True)
    # CV verification: only that it was done, by which committee, when, reference
    verified_by = models.CharField(gettext_noop("cấp ủy thẩm tra"), max_length=200, blank=True)
    verified_on = models.DateField(null=True, blank=True)
    verification_ref = models.CharField(gettext_noop("số văn bản thẩm tra"), max_length=100, blank=True)
    # cell resolution (6-KNĐ)
    cell_vote_on = models.DateField(null=True, blank=True)
    cell_yes = models.PositiveIntegerField(null=True, blank=True)
    cell_eligible = models.PositiveIntegerField(null=True, blank=True)
    cell_needed = models.PositiveIntegerField(null=True, blank=True)
    cell_resolution_no = models.CharField(max_length=60, blank=True)
    age_months_at_vote = models.PositiveIntegerField(null=True, blank=True)
    over_age = models.BooleanField(default=False)
    # committee resolution (8-KNĐ)
    deciding_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    committee_vote_on = models.DateField(null=True, blank=True)
    committee_yes = models.PositiveIntegerField(null=True, blank=True)
    committee_eligible = models.PositiveIntegerField(null=True, blank=True)
    committee_needed = models.PositiveIntegerField(null=True, blank=True)
    committee_resolution_no = models.CharField(max_length=60, blank=True)
    decision_extension_days = models.PositiveIntegerField(default=0)
    decision_extension_reason = models.CharField(max_length=300, blank=True)
    # admission decision (9-KNĐ)
    decision_no = models.CharField(max_length=60, blank=True)
    decision_on = models.DateField(null=True, blank=True)
    decision_received_on = models.DateField(null=True, blank=True)
    # ceremony
    ceremony_on = models.DateField(null=True, blank=True)
    member = models.OneToOneField("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="admission_case")
    helper = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    probation_end = models.DateField(null=True, blank=True)
    # confirmation (13-KNĐ, 15-KNĐ)
    confirmation_resolution_no = models.CharField(max_length=60, blank=True)
    confirmation_voted_on = models.DateField(null=True, blank=True)
    confirmation_decision_no = models.CharField(max_length=60, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)
    # side exits
    exit_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    exit_reason = models.CharField(max_length=300, blank=True)
    exited_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not stored: the case's earliest open deadline, set by the pipeline board (admission.selectors.board).
    next_deadline: Deadline | None

    class Meta:
        ordering = ["stage_since", "pk"]
        indexes = [models.Index(fields=["unit", "stage"], name="admission_unit_stage_idx")]

    def __str__(self) -> str:
        return gettext("Hồ sơ kết nạp: %(name)s") % {"name": self.applicant.full_name}

    @property
    def step_index(self) -> int:
        return PIPELINE.index(self.stage) if self.stage in PIPELINE else -1

    @property
    def age_text(self) -> str:
        """The age on the day of the cell's vote as the paper prints it (in Vietnamese)."""
        m = self.age_months_at_vote or 0
        return AGE % {"years": m // 12, "months": m % 12}

    @property
    def age_shown(self) -> str:
        """The same age in the reader's language (the case page)."""
        m = self.age_months_at_vote or 0
        return gettext(AGE) % {"years": m // 12, "months": m % 12}

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Vote(models.Model):
    """A vote on the case: the cell's or the committee's, on admission or on confirmation."""

    class Kind(models.TextChoices):
        CELL = "cell", gettext_noop("Chi bộ xét kết nạp")
        COMMITTEE = "committee", gettext_noop("Cấp ủy xét kết nạp")
        CONFIRMATION = "confirmation", gettext_noop("Chi bộ xét công nhận chính thức")
        CONFIRMATION_COMMITTEE = "confirmation_committee", gettext_noop("Cấp ủy xét công nhận chính thức")

    case = models.ForeignKey(AdmissionCase, on_delete=models.PROTECT, related_name="votes")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    held_on = models.DateField()
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    eligible = models.PositiveIntegerField()
    yes = models.PositiveIntegerField()
    no = models.PositiveIntegerField()
    needed = models.PositiveIntegerField()
    passed = models.BooleanField()
    resolution_no = models.CharField(max_length=60, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
