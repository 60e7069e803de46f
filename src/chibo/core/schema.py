"""The OpenAPI schema's view class: every operation documents the error answers the API really gives.

Every API view shares one exception handler (``chibo.core.api.exception_handler``), authentication and
throttling, so the error statuses follow from the operation itself: 400 for input it reads (a body or query
parameters), 401 for a missing or wrong token, 403 for a refused caller, 404 for an object named in the path
that is not in the caller's scope, 409 for a write the object's state or version refuses, 429 when throttled.
A view that documents one of these itself (``extend_schema(responses=…)``) keeps its own words and body; a status
documented without a body gets the shared one. Every error comes back as JSON.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

WRITES = ("POST", "PUT", "PATCH", "DELETE")


class ApiErrorSerializer(serializers.Serializer):
    """An error: the reason, in the words the page uses."""

    detail = serializers.CharField()


class WriteRefusedSerializer(serializers.Serializer):
    """A write refused by the object's state (with the state) or a stale edit (with the current version and the
    changes made meanwhile)."""

    detail = serializers.CharField()
    state = serializers.CharField(required=False)
    current_version = serializers.IntegerField(required=False)
    changes = serializers.ListField(child=serializers.DictField(), required=False)


# Bad input: the field names (or non_field_errors / detail) with their messages.
FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "Field by field: the field's name (non_field_errors for the whole input) and its messages",
    "additionalProperties": {},
}


class ChiboAutoSchema(AutoSchema):
    def _error_statuses(self) -> dict[str, tuple[str, Any]]:
        method = self.method.upper()
        query = any(p.get("in") == "query" for p in self._get_parameters())
        error = self._component(ApiErrorSerializer)
        statuses: dict[str, tuple[str, Any]] = {}
        if method in WRITES or query:
            statuses["400"] = ("Bad input", FIELD_ERRORS)
        statuses["401"] = ("No valid credentials", error)
        statuses["403"] = ("The caller may not do this", error)
        # Anything named (in the path, the body or the query) outside the caller's scope is not found, so that its
        # existence does not leak; so is a page past the last.
        statuses["404"] = ("No such object in the caller's scope (or no such page)", error)
        if method in WRITES:
            statuses["409"] = (
                "The object's state or version refuses the write; nothing was written",
                self._component(WriteRefusedSerializer),
            )
        statuses["429"] = ("Too many requests: try again later", error)
        return statuses

    def _component(self, serializer: type[serializers.Serializer]) -> dict[str, Any]:
        component: ResolvedComponent = self.resolve_serializer(serializer(), "response")
        return component.ref

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A read-only field of a model field that may be blank answers "" too (DRF drops ``allow_blank`` from
        read-only fields): say so, for choices ("" beside the enum) and for links ("" beside a URI)."""
        if not (field.read_only and isinstance(field, serializers.CharField | serializers.ChoiceField)):
            return super()._map_serializer_field(field, direction, bypass_extensions)
        if not (getattr(field, "allow_blank", False) or _blank_in_model(field)):
            return super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ChoiceField):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("format") == "uri" and (getattr(field, "allow_blank", False) or _blank_in_model(field)):
            uri = {k: schema.pop(k) for k in ("format", "maxLength") if k in schema}
            schema["anyOf"] = [uri, {"enum": [""]}]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (description, schema) in self._error_statuses().items():
            entry = responses.setdefault(code, {"description": description})
            entry.setdefault("content", {"application/json": {"schema": schema}})
        error = self._component(ApiErrorSerializer)
        for code, entry in responses.items():  # another error a view documents in words only (410 …)
            if code.startswith("4"):
                entry.setdefault("content", {"application/json": {"schema": error}})
        return responses


def _blank_in_model(field: serializers.Field) -> bool:
    """Whether the model field behind a serializer field may hold ""."""
    meta = getattr(getattr(field, "parent", None), "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or not isinstance(field.source, str) or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:  # a property or a method
        return False
