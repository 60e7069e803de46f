"""Writes on the working calendar: the days the government announces each year.

An extra day off (a bridge day) or a make-up working day (a Saturday or Sunday worked in exchange)
is entered by the upper committee ("calendar.edit" on the root unit), audited, and from then on
counted by ``chibo.core.calendar`` for every unit. Each change is published as ``CalendarChanged``: the
layers above move what counted working days across that day (the deadlines app recomputes the open deadlines
it affects and tells those responsible) and say what they did in ``effects``, which the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.access import Actor, require_top
from chibo.core.audit import audit
from chibo.core.calendar import MAX_YEAR, MIN_YEAR, holiday_name
from chibo.core.events import publish
from chibo.core.models import CalendarDay, CalendarDayKind
from chibo.core.text import clean

NOTE_MAX = cast(int, CalendarDay._meta.get_field("note").max_length)  # CharFields: always set
DOCUMENT_MAX = cast(int, CalendarDay._meta.get_field("document").max_length)
WEEKDAYS = (gettext_lazy("thứ Hai"), gettext_lazy("thứ Ba"), gettext_lazy("thứ Tư"), gettext_lazy("thứ Năm"),
            gettext_lazy("thứ Sáu"), gettext_lazy("thứ Bảy"), gettext_lazy("Chủ nhật"))


@dataclass(frozen=True)
class CalendarChanged:
    """An announced day was added (``added``) or withdrawn (``added`` False): ``kind`` is what the day was
    announced as. Subscribers append to ``effects`` what they changed, in words for the person who made the change
    ("3 hạn đang mở được tính lại")."""

    actor: Actor
    day: date
    kind: str
    added: bool
    note: str
    effects: list[str] = field(default_factory=list)


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


@transaction.atomic
def calendar_day_add(*, actor: Actor, day: date, kind: str, note: str, document: str = "") -> CalendarDay:
    """Announce an extra day off or a make-up working day (refused: outside 1990–2100, twice the
    same day, a make-up working day on a weekday, an extra day off that is already not worked)."""
    root = require_top(actor, "calendar.edit")
    note, document = clean(note), clean(document)
    errors: dict[str, str] = {}
    if not isinstance(day, date) or not MIN_YEAR <= day.year <= MAX_YEAR:
        errors["day"] = (_("Ngày %(day)s nằm ngoài khoảng năm "
                           "%(first)s–%(last)s mà lịch làm việc tính được.") % {
                             "day": _d(day) if isinstance(day, date) else day, "first": MIN_YEAR, "last": MAX_YEAR})
    elif CalendarDay.objects.filter(day=day).exists():
        errors["day"] = _("Ngày %(day)s đã được công bố; xóa ngày đó trước nếu muốn ghi lại.") % {"day": _d(day)}
    elif kind == CalendarDayKind.WORKING_DAY and day.weekday() < 5:
        errors["day"] = (_("%(day)s là %(weekday)s, vốn đã là ngày làm việc; "
                           "ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật.") % {
                             "day": _d(day), "weekday": WEEKDAYS[day.weekday()]})
    elif kind == CalendarDayKind.DAY_OFF and day.weekday() >= 5:
        errors["day"] = _("%(day)s là %(weekday)s, vốn đã là ngày nghỉ.") % {
            "day": _d(day), "weekday": WEEKDAYS[day.weekday()]}
    elif kind == CalendarDayKind.DAY_OFF and holiday_name(day, "VN"):
        errors["day"] = _("%(day)s đã là ngày lễ (%(holiday)s).") % {"day": _d(day), "holiday": holiday_name(day, 'VN')}
    if kind not in CalendarDayKind.values:
        errors["kind"] = _("Loại ngày không hợp lệ: chọn ngày nghỉ thêm hoặc ngày làm việc bù.")
    if not note:
        errors["note"] = _("Cần ghi nội dung (ví dụ: nghỉ bù dịp Tết Nguyên đán).")
    elif len(note) > NOTE_MAX:
        errors["note"] = _("Nội dung tối đa %(limit)s ký tự.") % {"limit": NOTE_MAX}
    if len(document) > DOCUMENT_MAX:
        errors["document"] = _("Số văn bản tối đa %(limit)s ký tự.") % {"limit": DOCUMENT_MAX}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            obj = CalendarDay.objects.create(day=day, kind=kind, note=note, document=document, created_by=actor.label)
    except IntegrityError as exc:  # announced by somebody else a moment ago
        raise ValidationError({"day": _("Ngày %(day)s đã được công bố.") % {"day": _d(day)}}) from exc
    audit(actor=actor, action="calendar.day_added", obj=obj, unit=root,
          data={"day": day, "kind": kind, "note": note, "document": document})
    event = CalendarChanged(actor=actor, day=day, kind=kind, added=True, note=note)
    publish(event)
    obj.effects = event.effects
    return obj


@transaction.atomic
def calendar_day_remove(*, actor: Actor, day_obj: CalendarDay, reason: str) -> CalendarDay:
    """Withdraw an announced day (entered by mistake, or the announcement was changed); answers with the day
    as it was, its ``effects`` set."""
    root = require_top(actor, "calendar.edit")
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do xóa ngày đã công bố.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Lý do tối đa 200 ký tự.")})
    current = CalendarDay.objects.select_for_update().filter(pk=day_obj.pk).first()
    if current is None:
        raise ValidationError({"day": _("Ngày %(day)s không còn trong danh sách ngày đã công bố.") % {
            "day": _d(day_obj.day)}})
    audit(actor=actor, action="calendar.day_removed", obj=current, unit=root,
          data={"day": current.day, "kind": current.kind, "note": current.note, "document": current.document,
                "reason": reason})
    current.delete()
    event = CalendarChanged(actor=actor, day=current.day, kind=current.kind, added=False, note=reason)
    publish(event)
    current.effects = event.effects
    return current
