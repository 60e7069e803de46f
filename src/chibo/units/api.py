"""Units API: the same selectors and services as the pages."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.countries import is_country
from chibo.units import services
from chibo.units.models import MissionKind, Unit, UnitKind
from chibo.units.selectors import unit_get, units_visible


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "kind", "name", "code", "country", "city", "mission_kind", "mission_name", "parent",
                  "depth", "opened_on", "opened_by_doc", "closed_on", "closed_by_doc", "version"]
        read_only_fields = fields


class UnitCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=32)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    mission_kind = serializers.ChoiceField(choices=MissionKind.choices, required=False, allow_blank=True, default="")
    mission_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    opened_on = serializers.DateField()
    opened_by_doc = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_country(self, value):
        if value and not is_country(value):
            raise serializers.ValidationError("Không phải mã quốc gia ISO 3166.")
        return value.upper()


class UnitList(generics.ListCreateAPIView):
    """Units in the caller's scope; POST creates a unit under ``parent`` (organization officers)."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        qs = units_visible(actor_for(self.request)).select_related("parent").order_by("path")
        if self.request.query_params.get("open") == "1":
            qs = qs.filter(closed_on__isnull=True)
        return qs

    def get_serializer_class(self):
        return UnitCreateSerializer if self.request.method == "POST" else UnitSerializer

    def create(self, request, *args, **kwargs):
        actor = actor_for(request)
        data = UnitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        parent = unit_get(actor, fields.pop("parent"))
        unit = services.unit_create(actor=actor, parent=parent, **fields)
        return Response(UnitSerializer(unit).data, status=201)


class UnitDetail(generics.RetrieveAPIView):
    serializer_class = UnitSerializer

    def get_object(self):
        return unit_get(actor_for(self.request), self.kwargs["pk"])
