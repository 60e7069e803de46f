"""Anonymising a former member or a refused or withdrawn applicant once their retention period has run out
(docs/domain.md §10; the rules ``privacy.keep_former_member_years`` and ``privacy.keep_applicant_years``).

What goes: the person's name, identifiers (citizen ID, card and dossier numbers), contacts (phone, e-mail), home
town, workplace and job, the day of birth (the year stays); their account is deactivated and stripped (username,
e-mail, password, tokens, sessions, second factors); free text kept about them (the text columns of the rows that are
about them, the reasons and notes of their timeline) is emptied; and every other text of every table that still
names them, or carries one of their identifiers or contacts, has it replaced by ``PLACEHOLDER``.

What stays: every row that a count or a total depends on (the person's row, their timeline, attendance, ballots,
dues entries, grades, cases), with every number and date but the birth day; the hash-chained audit log, which is
never rewritten (``chibo audit verify`` still passes; its rows may still carry a username or a name typed into a
change, see ``AUDIT_NOTE``).

Like the export (``privacy.export``), this reaches the other apps' rows through the app registry and the map of
fields that point at a person, not through their services: it is the one writer that must touch every table, and
it changes only text. ``privacy.services.anonymise`` checks the permission, the retention and the holds, and audits
it (without the values removed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from chibo.core.crypto import BinaryCharField, EncryptedTextField, blind_index
from chibo.core.text import name_sort_key, search_key
from chibo.members.services import name_keys
from chibo.privacy import export

PLACEHOLDER = "[đã ẩn danh]"
MEMBER_RULE = "privacy.keep_former_member_years"
APPLICANT_RULE = "privacy.keep_applicant_years"
AUDIT_NOTE = gettext_noop("Sổ nhật ký kiểm tra (audit) không bao giờ bị sửa: các dòng cũ có thể còn tên đăng nhập "
                          "hoặc nội dung thay đổi đã ghi khi đó.")

# Never rewritten: the hash-chained audit log.
UNTOUCHED = {"core.auditevent", "core.audithead"}
# Rows of other people: a homonym's record is never changed (the person's own rows are rewritten field by field).
IDENTITY = {export.MEMBER, export.APPLICANT, export.USER}
# Rows that only serve the person's sign-in: removed with the account (no count or total reads them).
REMOVED = ("accounts.ApiToken.user", "deadlines.FeedToken.user", "usersessions.UserSession.user",
           "mfa.Authenticator.user", "account.EmailAddress.user")
# Keys of the JSON kept on rows about the person (their timeline's events) that hold free text about them, or the
# values typed into a change of their record ("old" and "new" of a record change: a home town, a workplace).
FREE_TEXT_KEYS = {"reason", "note", "notes", "comment", "comments", "explanation", "details", "text", "answer",
                  "summary", "content", "body", "message", "remarks", "opinion", "conclusion", "old", "new"}
MIN_VALUE = 3  # shorter values (initials) are too common to be replaced in other people's text


def placeholder_name(kind: str, pk: int) -> str:
    return f"{'Đảng viên' if kind == 'member' else 'Quần chúng'} đã ẩn danh số {pk}"


@dataclass
class Result:
    rows: int = 0       # rows changed or removed


def _model(key: str) -> type[models.Model] | None:
    app_label, model_name, _field = key.split(".")
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    kept = sorted({v.strip() for v in values if v and len(v.strip()) >= MIN_VALUE}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in kept), re.IGNORECASE)


def _scrub(value: Any, pattern: re.Pattern[str], *, drop_free_text: bool = False) -> Any:
    if isinstance(value, str):
        return pattern.sub(PLACEHOLDER, value)
    if isinstance(value, list):
        return [_scrub(v, pattern, drop_free_text=drop_free_text) for v in value]
    if isinstance(value, dict):
        return {k: ("" if drop_free_text and k in FREE_TEXT_KEYS and isinstance(v, str) and v
                    else _scrub(v, pattern, drop_free_text=drop_free_text)) for k, v in value.items()}
    return value


def _text_fields(model: type[models.Model]) -> tuple[list[models.Field], list[models.Field]]:
    """(plain text columns searchable in the database, encrypted or JSON columns read in Python)."""
    plain: list[models.Field] = []
    other: list[models.Field] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.choices or isinstance(f, BinaryCharField) or f.is_relation:
            continue
        if isinstance(f, (EncryptedTextField, models.JSONField)):
            other.append(f)
        elif isinstance(f, (models.CharField, models.TextField)):
            plain.append(f)
    return plain, other


def _fit(field: models.Field, value: Any) -> Any:
    if isinstance(value, str) and getattr(field, "max_length", None):
        return value[: field.max_length]
    return value


def scrub_everywhere(values: Iterable[str]) -> int:
    """Replace the values (names, identifiers, contacts) in every text column of every table but the audit log and
    the other people's own records. Returns the number of rows changed."""
    values = [v for v in values if v]
    pattern = _pattern(values)
    if pattern is None:
        return 0
    needles = {n for v in values if len(v.strip()) >= MIN_VALUE for n in (v.strip(), v.strip().upper(),
                                                                          v.strip().lower())}
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in UNTOUCHED | IDENTITY:
            continue
        plain, other = _text_fields(model)
        manager = model._base_manager
        if plain:
            q = Q()
            for f in plain:
                for n in needles:
                    q |= Q(**{f"{f.name}__icontains": n})
            rows: Iterable[tuple] = manager.filter(q).values_list("pk", *[f.attname for f in plain])
            changed += _rewrite(manager, plain, rows, pattern)
        if other:
            rows = manager.values_list("pk", *[f.attname for f in other]).iterator(chunk_size=2000)
            changed += _rewrite(manager, other, rows, pattern)
    return changed


