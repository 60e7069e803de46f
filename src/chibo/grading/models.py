"""Review periods, each member's review and each organization's review (docs/domain.md §7). Changed only by
``grading.services``; read through ``grading.selectors``."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import EncryptedTextField
from chibo.grading.enums import Form, Grade, PeriodKind, PeriodState, ReviewState, UnitReviewState


class Period(models.Model):
    """A review period opened by a committee for its subtree: a year, a quarter or a term."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="grading_periods")
    kind = models.CharField(gettext_noop("kỳ"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(gettext_noop("năm"))
    quarter = models.PositiveSmallIntegerField(gettext_noop("quý"), default=0)  # 1–4 for a quarter; 0 otherwise
    title = models.CharField(gettext_noop("tên kỳ kiểm điểm"), max_length=200)
    starts_on = models.DateField(gettext_noop("từ ngày"))
    ends_on = models.DateField(gettext_noop("đến ngày"))
    self_due = models.DateField(gettext_noop("hạn nộp bản tự đánh giá"))
    cell_due = models.DateField(gettext_noop("hạn chi bộ biểu quyết"))
    decide_due = models.DateField(gettext_noop("hạn cấp ủy quyết định"))
    state = models.CharField(max_length=8, choices=PeriodState.choices, default=PeriodState.OPEN)
    opened_on = models.DateField()
    opened_by = models.CharField(max_length=150, blank=True)
    locked_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "quarter"], name="grading_period_once"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="grading_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def locked(self) -> bool:
        return self.state == PeriodState.LOCKED

    @property
    def rules_on(self) -> date:
        """The day whose rules judge the period: the day it opened, or the last day of the period reviewed when it
        opened later (a 2024 review entered afterwards is judged by the rules of 2024, not by those of its
        opening)."""
        return min(self.opened_on, self.ends_on)

    @property
    def undecided(self) -> int:
        """Reviews of members and organizations without a decided grade (the period locks at 0)."""
        return (self.reviews.exclude(state=ReviewState.DECIDED).count()
                + self.unit_reviews.exclude(state=UnitReviewState.DECIDED).count())


class Review(models.Model):
    """One member's review in a period: the self-assessment, the cell's vote, the committee's appraisal and
    decision. Points per criterion are kept as the member entered them; the cell and the committee may revise
    the total and the conditions, and the grade always follows from them (``grading.compute``)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reviews")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="grading_reviews")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the cell at opening
    form = models.CharField(gettext_noop("mẫu"), max_length=3, choices=Form.choices)
    state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.PENDING)
    state_since = models.DateField()
    # self-assessment
    points = models.JSONField(default=dict, blank=True)  # criterion code → points
    score = models.PositiveSmallIntegerField(gettext_noop("tổng điểm"), null=True, blank=True)
    all_on_time = models.BooleanField(gettext_noop("hoàn thành mọi nhiệm vụ đúng tiến độ"), null=True, blank=True)
    exceeded_percent = models.PositiveSmallIntegerField(gettext_noop("tỷ lệ nhiệm vụ vượt yêu cầu (%)"),
                                                        null=True, blank=True)
    strengths = EncryptedTextField(gettext_noop("ưu điểm"), blank=True)
    weaknesses = EncryptedTextField(gettext_noop("hạn chế, khuyết điểm và nguyên nhân"), blank=True)
    remedies = EncryptedTextField(gettext_noop("phương hướng, biện pháp khắc phục"), blank=True)
    proposed_grade = models.CharField(gettext_noop("tự xếp loại"), max_length=14, choices=Grade.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # the cell
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cell_comment = EncryptedTextField(gettext_noop("ý kiến của chi bộ"), blank=True)
    cell_score = models.PositiveSmallIntegerField(null=True, blank=True)
    cell_grade = models.CharField(max_length=14, choices=Grade.choices, blank=True)
    cell_convened = models.PositiveSmallIntegerField(null=True, blank=True)  # full members convened (denominator)
    cell_yes = models.PositiveSmallIntegerField(null=True, blank=True)
    cell_no = models.PositiveSmallIntegerField(null=True, blank=True)
    cell_needed = models.PositiveSmallIntegerField(null=True, blank=True)
    cell_voted_on = models.DateField(null=True, blank=True)
    # the committee
    disciplined = models.BooleanField(gettext_noop("bị kỷ luật trong kỳ"), default=False)
    appraisal = EncryptedTextField(gettext_noop("ý kiến thẩm định của cấp ủy"), blank=True)
    appraised_grade = models.CharField(max_length=14, choices=Grade.choices, blank=True)
    appraised_on = models.DateField(null=True, blank=True)
    grade = models.CharField(gettext_noop("xếp loại"), max_length=14, choices=Grade.choices, blank=True)
    final_score = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_no = models.CharField(gettext_noop("số quyết định"), max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "unit", "pk"]
        constraints = [models.UniqueConstraint(fields=["period", "member"], name="grading_review_once")]
        indexes = [models.Index(fields=["period", "unit", "state"], name="grading_review_unit_state")]

    def __str__(self) -> str:
        return f"{self.period} · {self.member_id}"

    @property
    def current_score(self) -> int | None:
        """The latest score recorded: the committee's, else the cell's, else the member's own."""
        return next((s for s in (self.final_score, self.cell_score, self.score) if s is not None), None)


class UnitReview(models.Model):
    """An organization's review in a period: its own report and score, then the level above's decision. Its
    members' results are part of the input (share excellent, members disciplined)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="unit_reviews")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="grading_reviews")
    state = models.CharField(max_length=12, choices=UnitReviewState.choices, default=UnitReviewState.PENDING)
    state_since = models.DateField()
    points = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    all_on_time = models.BooleanField(null=True, blank=True)
    exceeded_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    late_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    report = models.TextField(gettext_noop("báo cáo kiểm điểm"), blank=True)
    proposed_grade = models.CharField(max_length=14, choices=Grade.choices, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    members_disciplined = models.PositiveIntegerField(null=True, blank=True)  # read from the member reviews
    grade = models.CharField(max_length=14, choices=Grade.choices, blank=True)
    final_score = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_no = models.CharField(max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="grading_unit_review_once")]


class Decision(models.Model):
    """Every grade decided, in order: the first decision and each correction (a new decision with a reason)."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    unit_review = models.ForeignKey(UnitReview, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="decisions")
    grade = models.CharField(max_length=14, choices=Grade.choices)
    score = models.PositiveSmallIntegerField()
    decision_no = models.CharField(max_length=60)
    decided_on = models.DateField()
    reason = models.CharField(gettext_noop("lý do điều chỉnh"), max_length=500, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(review__isnull=True) ^ models.Q(unit_review__isnull=True), name="grading_decision_one")]
