"""Writes on the organization tree: create, update, move, close units."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from chibo.core import clock, rulebook
from chibo.core.access import PATH_STEP, SYSTEM, Actor, require
from chibo.core.audit import audit
from chibo.core.countries import is_country
from chibo.core.errors import FieldChange, StaleEdit
from chibo.core.events import publish
from chibo.core.labels import TranslatedLabels
from chibo.core.text import clean, vn_sort_key
from chibo.units import yearly
from chibo.units.events import UnitClosed, UnitClosing, UnitMoved
from chibo.units.models import ALLOWED_CHILDREN, MissionKind, Unit, UnitChange, UnitKind, unit_search_key

UNIT_FIELDS = ("name", "code", "country", "city", "mission_kind", "mission_name", "opened_by_doc",
               "skip_host_holidays", "abbreviation", "national_code")
NATIONAL_CODE_RULE = "units.national_code_format"
BOOLEAN_FIELDS = frozenset({"skip_host_holidays"})
FIELD_LABELS = TranslatedLabels({f.name: str(f.verbose_name) for f in Unit._meta.fields})


def _today() -> date:
    return clock.today()


def _snapshot(unit: Unit) -> dict:
    return {name: getattr(unit, name) for name in UNIT_FIELDS}


def _flag(value: bool | str) -> bool:
    if isinstance(value, bool):
        return value
    return clean(value).lower() in ("1", "true", "on", "yes")


def _clean_fields(data: dict) -> dict:
    out: dict[str, Any] = {}
    for name in UNIT_FIELDS:
        if name in data:
            out[name] = _flag(data[name]) if name in BOOLEAN_FIELDS else clean(data[name])
    if "code" in out:
        out["code"] = out["code"].upper()
    if "abbreviation" in out:
        out["abbreviation"] = out["abbreviation"].upper()
    if "national_code" in out:  # unset: null (unique only when set)
        out["national_code"] = out["national_code"].replace(" ", "").upper() or None
    if "country" in out:
        out["country"] = out["country"].upper()
    return out


def _validate(unit: Unit, *, national_code_changed: bool = True) -> None:
    errors: dict[str, str] = {}
    if not unit.name:
        errors["name"] = _("Tên tổ chức không được để trống.")
    if unit.abbreviation and (len(unit.abbreviation) > 20
                              or not all(ch.isalnum() or ch in "-&" for ch in unit.abbreviation)):
        errors["abbreviation"] = _("Ký hiệu viết tắt chỉ gồm chữ, số và dấu gạch ngang (ví dụ ĐUBNG), tối đa 20 ký tự.")
    if not unit.code:
        errors["code"] = _("Mã tổ chức không được để trống.")
    elif not all(ch.isalnum() or ch in "-_." for ch in unit.code) or not unit.code.isascii():
        errors["code"] = _("Mã chỉ gồm chữ Latinh không dấu, chữ số và - _ .")
    elif Unit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
        errors["code"] = _("Mã «%(code)s» đã được dùng cho tổ chức khác.") % {"code": unit.code}
    if unit.national_code and national_code_changed and (problem := national_code_problem(unit)):
        errors["national_code"] = problem
    if unit.country and not is_country(unit.country):
        errors["country"] = _("«%(country)s» không phải mã quốc gia ISO 3166.") % {"country": unit.country}
    if unit.skip_host_holidays and (not unit.country or unit.country == "VN"):
        errors["skip_host_holidays"] = _("Chỉ áp dụng cho tổ chức ở nước ngoài: hãy chọn quốc gia sở tại.")
    if unit.mission_kind not in MissionKind.values:
        errors["mission_kind"] = _("Loại cơ quan đại diện không hợp lệ.")
    if unit.kind not in UnitKind.values:
        errors["kind"] = _("Loại tổ chức không hợp lệ.")
    if errors:
        raise ValidationError(errors)


def national_code_problem(unit: Unit) -> str:
    """What is wrong with the unit's national code ("" when it is fine): its format is the rulebook's
    (``units.national_code_format``, in force today), and no other unit may carry it."""
    code = unit.national_code or ""
    fmt = rulebook.rule(NATIONAL_CODE_RULE, on=_today())
    if not rulebook.pattern(fmt).fullmatch(code):
        if fmt.note:
            return _("Mã tổ chức quốc gia «%(code)s» không đúng định dạng quy định (%(hint)s).") % {
                "code": code, "hint": fmt.note}
        return _("Mã tổ chức quốc gia «%(code)s» không đúng định dạng quy định.") % {"code": code}
    other = Unit.objects.filter(national_code=code).exclude(pk=unit.pk).only("name").first()
    if other is not None:
        return _("Mã tổ chức quốc gia «%(code)s» đã được dùng cho tổ chức khác (%(unit)s).") % {
            "code": code, "unit": other.name}
    return ""


def _change(unit: Unit, actor: Actor, action: str, before: dict, after: dict, document: str = "") -> None:
    UnitChange.objects.create(
        unit=unit, actor_label=actor.label, action=action, before=before, after=after, document=document
    )
    audit(actor=actor, action=f"unit.{action}", obj=unit, unit=unit,
          data={"before": before, "after": after, "document": document})


def _json(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


@transaction.atomic
def unit_create(
    *, actor: Actor, parent: Unit | None, kind: str, name: str, code: str, opened_on: date,
    country: str = "", city: str = "", mission_kind: str = "", mission_name: str = "", abbreviation: str = "",
    opened_by_doc: str = "", national_code: str | None = "",
) -> Unit:
    if parent is None:
        if actor is not SYSTEM and Unit.objects.exists():
            raise ValidationError({"parent": _("Chỉ có một Đảng ủy cấp trên; hãy chọn tổ chức cấp trên.")})
        if kind != UnitKind.UPPER_COMMITTEE:
            raise ValidationError({"kind": _("Tổ chức gốc phải là Đảng ủy cấp trên cơ sở.")})
    else:
        require(actor, "units.edit", parent)
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        if not parent.is_open:
            raise ValidationError({"parent": _("«%(parent)s» đã giải thể; không thể lập tổ chức trực thuộc.") % {
                "parent": parent.name}})
        if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
            raise ValidationError({"kind": _("Không thể lập «%(child)s» trực thuộc «%(parent)s».") % {
                "child": _(UnitKind(kind).label) if kind in UnitKind.values else kind,
                "parent": _(parent.get_kind_display())}})
        if opened_on < parent.opened_on:
            raise ValidationError({"opened_on": _("Ngày thành lập không thể trước ngày thành lập tổ chức cấp trên.")})
    if opened_on > _today():
        raise ValidationError({"opened_on": _("Ngày thành lập không thể ở tương lai.")})
    fields = _clean_fields(dict(name=name, code=code, country=country, city=city, mission_kind=mission_kind,
                                mission_name=mission_name, opened_by_doc=opened_by_doc, abbreviation=abbreviation,
                                national_code=national_code or ""))
    unit = Unit(kind=kind, parent=parent, opened_on=opened_on, **fields)
    _validate(unit)
    unit.path = f"tmp-{unit.code}"
    unit.depth = (parent.depth + 1) if parent else 0
    unit.sort_key = vn_sort_key(unit.name)
    unit.search_key = unit_search_key(unit.name, unit.code, unit.national_code)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        if unit.national_code and Unit.objects.filter(national_code=unit.national_code).exists():
            raise ValidationError({"national_code": _("Mã tổ chức quốc gia «%(code)s» đã được dùng cho tổ chức "
                                                      "khác.") % {"code": unit.national_code}}) from exc
        raise ValidationError({"code": _("Mã «%(code)s» đã được dùng cho tổ chức khác.") % {
            "code": unit.code}}) from exc
    unit.path = (parent.path if parent else "") + f"{unit.pk:0{PATH_STEP}d}"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    yearly.mark_units([unit.pk, unit.parent_id])  # the roll-up's stored cells: a new cell, a parent no longer one
    _change(unit, actor, "created", {}, _json({**_snapshot(unit), "kind": kind, "opened_on": opened_on,
                                                "parent": parent.code if parent else None}), opened_by_doc)
    return unit


@transaction.atomic
def unit_update(*, actor: Actor, unit: Unit, expected_version: int, changes: dict, document: str = "") -> Unit:
    require(actor, "units.edit", unit)
    current = Unit.objects.select_for_update().get(pk=unit.pk)
    fields = _clean_fields(changes)
    if current.version != expected_version:
        last = current.changes.first()
        raise StaleEdit(
            changes=[FieldChange(k, FIELD_LABELS.get(k, k), str(v), last.actor_label if last else "", "")
                     for k, v in (last.after.items() if last else [])],
            current_version=current.version,
        )
    before = _snapshot(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _validate(current, national_code_changed=current.national_code != before["national_code"])
    after = _snapshot(current)
    diff_before = {k: before[k] for k in after if before[k] != after[k]}
    diff_after = {k: after[k] for k in after if before[k] != after[k]}
    if not diff_after:
        return current
    current.sort_key = vn_sort_key(current.name)
    current.search_key = unit_search_key(current.name, current.code, current.national_code)
    current.version += 1
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError as exc:  # taken meanwhile by another unit
        raise ValidationError({"national_code": _("Mã tổ chức quốc gia «%(code)s» đã được dùng cho "
                                                  "tổ chức khác.") % {"code": current.national_code}}) from exc
    _change(current, actor, "updated", diff_before, diff_after, document)
    return current


@transaction.atomic
def unit_move(*, actor: Actor, unit: Unit, new_parent: Unit, document: str) -> Unit:
    """Re-attach a unit (and its subtree) under another parent; refuses cycles."""
    require(actor, "units.edit", unit)
    require(actor, "units.edit", new_parent)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if not clean(document):
        raise ValidationError({"document": _("Cần số quyết định điều chỉnh tổ chức.")})
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó.")})
    if not new_parent.is_open:
        raise ValidationError({"parent": _("«%(new_parent)s» đã giải thể.") % {"new_parent": new_parent.name}})
    if unit.kind not in ALLOWED_CHILDREN.get(new_parent.kind, set()):
        raise ValidationError({"parent": _("«%(child)s» không thể trực thuộc "
                                           "«%(parent)s».") % {
                                             "child": _(unit.get_kind_display()),
                                             "parent": _(new_parent.get_kind_display())}})
    old_path, old_parent = unit.path, unit.parent
    new_path = new_parent.path + old_path[-PATH_STEP:]
    delta = (new_parent.depth + 1) - unit.depth
    Unit.objects.filter(path__gte=old_path, path__lt=old_path + "~").update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent, version=F("version") + 1)
    unit.refresh_from_db()
    yearly.MONTHS.subtree_moved(old_path, unit.path)
    yearly.mark_units([old_parent.pk if old_parent else None, new_parent.pk])  # a parent may become a cell or not
    publish(UnitMoved(actor=actor, unit=unit, old_path=old_path, new_path=unit.path))
    _change(unit, actor, "moved", {"parent": old_parent.code if old_parent else None},
            {"parent": new_parent.code}, clean(document))
    return unit


@transaction.atomic
def unit_close(*, actor: Actor, unit: Unit, closed_on: date, document: str) -> Unit:
    """Close a unit: refused while it has open children, or while an app above refuses (members
    still on its rolls); its committee posts end the same day (the members app, on ``UnitClosed``)."""
    require(actor, "units.edit", unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_open:
        raise ValidationError({"closed_on": _("Tổ chức này đã giải thể.")})
    if not clean(document):
        raise ValidationError({"document": _("Cần số quyết định giải thể / kết thúc hoạt động.")})
    if closed_on < unit.opened_on or closed_on > _today():
        raise ValidationError({"closed_on": _("Ngày kết thúc phải sau ngày thành lập và không ở tương lai.")})
    if unit.children.filter(closed_on__isnull=True).exists():
        raise ValidationError({"closed_on": _("Còn tổ chức trực thuộc đang hoạt động; "
                                              "hãy giải thể hoặc chuyển chúng trước.")})
    publish(UnitClosing(actor=actor, unit=unit, closed_on=closed_on))
    unit.closed_on, unit.closed_by_doc = closed_on, clean(document)
    unit.version += 1
    unit.save()
    yearly.mark_units([unit.pk, unit.parent_id])  # no longer a cell; its parent may become one
    publish(UnitClosed(actor=actor, unit=unit, closed_on=closed_on, document=unit.closed_by_doc))
    _change(unit, actor, "closed", {}, {"closed_on": closed_on.isoformat()}, unit.closed_by_doc)
    return unit


def unit_lock(unit: Unit) -> Unit:
    """The unit's row, locked until the caller's transaction ends (a write that depends on the unit
    being open, e.g. a member put on its rolls, holds it so that the unit cannot close meanwhile). The lock does not
    cover the unit's key (FOR NO KEY UPDATE): rows that refer to the unit may still be inserted meanwhile by others,
    such as the stored figures the sweep computes, which would otherwise wait for the writer while the writer waits
    for the figures' rows the sweep holds (a deadlock)."""
    return Unit.objects.select_for_update(no_key=True).get(pk=unit.pk)
