"""Dues: each member's profile and decisions, the monthly obligations computed from them, an append-only
ledger of payments and reversals with numbered receipts, exchange rates, and remittances up the tree.

Amounts are ``Decimal`` in the currency's minor unit (``core.money``). A posted ledger entry is never
changed or deleted: a mistake is undone by a reversal entry (``Entry.save`` refuses updates).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_noop

from chibo.dues.enums import Base, DecisionKind, DecisionReason, EntryKind, Method, RemittanceState
from chibo.members.enums import Category


class Profile(models.Model):
    """How much a member pays from ``month`` on, until the next profile of that member."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(gettext_noop("áp dụng từ tháng"))  # the first day of a month
    category = models.CharField(gettext_noop("diện"), max_length=20, choices=Category.choices)
    base = models.CharField(gettext_noop("cách tính"), max_length=12, choices=Base.choices)
    # The salary or pension the percentage applies to (SALARY, PENSION), in ``currency``.
    base_amount = models.DecimalField(gettext_noop("tiền lương / lương hưu"),
                                      null=True, blank=True, max_digits=16, decimal_places=3)
    currency = models.CharField(gettext_noop("đồng tiền"), max_length=3)
    voluntary = models.DecimalField(gettext_noop("tự nguyện đóng thêm mỗi tháng"),
                                    default=0, max_digits=16, decimal_places=3)
    note = models.CharField(gettext_noop("ghi chú"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["member_id", "month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_profile_member_month")]


class Decision(models.Model):
    """A decision exempting a member from dues, reducing them, or deferring them, for a period of months."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(gettext_noop("loại quyết định"), max_length=8, choices=DecisionKind.choices)
    reason = models.CharField(gettext_noop("lý do"), max_length=20, choices=DecisionReason.choices)
    percent = models.PositiveSmallIntegerField(gettext_noop("giảm (%)"), default=0)  # 30/50/70 for a reduction
    month_from = models.DateField(gettext_noop("từ tháng"))
    month_to = models.DateField(gettext_noop("đến hết tháng"))
    document = models.CharField(gettext_noop("số quyết định"), max_length=100)
    decided_on = models.DateField(gettext_noop("ngày quyết định"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["member_id", "month_from"]
        constraints = [models.CheckConstraint(condition=models.Q(month_to__gte=models.F("month_from")),
                                              name="dues_decision_period")]


class Obligation(models.Model):
    """What a member owes for one month, computed from the profile and decisions in force and the rules of that
    month (derived data: recomputed when a profile or decision for that month changes)."""

    # No index of their own: the unique (member, month) and the (unit, month) index serve both (one row a member a
    # month nationwide: two indexes fewer to write on every month's generation).
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", db_index=False)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=16, decimal_places=3)
    # How it was computed, in Vietnamese (the dues book prints it), and what was said (``core.said``): the pages
    # show ``basis_shown``, in the reader's language.
    basis = models.CharField(max_length=200)
    basis_said = models.JSONField(default=dict, blank=True)
    deferred = models.BooleanField(default=False)  # a deferral decision covers this month: not "unpaid"

    class Meta:
        ordering = ["member_id", "month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_obligation_member_month")]
        indexes = [models.Index(fields=["unit", "month"], name="dues_obligation_unit_month")]


class Entry(models.Model):
    """One line of the ledger: a payment (positive) or the reversal of one (the same amount, negative)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=3)
    currency = models.CharField(max_length=3)
    method = models.CharField(gettext_noop("hình thức"), max_length=8, choices=Method.choices)
    paid_on = models.DateField(gettext_noop("ngày nộp"))
    # The months the payer said the money is for (the ledger allocates oldest first whatever they say).
    month_from = models.DateField(null=True, blank=True)
    month_to = models.DateField(null=True, blank=True)
    # The months the payment settled as the ledger stood when it was posted (oldest unpaid first): the receipt's
    # "for the months" when the payer named none.
    settles_from = models.DateField(null=True, blank=True)
    settles_to = models.DateField(null=True, blank=True)
    reference = models.CharField(gettext_noop("số chứng từ / nội dung chuyển khoản"), max_length=120, blank=True)
    note = models.CharField(max_length=200, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    receipt_year = models.PositiveSmallIntegerField(null=True, blank=True)
    receipt_number = models.PositiveIntegerField(null=True, blank=True)
    # A line of a bank or portal statement posted here (its fingerprint): the same line never posts twice.
    statement_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    collector = models.CharField(gettext_noop("người thu"),
                                 max_length=120, blank=True)  # the name signed on the receipt

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "receipt_year", "receipt_number"], name="dues_receipt_unique"),
            models.CheckConstraint(condition=(models.Q(kind=EntryKind.PAYMENT, amount__gt=0, reverses__isnull=True)
                                              | models.Q(kind=EntryKind.REVERSAL, amount__lt=0,
                                                         reverses__isnull=False)),
                                   name="dues_entry_sign"),
        ]
        indexes = [models.Index(fields=["member", "currency"], name="dues_entry_member"),
                   models.Index(fields=["unit", "paid_on"], name="dues_entry_unit_day")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a posted ledger entry is never changed: post a reversal")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("a posted ledger entry is never deleted: post a reversal")

    @property
    def months(self) -> tuple[date, date] | None:
        """The first and last month the money is for: those the payer named, else those it settled when posted."""
        if self.month_from is not None:
            return self.month_from, self.month_to or self.month_from
        if self.settles_from is not None:
            return self.settles_from, self.settles_to or self.settles_from
        return None

    @property
    def receipt(self) -> str:
        return f"{self.receipt_number}/{self.receipt_year}" if self.receipt_number else ""


class ReceiptCounter(models.Model):
    """The last receipt number of a unit in a year; locked (select_for_update) to number a receipt."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="dues_receipt_counter")]


class ExchangeRate(models.Model):
    """How many đồng one unit of ``currency`` was worth on ``day`` (entered, or imported from a CSV)."""

    currency = models.CharField(max_length=3)
    day = models.DateField()
    vnd = models.DecimalField(max_digits=18, decimal_places=6)
    source = models.CharField(gettext_noop("nguồn"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["currency", "-day"]
        constraints = [models.UniqueConstraint(fields=["currency", "day"], name="dues_rate_currency_day")]


class Remittance(models.Model):
    """What a unit sends up for a period: the dues it collected, the share it keeps by rule, the rest."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()  # first day of the first month
    period_to = models.DateField()    # first day of the last month
    currency = models.CharField(max_length=3)
    # members' payments (net of reversals) in the period
    collected = models.DecimalField(max_digits=16, decimal_places=3)
    # confirmed remittances of the units below, due up in the period
    received = models.DecimalField(max_digits=16, decimal_places=3)
    kept_share = models.CharField(max_length=20)  # the rule's value, e.g. "3/10"
    kept = models.DecimalField(max_digits=16, decimal_places=3)
    due_up = models.DecimalField(max_digits=16, decimal_places=3)
    vnd_rate = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    due_up_vnd = models.DecimalField(max_digits=20, decimal_places=0, null=True, blank=True)
    sent_on = models.DateField()
    reference = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=10, choices=RemittanceState.choices, default=RemittanceState.SENT)
    answered_on = models.DateField(null=True, blank=True)
    answer_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    answered_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-period_from", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "period_from", "currency"],
                                               condition=~models.Q(state=RemittanceState.RETURNED),
                                               name="dues_remittance_once")]
