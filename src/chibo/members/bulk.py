"""Many member records at once (the member import): the same rules and the same traces as ``member_create`` and
``member_update``, written in bulk.

Each record is checked by the rules of the single-record services (``services.normalize_data``,
``validate_member``, ``set_derived``), gets its typed timeline event and ONE audit row with the action and the
data those services write ("member.created": status and unit; "member.updated": the fields changed and the new
version), so a member's timeline and the audit chain agree whichever way the record came in. The per-unit
counters move by the same deltas, and new records are announced with ``MembersCreated`` (the deadlines app opens
the probation clock), one event per batch. Everything happens in the caller's transaction: a failure part-way
leaves no record, no event and no audit row.

For speed at 100,000 rows nothing runs a query per record: on PostgreSQL the records, their events and their
audit rows are written with COPY (ids drawn from the members' sequence beforehand), elsewhere with bulk_create.

A caller that shows its plan before writing (the import) builds and checks the records first, then writes what
it checked without checking it again (``checked=True``):

- ``new_member(unit, status, data)``: an unsaved record from normalized data, quicker than ``Member(...)``;
- ``check_new(member)``, ``check_changes(member, changes)``: the ValidationError member_create / member_update
  would raise, without their per-record uniqueness queries (``selectors.member_keys`` answers those for a
  whole batch in one query per kind of key).
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import clock, pgcopy
from chibo.core.access import Actor, require
from chibo.core.audit import AuditRows, audit_each, audit_prepare, audit_write
from chibo.core.crypto import EncryptedTextField, blind_index
from chibo.core.errors import StaleEdit
from chibo.core.events import publish
from chibo.core.rulebook import rules_read_once
from chibo.members import services, yearly
from chibo.members.counters import State, counts_apply, state_of
from chibo.members.events import MembersCreated, MembersDiscarded
from chibo.members.models import Member, Status, TimelineEvent, TimelineKind
from chibo.members.selectors import member_keys
from chibo.members.timeline import updated_audit_data
from chibo.units.services import unit_lock

if TYPE_CHECKING:
    from chibo.units.models import Unit

BATCH = 2000
UPDATE_BATCH = 500
COPY_ROWS = 250  # rows sent to COPY at a time, so that the database works on them while the next rows are made
NEW_STATUSES = (Status.PROBATIONARY, Status.FULL)
DERIVED_FIELDS = ("name_search", "name_lower", "name_sort", "citizen_id_hash")
_EDITABLE = frozenset(services.EDITABLE_FIELDS)
_BLANK: dict = {}


# -- building and checking ---------------------------------------------------------------------------------
def new_member(unit: Unit, status: str, data: dict) -> Member:
    """``Member(unit=unit, status=status, **data)`` for many rows (``data``: editable fields, as
    ``services.normalize_data`` returns them): the field defaults are read once (Member has no callable
    defaults and no post_init receivers) and copied into each new instance."""
    if not data.keys() <= _EDITABLE:
        raise ValidationError({"__all__": _("Trường không hợp lệ: %(fields)s.") % {
            "fields": ", ".join(sorted(data.keys() - _EDITABLE))}})
    if not _BLANK:
        _BLANK.update({k: v for k, v in Member().__dict__.items() if k != "_state"})
    member = Member.__new__(Member)
    member._state = ModelState()
    member.__dict__.update(_BLANK)
    member.__dict__.update(data)
    member.status = status
    member.unit_id = unit.pk
    member._state.fields_cache["unit"] = unit
    return member


def check_new(member: Member, *, today: date | None = None) -> None:
    """Raise the ValidationError ``member_create`` would raise for this new record, except for the unit (checked
    when the records are written) and the uniqueness of its card and dossier numbers (checked for a batch at
    once: ``selectors.member_keys``)."""
    if member.status not in NEW_STATUSES:
        raise ValidationError({"status": _("Hồ sơ mới là đảng viên dự bị hoặc chính thức; tình trạng khác được "
                                           "ghi qua quyết định.")})
    services.validate_member(member, today=today, check_unique=False)


def check_changes(member: Member, changes: dict, *, today: date | None = None) -> None:
    """Raise the ValidationError ``member_update`` would raise for ``changes`` on this record (left unchanged),
    except for the uniqueness of card and dossier numbers (as ``check_new``)."""
    probe = Member(**{f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields})
    services._apply_changes(probe, changes)
    services.validate_member(probe, today=today, check_unique=False)


@rules_read_once()  # the identifier formats: each rule read once for the batch
def _check_batch(members: Sequence[Member], today: date | None) -> None:
    """``check_new`` for each record, and their card and dossier numbers against each other and the records;
    one ValidationError naming every record refused (by its place in the batch, from 1)."""
    today = today or clock.today()
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, member in enumerate(members, 1):
        try:
            check_new(member, today=today)
        except ValidationError as exc:
            errors.extend(f"{number} ({member.full_name}): {message}" for message in exc.messages)
        for name in ("card_number", "dossier_number"):
            value = getattr(member, name)
            if value and (name, value) in seen:
                errors.append(f"{number} ({member.full_name}): " + _(
                    "%(field)s «%(value)s» trùng với hồ sơ %(other)s.") % {
                        "field": services.LABELS[name], "value": value, "other": seen[name, value]})
            elif value:
                seen[name, value] = number
    cards = [value for name, value in seen if name == "card_number"]
    dossiers = [value for name, value in seen if name == "dossier_number"]
    for _pk, card, dossier, _unit in member_keys(cards=cards, dossiers=dossiers):
        for name, value in (("card_number", card), ("dossier_number", dossier)):
            if value and (name, value) in seen:
                number = seen[name, value]
                errors.append(f"{number} ({members[number - 1].full_name}): " + _(
                    "%(field)s «%(value)s» đã có trong hồ sơ đảng viên khác.") % {
                        "field": services.LABELS[name], "value": value})
    if errors:
        raise ValidationError(sorted(set(errors), key=lambda text: int(text.split(" ", 1)[0])))


# -- creating ----------------------------------------------------------------------------------------------
@transaction.atomic
def members_create_many(*, actor: Actor, members: Iterable[Member], checked: bool = False, today: date | None = None,
                        event_data: dict | None = None, progress: Callable[[int], None] | None = None,
                        batch: int = BATCH) -> list[Member]:
    """Create these new records (from ``new_member``) as ``member_create`` creates each: the rows, a "created"
    timeline event and a "member.created" audit row per record (data: status, unit name and id, and
    ``event_data`` if given, e.g. the import's mark), the probation deadlines (``MembersCreated`` per batch) and
    the counters of their units. Returns the records, saved (an id one carries from an attempt rolled back is
    replaced, so a caller may write the same records again after a rollback).

    ``checked``: the caller ran ``check_new`` on each and checked the batch's card and dossier numbers against
    the records and each other (the import does so in its analysis); otherwise that is done here first, and a
    ValidationError names every record refused. A card or dossier number taken meanwhile fails on the
    database's unique constraints. Each unit must be open; checked again with its row locked (as
    ``member_create`` does) once the records are written, so that it cannot close before they commit.
    ``progress(done)`` is called after each batch. Atomic: refused or failing, it writes nothing.
    """
    members = list(members)
    if not members:
        return []
    units: dict[int, Unit] = {}
    for member in members:
        if member.unit_id not in units:
            units[member.unit_id] = member.unit
    for unit in units.values():
        require(actor, "members.edit", unit)
        _refuse_closed(unit)
    if not checked:
        _check_batch(members, today)
    writer = NewMembers(actor, event_data=event_data, units=units)
    for start in range(0, len(members), batch):
        writer.write(members[start:start + batch])
        if progress:
            progress(writer.written)
    writer.finish()
    return members


class NewMembers:
    """The writing of ``members_create_many``, a batch at a time, for a caller that checks the records as it goes
    (the import hands each batch over as soon as it is checked, to a writer thread: ``core.writer``): ``write``
    each batch in turn, then ``finish`` once, all in one transaction. What is written, and in what order, is what
    ``members_create_many`` writes for the same batches; the records must have been checked (``check_new`` and
    their card and dossier numbers, as ``checked=True`` says).

    ``write`` is ``prepare`` then ``store``. A caller whose writes run on another thread prepares each batch on
    its own thread and hands the writer only ``store``: on PostgreSQL everything that needs no database (the
    rows as COPY takes them, the audit rows' digests) is then made while the database stores the batch before.
    ``expect`` draws the ids first, so that ``prepare`` never waits for the connection."""

    def __init__(self, actor: Actor, *, event_data: dict | None = None, units: dict[int, Unit] | None = None,
                 check_each: bool = False):
        self.actor = actor
        self.check_each = check_each  # the deferred reference checks run after each batch, not at the commit
        self.extra = dict(event_data or {})
        self.units: dict[int, Unit] = dict(units or {})  # allowed and open, checked (again by ``finish``)
        self.data_of: dict[tuple[str, int], dict] = {}
        self.keys: dict[str, tuple[str, str, str]] = {}
        self.states: Counter[State] = Counter()
        self.written = 0
        self.ids: list[int] = []  # drawn from the members' sequence, not used yet (PostgreSQL): the next last
        self.copying = connection.vendor == "postgresql"
        self.texts: dict[int, str] = {}  # the COPY field of each event data dict, by its id (``created_data``'s)

    def created_data(self, member: Member) -> dict:
        """member_create's event data (timeline.record_created), one dict per status and unit."""
        key = (member.status, member.unit_id)
        found = self.data_of.get(key)
        if found is None:
            found = self.data_of[key] = {"status": str(member.status), "unit": member.unit.name,
                                         "unit_id": member.unit_id, **self.extra}
        return found

    def expect(self, count: int) -> None:
        """Draw ids for ``count`` records more now (PostgreSQL; one query), for the batches to prepare."""
        if self.copying and count > len(self.ids):
            self.ids[:0] = reversed(_draw_ids(count - len(self.ids)))

    def write(self, chunk: list[Member]) -> None:
        """The records, their "created" events and audit rows, ``MembersCreated`` for the batch."""
        self.store(self.prepare(chunk))

    def prepare(self, chunk: list[Member]) -> Ready:
        """The batch made ready to store: its units allowed and open; on PostgreSQL, its ids, its rows as COPY
        takes them and its audit rows (ids drawn here when ``expect`` drew too few)."""
        for member in chunk:
            if member.unit_id not in self.units:
                unit = self.units[member.unit_id] = member.unit
                require(self.actor, "members.edit", unit)
                _refuse_closed(unit)
        if not self.copying:
            return Ready(chunk)
        self.expect(len(chunk))
        for member in chunk:
            member.pk = self.ids.pop()
            _set_derived(member, self.keys)
        now = timezone.now()
        return Ready(chunk, rows=_member_rows(chunk, now), events=self._event_lines(chunk, now),
                     audit=audit_prepare(actor=self.actor, action=TimelineKind.CREATED.value, objects=chunk,
                                         data_for=self.created_data, unit_for=operator.attrgetter("unit_id")))

    def store(self, ready: Ready) -> None:
        """Write a batch made ready by ``prepare``, in the caller's transaction."""
        chunk, actor = ready.members, self.actor
        if ready.audit is not None:
            _copy_ready(ready)
            audit_write(ready.audit)
            if self.check_each:
                _check_references()
        else:
            for member in chunk:
                member.pk = None  # an id left by an attempt rolled back
                _set_derived(member, self.keys)
            Member.objects.bulk_create(chunk, batch_size=500)
            TimelineEvent.objects.bulk_create([
                TimelineEvent(member=m, kind=TimelineKind.CREATED.value, occurred_on=m.admission_date,
                              actor_label=actor.label, unit_id=m.unit_id, data=self.created_data(m))
                for m in chunk
            ], batch_size=1000)
            audit_each(actor=actor, action=TimelineKind.CREATED.value, objects=chunk, data_for=self.created_data,
                       unit_for=operator.attrgetter("unit_id"))
        publish(MembersCreated(actor=actor, members=tuple(chunk)))
        self.states.update(state_of(m) for m in chunk)
        self.written += len(chunk)

    def finish(self) -> None:
        """Each unit checked open again with its row locked (so that it cannot close before the commit), the
        counters moved, the units' stored yearly figures marked."""
        for unit_id in sorted(self.units):
            _refuse_closed(unit_lock(self.units[unit_id]))
        counts_apply(self.states)
        yearly.mark_units(self.units)

    def _event_lines(self, chunk: list[Member], now: datetime) -> list[str]:
        """The "created" timeline events of the batch, as COPY text, COPY_ROWS rows to a string."""
        kind = pgcopy.field(TimelineKind.CREATED.value)
        recorded = f"{pgcopy.field(now.isoformat())}\t{pgcopy.field(self.actor.label)}"
        texts = self.texts
        out, lines = [], []
        for m in chunk:
            data = self.created_data(m)
            text = texts.get(id(data))
            if text is None:  # the dicts live as long as this writer (data_of): their ids are not reused
                text = texts[id(data)] = pgcopy.field(json.dumps(data, ensure_ascii=False))
            lines.append(f"{m.pk}\t{kind}\t{pgcopy.field(m.admission_date)}\t{recorded}\t{m.unit_id}\t{text}\n")
            if len(lines) == COPY_ROWS:
                out.append("".join(lines))
                lines = []
        if lines:
            out.append("".join(lines))
        return out


class Ready:
    """A batch of new records made ready by ``NewMembers.prepare``: on PostgreSQL with its rows for COPY and its
    audit rows; elsewhere the records only (bulk_create gives them their ids as it stores them)."""

    __slots__ = ("members", "rows", "events", "audit")

    def __init__(self, members: list[Member], *, rows: list[tuple] | None = None, events: list[str] | None = None,
                 audit: AuditRows | None = None) -> None:
        self.members, self.rows, self.events, self.audit = members, rows or [], events or [], audit

    def __len__(self) -> int:
        return len(self.members)


def _refuse_closed(unit: Unit) -> None:
    if not unit.is_open:
        raise ValidationError({"unit": _("«%(unit)s» đã giải thể; không thể thêm đảng viên.") % {"unit": unit.name}})


def _set_derived(member: Member, keys: dict[str, tuple[str, str, str]]) -> None:
    """``services.set_derived``, the name keys worked out once per distinct name (names repeat a lot)."""
    name = member.full_name
    found = keys.get(name)
    if found is None:
        found = keys[name] = services.name_keys(name)
    member.name_search, member.name_lower, member.name_sort = found
    member.citizen_id_hash = blind_index(member.citizen_id or "")


def _check_references() -> None:
    """The foreign-key checks PostgreSQL defers to the commit, run now for what the transaction wrote so far (a
    writer thread's batch: checked while the caller makes the next one, instead of all at the commit, when the
    caller has nothing to do). Every deferrable constraint of the schema is INITIALLY DEFERRED
    (``members/tests/test_bulk.py`` holds it), so setting them all back to deferred restores what was."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _draw_ids(count: int) -> list[int]:
    """``count`` new ids from the members' sequence, in the order drawn (PostgreSQL)."""
    with connection.cursor() as cur:
        # the sequence named once (nextval of pg_get_serial_sequence(…) would look it up for every id)
        cur.execute("WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                    "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                    [Member._meta.db_table, Member._meta.pk.column, count])
        return [r[0] for r in cur.fetchall()]


def _member_columns() -> tuple[list, list, list]:
    """Member's columns as COPY writes them: (plain, stamped with the time, encrypted), the id between plain and
    stamped."""
    fields = Member._meta.concrete_fields
    encrypted = [f for f in fields if isinstance(f, EncryptedTextField)]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    plain = [f for f in fields if not f.primary_key and f not in encrypted and f not in stamped]
    return plain, stamped, encrypted


def _member_rows(batch: list[Member], now: datetime) -> list[tuple]:
    """The records (ids and derived keys set) as COPY rows: every column gets what the ORM would write, auto_now
    dates, encrypted fields sealed by their field, derived name keys and blind index."""
    plain, stamped, encrypted = _member_columns()
    values = operator.attrgetter(*(f.attname for f in plain))  # one tuple per record, the columns in this order
    stamps = tuple(now for _ in stamped)
    return [(*values(member), member.pk, *stamps,
             *(f.get_prep_value(v) if (v := getattr(member, f.attname)) else v for f in encrypted))
            for member in batch]


def _copy_ready(ready: Ready) -> None:
    """PostgreSQL: a batch's records and their "created" events written with COPY (in the caller's transaction)."""
    quote = connection.ops.quote_name
    plain, stamped, encrypted = _member_columns()
    columns = ", ".join(quote(f.column) for f in (*plain, Member._meta.pk, *stamped, *encrypted))
    with connection.cursor() as cur:
        # psycopg formats each row (in C) and sends them as its buffer fills: stored while the next are formatted
        with cur.cursor.copy(f"COPY {quote(Member._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in ready.rows:
                copy.write_row(row)
        names = ("member", "kind", "occurred_on", "recorded_at", "actor_label", "unit", "data")
        columns = pgcopy.columns(TimelineEvent, names, quote)
        with cur.cursor.copy(f"COPY {quote(TimelineEvent._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for text in ready.events:
                copy.write(text)
    for member in ready.members:
        member._state.adding = False
        member._state.db = "default"


@transaction.atomic
def members_discard_many(*, actor: Actor, ids: Iterable[int]) -> int:
    """Undo ``members_create_many`` for these records (an import undone part-way: its batches were committed one
    by one): each record's "created" timeline event and the record go, the apps above drop what they opened for it
    (``MembersDiscarded``), the counters move back, and each gets a "member.discarded" audit row beside its
    "member.created" one (the audit log is append-only). Only a record that nothing else has touched since may
    go: one with any other timeline event, or held by another record, refuses the whole call (ValidationError),
    which writes nothing. Returns how many records went."""
    members = list(Member.objects.select_related("unit").filter(pk__in=list(ids)).order_by("pk"))
    if not members:
        return 0
    for unit in {m.unit_id: m.unit for m in members}.values():
        require(actor, "members.edit", unit)
    pks = [m.pk for m in members]
    touched = (TimelineEvent.objects.filter(member_id__in=pks).exclude(kind=TimelineKind.CREATED.value)
               .values_list("member__full_name", flat=True).first())
    if touched is not None:
        raise ValidationError({"__all__": _("Hồ sơ %(member)s đã có thay đổi khác sau khi nhập; không thể hoàn "
                                            "tác.") % {"member": touched}})
    publish(MembersDiscarded(actor=actor, members=tuple(members)))
    yearly.mark_units(m.unit_id for m in members)
    audit_each(actor=actor, action="member.discarded", objects=members,
               data_for=lambda m: {"unit_id": m.unit_id, "reason": "import_undone"},
               unit_for=operator.attrgetter("unit_id"))
    TimelineEvent.objects.filter(member_id__in=pks, kind=TimelineKind.CREATED.value).delete()
    try:
        with transaction.atomic():
            Member.objects.filter(pk__in=pks).delete()
    except IntegrityError as exc:  # a record of another process points at one of them
        raise ValidationError({"__all__": _("Một hồ sơ vừa nhập đã được dùng ở nơi khác; không thể hoàn "
                                            "tác.")}) from exc
    deltas: Counter[State] = Counter()
    for member in members:
        deltas[state_of(member)] -= 1
    counts_apply(deltas)
    return len(members)


# -- updating ----------------------------------------------------------------------------------------------
def _audit_data_of(data: dict[int, dict], member: Member) -> dict:
    return updated_audit_data(**data[member.pk])


@transaction.atomic
@rules_read_once()
def members_update_many(*, actor: Actor, updates: Iterable[tuple[Member, int, dict]], checked: bool = False,
                        today: date | None = None, progress: Callable[[int], None] | None = None,
                        batch: int = UPDATE_BATCH) -> list[Member]:
    """``member_update`` for each (record, version read, changes): the rows locked a batch at a time, StaleEdit
    if one was saved since its version was read, then the changed fields, a "member.updated" timeline event and
    audit row per record changed (data: the fields changed, old and new, secret ones without values, and the
    new version), and the counters. Returns the records changed.

    ``checked``: the caller ran ``check_changes`` on each against the record at that version (the import does so
    in its analysis), which the version check makes still true; otherwise each is validated here as
    ``member_update`` does. ``progress(done)`` is called after each batch. Atomic, as ``members_create_many``."""
    updates = list(updates)
    today = today or clock.today()
    now = timezone.now()
    allowed: set[int] = set()
    deltas: Counter[State] = Counter()
    changed: list[Member] = []
    done = 0
    for start in range(0, len(updates), batch):
        chunk = updates[start:start + batch]
        locked = {m.pk: m for m in Member.objects.select_for_update(of=("self",)).select_related("unit")
                  .filter(pk__in=[member.pk for member, _, _ in chunk]).order_by("pk")}
        written: list[Member] = []
        data: dict[int, dict] = {}
        fields: set[str] = set()
        for member, expected_version, changes in chunk:
            current = locked.get(member.pk)
            if current is None:
                raise ValidationError({"__all__": _("Hồ sơ đảng viên %(member)s không còn.") % {
                    "member": member.full_name}})
            if current.unit_id not in allowed:
                require(actor, "members.edit", current.unit)
                allowed.add(current.unit_id)
            if current.version != expected_version:
                raise StaleEdit(changes=services.stale_changes(current, expected_version),
                                current_version=current.version)
            before = state_of(current)
            diff = services._apply_changes(current, changes)
            if not diff:
                continue
            if not checked:
                services.validate_member(current, today=today)
            services.set_derived(current)
            current.version += 1
            current.updated_at = now
            deltas[before] -= 1
            deltas[state_of(current)] += 1
            fields.update(change["field"] for change in diff)
            data[current.pk] = {"changed": diff, "version": current.version}
            written.append(current)
        if written:
            try:
                with transaction.atomic():
                    Member.objects.bulk_update(written, [*sorted(fields), *DERIVED_FIELDS, "version", "updated_at"])
            except IntegrityError as exc:  # a concurrent insert of the same card/dossier number
                raise ValidationError({"card_number": _("Số thẻ đảng viên hoặc số lý lịch đã có trong hồ sơ khác.")}
                                      ) from exc
            TimelineEvent.objects.bulk_create([
                TimelineEvent(member=m, kind=TimelineKind.UPDATED.value, occurred_on=today, actor_label=actor.label,
                              unit_id=m.unit_id, data=data[m.pk])
                for m in written
            ])
            audit_each(actor=actor, action=TimelineKind.UPDATED.value, objects=written,
                       data_for=partial(_audit_data_of, data), unit_for=operator.attrgetter("unit_id"))
            changed.extend(written)
        done += len(chunk)
        if progress:
            progress(done)
    counts_apply(deltas)
    yearly.mark_members([m.pk for m in changed], *{unit_id for unit_id, _s, _c in deltas})
    return changed
