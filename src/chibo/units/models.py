"""The organization tree: units stored with a materialized path, and their history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from chibo.core.crypto import BinaryCharField
from chibo.core.text import fold
from chibo.core.yearly import StoredPeriods, figure_model
from chibo.units.enums import ALLOWED_CHILDREN, MissionKind, UnitKind  # noqa: F401  (re-exported in the app)
from chibo.units.kinds import kind_level, kind_name


class Unit(models.Model):
    kind = models.CharField(gettext_noop("loại tổ chức"), max_length=24, choices=UnitKind.choices)
    name = models.CharField(gettext_noop("tên"), max_length=200)
    code = models.CharField(gettext_noop("mã"), max_length=32, unique=True)
    # The official national code of the unit (its format: the rule ``units.national_code_format``); null until
    # known, unique when set.
    national_code = models.CharField(gettext_noop("mã tổ chức quốc gia"),
                                     max_length=32, unique=True, null=True, blank=True)
    country = models.CharField(gettext_noop("quốc gia (ISO 3166)"), max_length=2, blank=True)
    city = models.CharField(gettext_noop("thành phố"), max_length=100, blank=True)
    mission_kind = models.CharField(gettext_noop("loại cơ quan đại diện"),
                                    max_length=24, choices=MissionKind.choices, blank=True)
    mission_name = models.CharField(gettext_noop("cơ quan đại diện"), max_length=200, blank=True)
    # The official abbreviation after the slash of the unit's document numbers ("12-GGT/ĐUBNG"); blank: the sign
    # of its kind of body ("ĐU", "CB").
    abbreviation = models.CharField(gettext_noop("ký hiệu viết tắt"), max_length=20, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Fixed-width ids of every ancestor and the unit itself; [path, path+"~") is the subtree.
    path = BinaryCharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    sort_key = BinaryCharField(max_length=400, editable=False, default="")
    # Name and code folded (no diacritics, đ→d, lower case): what the unit picker searches.
    search_key = models.CharField(max_length=240, editable=False, default="")
    opened_on = models.DateField(gettext_noop("ngày thành lập"))
    opened_by_doc = models.CharField(gettext_noop("quyết định thành lập"), max_length=100, blank=True)
    closed_on = models.DateField(gettext_noop("ngày giải thể / kết thúc"), null=True, blank=True)
    closed_by_doc = models.CharField(gettext_noop("quyết định giải thể"), max_length=100, blank=True)
    # Working days of a unit abroad may also skip the host country's public holidays.
    skip_host_holidays = models.BooleanField(gettext_noop("nghỉ cả ngày lễ của nước sở tại"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="unit_closed_after_opened",
            ),
        ]
        indexes = [
            # The countries of a large scope, one probe each (units.selectors.countries_visible).
            models.Index(fields=["country", "path"], name="unit_country_path_idx"),
            # A committee's units by name, a page at a time, and counted with what tells whether they report for a
            # period, from the index alone on PostgreSQL (the reports' board and roll-up).
            models.Index(fields=["parent", "name", "id"], include=["closed_on", "opened_on", "path"],
                         name="unit_parent_name_idx"),
            # A unit's children in id order (their paths' order) with their paths, from the index alone (the
            # dashboard's rows: merged with their stored member sums).
            models.Index(fields=["parent", "id"], include=["path"], name="unit_parent_id_idx"),
            # The closed units of a subtree, a few (the tree's member counts leave them out).
            models.Index(fields=["path"], name="unit_closed_path_idx", condition=models.Q(closed_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def kind_name(self) -> str:
        """What the unit's kind is called today (the rulebook's ``units.kind_name.<kind>``)."""
        return kind_name(self.kind)

    @property
    def kind_level(self) -> str:
        return kind_level(self.kind)

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day <= self.closed_on)


def unit_search_key(name: str, code: str, national_code: str | None = None) -> str:
    """The ``search_key`` of a unit: "đại sứ quán tại pháp" is found by "dai su quan tai phap", and by its
    codes."""
    key = f"{fold(name)} {fold(code)}"
    if national_code:
        key = f"{fold(national_code)} {key}"  # first: a long name must not push it past the key's length
    return key[:240]


class UnitChange(models.Model):
    """History of a unit: each change with the fields before and after and its document."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    document = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]


UnitMonthFigure = figure_model(
    "UnitMonthFigure", __name__, ("cells",),
    """Whether a unit is a cell open at the end of a month (``year`` is the month's period number,
    ``core.yearly.month_period``): open that day with no unit below it open that day, as the roll-up's regular
    meetings due count the cells of a subtree; and the same summed over its subtree (its cells open then). Derived
    data, written only by ``chibo.units.yearly``; a row with ``dirty`` above 0 is never read as it is.""")


class UnitMonthStored(StoredPeriods):
    """A month whose ``UnitMonthFigure`` rows have been computed for every unit (``ready``)."""
