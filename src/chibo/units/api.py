"""Units API: the same selectors and services as the pages."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for, require
from chibo.core.countries import is_country
from chibo.core.lifecycle_api import form_cleaned, form_serializer
from chibo.units import services
from chibo.units.forms import UnitCloseForm, UnitForm
from chibo.units.kinds import kind_level, kind_name
from chibo.units.models import MissionKind, Unit, UnitKind
from chibo.units.selectors import unit_get, units_visible


class UnitSerializer(serializers.ModelSerializer):
    # DRF's metaclass takes declared fields off the class; the stub sees Field.parent. Null for the top unit.
    parent: serializers.PrimaryKeyRelatedField[Unit] = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        read_only=True, allow_null=True)

    kind_name = serializers.SerializerMethodField(
        help_text="What the unit's kind is called today: versioned data of the rulebook (units.kind_name.<kind>)")
    kind_level = serializers.SerializerMethodField(
        help_text="The level the kind sits at today (units.kind_level.<kind>)")

    class Meta:
        model = Unit
        fields = ["id", "kind", "kind_name", "kind_level", "name", "code", "national_code", "abbreviation", "country",
                  "city", "mission_kind", "mission_name", "parent",
                  "depth", "opened_on", "opened_by_doc", "closed_on", "closed_by_doc", "version"]
        read_only_fields = fields

    def _kinds(self) -> dict[str, tuple[str, str]]:
        """(name, level) per kind, read once per response."""
        found = getattr(self.root, "_kind_words", None)
        if found is None:
            found = {k: (kind_name(k), kind_level(k)) for k in UnitKind.values}
            self.root._kind_words = found  # type: ignore[attr-defined]
        return found

    def get_kind_name(self, obj: Unit) -> str:
        return self._kinds()[obj.kind][0]

    def get_kind_level(self, obj: Unit) -> str:
        return self._kinds()[obj.kind][1]


class UnitCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stub sees Field.parent
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=32)
    national_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                          help_text="The official national code (optional; unique when set)")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    mission_kind = serializers.ChoiceField(choices=MissionKind.choices, required=False, allow_blank=True, default="")
    mission_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    opened_on = serializers.DateField()
    opened_by_doc = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_country(self, value):
        if value and not is_country(value):
            raise serializers.ValidationError(_("Không phải mã quốc gia ISO 3166."))
        return value.upper()


class UnitList(generics.ListCreateAPIView):
    """Units in the caller's scope; POST creates a unit under ``parent`` (organization officers)."""
    query_params = ("open",)

    serializer_class = UnitSerializer

    def get_queryset(self):
        qs = units_visible(actor_for(self.request)).select_related("parent").order_by("path")
        open_only = self.request.query_params.get("open", "").lower()
        if open_only not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"open": [_("Chỉ nhận true hoặc false.")]})
        if open_only in ("true", "1"):
            qs = qs.filter(closed_on__isnull=True)
        return qs

    def get_serializer_class(self):
        return UnitCreateSerializer if self.request.method == "POST" else UnitSerializer

    @extend_schema(parameters=[OpenApiParameter("open", bool, description="Only the units not closed (true)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        actor = actor_for(request)
        data = UnitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        parent = unit_get(actor, fields.pop("parent"))
        unit = services.unit_create(actor=actor, parent=parent, **fields)
        return Response(UnitSerializer(unit).data, status=201)


class UnitPatchSerializer(form_serializer(UnitForm, "UnitPatchFields", form_kwargs={"editing": True})):  # type: ignore[misc]  # a base built from the form at import
    """The fields to change (any of them) and the ``version`` read: a stale version answers 409."""

    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "version"


UnitCloseInput = form_serializer(UnitCloseForm, "UnitCloseInput", "The unit ends: the day and the decision.")


def _form_value(value):
    return value.isoformat() if isinstance(value, date) else ("" if value is None else value)


class UnitDetail(generics.GenericAPIView):
    """A unit in the caller's scope; PATCH changes its details (organization officers, with the version read)."""

    serializer_class = UnitSerializer

    def get(self, request, pk):
        return Response(UnitSerializer(unit_get(actor_for(request), pk)).data)

    @extend_schema(request=UnitPatchSerializer, responses={200: UnitSerializer})
    def patch(self, request, pk):
        actor = actor_for(request)
        unit = unit_get(actor, pk)
        require(actor, "units.edit", unit)
        version = request.data.get("version") if hasattr(request.data, "get") else None
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < 2**31:
            raise serializers.ValidationError({"version": [_("Cần số phiên bản đã đọc (version).")]})
        changes = form_cleaned(UnitForm, request, base={f: _form_value(getattr(unit, f)) for f in services.UNIT_FIELDS},
                               extra=("version",), editing=True)
        updated = services.unit_update(actor=actor, unit=unit, expected_version=version, changes=changes,
                                       document=changes.get("opened_by_doc", ""))
        return Response(UnitSerializer(updated).data)


class UnitClose(generics.GenericAPIView):
    """The unit ends its activity (no open sub-units, no members left on its rolls)."""

    serializer_class = UnitSerializer

    @extend_schema(request=UnitCloseInput, responses={200: UnitSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        unit = unit_get(actor, pk)
        require(actor, "units.edit", unit)
        return Response(UnitSerializer(services.unit_close(actor=actor, unit=unit,
                                                           **form_cleaned(UnitCloseForm, request))).data)
