"""The unit picker: one form field for every "choose a unit" in the project.

A scope of a few units (``SMALL_SCOPE`` or fewer) renders as a plain ``<select>``; a larger one (the
upper committee's tree at national scale) renders as a search box that asks ``units:pick`` for at
most ``MAX_MATCHES`` units by name or code, shown as radio buttons of the same form field, so the page
never carries the whole tree. Either way the submitted pk is checked against the actor's scope on
the server: a unit outside it is refused with a form error.

A form binds the field to its actor (and, when the choice must lie under one unit, to that unit)::

    unit = UnitChoiceField(label="Chi bộ", scope=UnitScope(perm="members.edit", open_only=True))
    ...
    self.fields["unit"].bind(actor)

``cleaned_data["unit"]`` is then a ``Unit`` (or None when the field is optional and left empty).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chibo.core.access import PATH_END, ROLE_PERMISSIONS, Actor, subtree_q
from chibo.core.text import clean, fold
from chibo.units.models import Unit, UnitKind
from chibo.units.selectors import units_visible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SMALL_SCOPE = 50  # up to this many units, a plain <select>
MAX_MATCHES = 20  # units in one answer of the search
PERMISSIONS = frozenset(p for perms in ROLE_PERMISSIONS.values() for p in perms)
FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class UnitScope:
    """Which units a field offers: those where the actor holds ``perm`` (``units.view``: the units the
    actor sees), optionally open ones only, of some kinds only, and under one unit (``under``, itself
    included unless ``below_only``). Every option narrows the actor's scope, never widens it; only
    ``include_own`` adds the member's own unit (which ``units.view`` always includes)."""

    perm: str = "units.view"
    open_only: bool = False
    kinds: tuple[str, ...] = ()
    under: Unit | None = None
    below_only: bool = False
    include_own: bool = False  # also the member's own unit, where the permission does not reach it

    def queryset(self, actor: Actor) -> QuerySet[Unit]:
        if self.perm == "units.view":
            qs = units_visible(actor)  # the own unit included
        else:
            q = subtree_q(actor.paths_for(self.perm))
            if self.include_own and actor.member_unit_id:
                q |= Q(pk=actor.member_unit_id)
            qs = Unit.objects.filter(q)
        if self.open_only:
            qs = qs.filter(closed_on__isnull=True)
        if self.kinds:
            qs = qs.filter(kind__in=self.kinds)
        if self.under is not None:
            qs = qs.filter(path__gte=self.under.path, path__lt=self.under.path + PATH_END)
            if self.below_only:
                qs = qs.exclude(pk=self.under.pk)
        return qs

    def params(self) -> dict:
        params: dict = {"perm": self.perm}
        if self.open_only:
            params["open"] = "1"
        if self.kinds:
            params["kind"] = list(self.kinds)
        if self.include_own:
            params["own"] = "1"
        if self.under is not None:
            params["under"] = self.under.pk
            if self.below_only:
                params["below"] = "1"
        return params

    @classmethod
    def from_params(cls, actor: Actor, params) -> UnitScope | None:
        """The scope a search request names; None when it names something that does not exist (an
        unknown permission or kind, or an ``under`` unit outside the actor's scope)."""
        perm = params.get("perm") or "units.view"
        kinds = tuple(params.getlist("kind"))
        if perm not in PERMISSIONS or any(k not in UnitKind.values for k in kinds):
            return None
        under = None
        raw_under = params.get("under", "")
        if raw_under:
            if not raw_under.isdigit():
                return None
            under = units_visible(actor).filter(pk=int(raw_under)).only("pk", "path").first()
            if under is None:
                return None
        return cls(perm=perm, open_only=params.get("open") == "1", kinds=kinds, under=under,
                   below_only=params.get("below") == "1", include_own=params.get("own") == "1")


def units_matching(queryset: QuerySet[Unit], term: str, *, limit: int = MAX_MATCHES) -> list[Unit]:
    """At most ``limit`` units of ``queryset`` whose name or code contains ``term`` (diacritics, đ and
    case ignored: "dai su quan" finds "Đại sứ quán"), in tree order; an exact code first."""
    term = clean(term)[:100]
    qs = queryset.only("pk", "name", "code", "depth", "path", "closed_on")
    if term:
        qs = qs.filter(search_key__contains=fold(term))
    found = list(qs.order_by("path")[:limit])
    exact = [u for u in found if u.code == term.upper()]
    return exact + [u for u in found if u not in exact]


