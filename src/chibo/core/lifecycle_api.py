"""The one API action endpoint of every process: ``POST …/{id}/actions/`` with ``{"action": name, …input}``.

The request body of each step is generated from the step's form (the same validation as the page), and
the schema offers one body per step, told apart by ``action``. The answers: 200 with the object as it is
now; 400 for bad input (field by field, unknown fields refused); 403 when the actor may not take that
step; 404 outside the actor's scope; 409 when the object's state does not allow the step (with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle import Lifecycle, Transition


def _choices(form_field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    # Django normalises choices when they are set, so the getter gives a list (or an iterator over a
    # callable's); the stub types the getter as whatever may be set (a Choices class, a mapping, a callable).
    return list(form_field.choices)  # type: ignore[arg-type]


def _field(form_field: forms.Field) -> serializers.Field:
    """The serializer field accepting what ``form_field`` accepts (dates as YYYY-MM-DD, choices by value,
    objects by id)."""
    common: dict[str, Any] = {"required": form_field.required, "help_text": str(form_field.label or "")}
    if getattr(form_field, "api_type", "") == "boolean":
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, **common)
    if isinstance(form_field, forms.MultipleChoiceField):
        choices = _choices(form_field)
        if not choices:  # filled in per object (the units below a program's unit): described by the values' type
            by_id = getattr(form_field, "coerce", None) is int
            child: serializers.Field = serializers.IntegerField(min_value=1) if by_id else serializers.CharField()
            return serializers.ListField(child=child, **common)
        return serializers.ListField(child=serializers.ChoiceField(choices=choices), **common)
    if isinstance(form_field, forms.ChoiceField):
        choices = [(k, v) for k, v in _choices(form_field) if k != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=not form_field.required, **common)
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(min_value=form_field.min_value, max_value=form_field.max_value,  # type: ignore[arg-type]  # DRF takes None (no bound); its stub does not
                                        allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.DecimalField):
        return serializers.DecimalField(max_digits=form_field.max_digits or 20,
                                        decimal_places=form_field.decimal_places or 2, **common)
    if isinstance(form_field, forms.FileField):
        return serializers.FileField(**common)
    return serializers.CharField(max_length=getattr(form_field, "max_length", None),  # type: ignore[arg-type]  # DRF takes None (no limit); its stub does not
                                 allow_blank=not form_field.required, **common)


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.replace(".", "_").split("_"))


def input_serializer(lc: Lifecycle, t: Transition, action_field: str = "action") -> type[serializers.Serializer]:
    """A serializer class describing the body of step ``t`` (for the schema; the form validates)."""
    # The one choice is labelled with its process, so steps of the same name in two processes get
    # their own enum component in the schema.
    choice = (t.name, f"{lc.label}: {t.label}")
    attrs: dict[str, Any] = {action_field: serializers.ChoiceField(choices=[choice], help_text=str(t.label))}
    if t.form is not None:
        for name, field in t.form.base_fields.items():
            attrs[name] = _field(field)
    attrs["__doc__"] = f"{t.label}. {t.help}".strip()
    return type(f"{_camel(lc.key)}{_camel(t.name)}Input", (serializers.Serializer,), attrs)


def request_schema(lc: Lifecycle, action_field: str = "action") -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=f"{_camel(lc.key)}Action",
        serializers={t.name: input_serializer(lc, t, action_field) for t in lc.transitions},
        resource_type_field_name=action_field,
    )


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField(required=False)


def form_data(data, exclude: str) -> dict:
    """The JSON (or form) body as the form's data, without the action name."""
    if hasattr(data, "lists"):  # a QueryDict (multipart): keep lists for multiple-choice fields
        return {k: (v if len(v) > 1 else v[0]) for k, v in data.lists() if k != exclude}
    return {k: v for k, v in dict(data).items() if k != exclude}


