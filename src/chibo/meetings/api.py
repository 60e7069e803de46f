"""Meetings API: meetings, attendance, the headcount, resolutions and ballots, through the same
selectors and services as the pages. A secret ballot is exposed as counts only, and only once it is
closed; who voted how is never available (the database does not know it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.meetings import rules, selectors, services
from chibo.meetings.forms import SettingsForm
from chibo.meetings.lifecycle import BALLOT, MEETING
from chibo.meetings.models import (
    Attendance,
    BallotVoter,
    BoxState,
    Meeting,
    MeetingKind,
    Resolution,
)


class MeetingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    local_start = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "unit", "unit_name", "kind", "title", "starts_at", "time_zone", "local_start",
                  "planned_minutes", "place", "online_link", "state", "minutes_state"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="Start in the unit's local time, ISO 8601 with offset"))
    def get_local_start(self, obj: Meeting) -> str:
        return obj.starts_at.astimezone(ZoneInfo(obj.time_zone)).isoformat()


class ExcludedSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    full_name = serializers.CharField()
    reason = serializers.CharField()


class HeadcountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Full members counted for resolutions (docs/domain.md §5)")
    on_rolls = serializers.IntegerField(help_text="Full members (incl. exempt and suspended) on the unit's rolls")
    excluded = ExcludedSerializer(many=True)


class AttendanceSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="member.full_name", read_only=True)
    temporary = serializers.SerializerMethodField(
        help_text="A member of another cell attending on temporary transfer: marked, outside the cell's figures")

    class Meta:
        model = Attendance
        fields = ["member", "full_name", "presence", "reason", "reason_approved", "self_checked_in", "temporary"]
        read_only_fields = fields


    def get_temporary(self, obj: Attendance) -> bool:
        return obj.member.unit_id != obj.meeting.unit_id


class BallotSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=BoxState.choices)
    online = serializers.BooleanField()
    eligible_count = serializers.IntegerField()
    voted_online = serializers.IntegerField(help_text="How many voted online (not who voted how)")
    totals = serializers.DictField(child=serializers.IntegerField(), allow_null=True,
                                   help_text="for / against / abstain / invalid / online / paper / cast; "
                                             "null until closed")


class ResolutionSerializer(serializers.ModelSerializer):
    ballot = serializers.SerializerMethodField()
    ballot_id = serializers.SerializerMethodField()

    class Meta:
        model = Resolution
        fields = ["id", "number", "title", "secret", "votes_for", "votes_against", "votes_abstain", "headcount",
                  "needed", "passed", "ballot", "ballot_id"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True,
                                                  help_text="The secret ballot's id (…/ballots/{id}/)"))
    def get_ballot_id(self, obj: Resolution):
        box = getattr(obj, "box", None) if hasattr(obj, "box") else None
        return box.pk if box is not None else None

    @extend_schema_field(BallotSerializer(allow_null=True))
    def get_ballot(self, obj: Resolution):
        box = getattr(obj, "box", None) if hasattr(obj, "box") else None
        if box is None:
            return None
        closed = box.state == BoxState.CLOSED
        return {"state": box.state, "online": box.online, "eligible_count": box.eligible_count,
                "voted_online": BallotVoter.objects.filter(box=box, voted=True).count(),
                "totals": {str(k): v for k, v in services.ballot_totals(box).items()} if closed else None}


class BallotNeedsSerializer(serializers.Serializer):
    minimum = serializers.IntegerField(help_text="Eligible voters present a secret ballot needs to open "
                                                 "(rule meeting.ballot_min_voters)")
    present = serializers.IntegerField(help_text="Full members present now who may vote")


class MeetingDetailSerializer(MeetingSerializer):
    agenda = serializers.CharField(read_only=True)
    available_actions = AvailableActionsField(MEETING)
    headcount = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    resolutions = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    ballot_needs = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + ["agenda", "headcount", "attendance", "resolutions", "warnings",
                                                  "ballot_needs", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(BallotNeedsSerializer)
    def get_ballot_needs(self, obj: Meeting):
        return rules.ballot_needs(obj)

    @extend_schema_field(HeadcountSerializer)
    def get_headcount(self, obj: Meeting):
        head = rules.headcount(obj)
        return {"count": head.count, "on_rolls": head.on_rolls,
                "excluded": [{"member": m.pk, "full_name": m.full_name, "reason": why} for m, why in head.excluded]}

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, obj: Meeting):
        actor = self.context["actor"]
        rows = (Attendance.objects.filter(meeting=obj).select_related("member", "meeting")
                .order_by("member__name_sort"))
        if not actor.can("meetings.view", obj.unit):
            rows = rows.filter(member_id=actor.member_id)
        return AttendanceSerializer(rows, many=True).data

    @extend_schema_field(ResolutionSerializer(many=True))
    def get_resolutions(self, obj: Meeting):
        return ResolutionSerializer(obj.resolutions.select_related("box"), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, obj: Meeting):
        return rules.warnings(obj) if self.context["actor"].can("meetings.manage", obj.unit) else []


class MeetingCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    day = serializers.DateField(help_text="Local date in the unit's time zone")
    time = serializers.TimeField(help_text="Local time, e.g. 18:30")
    planned_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(max_length=300, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    draft_resolution = serializers.CharField(required=False, allow_blank=True, default="")


def _unit(actor, raw):
    unit = selectors.meeting_units(actor).filter(pk=raw).first()
    if unit is None:
        raise Http404
    return unit


class MeetingList(generics.ListCreateAPIView):
    query_params = ("unit",)
    serializer_class = MeetingSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        rows = selectors.meetings_visible(actor).select_related("unit").order_by("-starts_at", "-pk")
        raw = self.request.query_params.get("unit", "")
        if raw:
            if not raw.isdigit():
                raise serializers.ValidationError({"unit": [_("Mã tổ chức phải là số.")]})
            rows = rows.filter(unit=_unit(actor, int(raw)))
        return rows

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="Unit id")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("meetings.manage"):  # permission before validation
            raise PermissionDenied if (actor.can("meetings.view") or actor.member_id) else Http404
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        unit = _unit(actor, fields.pop("unit"))
        meeting = services.meeting_plan(actor=actor, unit=unit, **fields)
        return Response(MeetingDetailSerializer(meeting, context={"actor": actor}).data, status=201)


class MeetingDetail(generics.GenericAPIView):
    serializer_class = MeetingDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        meeting = selectors.meeting_get(actor, pk)
        return Response(MeetingDetailSerializer(meeting, context={"actor": actor}).data)


class BallotDetailSerializer(serializers.Serializer):
    """A secret ballot: counts only, and only once it is closed; never who voted how."""

    id = serializers.IntegerField(read_only=True)
    resolution = serializers.IntegerField(source="resolution_id", read_only=True)
    state = serializers.ChoiceField(choices=BoxState.choices, read_only=True)
    online = serializers.BooleanField(read_only=True)
    eligible_count = serializers.IntegerField(read_only=True)
    voted_online = serializers.SerializerMethodField(help_text="How many voted online (not who voted how)")
    totals = serializers.SerializerMethodField(help_text="for / against / abstain / invalid / online / paper / cast; "
                                                         "null until closed")
    available_actions = AvailableActionsField(BALLOT)

    def get_voted_online(self, box) -> int:
        return BallotVoter.objects.filter(box=box, voted=True).count()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), allow_null=True))
    def get_totals(self, box):
        return {str(k): v for k, v in services.ballot_totals(box).items()} if box.state == BoxState.CLOSED else None


class BallotDetail(generics.GenericAPIView):
    serializer_class = BallotDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(BallotDetailSerializer(selectors.box_get(actor, pk), context={"actor": actor}).data)


MeetingActions = actions_view(lc=MEETING, get_object=selectors.meeting_get, detail=MeetingDetailSerializer)
# An error report, which names the user, masks the choice of a vote cast through the API.
BallotActions = method_decorator(sensitive_post_parameters("choice"), name="dispatch")(
    actions_view(lc=BALLOT, get_object=selectors.box_get, detail=BallotDetailSerializer))


class MeetingSettingsSerializer(serializers.Serializer):
    time_zone = serializers.CharField(help_text="The cell's time zone (from its country unless set)")
    online_ballots = serializers.BooleanField()


MeetingSettingsInput = form_serializer(SettingsForm, "MeetingSettingsInput",
                                       "The cell's time zone (empty: by its country) and whether secret ballots may "
                                       "be cast online.")


class UnitMeetingSettings(generics.GenericAPIView):
    """A cell's meeting settings: GET for whoever manages its meetings; POST changes them."""

    serializer_class = MeetingSettingsSerializer

    def _unit(self, request, pk):
        actor = actor_for(request)
        unit = selectors.meeting_units(actor).filter(pk=pk).first()
        if unit is None:
            raise Http404
        if not actor.can("meetings.manage", unit):
            raise PermissionDenied
        return actor, unit

    @staticmethod
    def _current(unit) -> dict:
        return {"time_zone": services.unit_time_zone(unit), "online_ballots": services.online_ballots_allowed(unit)}

    def get(self, request, pk):
        _actor, unit = self._unit(request, pk)
        return Response(self._current(unit))

    @extend_schema(request=MeetingSettingsInput, responses={200: MeetingSettingsSerializer})
    def post(self, request, pk):
        actor, unit = self._unit(request, pk)
        services.meeting_settings_set(actor=actor, unit=unit, **form_cleaned(SettingsForm, request))
        return Response(self._current(unit))


