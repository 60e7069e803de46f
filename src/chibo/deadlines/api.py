"""Deadlines API: read-only, through the same selectors as the radar (so both count alike)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for, require
from chibo.core.api import RuleRefSerializer
from chibo.core.lifecycle_api import form_cleaned, form_serializer
from chibo.deadlines import feeds, services
from chibo.deadlines.forms import API_STATES, DEFAULT_WINDOW, MAX_WINDOW, ReasonForm
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.models import Deadline
from chibo.deadlines.selectors import DeadlineFilters, deadline_get, deadline_search, due_changes
from chibo.units.selectors import unit_get


class DueChangeSerializer(serializers.Serializer):
    old = serializers.DateField(help_text="The due date before the change.")
    new = serializers.DateField(help_text="The due date after it.")
    day = serializers.DateField(help_text="The announced day added or withdrawn.")
    added = serializers.BooleanField(help_text="True: the day was announced; false: it was withdrawn.")
    day_kind = serializers.CharField(help_text="day_off or working_day")
    because = serializers.CharField()


class DeadlineSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    member_name = serializers.SerializerMethodField()
    title = serializers.CharField(read_only=True, help_text="In the reader's language (Accept-Language)")
    rule = RuleRefSerializer(read_only=True)
    days_left = serializers.SerializerMethodField()
    due_changes = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["id", "kind", "kind_label", "unit", "unit_name", "member", "member_name", "title", "start_date",
                  "due_date", "state", "met_on", "reason", "rule", "days_left", "due_changes"]
        read_only_fields = fields

    def get_kind_label(self, obj: Deadline) -> str:
        return KINDS[obj.kind].label if obj.kind in KINDS else obj.kind

    @extend_schema_field(DueChangeSerializer(many=True))
    def get_due_changes(self, obj: Deadline) -> list:
        """The moves of the due date caused by the working calendar, oldest first."""
        return list(DueChangeSerializer(due_changes(obj), many=True).data)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member_name(self, obj: Deadline) -> str | None:
        return obj.member.full_name if obj.member is not None else None

    @extend_schema_field(serializers.IntegerField(
        allow_null=True, help_text="Days until the due date (negative: overdue); null once closed"))
    def get_days_left(self, obj: Deadline) -> int | None:
        if not obj.is_open:
            return None
        today = self.context.get("today") or clock.today()
        return (obj.due_date - today).days


SEARCH_PARAMS = [
    OpenApiParameter("state", str, enum=list(API_STATES),
                     description="open / met / late / waived (stored state); overdue (open and past due), "
                                 "soon (open, due within soon_days), active (open or late)"),
    OpenApiParameter("kind", str, enum=list(KINDS)),
    OpenApiParameter("unit", int, description="Unit id: its whole subtree"),
    OpenApiParameter("own", bool, description="With unit: that unit's own rolls only, not the units below it"),
    OpenApiParameter("soon_days", int, description=f"Window of state=soon in days (1–{MAX_WINDOW}, "
                                                  f"default {DEFAULT_WINDOW})"),
]


def filters_from_params(actor, params) -> DeadlineFilters:
    """Query parameters → filters; bad values raise 400 with the field named, out-of-scope units 404."""
    errors = {}
    state = params.get("state", "")
    if state and state not in API_STATES:
        errors["state"] = [_("Trạng thái «%(state)s» không hợp lệ; dùng một trong: %(choices)s.")
                           % {"state": state[:40], "choices": ", ".join(API_STATES)}]
    kind = params.get("kind", "")
    if kind and kind not in KINDS:
        errors["kind"] = [_("Loại việc «%(kind)s» không hợp lệ.") % {"kind": kind[:40]}]
    soon_days = DEFAULT_WINDOW
    raw_days = params.get("soon_days", "")
    if raw_days:
        if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_WINDOW:
            errors["soon_days"] = [_("Số ngày phải là số nguyên từ 1 đến %(maximum)s.") % {"maximum": MAX_WINDOW}]
        else:
            soon_days = int(raw_days)
    raw_unit = params.get("unit", "")
    if raw_unit and not raw_unit.isdigit():
        errors["unit"] = [_("Mã tổ chức phải là số.")]
    raw_own = params.get("own", "")
    if raw_own not in ("", "true", "false", "1", "0"):
        errors["own"] = [_("Dùng true hoặc false.")]
    elif raw_own in ("true", "1") and not raw_unit:
        errors["own"] = [_("Cần chọn tổ chức (unit) khi chỉ xem hạn của chính tổ chức đó.")]
    if errors:
        raise serializers.ValidationError(errors)
    unit = unit_get(actor, int(raw_unit)) if raw_unit else None
    return DeadlineFilters(state=state, kind=kind, unit=unit, own=raw_own in ("true", "1"), soon_days=soon_days,
                           today=clock.today())


class DeadlineList(generics.ListAPIView):
    query_params = ("kind", "own", "soon_days", "state", "unit")
    serializer_class = DeadlineSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        self.filters = filters_from_params(actor, self.request.query_params)
        return deadline_search(actor, self.filters)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    @extend_schema(parameters=SEARCH_PARAMS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DeadlineDetail(generics.GenericAPIView):
    serializer_class = DeadlineSerializer

    def get(self, request, pk):
        deadline = deadline_get(actor_for(request), pk)
        return Response(DeadlineSerializer(deadline, context={"today": clock.today()}).data)


ReasonInput = form_serializer(ReasonForm, "DeadlineReasonInput", "The reason, recorded with the step.")


def _reason_view(action, name: str, doc: str):
    class ReasonAction(generics.GenericAPIView):
        serializer_class = DeadlineSerializer

        @extend_schema(request=ReasonInput, responses={200: DeadlineSerializer})
        def post(self, request, pk):
            actor = actor_for(request)
            deadline = deadline_get(actor, pk)
            require(actor, "deadlines.waive", deadline.unit)
            action(actor=actor, deadline=deadline, reason=form_cleaned(ReasonForm, request)["reason"])
            return Response(DeadlineSerializer(deadline_get(actor, pk)).data)

    ReasonAction.__doc__ = doc
    ReasonAction.__name__ = ReasonAction.__qualname__ = name
    return ReasonAction


DeadlineWaive = _reason_view(services.deadline_waive, "DeadlineWaive",
                             "Waive an open obligation (the officer in charge, with the reason).")
DeadlineExplain = _reason_view(services.deadline_explain_late, "DeadlineExplain",
                               "Record why an obligation was met late.")


class FeedSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    url = serializers.CharField(required=False, help_text="The calendar address: shown once, when it is made")


class FeedInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("create", "a new address (the old one stops)"),
                                              ("revoke", "no address")])


class MyFeed(generics.GenericAPIView):
    """The address of one's own deadlines as a calendar (ICS): GET whether one is active; POST ``create`` makes a
    new one (shown once) and ``revoke`` stops it."""

    serializer_class = FeedSerializer

    def get(self, request):
        return Response({"active": feeds.feed_active(request.user) is not None})

    @extend_schema(request=FeedInput, responses={200: FeedSerializer})
    def post(self, request):
        body = FeedInput(data=request.data)
        body.is_valid(raise_exception=True)
        actor = actor_for(request)
        if body.validated_data["action"] == "create":
            key = feeds.feed_token_create(actor=actor, user=request.user)
            return Response({"active": True, "url": request.build_absolute_uri(reverse("deadlines:feed", args=[key]))})
        feeds.feed_token_revoke(actor=actor, user=request.user)
        return Response({"active": False})
