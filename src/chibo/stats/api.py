"""Statistics API: the figures of the statistics page (the same selectors), per year, for a unit's subtree."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.stats import figures as fig


class StatsMembersSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    full = serializers.IntegerField(help_text="Full members on the rolls on 31 December (today for this year)")
    probationary = serializers.IntegerField()
    total = serializers.IntegerField()


class StatsAdmissionsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    admitted = serializers.IntegerField(help_text="Admission ceremonies held in the year")


class StatsTransfersSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    transfers_in = serializers.IntegerField(help_text="Members who reported here, coming from outside the subtree")
    transfers_out = serializers.IntegerField(help_text="Members who reported outside the subtree, leaving it")


class StatsMeetingsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    due = serializers.IntegerField(help_text="Regular meetings due: one per open cell and month")
    held = serializers.IntegerField(help_text="Months in which a cell held its regular (or combined) meeting, "
                                              "the month in the meeting's own time zone")


class StatsDuesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    currency = serializers.CharField(help_text="ISO 4217 code; each currency apart, never converted")
    due = serializers.DecimalField(max_digits=18, decimal_places=3)
    collected = serializers.DecimalField(max_digits=18, decimal_places=3, help_text="Net of reversals")


class StatsGradesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    excellent = serializers.IntegerField()
    good = serializers.IntegerField()
    completed = serializers.IntegerField()
    not_completed = serializers.IntegerField()
    total = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField()
    members = StatsMembersSerializer(many=True, allow_null=True, help_text="null without members.view")
    admissions = StatsAdmissionsSerializer(many=True, allow_null=True, help_text="null without admission.view")
    transfers = StatsTransfersSerializer(many=True, allow_null=True, help_text="null without members.view")
    meetings = StatsMeetingsSerializer(many=True, allow_null=True, help_text="null without meetings.view")
    dues = StatsDuesSerializer(many=True, allow_null=True, help_text="null without dues.view")
    grades = StatsGradesSerializer(many=True, allow_null=True, help_text="null without grading.view")


def as_data(f: fig.Figures) -> dict:
    def each(data, make):
        return None if data is None else [make(y, data[y]) for y in f.years]

    return {
        "unit": f.unit.pk, "unit_name": f.unit.name, "year_from": f.first, "year_to": f.last,
        "members": each(f.members, lambda y, v: {"year": y, "full": v[0], "probationary": v[1], "total": sum(v)}),
        "admissions": each(f.admissions, lambda y, v: {"year": y, "admitted": v}),
        "transfers": each(f.transfers, lambda y, v: {"year": y, "transfers_in": v[0], "transfers_out": v[1]}),
        "meetings": each(f.meetings, lambda y, v: {"year": y, "due": v[0], "held": v[1]}),
        "dues": None if f.dues is None else [{"year": y, "currency": cur, "due": due, "collected": got}
                                              for (y, cur), (due, got) in sorted(f.dues.items())],
        "grades": each(f.grades, lambda y, v: {"year": y, **{g: v.get(g, 0) for g in
                                                             ("excellent", "good", "completed", "not_completed")},
                                               "total": sum(v.values())}),
    }


class Statistics(generics.GenericAPIView):
    """Figures per year for a unit's subtree (default: the top of the caller's scope) from ``year_from`` to
    ``year_to`` (default: the last five years): members at each year's end, admissions, transfers in and out, regular
    meetings held against due, dues collected against due per currency, grades. A family the caller may not read
    in that unit is null. The same figures as the statistics page and its XLSX."""

    serializer_class = StatisticsSerializer
    pagination_class = None
    query_params = ("unit", "year_from", "year_to")

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="The unit (id) whose subtree is counted"),
                               OpenApiParameter("year_from", int, description="First year (default: five years ago)"),
                               OpenApiParameter("year_to", int, description="Last year, not in the future "
                                                                           "(default: this year)")],
                   responses={200: StatisticsSerializer})
    def get(self, request):
        actor = actor_for(request)
        if not actor.can("members.view"):
            raise Http404
        form = fig.PeriodForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        unit = fig.unit_for(actor, form.cleaned_data["unit"])
        f = fig.figures(actor, unit, form.cleaned_data["year_from"], form.cleaned_data["year_to"])
        return Response(StatisticsSerializer(as_data(f)).data)
