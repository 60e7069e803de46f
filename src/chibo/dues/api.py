"""Dues API, the twin of every dues page: a member's position (for the member and for staff with dues.view on
the member's unit), profiles, decisions, payments (one, or a cell's month in one request), reversals, the
cell's month, level summaries, remittances and their steps, rates abroad, exchange rates, payment statements.
Amounts are decimal strings in the currency's minor unit; they are parsed by the services, never as floats."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for, require
from chibo.core.api import RuleSerializer
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.dues import rules as drules
from chibo.dues import selectors, services, statements
from chibo.dues.enums import EntryKind, Method
from chibo.dues.forms import (
    DecisionForm,
    ExchangeRateForm,
    MonthField,
    PaymentForm,
    ProfileForm,
    RateFileForm,
    RateForm,
    ReasonForm,
    RemitForm,
)
from chibo.dues.lifecycle import REMITTANCE
from chibo.dues.models import Decision, Entry, ExchangeRate, Profile, Remittance
from chibo.members.selectors import member_get

MAX_ID = 2**31 - 1


class AmountSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3, coerce_to_string=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="mm/yyyy")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3)
    currency = serializers.CharField()
    basis = serializers.CharField(help_text="How the amount was computed, in the reader's language (Accept-Language)")
    paid = serializers.DecimalField(max_digits=16, decimal_places=3, help_text="how much of it payments cover")
    covered = serializers.BooleanField()
    deferred = serializers.BooleanField()
    projected = serializers.BooleanField(help_text="a coming month covered by a prepayment")


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    receipt = serializers.CharField(help_text="number/year; empty for a reversal")
    amount = serializers.DecimalField(max_digits=16, decimal_places=3)
    currency = serializers.CharField()
    method = serializers.ChoiceField(choices=Method.choices)
    paid_on = serializers.DateField()
    reverses = serializers.IntegerField(allow_null=True, source="reverses_id")
    reversed = serializers.BooleanField()


class PostedEntrySerializer(serializers.ModelSerializer):
    """A ledger entry as posted (its receipt as PDF: /dues/entries/{id}/receipt.pdf)."""

    member_name = serializers.CharField(source="member.full_name", read_only=True)
    receipt = serializers.CharField(read_only=True, help_text="number/year; empty for a reversal")

    class Meta:
        model = Entry
        fields = ["id", "unit", "member", "member_name", "kind", "amount", "currency", "method", "paid_on",
                  "month_from", "month_to", "settles_from", "settles_to", "reference", "note", "reverses", "receipt",
                  "created_by", "collector"]
        read_only_fields = fields


class PostedSerializer(serializers.Serializer):
    entries = PostedEntrySerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField(), help_text="what the treasurer is told (credit)")


class PositionSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    currency = serializers.CharField(allow_null=True, help_text="of the profile in force; null: no profile yet")
    paid_through = serializers.CharField(allow_null=True, help_text="mm/yyyy")
    arrears = AmountSerializer(many=True)
    credit = AmountSerializer(many=True)
    unpaid_months = serializers.ListField(child=serializers.CharField(), help_text="this year's months over and unpaid")
    months = MonthSerializer(many=True)
    entries = EntrySerializer(many=True)


def _amounts(values: dict) -> list[dict]:
    return [{"currency": c, "amount": a} for c, a in sorted(values.items())]


def _amounts_data(values: dict) -> list[dict]:
    """{currency: Decimal} as the API writes amounts (decimal strings), for a method field."""
    return list(AmountSerializer(_amounts(values), many=True).data)


class DuesMember(generics.GenericAPIView):
    """A member's dues: the position, the last 24 months and every ledger entry (newest first)."""

    serializer_class = PositionSerializer

    def get(self, request, pk):
        member = selectors.member_for_dues(actor_for(request), pk)
        position = selectors.member_position(member)
        entries = list(selectors.entries_of(member))
        reversed_ids = selectors.reversed_ids(entries)
        lines = (position.lines + position.projected)[-24:]
        data = {
            "member": member.pk, "member_name": member.full_name, "currency": position.currency,
            "paid_through": f"{position.paid_through:%m/%Y}" if position.paid_through else None,
            "arrears": _amounts(position.arrears), "credit": _amounts(position.credit),
            "unpaid_months": [f"{m:%m/%Y}" for m in position.unpaid_months(position.today.year)],
            "months": [{"month": f"{x.month:%m/%Y}", "amount": x.amount, "currency": x.currency, "basis": x.basis_shown,
                        "paid": x.paid, "covered": x.covered, "deferred": x.deferred, "projected": x.projected}
                       for x in reversed(lines)],
            "entries": [{"id": e.pk, "kind": e.kind, "receipt": e.receipt, "amount": e.amount, "currency": e.currency,
                         "method": e.method, "paid_on": e.paid_on, "reverses_id": e.reverses_id,
                         "reversed": e.pk in reversed_ids} for e in entries],
        }
        return Response(PositionSerializer(data).data)


