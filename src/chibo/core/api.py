"""API plumbing shared by every app: errors as field-level JSON; the serializers of the rulebook's versions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chibo.core.errors import StaleEdit
from chibo.core.lifecycle import TransitionRefused
from chibo.core.models import Rule
from chibo.core.rulebook import RuleNotInForce


def exception_handler(exc, context):
    """Service errors become field-level JSON: 400 for bad input, 409 for a stale edit or a step the
    object's state does not allow (with the reason, the same words as the page)."""
    if isinstance(exc, RuleNotInForce):  # a date before (or after) every version of a rule: bad input
        return Response({"detail": RuleNotInForce.user_message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionRefused):
        return Response({"detail": exc.message, "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleEdit):
        return Response(
            {"detail": exc.message, "current_version": exc.current_version,
             "changes": [c.__dict__ for c in exc.changes]},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {("non_field_errors" if k == "__all__" else k): [str(m) for e in v for m in e.messages]
                    for k, v in exc.error_dict.items()}
        else:
            body = {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    return drf_exception_handler(exc, context)


class RuleSerializer(serializers.ModelSerializer):
    """One version of a rule of the rulebook."""

    unit_label = serializers.CharField(source="get_unit_display", read_only=True)

    class Meta:
        model = Rule
        fields = ["id", "key", "value", "unit", "unit_label", "comparison", "basis", "effective_from",
                  "effective_to", "confidence", "note", "created_by", "created_at"]
        read_only_fields = fields


class RuleRefSerializer(serializers.ModelSerializer):
    """The rule version a clock started with (on a deadline)."""

    class Meta:
        model = Rule
        fields = ["id", "key", "value", "unit", "basis", "effective_from"]
        read_only_fields = fields
        extra_kwargs = {"unit": {"help_text": "calendar_days, working_days, months, years, …"}}

