"""Reports API: the reports the caller sees, opening one, writing its narrative (the figures are the system's: a
body naming them is refused), its steps through the lifecycle's one action endpoint; the templates (defining and
changing one); the "not yet filed" board, a reminder, and the roll-up. The same services as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.core.paging import PagedInDatabase
from chibo.core.text import as_id
from chibo.reports import figures as figs
from chibo.reports import selectors, services
from chibo.reports.enums import VIEW, State
from chibo.reports.forms import OpenForm, TemplateForm
from chibo.reports.lifecycle import REPORT
from chibo.reports.models import Report, Template
from chibo.reports.periods import Period, last_ended, parse
from chibo.units.selectors import unit_get

ReportOpenBody = form_serializer(OpenForm, "ReportOpen", "Open a unit's report of an ended period (e.g. 2026-Q1)")


class ReportTemplateBody(form_serializer(TemplateForm, "ReportTemplateFields")):  # type: ignore[misc]
    """Define a template for a committee (a unit with units below it)."""

    unit = serializers.IntegerField(min_value=1, help_text="The committee (unit id) defining the template")


ReportTemplateChange = form_serializer(TemplateForm, "ReportTemplateChange",
                                       "Change a template (a new version once a unit has submitted against it)")


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(help_text="A whole number; a dues amount as a decimal")
    definition = serializers.CharField()


def _figures(values: dict[str, str], keys: list[str]) -> list[dict[str, str]]:
    return [{"key": k, "name": label, "value": v, "definition": figs.definition_of(k, shown=True)}
            for k, label, v in figs.ordered(values, keys, shown=True)]


class TemplateSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")
    sections = serializers.ListField(child=serializers.CharField(), read_only=True)
    figures = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Template
        fields = ["id", "unit", "unit_name", "family", "number", "name", "period_kind", "sections", "figures",
                  "current"]
        read_only_fields = fields


class ReportSummarySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "unit", "unit_name", "period", "period_kind", "period_start", "period_end", "number", "state",
                  "submitted_on"]
        read_only_fields = fields

    def get_period(self, report: Report) -> str:
        return services.period_of(report).code


class ReportSerializer(ReportSummarySerializer):
    template = TemplateSerializer(read_only=True)
    narrative = serializers.ListField(child=serializers.CharField(allow_blank=True), read_only=True)
    figures = serializers.SerializerMethodField()
    frozen = serializers.SerializerMethodField()
    available_actions = AvailableActionsField(REPORT)

    class Meta(ReportSummarySerializer.Meta):
        fields = [*ReportSummarySerializer.Meta.fields, "template", "narrative", "figures", "frozen",
                  "correction_reason", "previous", "version", "available_actions"]
        read_only_fields = fields

    def get_frozen(self, report: Report) -> bool:
        return report.state != State.DRAFT

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures(self, report: Report) -> Any:
        return _figures(report.figures, report.template.figures)


class NarrativeSerializer(serializers.Serializer):
    narrative = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=20000), max_length=12,
                                      help_text="One text per section of the report's template, in order")
    version = serializers.IntegerField(required=False, min_value=1, help_text="The version read (a stale one: 409)")


class ReportList(generics.ListAPIView):
    """The reports the caller sees; POST opens a unit's report of an ended period (its own officers)."""

    serializer_class = ReportSummarySerializer

    def get_queryset(self):
        return selectors.reports_visible(actor_for(self.request)).order_by("-period_start", "unit__path", "-number")

    @extend_schema(request=ReportOpenBody, responses={201: ReportSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.units_holding(services.WRITE):
            raise PermissionDenied
        data = form_cleaned(OpenForm, request)
        unit = unit_get(actor, data["unit"])
        try:
            period = parse(data["period"])
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from None
        report = services.report_open(actor=actor, unit=unit, period=period)
        return Response(ReportSerializer(report, context={"actor": actor}).data, status=201)


class ReportDetail(generics.GenericAPIView):
    serializer_class = ReportSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(ReportSerializer(selectors.report_get(actor, pk), context={"actor": actor}).data)

    @extend_schema(request=NarrativeSerializer, responses={200: ReportSerializer})
    def patch(self, request, pk):
        """Write a draft's narrative. The figures are computed by the system: a body naming them is refused."""
        actor = actor_for(request)
        report = selectors.report_get(actor, pk)
        if report.unit_id not in actor.units_holding(services.WRITE):
            raise PermissionDenied
        if hasattr(request.data, "keys") and "figures" in request.data:
            raise serializers.ValidationError(
                {"figures": [_("Số liệu do hệ thống tính từ dữ liệu, không sửa được; chỉ viết phần đánh giá.")]})
        body = NarrativeSerializer(data=request.data)
        unknown = sorted(set(request.data) - set(body.fields)) if hasattr(request.data, "keys") else []
        if unknown:
            raise serializers.ValidationError({k: [_("Không có trường này.")] for k in unknown})
        body.is_valid(raise_exception=True)
        services.report_write(actor=actor, report=report, narrative=body.validated_data["narrative"],
                              version=body.validated_data.get("version"))
        return Response(ReportSerializer(selectors.report_get(actor, pk), context={"actor": actor}).data)


ReportActions = actions_view(lc=REPORT, get_object=selectors.report_get, detail=ReportSerializer,
                             name="ReportActions")


class TemplateList(generics.ListAPIView):
    """The current templates the caller sees (the installation's defaults and those of the units in scope); POST
    defines one for a committee where the caller writes."""

    serializer_class = TemplateSerializer

    def get_queryset(self):
        return selectors.templates_visible(actor_for(self.request)).filter(current=True).order_by("pk")

    @extend_schema(request=ReportTemplateBody, responses={201: TemplateSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.units_holding(services.WRITE):
            raise PermissionDenied
        data = form_cleaned(TemplateForm, request, extra=("unit",))
        unit = unit_get(actor, as_id(request.data.get("unit")) or 0)
        template = services.template_save(actor=actor, unit=unit, **data)
        return Response(TemplateSerializer(template).data, status=201)


class TemplateDetail(generics.GenericAPIView):
    serializer_class = TemplateSerializer

    def get(self, request, pk):
        return Response(TemplateSerializer(selectors.template_get(actor_for(request), pk)).data)

    @extend_schema(request=ReportTemplateChange, responses={200: TemplateSerializer})
    def patch(self, request, pk):
        """Change the template: in place while no unit has submitted against it, else a new version (answered)."""
        actor = actor_for(request)
        template = selectors.template_get(actor, pk)
        if not (template.current and selectors.may_define(actor, template)):
            raise PermissionDenied
        base = {"name": template.name, "period_kind": template.period_kind, "sections": "\n".join(template.sections),
                "figures": template.figures}
        data = form_cleaned(TemplateForm, request, base=base)
        saved = services.template_save(actor=actor, unit=template.unit, template=template, **data)
        return Response(TemplateSerializer(saved).data)


def _query(request) -> tuple[Any, Period]:
    actor = actor_for(request)
    unit = unit_get(actor, as_id(request.query_params.get("unit", "")) or 0)
    if not actor.can(VIEW, unit):
        raise Http404
    raw = request.query_params.get("period", "")
    try:
        period = parse(raw) if raw else last_ended("quarter", clock.today())
    except ValueError as exc:
        raise serializers.ValidationError({"period": [str(exc)]}) from None
    return unit, period


UNIT_PERIOD = [OpenApiParameter("unit", int, required=True, description="The committee (unit id)"),
               OpenApiParameter("period", str, description="The period, e.g. 2026-Q1 (default: the last ended "
                                                           "quarter)")]


class BoardRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    report = serializers.IntegerField(allow_null=True)
    state = serializers.CharField(help_text="draft, submitted, or empty when none is opened")
    overdue = serializers.BooleanField()


class BoardSerializer(serializers.Serializer):
    period = serializers.CharField()
    due = serializers.DateField()
    units = serializers.IntegerField(help_text="How many units right below report for the period")
    missing = serializers.IntegerField(help_text="How many of them have not filed")
    page = serializers.IntegerField(help_text="This page (the units not filed first, each group by name)")
    pages = serializers.IntegerField()
    rows = BoardRowSerializer(many=True, help_text=f"At most {selectors.BOARD_PAGE} units")


class Board(generics.GenericAPIView):
    """The units right below a committee and whether they have filed their report of the period (late ones
    marked: past the rulebook's days after the period ends), a page at a time: the units not filed first."""

    serializer_class = BoardSerializer
    pagination_class = None
    query_params = ("unit", "period", "page")

    @extend_schema(parameters=[*UNIT_PERIOD, OpenApiParameter("page", int, description="The page (default 1)")],
                   responses={200: BoardSerializer})
    def get(self, request):
        unit, period = _query(request)
        b = selectors.board(actor_for(request), unit, period)
        number = request.query_params.get("page", "1")
        if not number.isdigit() or int(number) < 1:
            raise serializers.ValidationError({"page": [_("Số trang phải là số nguyên dương.")]})
        page = PagedInDatabase(b.units, selectors.BOARD_PAGE).page_read(number, b.rows)
        return Response(BoardSerializer({
            "period": period.code, "due": b.due, "units": b.units, "missing": b.missing, "page": page.number,
            "pages": page.paginator.num_pages,
            "rows": [{"unit": r.unit.pk, "unit_name": r.unit.name, "report": r.report.pk if r.report else None,
                      "state": r.report.state if r.report else "", "overdue": r.overdue}
                     for r in page.object_list]}).data)


class ReminderBody(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, help_text="A unit right below a committee where the caller writes")
    period = serializers.CharField(max_length=10, help_text="The period, e.g. 2026-Q1")


class ReminderAnswer(serializers.Serializer):
    told = serializers.IntegerField(help_text="How many of the unit's secretaries were reminded")


class Reminders(generics.GenericAPIView):
    """Remind a unit below that its report of an ended period is not filed (through the outbox, once a day)."""

    serializer_class = ReminderAnswer

    @extend_schema(request=ReminderBody, responses={201: ReminderAnswer})
    def post(self, request):
        actor = actor_for(request)
        if not actor.units_holding(services.WRITE):
            raise PermissionDenied
        body = ReminderBody(data=request.data)
        body.is_valid(raise_exception=True)
        unit = unit_get(actor, body.validated_data["unit"])
        try:
            period = parse(body.validated_data["period"])
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from None
        told = services.report_remind(actor=actor, unit=unit, period=period)
        return Response({"told": told}, status=201)


class RollupRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    submitted = serializers.CharField(help_text="The sum of the submitted reports of the units below")
    live = serializers.CharField(help_text="Computed now from live data for the whole subtree")


class UnitNameSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()


class RollupSerializer(serializers.Serializer):
    period = serializers.CharField()
    filed = serializers.IntegerField(help_text="How many submitted reports are summed")
    missing = serializers.IntegerField(help_text="How many units right below have not filed")
    first_missing = UnitNameSerializer(many=True, help_text=f"The first {selectors.ROLLUP_NAMES} of them by name; "
                                                            "the board lists them all")
    rows = RollupRowSerializer(many=True)


class Rollup(generics.GenericAPIView):
    """A level's figures for a period: the sum of its units' submitted snapshots beside the live figures."""

    serializer_class = RollupSerializer
    pagination_class = None
    query_params = ("unit", "period")

    @extend_schema(parameters=UNIT_PERIOD, responses={200: RollupSerializer})
    def get(self, request):
        unit, period = _query(request)
        r = selectors.rollup(actor_for(request), unit, period)
        return Response(RollupSerializer({
            "period": period.code, "filed": r.filed, "missing": r.missing,
            "first_missing": [{"unit": u.pk, "unit_name": u.name} for u in r.first_missing],
            "rows": [{**asdict(row), "name": row.label} for row in r.rows]}).data)
