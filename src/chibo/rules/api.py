"""Rulebook and calendar API: every authenticated user reads the versions and history of each rule and the
announced days of the working calendar; the upper committee's organization officer adds rule versions and
announced days (the same forms and services as the pages)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import calendar as cal_mod
from chibo.core import calendar_services, clock
from chibo.core.access import actor_for, require_top
from chibo.core.api import RuleSerializer
from chibo.core.lifecycle_api import form_cleaned, form_serializer
from chibo.core.rulebook import (
    in_force,
    rule_add_version,
    rule_confirm,
    rule_history,
    rule_version_or_404,
    rule_versions,
)
from chibo.core.text import clean
from chibo.rules.forms import CalendarDayForm, CalendarRemoveForm, RuleConfirmForm, RuleVersionForm, YearForm


class RuleHistorySerializer(serializers.Serializer):
    key = serializers.CharField()
    in_force = RuleSerializer(allow_null=True, help_text="The version in force today, if any.")
    versions = RuleSerializer(many=True, help_text="Every version, oldest first.")


class RuleQuerySerializer(serializers.Serializer):
    key = serializers.CharField(required=False, max_length=80)
    on = serializers.DateField(required=False)
    confidence = serializers.ChoiceField(choices=["confirmed", "to_confirm"], required=False)


class RuleList(generics.ListAPIView):
    """Every version of every rule, by key then date; ``on`` keeps the versions in force that day."""
    query_params = ("confidence", "key", "on")

    serializer_class = RuleSerializer

    def get_queryset(self):
        query = RuleQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        key = clean(query.validated_data.get("key", ""))
        if key and not rule_versions(key=key).exists():
            raise serializers.ValidationError({"key": [_("Không có quy định «%(key)s» trong sổ quy định.")
                                                         % {"key": key}]})
        versions = rule_versions(key=key, on=query.validated_data.get("on"))
        confidence = query.validated_data.get("confidence")
        return versions.filter(confidence=confidence) if confidence else versions

    @extend_schema(parameters=[
        OpenApiParameter("key", str, description="Only this rule key, e.g. admission.decide_within"),
        OpenApiParameter("on", OpenApiTypes.DATE, description="YYYY-MM-DD: only the versions in force that day"),
        OpenApiParameter("confidence", str, enum=["confirmed", "to_confirm"],
                         description="to_confirm: the regulation watch (versions not yet checked against the text)"),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


RuleVersionInput = form_serializer(RuleVersionForm, "RuleVersionInput",
                                   "A new version of the rule: its value, the day it takes effect and its basis.")


class RuleDetail(generics.GenericAPIView):
    """The history of one rule (every version and the one in force today); POST adds a version (the one
    before it ends the day before; clocks already running keep the version they started under)."""

    serializer_class = RuleHistorySerializer

    @extend_schema(request=RuleVersionInput, responses={201: RuleSerializer})
    def post(self, request, key):
        actor = actor_for(request)
        require_top(actor, "rules.edit")
        if not rule_history(key):
            raise Http404
        version = rule_add_version(actor=actor, key=key, **form_cleaned(RuleVersionForm, request))
        return Response(RuleSerializer(version).data, status=201)

    def get(self, request, key):
        versions = rule_history(key)
        if not versions:
            raise Http404
        today = clock.today()
        current = next((v for v in versions if in_force(v, today)), None)
        return Response(RuleHistorySerializer({"key": key, "in_force": current, "versions": versions}).data)


class CalendarDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    note = serializers.CharField()
    document = serializers.CharField()


class CalendarChangeSerializer(CalendarDaySerializer):
    effects = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="What the change did elsewhere, e.g. open deadlines recomputed.")


CalendarDayInput = form_serializer(CalendarDayForm, "CalendarDayInput",
                                   "A day the government announced: an extra day off or a make-up working day.")
CalendarRemoveInput = form_serializer(CalendarRemoveForm, "CalendarRemoveInput", "Remove an announced day.")


class CalendarDays(generics.GenericAPIView):
    """The days announced for a year (``year``, default this year); POST announces one (clocks counted in
    working days follow it)."""
    query_params = ("year",)

    serializer_class = CalendarDaySerializer
    pagination_class = None  # a year's days, whole (the answer is a list, not a page)

    @extend_schema(parameters=[OpenApiParameter("year", int, description="The year (default: this year)")],
                   responses=CalendarDaySerializer(many=True))
    def get(self, request):
        query = YearForm(request.query_params if "year" in request.query_params else {"year": clock.today().year})
        if not query.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in query.errors.items()})
        return Response(CalendarDaySerializer(cal_mod.announced_days(query.cleaned_data["year"]), many=True).data)

    @extend_schema(request=CalendarDayInput, responses={201: CalendarChangeSerializer})
    def post(self, request):
        actor = actor_for(request)
        require_top(actor, "calendar.edit")
        added = calendar_services.calendar_day_add(actor=actor, **form_cleaned(CalendarDayForm, request))
        return Response(CalendarChangeSerializer(added).data, status=201)


class CalendarDayRemove(generics.GenericAPIView):
    """Remove an announced day (with the reason, audited); answers with the day as it was and what removing it
    changed (open deadlines recomputed)."""

    serializer_class = CalendarChangeSerializer

    @extend_schema(request=CalendarRemoveInput, responses={200: CalendarChangeSerializer})
    def post(self, request):
        actor = actor_for(request)
        require_top(actor, "calendar.edit")
        data = form_cleaned(CalendarRemoveForm, request)
        day_obj = cal_mod.announced_day(data["day"])
        if day_obj is None:
            raise serializers.ValidationError(
                {"day": [_("%(day)s không có trong danh sách ngày đã công bố.") % {"day": f"{data['day']:%d/%m/%Y}"}]})
        removed = calendar_services.calendar_day_remove(actor=actor, day_obj=day_obj, reason=data["reason"])
        return Response(CalendarChangeSerializer(removed).data)


RuleConfirmInput = form_serializer(RuleConfirmForm, "RuleConfirmInput",
                                   "Confirm a version marked to_confirm against the published regulation.")


class RuleVersionConfirm(generics.GenericAPIView):
    """Confirm one version (``confidence`` to_confirm → confirmed) with the basis as read in the regulation."""

    serializer_class = RuleSerializer

    @extend_schema(request=RuleConfirmInput, responses={200: RuleSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        require_top(actor, "rules.edit")
        version = rule_version_or_404(pk)
        return Response(RuleSerializer(rule_confirm(actor=actor, version=version,
                                                    **form_cleaned(RuleConfirmForm, request))).data)