class ReceiptInput(serializers.Serializer):
    receipt = serializers.CharField(max_length=40, help_text="The code shown once when the ballot was cast")


class ReceiptAnswer(serializers.Serializer):
    counted = serializers.BooleanField(allow_null=True, help_text="null while the ballot is still open")


@method_decorator(sensitive_post_parameters("receipt"), name="dispatch")  # an error report masks the code
class BallotReceipt(generics.GenericAPIView):
    """Check that the slip with this receipt was counted (after the count). Nothing is written or logged."""

    serializer_class = ReceiptAnswer

    @extend_schema(request=ReceiptInput, responses={200: ReceiptAnswer})
    def post(self, request, pk):
        box = selectors.box_get(actor_for(request), pk)
        body = ReceiptInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"counted": services.ballot_receipt_counted(box=box, code=body.validated_data["receipt"])})


class ComplianceRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    unit_code = serializers.CharField()
    missing_months = serializers.ListField(child=serializers.IntegerField(), help_text="Months without a regular "
                                                                                          "meeting held (1–12)")
    missing_quarters = serializers.ListField(child=serializers.IntegerField(), help_text="Quarters without a thematic "
                                                                                            "meeting held (1–4)")


class AbsenceSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    months = serializers.ListField(child=serializers.IntegerField(), help_text="Months absent without good reason")
    threshold = serializers.IntegerField(help_text="The rulebook's months for considering a strike-off")


class ComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True, help_text="The unit whose subtree is shown (null: the scope)")
    cells = serializers.IntegerField(help_text="Open cells looked at")
    late = serializers.IntegerField(help_text="Cells missing a meeting")
    late_regular = serializers.IntegerField(help_text="Cells missing a regular meeting in a month")
    late_thematic = serializers.IntegerField(help_text="Cells missing a thematic meeting in a quarter")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    rows = ComplianceRowSerializer(many=True, help_text=f"At most {selectors.COMPLIANCE_ROWS} cells: the most months "
                                                        "missing first, or in name order (sort=name)")
    absences = AbsenceSerializer(many=True, help_text="Members of the cells the caller manages often absent")
    absences_total = serializers.IntegerField()


class Compliance(generics.GenericAPIView):
    """The cells behind with their meetings in a year (months without a regular meeting, quarters without a thematic
    one) in the tree the caller oversees or under ``unit``, a page at a time, and the members of the cells the
    caller manages who were often absent: the compliance page's figures."""

    serializer_class = ComplianceSerializer
    pagination_class = None
    query_params = ("page", "sort", "unit", "year")

    @extend_schema(parameters=[
        OpenApiParameter("year", int, description="The year (default: this year)"),
        OpenApiParameter("unit", int, description="Only this unit's subtree"),
        OpenApiParameter("page", int, description="The page (default 1)"),
        OpenApiParameter("sort", str, enum=["worst", "name"], description="The most months missing first "
                                                                          "(default), or in name order")],
        responses={200: ComplianceSerializer})
    def get(self, request):
        actor = actor_for(request)
        if not actor.can("meetings.view"):
            raise Http404
        params = request.query_params
        errors = {}
        digits = {key: params.get(key, "") for key in ("year", "unit", "page")}
        if digits["year"] and not (digits["year"].isascii() and digits["year"].isdigit()
                                   and 1945 <= int(digits["year"]) <= 2200):
            errors["year"] = [_("Năm không hợp lệ.")]
        if digits["unit"] and not (digits["unit"].isascii() and digits["unit"].isdigit()):
            errors["unit"] = [_("Mã tổ chức phải là số.")]
        if digits["page"] and not (digits["page"].isascii() and digits["page"].isdigit() and 0 < int(digits["page"])
                                   < 10**6):
            errors["page"] = [_("Số trang phải là số nguyên dương.")]
        if params.get("sort", "worst") not in ("worst", "name"):
            errors["sort"] = [_("Chọn một cách sắp xếp: %(choices)s.") % {"choices": "worst, name"}]
        if errors:
            raise serializers.ValidationError(errors)
        focus = None
        if params.get("unit"):
            focus = selectors.meeting_units(actor).filter(pk=int(params["unit"])).first()
            if focus is None:
                raise Http404
        year = int(params["year"]) if params.get("year") else clock.today().year
        o = selectors.compliance_overview(actor, year, focus=focus, page=params.get("page"),
                                          by_name=params.get("sort") == "name")
        return Response(ComplianceSerializer({
            "year": o.year, "unit": o.focus.pk if o.focus else None, "cells": o.cells, "late": o.late.paginator.count,
            "late_regular": o.late_regular, "late_thematic": o.late_thematic, "page": o.late.number,
            "pages": o.late.paginator.num_pages,
            "rows": [{"unit": r.unit.pk, "unit_name": r.unit.name, "unit_code": r.unit.code,
                      "missing_months": r.missing_months, "missing_quarters": r.missing_quarters}
                     for r in o.late],
            "absences": [{"member": f.member.pk, "member_name": f.member.full_name, "unit": unit.pk,
                          "unit_name": unit.name, "months": f.months, "threshold": f.threshold}
                         for unit, f in o.absences],
            "absences_total": o.absences_total}).data)
