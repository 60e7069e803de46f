"""Rulebook API (read-only, any authenticated user): the versions and the history of each rule."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.api import RuleSerializer
from chibo.core.rulebook import in_force, rule_history, rule_versions
from chibo.core.text import clean


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
        key = clean(query.validated_data.get("key", ""))
        if key and not rule_versions(key=key).exists():
            raise serializers.ValidationError({"key": [f"Không có quy định «{key}» trong sổ quy định."]})
        return rule_versions(key=key, on=query.validated_data.get("on"))

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
