"""Cell meetings (sinh hoạt chi bộ): planning, documents, attendance, resolutions, secret ballots, minutes.

Secret ballots keep three tables apart: ``BallotVoter`` (who may vote and whether they did),
``Ballot`` (the slips) and ``BallotReceipt`` (the digests of the receipts handed to online voters). A
slip has no link to a voter, no timestamp and a random primary key; the slips of a box are created
blank when the ballot opens; a vote fills a blank slip and the whole box is rewritten in a fresh random
order with fresh random ids — so neither the row order nor the ids say which slip was cast when, and the
participation rows (whose order the audit chain keeps) cannot be matched to slips.

A slip's content is stored only as AES-GCM ciphertext under the deployment's field key (not in the
database), every slip padded to the same length and re-encrypted with a fresh nonce on every vote: a
copy of the database file, its WAL or PostgreSQL's dead row versions shows which rows changed, never
what a slip says. The receipts sit in their own table, so a receipt code does not lead to a choice.
The counts are decrypted once, at the close, and kept on the box (threat model: docs/ballot-secrecy.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import BinaryCharField, EncryptedBinaryField, EncryptedTextField
from chibo.core.yearly import StoredFigures, StoredPeriods, figure_model


class MeetingKind(models.TextChoices):
    REGULAR = "regular", gettext_noop("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", gettext_noop("Sinh hoạt chuyên đề")
    COMBINED = "combined", gettext_noop("Thường kỳ kết hợp chuyên đề")
    EXTRAORDINARY = "extraordinary", gettext_noop("Sinh hoạt bất thường")


class MeetingState(models.TextChoices):
    PLANNED = "planned", gettext_noop("Đã lên kế hoạch")
    OPEN = "open", gettext_noop("Đang họp")
    HELD = "held", gettext_noop("Đã họp")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


class MinutesState(models.TextChoices):
    NONE = "", gettext_noop("Chưa có biên bản")
    DRAFT = "draft", gettext_noop("Dự thảo")
    APPROVED = "approved", gettext_noop("Đã thông qua")


class MeetingSettings(models.Model):
    """Per-unit settings: the time zone of its meetings and whether secret ballots may run online."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="meeting_settings")
    time_zone = models.CharField(gettext_noop("múi giờ"), max_length=64, blank=True)
    online_ballots = models.BooleanField(gettext_noop("cho phép bỏ phiếu kín trực tuyến"), default=True)


