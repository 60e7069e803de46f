"""Errors services raise, with messages a user can act on (Vietnamese)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class FieldChange:
    field: str
    label: str
    value: str
    by: str
    at: str


@dataclass
class StaleEdit(Exception):
    """Somebody saved the record after this editor loaded it: the save is refused."""

    changes: list[FieldChange] = field(default_factory=list)
    current_version: int = 0

    @property
    def message(self) -> str:
        if not self.changes:
            return _("Hồ sơ đã được người khác cập nhật sau khi bạn mở trang. "
                     "Thay đổi của bạn chưa được lưu; hãy tải lại.")
        who = ", ".join(sorted({c.by for c in self.changes}))
        fields = "; ".join(f"{c.label}: «{c.value}»" for c in self.changes)
        return _("Hồ sơ đã được %(who)s cập nhật sau khi bạn mở trang, nên thay đổi của bạn chưa được lưu. "
                 "Các thay đổi đó: %(fields)s. Hãy xem lại và lưu lần nữa.") % {"who": who, "fields": fields}

    def __str__(self) -> str:
        return self.message