def _rewrite(manager, fields: list[models.Field], rows: Iterable[tuple], pattern: re.Pattern[str]) -> int:
    changed = 0
    pending: list[tuple[Any, dict[str, Any]]] = []
    for row in rows:
        updates = {}
        for f, value in zip(fields, row[1:], strict=True):
            if value in (None, "", [], {}):
                continue
            new = _scrub(value, pattern)
            if new != value:
                updates[f.attname] = _fit(f, new)
        if updates:
            pending.append((row[0], updates))
    for pk, updates in pending:  # after the read: the iterator's cursor is closed
        manager.filter(pk=pk).update(**updates)
        changed += 1
    return changed


def _free_text_of_rows_about(targets: dict[str, Any]) -> int:
    """Empty the free text (text columns without choices; the reasons and notes of JSON) of every row that is about
    the person (``export.INCLUDED`` marks them ``FULL``)."""
    changed = 0
    for key, f in export.person_fields():
        if export.INCLUDED.get(key) != export.FULL or key in REMOVED:
            continue
        target = targets.get(f.related_model._meta.label_lower)  # type: ignore[union-attr]
        model = f.model
        if target is None or model._meta.label_lower in IDENTITY or not (f.many_to_one or f.one_to_one):
            continue
        texts: list[models.Field] = [g for g in model._meta.concrete_fields
                                     if isinstance(g, models.TextField) and not g.choices and not g.primary_key]
        jsons: list[models.Field] = [g for g in model._meta.concrete_fields if isinstance(g, models.JSONField)]
        both = texts + jsons
        if not both:
            continue
        manager = model._base_manager
        for row in manager.filter(**{f.name: target}).values_list("pk", *[g.attname for g in both]):
            updates: dict[str, Any] = {}
            for g, value in zip(both, row[1:], strict=True):
                if g in texts and value:
                    updates[g.attname] = "" if g.blank else PLACEHOLDER
                elif g in jsons and value:
                    new = _scrub(value, re.compile(r"(?!x)x"), drop_free_text=True)
                    if new != value:
                        updates[g.attname] = new
            if updates:
                manager.filter(pk=row[0]).update(**updates)
                changed += 1
    return changed


def _strip_account(user) -> int:
    """Deactivate the account and strip it: no username, e-mail or password left, credentials removed."""
    removed = 0
    for key in REMOVED:
        model = _model(key)
        if model is not None:
            removed += model._base_manager.filter(**{key.split(".")[2]: user}).delete()[0]
    User = type(user)
    User._base_manager.filter(pk=user.pk).update(
        username=f"an-danh-{user.pk}", email="", first_name="", last_name="", full_name="", is_active=False,
        password=make_password(None), deactivated_at=user.deactivated_at or timezone.now(),
        deactivated_reason="Ẩn danh: hết thời hạn lưu giữ dữ liệu")
    return removed + 1


def _old_values_of_user(user) -> list[str]:
    values = [user.username, user.email, user.full_name, user.first_name, user.last_name]
    model = _model("account.EmailAddress.user")
    if model is not None:
        values += list(model._base_manager.filter(user=user).values_list("email", flat=True))
    return values


def anonymise_member(member, *, applicant=None, users: Iterable[Any] = ()) -> int:
    """Anonymise a member's record (and the applicant record they were admitted from, and their accounts). The
    caller has locked the row and checked the permission, the retention and the holds."""
    users = [u for u in users if u is not None]
    values = [member.full_name, member.citizen_id, member.card_number or "", member.dossier_number or "",
              member.phone, member.email]
    for user in users:
        values += _old_values_of_user(user)
    if applicant is not None:
        values += [applicant.full_name, applicant.citizen_id, applicant.email]
    targets = {export.MEMBER: member, export.APPLICANT: applicant, export.USER: users[0] if users else None}
    rows = _free_text_of_rows_about(targets)
    for user in users[1:]:
        rows += _free_text_of_rows_about({export.USER: user})
    name = placeholder_name("member", member.pk)
    search, lower, sort = name_keys(name)
    type(member)._base_manager.filter(pk=member.pk).update(
        full_name=name, name_search=search, name_lower=lower, name_sort=sort, citizen_id="",
        citizen_id_hash=blind_index(""), phone="", email="", card_number=None, dossier_number=None, home_town="",
        workplace="", job_title="", birth_date=date(member.birth_date.year, 1, 1), version=member.version + 1)
    rows += 1
    if applicant is not None:
        rows += _rewrite_applicant(applicant, placeholder_name("member", member.pk))
    for user in users:
        rows += _strip_account(user)
    return rows + scrub_everywhere(values)


def _rewrite_applicant(applicant, name: str) -> int:
    type(applicant)._base_manager.filter(pk=applicant.pk).update(
        full_name=name, name_search=search_key(name), name_sort=name_sort_key(name), citizen_id="",
        citizen_id_hash=blind_index(""), email="", birth_date=date(applicant.birth_date.year, 1, 1))
    return 1


def anonymise_applicant(applicant, *, user=None) -> int:
    """Anonymise an applicant who was not admitted (and their account). The caller has checked everything."""
    values = [applicant.full_name, applicant.citizen_id, applicant.email]
    if user is not None:
        values += _old_values_of_user(user)
    rows = _free_text_of_rows_about({export.APPLICANT: applicant, export.USER: user})
    rows += _rewrite_applicant(applicant, placeholder_name("applicant", applicant.pk))
    if user is not None:
        rows += _strip_account(user)
    return rows + scrub_everywhere(values)