class Meeting(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(gettext_noop("loại"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(gettext_noop("tiêu đề"), max_length=200)
    starts_at = models.DateTimeField(gettext_noop("bắt đầu"))
    time_zone = models.CharField(max_length=64)
    planned_minutes = models.PositiveSmallIntegerField(gettext_noop("thời lượng dự kiến (phút)"))
    place = models.CharField(gettext_noop("địa điểm"), max_length=200, blank=True)
    online_link = models.URLField(gettext_noop("đường dẫn họp trực tuyến"), max_length=300, blank=True)
    agenda = models.TextField(gettext_noop("chương trình"), blank=True)
    draft_resolution = models.TextField(gettext_noop("dự thảo nghị quyết"), blank=True)
    discussion = models.TextField(gettext_noop("diễn biến, ý kiến thảo luận"), blank=True)
    conclusion = models.TextField(gettext_noop("kết luận của chủ trì"), blank=True)
    state = models.CharField(max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    minutes_text = models.TextField(blank=True)
    minutes_state = models.CharField(max_length=10, choices=MinutesState.choices, blank=True, default="")
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.CharField(max_length=150, blank=True)
    # The minutes' number in the cell's register of the (local) year, given on approval: 1, 2, 3 … without gaps.
    minutes_year = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes_number = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "starts_at"], name="meeting_unit_start_idx"),
            # Held meetings of a period with their kind and unit beside the time (PostgreSQL reads the index alone):
            # the roll-up's meetings of a quarter across the whole tree.
            models.Index(fields=["starts_at"], include=["kind", "unit"], condition=models.Q(state="held"),
                         name="meeting_held_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(planned_minutes__gt=0), name="meeting_duration_positive"),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True) | models.Q(opened_at__isnull=True)
                                   | models.Q(ended_at__gt=models.F("opened_at")), name="meeting_ends_after_start"),
            models.UniqueConstraint(fields=["unit", "minutes_year", "minutes_number"], name="minutes_number_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes_locked(self) -> bool:
        return self.minutes_state == MinutesState.APPROVED


class MeetingYearFigure(models.Model):
    """The months of ``year`` in which one cell held a regular (or combined) meeting, the month on the meeting's own
    calendar, as the statistics count them (``meetings.selectors.regular_meetings_per_year``), and the same summed
    over the unit's subtree: a subtree's figure reads its root's row. Derived data, written only by
    ``chibo.meetings.yearly``; a row with ``dirty`` above 0 (a meeting of the unit changed since it was computed) is
    never read as it is."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    held = models.IntegerField(default=0)
    # The months held summed over the unit's subtree, itself included (every row, dirty or not: core.yearly).
    sub_held = models.IntegerField(default=0)
    dirty = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="meeting_year_figure_once")]
        indexes = [models.Index(fields=["year", "unit"], name="meeting_year_figure_dirty_idx",
                                condition=models.Q(dirty__gt=0))]


class MeetingYearStored(models.Model):
    """A year whose ``MeetingYearFigure`` rows have been computed for every unit (``ready``)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    ready = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)


MeetingMonthFigure = figure_model(
    "MeetingMonthFigure", __name__, ("held", "other"),
    """Meetings one unit held in a month (``year`` is the month's period number, ``core.yearly.month_period``): the
    regular or combined ones (``held``) and the thematic or extraordinary ones (``other``), as the roll-up's live
    column counts them, and the same summed over the unit's subtree. Derived data, written only by
    ``chibo.meetings.yearly``; a row with ``dirty`` above 0 is never read as it is.""")


class MeetingMonthStored(StoredPeriods):
    """A month whose ``MeetingMonthFigure`` rows have been computed for every unit (``ready``)."""


COMPLIANCE_FIELDS = ("cells", "late", "late_months", "late_quarters", "months", "quarters")


class MeetingComplianceFigure(StoredFigures):
    """The compliance page's figures of one open cell in a year up to a month (``year`` is that month's period
    number, ``core.yearly.month_period``: December for a past year, the current month for the current one), as
    ``rules.compliance`` finds them: the cell (``cells`` 1), late or not (a regular month or a thematic quarter
    missing), missing a month, missing a quarter, and how many months and quarters it misses; each summed over the
    unit's subtree (``sub_<field>``). The late cells of a period are read through an index in the page's order
    (``sort_key``: the unit's name for the ties).
    Derived data, written only by ``chibo.meetings.yearly``; a row with ``dirty`` above 0 is never read as it is."""

    cells = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    late_months = models.IntegerField(default=0)
    late_quarters = models.IntegerField(default=0)
    months = models.IntegerField(default=0)
    quarters = models.IntegerField(default=0)
    sub_cells = models.IntegerField(default=0)
    sub_late = models.IntegerField(default=0)
    sub_late_months = models.IntegerField(default=0)
    sub_late_quarters = models.IntegerField(default=0)
    sub_months = models.IntegerField(default=0)
    sub_quarters = models.IntegerField(default=0)
    # The unit's name as the page orders it (``Unit.sort_key``), copied when the row is computed; a cell renamed is
    # marked, so a clean row's copy is its unit's.
    sort_key = BinaryCharField(max_length=400, default="")

    class Meta(StoredFigures.Meta):
        indexes = [*StoredFigures.Meta.indexes,
                   # the late cells of a period in the page's orders: the most months (then quarters) missing first,
                   # or by name
                   models.Index(fields=["year", "-months", "-quarters", "sort_key", "unit"],
                                name="meeting_compliance_worst_idx", condition=models.Q(late__gt=0)),
                   models.Index(fields=["year", "sort_key", "unit"], name="meeting_compliance_name_idx",
                                condition=models.Q(late__gt=0))]


class MeetingComplianceStored(StoredPeriods):
    """A period whose ``MeetingComplianceFigure`` rows have been computed for every unit (``ready``)."""


class MinutesCounter(models.Model):
    """The last minutes number of a cell in a (local) year; taken through chibo.core.counters on approval, so
    two approvals at once wait for each other and no number is skipped or given twice."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="minutes_counter_unit_year")]


class MeetingDocument(models.Model):
    """A document sent to members before the meeting: unclassified only (no state secrets stored)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(gettext_noop("tên tài liệu"), max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()  # encrypted at rest like the other personal fields
    uploaded_at = models.DateTimeField()
    uploaded_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]


class Presence(models.TextChoices):
    IN_PERSON = "in_person", gettext_noop("Có mặt trực tiếp")
    ONLINE = "online", gettext_noop("Có mặt trực tuyến")
    EXCUSED = "excused", gettext_noop("Vắng có lý do")
    ABSENT = "absent", gettext_noop("Vắng không lý do")


PRESENT = (Presence.IN_PERSON, Presence.ONLINE)


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="meeting_attendance")
    presence = models.CharField(max_length=10, choices=Presence.choices)
    reason = EncryptedTextField(gettext_noop("lý do vắng"), blank=True)  # often about health: encrypted at rest
    reason_approved = models.BooleanField(gettext_noop("lý do được chấp nhận"), default=False)
    self_checked_in = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]