def actions_view(*, lc: Lifecycle, get_object: Callable[[Any, Any], Any], detail: type[serializers.Serializer],
                 action_field: str = "action", name: str = "") -> type[generics.GenericAPIView]:
    """An API view class taking every step of ``lc`` on the object ``get_object(actor, pk)`` (404 outside the
    scope), answering with ``detail`` of the object afterwards."""

    class ActionsView(generics.GenericAPIView):
        serializer_class = detail

        @extend_schema(
            request=request_schema(lc, action_field),
            responses={200: detail, 400: OpenApiResponse(description="Bad input, field by field"),
                       403: OpenApiResponse(description="The caller may not take this step"),
                       404: OpenApiResponse(description="No such object in the caller's scope"),
                       409: OpenApiResponse(RefusalSerializer, description="The object's state does not allow it")},
            summary=f"Take a step of «{lc.label}»",
            description="Steps: " + "; ".join(f"`{t.name}` — {t.label}" for t in lc.transitions),
        )
        def post(self, request, pk):
            actor = actor_for(request)
            obj = get_object(actor, pk)
            if not any(lc.permitted(actor, obj, t) for t in lc.transitions):
                raise PermissionDenied  # refused before the body is read: nothing to learn from its errors
            raw = request.data.get(action_field, "") if hasattr(request.data, "get") else ""
            if not isinstance(raw, str) or raw not in lc.names():
                raise serializers.ValidationError(
                    {action_field: [_("Chọn một bước: %(steps)s.") % {"steps": ", ".join(lc.names())}]})
            lc.check(actor, obj, raw)  # 403 / 409 before the body is looked at
            data = form_data(request.data, action_field)
            form = lc.form_for(obj, raw, data, files=request.FILES or None)
            allowed = set(form.fields) if form is not None else set()
            unknown = sorted(set(data) - allowed - set(request.FILES))
            if unknown:
                raise serializers.ValidationError({k: [_("Bước này không có trường này.")] for k in unknown})
            nested = sorted(k for k, v in data.items() if isinstance(v, dict | list)
                            and not isinstance(form.fields[k], forms.MultipleChoiceField))
            if nested:
                raise serializers.ValidationError({k: [_("Cần một giá trị đơn (chữ, số, ngày).")] for k in nested})
            if form is not None and not form.is_valid():
                raise ValidationError({k: list(v) for k, v in form.errors.items()})
            result = lc.perform(actor, obj, raw, form=form)
            fresh = get_object(actor, pk)
            answer = dict(detail(fresh, context={"request": request, "actor": actor}).data)
            returns = lc.get(raw).returns
            if returns:  # shown once, here only (a ballot's receipt)
                answer[returns] = result
            return Response(answer)

    ActionsView.__name__ = ActionsView.__qualname__ = name or f"{_camel(lc.key)}Actions"
    return ActionsView


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class AvailableActionsField(serializers.Field):
    """The steps the caller may take on the object now (``available_actions`` of a detail): the names to POST."""

    def __init__(self, lc: Lifecycle, **kwargs):
        self.lc = lc
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        kwargs.setdefault("help_text", f"Steps of «{lc.label}» the caller may take now (POST …/actions/)")
        super().__init__(**kwargs)

    def to_representation(self, obj) -> list[str]:
        actor = self.context.get("actor")
        if actor is None and self.context.get("request") is not None:
            actor = actor_for(self.context["request"])
        return [t.name for t in self.lc.available(actor, obj)] if actor is not None else []




def form_serializer(form_class: type[forms.Form], name: str, doc: str = "",
                    form_kwargs: dict | None = None) -> type[serializers.Serializer]:
    """A serializer class describing a page form's fields as an API body (for the schema; the form validates).
    Choices filled in per object (a status's next statuses) are described as plain strings."""
    form = form_class(**(form_kwargs or {}))
    attrs: dict[str, Any] = {}
    for field_name, field in form.fields.items():
        attrs[field_name] = (serializers.CharField(required=field.required, help_text=str(field.label or ""))
                             if isinstance(field, forms.ChoiceField) and not [k for k, _x in _choices(field) if k != ""]
                             else _field(field))
    attrs["__doc__"] = doc
    return type(name, (serializers.Serializer,), attrs)


def form_cleaned(form_class: type[forms.Form], request, *, base: dict | None = None, extra: tuple[str, ...] = (),
                 **form_kwargs) -> dict:
    """The request body validated by the page's form: unknown fields and nested values refused (a multiple
    choice takes a list of plain values), the form's errors field by field (400). ``base``: the current values
    a partial body (PATCH) is laid over; ``extra``: fields the body may carry beside the form's (a version).
    Returns the form's cleaned data."""
    if not hasattr(request.data, "get"):
        raise serializers.ValidationError({"non_field_errors": [_("Cần một đối tượng JSON.")]})
    data = form_data(request.data, exclude="")
    form = form_class({**(base or {}), **{k: v for k, v in data.items() if k not in extra}}, **form_kwargs)
    unknown = sorted(set(data) - set(form.fields) - set(extra))
    if unknown:
        raise serializers.ValidationError({k: [_("Không có trường này.")] for k in unknown})
    listed = {k for k, v in data.items()
              if isinstance(v, list) and isinstance(form.fields[k], forms.MultipleChoiceField)
              and all(isinstance(x, str | int) and not isinstance(x, bool) for x in v)}  # a list of plain values
    nested = sorted(k for k, v in data.items() if isinstance(v, dict | list) and k not in listed)
    if nested:
        raise serializers.ValidationError({k: [_("Cần một giá trị đơn (chữ, số, ngày).")] for k in nested})
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data
