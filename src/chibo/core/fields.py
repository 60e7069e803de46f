"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models


class KindField(models.CharField):
    """A CharField whose choices (event kinds) grow with every process.

    The choices give labels (``get_<field>_display``) but are left out of migrations: adding a kind
    is a code change only, never a schema change.
    """

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs
