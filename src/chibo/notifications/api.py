"""The bell through the API: each user their own notifications, and marking them read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.notifications.selectors import notifications_for
from chibo.notifications.services import notifications_mark_read


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MarkReadInput(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, help_text="One notification; leave out for all")
    kind = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                 help_text='Only those of this kind ("" for those without one), as the list groups')
    day = serializers.DateField(required=False,
                                help_text="Only those received on this day (in the installation's time zone)")


class MarkReadResult(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed to read")


class MyNotifications(generics.ListAPIView):
    """The caller's own notifications, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return notifications_for(self.request.user)


class MyNotificationsRead(generics.GenericAPIView):
    """Mark the caller's notifications read: all of them, the one ``id`` (another user's answers 404), or one group
    of the list (``day`` and/or ``kind``). Only ever the caller's own."""

    serializer_class = MarkReadResult

    @extend_schema(request=MarkReadInput, responses={200: MarkReadResult})
    def post(self, request):
        body = MarkReadInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        marked = notifications_mark_read(actor=actor_for(request), pk=data.get("id"), kind=data.get("kind"),
                                         day=data.get("day"))
        return Response({"marked": marked})
