"""Rulebook API (read-only, any authenticated user): the versions and the history of each rule."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.models import Rule
from chibo.core.rulebook import in_force, rule_history
from chibo.core.text import clean


class RuleSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)

    class Meta:
        model = Rule
        fields = ["id", "key", "value", "unit", "unit_label", "comparison", "basis", "effective_from",
                  "effective_to", "confidence", "note", "created_by", "created_at"]
        read_only_fields = fields


class RuleHistorySerializer(serializers.Serializer):
    key = serializers.CharField()
    in_force = RuleSerializer(allow_null=True, help_text="The version in force today, if any.")
    versions = RuleSerializer(many=True, help_text="Every version, oldest first.")


class RuleQuerySerializer(serializers.Serializer):
    key = serializers.CharField(required=False, max_length=80)
    on = serializers.DateField(required=False)


class RuleList(generics.ListAPIView):
    """Every version of every rule, by key then date; ``on`` keeps the versions in force that day."""

    serializer_class = RuleSerializer

    def get_queryset(self):
        query = RuleQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        qs = Rule.objects.order_by("key", "effective_from")
        key = clean(query.validated_data.get("key", ""))
        if key:
            qs = qs.filter(key=key)
            if not qs.exists():
                raise serializers.ValidationError({"key": [f"Không có quy định «{key}» trong sổ quy định."]})
        on = query.validated_data.get("on")
        if on is not None:
            qs = qs.filter(effective_from__lte=on).exclude(effective_to__lt=on)
        return qs

    @extend_schema(parameters=[
        OpenApiParameter("key", str, description="Only this rule key, e.g. admission.decide_within"),
        OpenApiParameter("on", OpenApiTypes.DATE, description="YYYY-MM-DD: only the versions in force that day"),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RuleDetail(generics.GenericAPIView):
    """The history of one rule: every version and the one in force today."""

    serializer_class = RuleHistorySerializer

    def get(self, request, key):
        versions = rule_history(key)
        if not versions:
            raise Http404
        today = clock.today()
        current = next((v for v in versions if in_force(v, today)), None)
        return Response(RuleHistorySerializer({"key": key, "in_force": current, "versions": versions}).data)