# --------------------------------------------------------------------------------------------------
# A member: profiles, decisions, payments, reversals
# --------------------------------------------------------------------------------------------------
class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["id", "member", "month", "category", "base", "base_amount", "currency", "voluntary", "note",
                  "created_by"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "member", "kind", "reason", "percent", "month_from", "month_to", "document", "decided_on",
                  "revoked_at", "revoked_reason", "created_by"]
        read_only_fields = fields


ProfileInput = form_serializer(ProfileForm, "DuesProfileInput", "How much the member pays from a month on "
                               "(month as mm/yyyy; amounts as decimal text in the currency).")
DecisionInput = form_serializer(DecisionForm, "DuesDecisionInput", "An exemption, reduction or deferral decision.")
PaymentInput = form_serializer(PaymentForm, "DuesPaymentInput", "One payment of the member (a receipt is numbered).")
ReasonInput = form_serializer(ReasonForm, "DuesReasonInput", "Why.")


def _staff_member(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    require(actor, "dues.record", member.unit)
    return actor, member


class MemberDuesProfile(generics.GenericAPIView):
    """Set the member's dues profile from a month on (obligations from that month are recomputed)."""

    serializer_class = ProfileSerializer

    @extend_schema(request=ProfileInput, responses={201: ProfileSerializer})
    def post(self, request, pk):
        actor, member = _staff_member(request, pk)
        found = services.profile_set(actor=actor, member=member, **form_cleaned(ProfileForm, request))
        return Response(ProfileSerializer(found).data, status=201)


class MemberDuesDecisions(generics.ListAPIView):
    """The member's dues decisions (newest first); POST records one."""

    serializer_class = DecisionSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.decisions_of(selectors.member_for_dues(actor_for(self.request), self.kwargs["pk"]))

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    def post(self, request, pk):
        actor, member = _staff_member(request, pk)
        found = services.decision_record(actor=actor, member=member, **form_cleaned(DecisionForm, request))
        return Response(DecisionSerializer(found).data, status=201)


class DuesDecisionRevoke(generics.GenericAPIView):
    """Revoke a decision (obligations of its months are recomputed)."""

    serializer_class = DecisionSerializer

    @extend_schema(request=ReasonInput, responses={200: DecisionSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        found = selectors.decision_get(actor, pk)
        require(actor, "dues.record", found.member.unit)
        found = services.decision_revoke(actor=actor, decision=found, **form_cleaned(ReasonForm, request))
        return Response(DecisionSerializer(found).data)


class MemberDuesPayments(generics.GenericAPIView):
    """Post one payment of the member at the member's unit (a receipt numbered per unit and year)."""

    serializer_class = PostedSerializer

    @extend_schema(request=PaymentInput, responses={201: PostedSerializer})
    def post(self, request, pk):
        actor, member = _staff_member(request, pk)
        data = form_cleaned(PaymentForm, request)
        line = services.PaymentLine(member=member, amount=data["amount"], month_from=data["month_from"],
                                    month_to=data["month_to"], reference=data["reference"])
        posted = services.payments_post(actor=actor, unit=member.unit, lines=[line], paid_on=data["paid_on"],
                                        method=data["method"], note=data["note"])
        return Response(PostedSerializer({"entries": posted.entries, "notes": posted.notes}).data, status=201)


class DuesEntryReverse(generics.GenericAPIView):
    """Reverse a posted payment: a reversal entry of the same amount, negative (the payment stays, marked)."""

    serializer_class = PostedEntrySerializer

    @extend_schema(request=ReasonInput, responses={201: PostedEntrySerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        entry = selectors.entry_get(actor, pk)
        require(actor, "dues.record", entry.unit)
        reversal = services.payment_reverse(actor=actor, entry=entry, **form_cleaned(ReasonForm, request))
        return Response(PostedEntrySerializer(reversal).data, status=201)


# --------------------------------------------------------------------------------------------------
# A cell's month: read it, post it in one request
# --------------------------------------------------------------------------------------------------
class MonthQuery(serializers.Serializer):
    month = serializers.CharField(required=False, help_text="mm/yyyy (default: this month)")

    def validate_month(self, value: str) -> date:
        month = MonthField(required=False).clean(value)
        current = drules.month_start(clock.today())
        if month is not None and month > current:
            raise serializers.ValidationError(_("Chưa đến tháng này."))
        return month or current


class CellLineSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.full_name")
    currency = serializers.CharField(allow_null=True)
    due = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True, source="obligation.amount",
                                   help_text="the month's obligation (null: no profile)")
    paid_in_month = serializers.DecimalField(max_digits=16, decimal_places=3)
    paid_through = serializers.DateField(allow_null=True, source="position.paid_through")
    arrears = serializers.SerializerMethodField()
    credit = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()

    @extend_schema_field(AmountSerializer(many=True))
    def get_arrears(self, line) -> list[dict]:
        return _amounts_data(line.position.arrears)

    @extend_schema_field(AmountSerializer(many=True))
    def get_credit(self, line) -> list[dict]:
        return _amounts_data(line.position.credit)

    def get_receipts(self, line) -> list[str]:
        return [e.receipt for e in line.entries if e.receipt]


class CellMonthSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    month = serializers.DateField()
    lines = CellLineSerializer(many=True)


class MonthLineInput(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.CharField(max_length=24, help_text="decimal text in the member's currency")
    month_from = serializers.CharField(required=False, allow_blank=True, help_text="mm/yyyy")
    month_to = serializers.CharField(required=False, allow_blank=True, help_text="mm/yyyy")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=120)

    def validate(self, attrs):
        for name in ("month_from", "month_to"):
            try:
                attrs[name] = MonthField(required=False).clean(attrs.get(name, ""))
            except Exception as exc:  # a django ValidationError: said field by field
                raise serializers.ValidationError({name: _("Tháng không hợp lệ (mm/yyyy).")}) from exc
        return attrs


class MonthPostInput(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="default: today")
    method = serializers.ChoiceField(choices=Method.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lines = serializers.ListField(child=MonthLineInput(), allow_empty=False, max_length=2000)


class UnitDuesMonth(generics.GenericAPIView):
    """A cell's month: each member's obligation, what was collected in the month, paid through, arrears,
    credit; POST the month's payments in one request (all or nothing; a receipt each)."""
    query_params = ("month",)

    serializer_class = CellMonthSerializer

    @extend_schema(parameters=[OpenApiParameter("month", str, description="mm/yyyy")],
                   responses={200: CellMonthSerializer})
    def get(self, request, pk):
        unit = selectors.unit_for_dues(actor_for(request), pk)
        query = MonthQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        cm = selectors.cell_month(unit, query.validated_data.get("month") or drules.month_start(clock.today()))
        return Response(CellMonthSerializer(cm).data)

    @extend_schema(request=MonthPostInput, responses={201: PostedSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        unit = selectors.unit_for_dues(actor, pk)
        require(actor, "dues.record", unit)
        body = MonthPostInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        members = {m.pk: m for m in selectors.members_of_unit_for_dues(unit, [x["member"] for x in data["lines"]])}
        missing = sorted({x["member"] for x in data["lines"]} - set(members))
        if missing:
            raise serializers.ValidationError(
                {"lines": [_("Không có đảng viên %(member)s tại %(unit)s.") % {"member": pk, "unit": unit.name}
                           for pk in missing]})
        lines = [services.PaymentLine(member=members[x["member"]], amount=x["amount"], month_from=x["month_from"],
                                      month_to=x["month_to"], reference=x.get("reference", "")) for x in data["lines"]]
        posted = services.payments_post(actor=actor, unit=unit, lines=lines,
                                        paid_on=data.get("paid_on") or clock.today(), method=data["method"],
                                        note=data.get("note", ""))
        return Response(PostedSerializer({"entries": posted.entries, "notes": posted.notes}).data, status=201)


# --------------------------------------------------------------------------------------------------
# Level summaries
# --------------------------------------------------------------------------------------------------
class SummaryRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    due = serializers.SerializerMethodField()
    collected = serializers.SerializerMethodField()
    rate = serializers.SerializerMethodField(help_text="collected / due, percent; null when nothing was due")

    @extend_schema_field(AmountSerializer(many=True))
    def get_due(self, row) -> list[dict]:
        return _amounts_data(row.due)

    @extend_schema_field(AmountSerializer(many=True))
    def get_collected(self, row) -> list[dict]:
        return _amounts_data(row.collected)

    def get_rate(self, row) -> int | None:
        return row.rate()


class SummarySerializer(serializers.Serializer):
    month = serializers.DateField()
    monthly = SummaryRowSerializer(many=True, help_text="the unit (first) and each child, for the month")
    quarterly = SummaryRowSerializer(many=True, help_text="the same, from the quarter's first month")


class UnitDuesSummary(generics.GenericAPIView):
    """A level's dues: the unit's total and each child's (subtree) due and collected, for the month and the
    quarter so far."""
    query_params = ("month",)

    serializer_class = SummarySerializer

    @extend_schema(parameters=[OpenApiParameter("month", str, description="mm/yyyy")],
                   responses={200: SummarySerializer})
    def get(self, request, pk):
        unit = selectors.unit_for_dues(actor_for(request), pk)
        query = MonthQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or drules.month_start(clock.today())
        first = date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        return Response(SummarySerializer({"month": month, "monthly": selectors.level_summary(unit, month, month),
                                           "quarterly": selectors.level_summary(unit, first, month)}).data)


# --------------------------------------------------------------------------------------------------
# Remittances
# --------------------------------------------------------------------------------------------------
class RemittanceSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    available_actions = AvailableActionsField(REMITTANCE)

    class Meta:
        model = Remittance
        fields = ["id", "unit", "unit_name", "to_unit", "to_unit_name", "period_from", "period_to", "currency",
                  "collected", "received", "kept_share", "kept", "due_up", "vnd_rate", "due_up_vnd", "sent_on",
                  "reference", "state", "answered_on", "answer_note", "available_actions"]
        read_only_fields = fields


RemitInput = form_serializer(RemitForm, "DuesRemitInput", "Send a month's dues up (the figures are computed).")


class UnitRemittances(generics.ListAPIView):
    """Remittances sent by the unit or to it (newest first); POST records the month's remittance up."""

    serializer_class = RemittanceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.remittances_of(selectors.unit_for_dues(actor_for(self.request), self.kwargs["pk"]))

    @extend_schema(request=RemitInput, responses={201: RemittanceSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        unit = selectors.unit_for_dues(actor, pk)
        require(actor, "dues.remit", unit)
        found = services.remittance_send(actor=actor, unit=unit, **form_cleaned(RemitForm, request))
        return Response(RemittanceSerializer(found, context={"actor": actor}).data, status=201)


class RemittanceDetail(generics.GenericAPIView):
    serializer_class = RemittanceSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(RemittanceSerializer(selectors.remittance_get(actor, pk), context={"actor": actor}).data)


RemittanceActions = actions_view(lc=REMITTANCE, get_object=selectors.remittance_get, detail=RemittanceSerializer,
                                 name="RemittanceActions")


# --------------------------------------------------------------------------------------------------
# Rates abroad, exchange rates (the upper committee)
# --------------------------------------------------------------------------------------------------
def _viewer(request):
    actor = actor_for(request)
    if not actor.can("dues.view"):
        raise Http404
    return actor


def _top(request):
    actor = _viewer(request)
    if actor.top_grant("dues.rates") is None:
        raise PermissionDenied("dues.rates")
    return actor


RateInput = form_serializer(RateForm, "DuesRateInput", "The monthly amount of a category abroad in a currency.")


class DuesRates(generics.ListAPIView):
    """The amounts abroad by category and currency (rulebook rows ``dues.abroad.…``); POST defines one."""

    serializer_class = RuleSerializer
    pagination_class = None

    def get_queryset(self):
        _viewer(self.request)
        return selectors.abroad_rates()

    @extend_schema(request=RateInput, responses={201: RuleSerializer})
    def post(self, request):
        actor = _top(request)
        return Response(RuleSerializer(services.rate_define(actor=actor, **form_cleaned(RateForm, request))).data,
                        status=201)


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "day", "vnd", "source"]
        read_only_fields = fields


ExchangeRateInput = form_serializer(ExchangeRateForm, "DuesExchangeRateInput",
                                    "dong (VND) per unit of a currency on a day")


class ExchangeRates(generics.ListAPIView):
    """Exchange rates, newest first; POST enters one (a second for the same day replaces the first)."""

    serializer_class = ExchangeRateSerializer
    pagination_class = None

    def get_queryset(self):
        _viewer(self.request)
        return selectors.exchange_rates()

    @extend_schema(request=ExchangeRateInput, responses={201: ExchangeRateSerializer})
    def post(self, request):
        actor = _top(request)
        found = services.exchange_rate_set(actor=actor, **form_cleaned(ExchangeRateForm, request))
        return Response(ExchangeRateSerializer(found).data, status=201)


RateFileUpload = form_serializer(RateFileForm, "DuesRateFileUpload", "A CSV of rates (currency, day, vnd).")


class CountSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class ExchangeRatesImport(generics.GenericAPIView):
    """Import exchange rates from a CSV (all lines or none)."""

    serializer_class = CountSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": RateFileUpload}, responses={201: CountSerializer})
    def post(self, request):
        actor = _top(request)
        form = RateFileForm(request.data, request.FILES)
        if not form.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
        count = services.exchange_rates_import(actor=actor, data=form.cleaned_data["file"].read(),
                                               source=form.cleaned_data["source"])
        return Response({"imported": count}, status=201)


# --------------------------------------------------------------------------------------------------
# Payment statements
# --------------------------------------------------------------------------------------------------
class StatementUpload(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX with a header row: date, amount, reference (card number)")
    method = serializers.ChoiceField(choices=[Method.BANK, Method.PORTAL], default=Method.BANK)
    commit = serializers.BooleanField(default=False, help_text="false: preview only (nothing written)")


class StatementLineSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="row number in the file")
    status = serializers.ChoiceField(choices=statements.LineStatus.choices)
    date = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True)
    currency = serializers.CharField(allow_null=True)
    reference = serializers.CharField()
    card = serializers.CharField()
    member = serializers.IntegerField(source="member.pk", allow_null=True, default=None)
    member_name = serializers.CharField(source="member.full_name", allow_null=True, default=None)
    reason = serializers.CharField()


class StatementPreviewSerializer(serializers.Serializer):
    filename = serializers.CharField()
    kind = serializers.CharField()
    columns = serializers.DictField(child=serializers.CharField(), help_text="field → the header in the file")
    extra_columns = serializers.ListField(child=serializers.CharField(), help_text="ignored")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="lines per status")
    lines = StatementLineSerializer(many=True)


class StatementResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    posted = PostedEntrySerializer(many=True)
    preview = StatementPreviewSerializer()


class UnitStatement(generics.GenericAPIView):
    """Import a bank or portal statement into the cell's ledger: with ``commit`` false, the preview (each line
    matched to a member by card number, or not); with ``commit`` true, the matched lines are posted (201). The
    same line is never posted twice, however often the statement is sent."""

    serializer_class = StatementResultSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": StatementUpload},
                   responses={200: StatementPreviewSerializer, 201: StatementResultSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        unit = selectors.unit_for_dues(actor, pk)
        require(actor, "dues.record", unit)
        body = StatementUpload(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > statements.MAX_BYTES:
            raise serializers.ValidationError({"file": [_("Tệp quá lớn.")]})
        data, name = upload.read(), upload.name
        if not body.validated_data["commit"]:
            preview = statements.statement_preview(actor=actor, unit=unit, data=data, filename=name)
            return Response(StatementPreviewSerializer(preview).data)
        result = statements.statement_post(actor=actor, unit=unit, data=data, filename=name,
                                           method=body.validated_data["method"])
        return Response(StatementResultSerializer({"message": result.message, "posted": result.posted,
                                                   "preview": result.preview}).data, status=201)
