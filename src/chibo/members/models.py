"""Member records (the fields of the card-record 2-HSĐV the organization needs) and timelines."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import BinaryCharField, EncryptedTextField
from chibo.core.fields import KindField
from chibo.core.yearly import StoredFigures, StoredPeriods
from chibo.members.enums import (  # noqa: F401  (re-exported for the app's own modules)
    ACTIVE_STATUSES,
    FULL_STATUSES,
    STATUS_TRANSITIONS,
    Category,
    Education,
    Gender,
    PostRole,
    Status,
    Theory,
    TimelineKind,
)


class Member(models.Model):
    full_name = models.CharField(gettext_noop("họ và tên"), max_length=120)
    name_search = models.CharField(max_length=120, editable=False)  # indexed in Meta (one b-tree, not two)
    name_lower = models.CharField(max_length=120, editable=False)
    name_sort = BinaryCharField(max_length=400, editable=False)  # indexed in Meta
    gender = models.CharField(gettext_noop("giới tính"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(gettext_noop("ngày sinh"))
    home_town = models.CharField(gettext_noop("quê quán"), max_length=200, blank=True)
    ethnicity = models.CharField(gettext_noop("dân tộc"), max_length=40, default="Kinh")
    education = models.CharField(gettext_noop("trình độ học vấn"), max_length=20, choices=Education.choices, blank=True)
    political_theory = models.CharField(gettext_noop("lý luận chính trị"),
                                        max_length=20, choices=Theory.choices, blank=True)
    job_title = models.CharField(gettext_noop("chức vụ, nghề nghiệp"), max_length=200, blank=True)
    workplace = models.CharField(gettext_noop("nơi làm việc"), max_length=200, blank=True)
    # unique: Meta.constraints (one index each, without the pattern twin ``unique=True`` adds on PostgreSQL);
    # NULL until issued, so that many records may have none
    card_number = models.CharField(gettext_noop("số thẻ đảng viên"), max_length=20, null=True,  # noqa: DJ001
                                   blank=True)
    dossier_number = models.CharField(gettext_noop("số lý lịch"), max_length=20, null=True, blank=True)  # noqa: DJ001
    admission_date = models.DateField(gettext_noop("ngày vào Đảng"))  # the ceremony: probation runs from it
    # The admission decision (06-HD/TW 2025): party age runs from it. Empty for records that never had it.
    admission_decided_on = models.DateField(gettext_noop("ngày quyết định kết nạp"), null=True, blank=True)
    confirmation_date = models.DateField(gettext_noop("ngày chính thức"), null=True, blank=True)
    # no index of its own: member_unit_status_idx (unit, status) serves every lookup by unit
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="members",
                             verbose_name=gettext_noop("chi bộ"), db_index=False)
    status = models.CharField(gettext_noop("tình trạng"),
                              max_length=20, choices=Status.choices, default=Status.PROBATIONARY)
    category = models.CharField(gettext_noop("diện ở nước ngoài"), max_length=20, choices=Category.choices)
    abroad_from = models.DateField(gettext_noop("ở nước ngoài từ"), null=True, blank=True)
    abroad_to = models.DateField(gettext_noop("ở nước ngoài đến"), null=True, blank=True)
    citizen_id = EncryptedTextField(gettext_noop("số CCCD"), blank=True, default="")
    citizen_id_hash = models.CharField(max_length=64, blank=True, default="", editable=False)  # indexed in Meta
    phone = EncryptedTextField(gettext_noop("điện thoại"), blank=True, default="")
    email = EncryptedTextField(gettext_noop("thư điện tử"), blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not stored: on a delegation's candidates, why the member cannot join ("" when free to).
    busy: str

    class Meta:
        ordering = ["name_sort", "pk"]
        # Every index is paid for by each new member (an import of 100,000 spends most of its database time in
        # them): one index per need. Django's ``db_index``/``unique`` on a CharField adds a varchar_pattern_ops
        # twin on PostgreSQL, kept only where a LIKE 'prefix%' search needs it, and there as the only index
        # (a pattern_ops b-tree answers = as well as the prefix).
        indexes = [
            models.Index(fields=["unit", "status"], name="member_unit_status_idx"),
            # the name search: = and LIKE 'word%' (the trigram index of migration 0004 answers LIKE '%word%')
            models.Index(fields=["name_search"], name="member_name_search_idx", opclasses=["varchar_pattern_ops"]),
            # the name order (C collation: the plain b-tree also answers a prefix)
            models.Index(fields=["name_sort"], name="member_name_sort_idx"),
            # a citizen id's blind index (an HMAC): looked up whole, never by prefix
            models.Index(fields=["citizen_id_hash"], name="member_citizen_id_hash_idx"),
            models.Index(fields=["status", "category"], name="member_status_cat_idx"),
            # the reports upward: admitted and confirmed in a period
            models.Index(fields=["admission_date"], name="member_admitted_idx"),
            models.Index(fields=["confirmation_date"], name="member_confirmed_idx"),
        ]
        constraints = [
            # a card number is also searched by its beginning (transfers, delegations): its one index is a
            # pattern_ops b-tree; a dossier number only whole
            models.UniqueConstraint(fields=["card_number"], name="member_card_number_unique",
                                    opclasses=["varchar_pattern_ops"]),
            models.UniqueConstraint(fields=["dossier_number"], name="member_dossier_number_unique"),
            models.CheckConstraint(
                condition=models.Q(confirmation_date__isnull=True)
                | models.Q(confirmation_date__gte=models.F("admission_date")),
                name="member_confirmed_after_admission",
            ),
            models.CheckConstraint(
                condition=models.Q(admission_decided_on__isnull=True)
                | models.Q(admission_decided_on__lte=models.F("admission_date")),
                name="member_decided_before_ceremony",
            ),
            models.CheckConstraint(
                condition=models.Q(abroad_to__isnull=True) | models.Q(abroad_from__isnull=True)
                | models.Q(abroad_to__gte=models.F("abroad_from")),
                name="member_abroad_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def party_age_from(self) -> date:
        """The day party age counts from: the admission decision, else (older records) the day of admission."""
        return self.admission_decided_on or self.admission_date

    @property
    def is_full(self) -> bool:
        return self.status in FULL_STATUSES

    @property
    def is_solitary(self) -> bool:
        """Abroad where no party organization exists: on the rolls of the upper committee itself,
        which guides the member directly (docs/domain.md §3)."""
        return self.unit.depth == 0


class UnitMemberCount(models.Model):
    """Active members on one unit's own rolls (not its subtree), by status and by category: the dashboard's
    figures summed over a subtree without reading member rows. Derived data, written only by
    ``chibo.members.counters`` in the transaction of the change; ``chibo recount`` checks or rebuilds it."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, primary_key=True,
                                related_name="member_count")
    # One column per active status (ACTIVE_STATUSES) ...
    status_probationary = models.IntegerField(default=0)
    status_full = models.IntegerField(default=0)
    status_exempt = models.IntegerField(default=0)
    status_suspended = models.IntegerField(default=0)
    # ... and one per category (of the active members).
    cat_mission_staff = models.IntegerField(default=0)
    cat_spouse = models.IntegerField(default=0)
    cat_state_student = models.IntegerField(default=0)
    cat_self_student = models.IntegerField(default=0)
    cat_labourer = models.IntegerField(default=0)
    cat_resident = models.IntegerField(default=0)
    cat_delegation = models.IntegerField(default=0)
    cat_domestic = models.IntegerField(default=0)


