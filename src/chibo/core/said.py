"""Texts a service writes once and each reader reads in their own language: the titles of deadlines, the titles and
bodies of notifications.

A service does not store the sentence it means, it stores what it said: the Vietnamese source text (a gettext msgid
with ``%(name)s`` placeholders) and its parameters. Data (a member's name, a unit's name, a document's number, a
date) is a parameter as written; a word of the product's own (a period's name, a level of classification) is a
``said_term``, translated when read. The row keeps the Vietnamese sentence as well (``in_source``), for e-mail,
for rows written before a text was said this way and for anything that reads the table directly.

    deadline_open(..., title=said("Lễ kết nạp: %(name)s", name=member.full_name))
    say(deadline.title_said, deadline.title_vi)   # "Admission ceremony: Nguyễn Văn An" when read in English

``chibo makemessages`` extracts the first argument of ``said`` and ``said_term`` (see its xgettext keywords).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

TERM = "t"  # a parameter stored as {"t": msgid} is a word of the product, translated when read


@dataclass(frozen=True)
class Term:
    """A word of the product's own used as a parameter (``said_term("quý")``), or a sentence said inside another
    (``said_term(period.said)``): said in the reader's language; ``lower``: its first letter in lower case, inside a
    sentence."""

    text: str | Said
    lower: bool = False

    def stored(self) -> dict[str, Any]:
        kept: dict[str, Any] = {"said": self.text.stored()} if isinstance(self.text, Said) else {TERM: str(self.text)}
        return {**kept, "lower": True} if self.lower else kept


@dataclass(frozen=True)
class Said:
    """What a service said: its Vietnamese source text and the parameters to fill in."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the row."""
        params = {name: (value.stored() if isinstance(value, Term) else _plain(value))
                  for name, value in self.params.items()}
        return {"msgid": self.msgid, "params": params}

    def in_source(self) -> str:
        """The sentence in Vietnamese, as the row keeps it beside what was said."""
        return _render(self.stored(), translate=False)

    def __str__(self) -> str:
        return say(self.stored(), self.in_source())


def said(msgid: str, **params: Any) -> Said:
    return Said(msgid, params)


def said_again(kept: Mapping[str, Any] | None) -> Said | None:
    """What a row keeps, to say again elsewhere (a deadline's title as a notification's body); None when the row
    keeps nothing said."""
    if not kept or not isinstance(kept.get("msgid"), str):
        return None
    params = {name: _term_again(value) if isinstance(value, Mapping) else value
              for name, value in (kept.get("params") or {}).items()}
    return Said(kept["msgid"], params)


def _term_again(value: Mapping[str, Any]) -> Term | str:
    inner = said_again(value.get("said")) if isinstance(value.get("said"), Mapping) else value.get(TERM)
    return Term(inner, bool(value.get("lower"))) if inner else ""


def said_term(text: str | Said, *, lower: bool = False) -> Term:
    return Term(text, lower)


Text = str | Said  # what a service passes: a plain text (data, said as written) or what it said


def in_source(text: Text) -> str:
    return text.in_source() if isinstance(text, Said) else text


def stored(text: Text) -> dict[str, Any]:
    """The JSON to keep for ``text``: empty for a plain text (read as written)."""
    return text.stored() if isinstance(text, Said) else {}


def say(kept: Mapping[str, Any] | None, written: str) -> str:
    """The text in the reader's language: what was said, translated, else ``written`` (the row's Vietnamese). A
    translation whose placeholders do not fit its source falls back to the Vietnamese, never to an error."""
    if not kept or not isinstance(kept.get("msgid"), str):
        return written
    try:
        return _render(kept, translate=True)
    except (KeyError, ValueError, TypeError):
        try:
            return _render(kept, translate=False)
        except (KeyError, ValueError, TypeError):
            return written


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _render(kept: Mapping[str, Any], *, translate: bool) -> str:
    word = gettext if translate else (lambda text: text)
    params = {}
    for name, value in (kept.get("params") or {}).items():
        if isinstance(value, Mapping):
            inner = value.get("said")
            text = _render(inner, translate=translate) if isinstance(inner, Mapping) else word(str(value.get(TERM, "")))
            value = text[:1].lower() + text[1:] if value.get("lower") else text
        params[name] = value
    text = word(kept["msgid"])
    return text % params if "%" in text else text