class Resolution(models.Model):
    """An item voted on: open (counts entered by the secretary) or secret (a ballot box)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(gettext_noop("nội dung biểu quyết"), max_length=300)
    text = models.TextField(gettext_noop("nội dung nghị quyết"), blank=True)
    secret = models.BooleanField(gettext_noop("bỏ phiếu kín"), default=False)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(null=True, blank=True)
    headcount = models.PositiveIntegerField(null=True, blank=True)
    needed = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    rule = models.ForeignKey("core.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="resolution_number_once")]


class BoxState(models.TextChoices):
    OPEN = "open", gettext_noop("Đang bỏ phiếu")
    CLOSED = "closed", gettext_noop("Đã kiểm phiếu")


class Choice(models.TextChoices):
    FOR = "for", gettext_noop("Tán thành")
    AGAINST = "against", gettext_noop("Không tán thành")
    ABSTAIN = "abstain", gettext_noop("Không biểu quyết")


class BallotBox(models.Model):
    resolution = models.OneToOneField(Resolution, on_delete=models.CASCADE, related_name="box")
    state = models.CharField(max_length=8, choices=BoxState.choices, default=BoxState.OPEN)
    online = models.BooleanField(default=True)
    eligible_count = models.PositiveIntegerField()
    paper_for = models.PositiveIntegerField(null=True, blank=True)
    paper_against = models.PositiveIntegerField(null=True, blank=True)
    paper_abstain = models.PositiveIntegerField(null=True, blank=True)
    paper_invalid = models.PositiveIntegerField(null=True, blank=True)
    paper_entered = models.BooleanField(default=False)
    # The online slips counted at the close (the slips themselves stay sealed).
    online_for = models.PositiveIntegerField(null=True, blank=True)
    online_against = models.PositiveIntegerField(null=True, blank=True)
    online_abstain = models.PositiveIntegerField(null=True, blank=True)


class BallotVoter(models.Model):
    """Participation: who is on the eligible list (fixed at opening) and whether they voted online.
    No time, no link to a slip."""

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    voted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["box", "member"], name="ballot_voter_once")]


class Ballot(models.Model):
    """One slip: a random id, the box, and the sealed slip (the box's id and the choice, blank until cast,
    padded to one length; read and written by chibo.meetings.services only)."""

    id = models.CharField(primary_key=True, max_length=32)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="ballots")
    sealed = EncryptedTextField()


class BallotReceipt(models.Model):
    """The digest of a receipt handed to an online voter: a random id and the box, nothing about the slip
    (rewritten in a fresh order with fresh ids on every vote, like the slips)."""

    id = models.CharField(primary_key=True, max_length=32)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="receipts")
    digest = models.CharField(max_length=64)