# Today's counters summed per subtree: the counters' columns (members.counters), one per active status and category.
COUNTER_COLUMNS = (*(f"status_{s}" for s in ACTIVE_STATUSES), *(f"cat_{c}" for c in Category.values))
MembersNowFigure = type("MembersNowFigure", (StoredFigures,), {
    "__module__": __name__, "__qualname__": "MembersNowFigure",
    "__doc__": """Today's active members on one unit's own rolls by status and category, as the per-unit member
    counters hold them (``UnitMemberCount``), and the same summed over the unit's subtree (``sub_<column>``): the
    dashboard, the unit tree, the member list's count and the roll-up's live column read a subtree's members from its
    root's row instead of summing every unit's counters. One period (``year`` 0: now). Derived data, written only by
    ``chibo.members.counters`` through ``chibo.core.yearly`` (``MEMBERS_NOW``); a row with ``dirty`` above 0 (a
    counter of the unit changed since it was computed) is never read as it is. Created by the reports app, which
    kept it before (its table keeps that name).""",
    **{name: models.IntegerField(default=0) for name in (*COUNTER_COLUMNS, *(f"sub_{c}" for c in COUNTER_COLUMNS))},
    "Meta": type("Meta", (StoredFigures.Meta,), {"db_table": "reports_membersnowfigure", "indexes": [
        *StoredFigures.Meta.indexes,
        # A level's children's members from the index alone, in unit order (the dashboard: merged with the units
        # by parent and id, not hashed, for the tens of thousands of children of the top).
        models.Index(fields=["unit"], include=[f"sub_status_{s}" for s in ACTIVE_STATUSES],
                     condition=models.Q(year=0), name="membersnow_members_idx")]}),
})


