"""PostgreSQL's COPY text format, for writers that send many rows at once (the audit log's bulk writer, the
members' bulk path): a row is its fields joined by tabs and ended by a newline; ``field`` makes one field."""

from __future__ import annotations

from typing import Any

from django.db import models

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
NULL = "\\N"


def columns(model: type[models.Model], names: tuple[str, ...], quote: Any) -> str:
    """The quoted column names of these fields of ``model``, comma-separated, for a COPY statement."""
    out = []
    for name in names:
        column = model._meta.get_field(name)
        assert isinstance(column, models.Field)  # concrete fields only
        out.append(quote(column.column))
    return ", ".join(out)


def field(value: Any) -> str:
    """One value as a field of a COPY text row: None as NULL; text with its backslashes, tabs and line breaks
    escaped; anything else as its ``str`` (ints; dates and datetimes give ISO 8601, which PostgreSQL reads)."""
    if value is None:
        return NULL
    if value.__class__ is int:
        return str(value)
    return str(value).translate(_ESCAPES)
