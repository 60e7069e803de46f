"""The audit log in the API: the same rows, filters and words as the page (``/audit/``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from chibo.core.access import actor_for
from chibo.core.audit_labels import OBJECT_TYPES, action_labels
from chibo.core.selectors import audit_events
from chibo.home.audit_rows import audit_filters, readable
from chibo.units.selectors import units_with


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="event.pk")
    at = serializers.DateTimeField(help_text="When, in the server's time zone (Asia/Ho_Chi_Minh)")
    action = serializers.CharField(source="event.action", help_text="The action's code (for programs)")
    action_label = serializers.CharField(source="what", help_text="The action in words")
    actor = serializers.CharField(source="who", help_text="Who: the person's name (or the system)")
    actor_roles = serializers.CharField(source="roles", help_text="Their roles today, with the units")
    object_kind = serializers.CharField(source="on_kind", help_text="The kind of record the row is about")
    object_name = serializers.CharField(
        source="on_name", help_text="The record's name; empty when the caller may not see it"
    )
    object_url = serializers.CharField(source="on_url", help_text="Its page; empty when the caller may not see it")
    unit = serializers.CharField(help_text="The unit the row is about, when the caller sees it")


class AuditQuerySerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=(), required=False)
    actor = serializers.CharField(required=False, max_length=150)
    object_type = serializers.ChoiceField(choices=sorted(OBJECT_TYPES), required=False)
    object_id = serializers.CharField(required=False, max_length=40)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = sorted(action_labels())


class AuditLog(generics.ListAPIView):
    """The audit log rows the caller may read (with ``audit.view``), newest first, in words: who, what, on which
    record, where, when. 404 without the right."""

    query_params = ("action", "actor", "date_from", "date_to", "object_id", "object_type")
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        if not actor.can("audit.view"):
            raise Http404
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = audit_filters(dict(query.validated_data))
        scope = None if actor.sees_whole_tree("audit.view") else units_with(actor, "audit.view").values("pk")
        return audit_events(actor, filters, unit_ids=scope)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return readable(actor_for(self.request), page or [])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "action",
                str,
                description="Only this action (its code; the labels are in the answer and on the page's filter)",
            ),
            OpenApiParameter(
                "actor", str, description="Only rows by people whose name contains this, or whose sign-in name is this"
            ),
            OpenApiParameter(
                "object_type", str, enum=sorted(OBJECT_TYPES), description="Only rows about this kind of record"
            ),
            OpenApiParameter("object_id", str, description="Only rows about the record with this id"),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="YYYY-MM-DD, from this day"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="YYYY-MM-DD, to this day"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