class MembersNowStored(StoredPeriods):
    """``MembersNowFigure``'s period (0) once computed for every unit (``ready``)."""

    class Meta:
        db_table = "reports_membersnowstored"  # created by the reports app, which kept it before


class MemberYearFigure(models.Model):
    """Members on one unit's own rolls (not its subtree) on 31 December of ``year``, as the statistics count them
    (``members.selectors.members_at_year_ends``), and the same summed over the unit's subtree: the statistics of a
    subtree read its root's row instead of every member. Derived data, written only by ``chibo.members.yearly``.
    ``dirty`` counts the changes made to a member of the unit since the row was computed: a row with ``dirty`` above
    0 is never read as it is (its unit is counted from the member rows instead) until it is computed again."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    full = models.IntegerField(default=0)
    probationary = models.IntegerField(default=0)
    # The same figures summed over the unit's subtree, itself included (every row, dirty or not: core.yearly).
    sub_full = models.IntegerField(default=0)
    sub_probationary = models.IntegerField(default=0)
    dirty = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="member_year_figure_once")]
        indexes = [models.Index(fields=["year", "unit"], name="member_year_figure_dirty_idx",
                                condition=models.Q(dirty__gt=0))]


class MemberYearStored(models.Model):
    """A year whose ``MemberYearFigure`` rows have been computed for every unit (``ready``), or are being computed
    (not ready yet: read from the member rows meanwhile, but already marked by every change)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    ready = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)


class TimelineEvent(models.Model):
    """One typed entry of a member's timeline (lý lịch), written only by services."""

    # Looked up by member through timeline_member_idx (member, occurred_on): no index of its own.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="timeline", db_index=False)
    kind = KindField(max_length=40)  # an event type declared in members.timeline (one per step of a process)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor_label = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    # Not stored: made by ``members.selectors.timeline_entries`` in the reader's language.
    label: str
    text: str

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["member", "occurred_on"], name="timeline_member_idx"),
                   # the statistics: the moves and status changes dated after a day
                   models.Index(fields=["kind", "occurred_on"], name="timeline_kind_day_idx")]


class CommitteePost(models.Model):
    """A committee post (cấp ủy) held by a member over a period, appointed by a decision."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="posts")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="posts")
    role = models.CharField(gettext_noop("chức vụ"), max_length=20, choices=PostRole.choices)
    from_date = models.DateField(gettext_noop("từ ngày"))
    to_date = models.DateField(gettext_noop("đến ngày"), null=True, blank=True)
    decision_no = models.CharField(gettext_noop("số quyết định"), max_length=60)
    decision_date = models.DateField(gettext_noop("ngày quyết định"))
    ended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "units_committeepost"  # created by the units app, which held posts before
        ordering = ["unit", "role", "-from_date"]
        indexes = [models.Index(fields=["unit", "to_date"], name="post_unit_current_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
                name="post_ends_after_start",
            ),
            # One sitting secretary per unit.
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(role="secretary", to_date__isnull=True),
                name="one_current_secretary",
            ),
        ]

    @property
    def is_current(self) -> bool:
        return self.to_date is None
