"""Applicants (quần chúng ưu tú). The admission process itself builds on this record."""

from __future__ import annotations

from django.db import models

from chibo.core.crypto import BinaryCharField


class Applicant(models.Model):
    full_name = models.CharField("họ và tên", max_length=120)
    name_search = models.CharField(max_length=120, editable=False, db_index=True)
    name_sort = BinaryCharField(max_length=400, editable=False)
    gender = models.CharField("giới tính", max_length=1, choices=[("M", "Nam"), ("F", "Nữ")])
    birth_date = models.DateField("ngày sinh")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="applicants")
    recorded_on = models.DateField("ngày ghi nhận")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_sort", "pk"]

    def __str__(self) -> str:
        return self.full_name