class UnitPicker(forms.Widget):
    """A <select> for a few units, a search box with radio answers for many (see the module doc)."""

    template_name = "units/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.few: list[Unit] | None = None  # the whole scope when it is small
        self.search_url = ""
        self.empty_label: StrOrPromise | None = "—"
        self.required = False
        self.lookup: Callable[[str], Unit | None] = lambda pk: None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        selected = str(value) if value not in (None, "") else ""
        if isinstance(value, Unit):
            selected = str(value.pk)
        selected_unit = self.lookup(selected) if selected and self.few is None else None
        context["widget"].update({
            "few": self.few,
            "options": [(str(u.pk), ("— " * u.depth) + u.name, str(u.pk) == selected) for u in self.few or ()],
            "selected": selected,
            "selected_unit": selected_unit,
            "empty_label": self.empty_label,
            "empty_choice": self._empty_choice(selected_unit),
            "search_url": self.search_url + ("&" if "?" in self.search_url else "?") + urlencode({"name": name}),
        })
        return context

    def _empty_choice(self, selected_unit: Unit | None) -> StrOrPromise | None:
        """The words of the search box's "no unit" radio, or None when it is not offered: never on a required
        field (nothing chosen is refused anyway), and a bare dash only as a way to clear a chosen unit."""
        if self.empty_label is None or self.required:
            return None
        if self.empty_label.strip("— ") == "":
            return _("Bỏ chọn") if selected_unit is not None else None
        return self.empty_label

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class UnitChoiceField(forms.Field):
    widget = UnitPicker
    default_error_messages = {
        "invalid_choice": _("Tổ chức này không có trong phạm vi của bạn."),
        "required": _("Chọn một tổ chức."),
    }

    def __init__(self, *, scope: UnitScope | None = None, empty_label: StrOrPromise | None = "—", **kwargs):
        """``empty_label``: the "no unit" choice (None: none offered, e.g. a required field whose first
        unit is a fine default)."""
        super().__init__(**kwargs)
        self.scope = scope or UnitScope()
        self.empty_label = empty_label
        self.queryset: QuerySet[Unit] | None = None
        self._cache: dict[int, Unit | None] = {}
        self._few = False

    def bind(self, actor: Actor, *, under: Unit | None = None) -> UnitChoiceField:
        """Tie the field to the actor (and to a unit the choice must lie under): one query decides
        between the plain list and the search box."""
        if under is not None:
            self.scope = replace(self.scope, under=under)
        self.queryset = self.scope.queryset(actor)
        head = list(self.queryset.order_by("path")[:SMALL_SCOPE + 1])
        few = head if len(head) <= SMALL_SCOPE else None
        self._cache = {u.pk: u for u in few} if few is not None else {}
        self._few = few is not None
        self.widget.few = few
        self.widget.empty_label = self.empty_label
        self.widget.required = self.required
        self.widget.search_url = reverse("units:pick") + "?" + urlencode(self.scope.params(), doseq=True)
        self.widget.lookup = self._lookup
        if self.required and few is not None and len(few) == 1 and self.initial is None:
            self.initial = few[0].pk  # the only unit the actor may choose: chosen already
        return self

    @property
    def units(self) -> list[Unit] | None:
        """The whole scope when it is small enough to list, else None."""
        return self.widget.few

    def _lookup(self, raw) -> Unit | None:
        if self.queryset is None:
            raise RuntimeError("UnitChoiceField used before bind(actor)")
        if isinstance(raw, Unit):
            raw = raw.pk
        raw = str(raw).strip()
        if not raw.isdigit() or len(raw) > 18:
            return None
        pk = int(raw)
        if pk not in self._cache:
            if self._few:
                return None
            self._cache[pk] = self.queryset.select_related("parent").filter(pk=pk).first()
        return self._cache[pk]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        unit = self._lookup(value)
        if unit is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit

    def prepare_value(self, value):
        return value.pk if isinstance(value, Unit) else value

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")
