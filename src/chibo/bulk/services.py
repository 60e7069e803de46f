"""Member import: read, convert, validate and upsert a spreadsheet of members.

``analyse`` reads the file and decides, row by row, what would happen (new / update / unchanged /
error) without writing anything; ``execute`` writes an analysed plan in ONE transaction:

- ``all``   (all-or-nothing): refused when any row has an error; a failure part-way rolls back all;
- ``valid`` (valid rows only): the rows without errors are written; a failure rolls back all of them.

Rows are checked with the rules of ``member_create`` / ``member_update`` (members.services.normalize_data,
members.bulk.check_new / check_changes) and written through the members app's bulk path
(members.bulk.members_create_many / members_update_many): each member gets its timeline event and its own
"member.created" / "member.updated" audit row, the unit counters follow, and probationary members get their
probation.confirmation deadline (one "deadline.opened" audit row each); COPY on PostgreSQL, bulk_create
elsewhere. The import as a whole adds one "members.imported" audit row with its counts and the file's SHA-256.
Rows are keyed by card number, else dossier number: re-importing the same file changes nothing.

On SQLite a job's import is written in steps instead (``execute(..., job=…)``): SQLite has one write lock for the
whole database, and one transaction of 100,000 records would hold it for many seconds, so that every other writer
(a sign-in, an audited read, an edit) waits or fails. Each step writes a few hundred records in a short
transaction (sized to last about STEP_SECONDS), together with the job's journal (``ImportedRecord``: what it
created, what it changed and the former values), then pauses so that waiting writers go first. All-or-nothing
still holds for the user: a step that fails, a cancel, or a worker that dies (the stale job,
``jobs.job_fail_stale``) undoes the steps already committed from the journal (``import_undo``), so the records
end as they were; a rerun then starts from the same state.

For speed at 100,000 rows: each column's distinct values are converted once (dates, towns, categories and
units repeat), matching reads only the keys of existing records (full records only for the rows that change
them), and nothing runs a query per row. ``chibo import`` on PostgreSQL writes the new members while it checks the
next rows (``import_file``: a writer thread on the same connection and transaction), so that the import takes about
the longer of the checking and the database's work instead of their sum.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.bulk import legacy
from chibo.bulk.models import ColumnMapping, ImportedRecord, ImportJob, JobPhase
from chibo.bulk.reader import open_sheet
from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.labels import TranslatedLabels
from chibo.core.rulebook import rules_read_once
from chibo.core.spreadsheets import parse_date
from chibo.core.text import clean, hidden_characters_problem, name_warning, person_name, search_key
from chibo.core.writer import WriterThread
from chibo.members import bulk as member_bulk
from chibo.members import selectors as member_selectors
from chibo.members import services as member_services
from chibo.members.enums import Category, Education, Gender, Status, Theory
from chibo.units import selectors as unit_selectors

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

# (field, header in the template, other headers seen in real files — compared folded)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("full_name", gettext_noop("Họ và tên"), ("ho ten", "ho va ten dang vien", "ten")),
    ("gender", gettext_noop("Giới tính"), ("nam nu", "gioi")),
    ("birth_date", gettext_noop("Ngày sinh"), ("ngay thang nam sinh", "sinh ngay")),
    ("home_town", gettext_noop("Quê quán"), ("que",)),
    ("ethnicity", gettext_noop("Dân tộc"), ()),
    ("education", gettext_noop("Trình độ học vấn"), ("hoc van", "trinh do")),
    ("political_theory", gettext_noop("Lý luận chính trị"), ("llct", "trinh do ly luan chinh tri")),
    ("job_title", gettext_noop("Chức vụ, nghề nghiệp"), ("chuc vu", "nghe nghiep", "chuc vu nghe nghiep")),
    ("workplace", gettext_noop("Nơi làm việc"), ("co quan", "don vi cong tac")),
    ("card_number", gettext_noop("Số thẻ đảng viên"), ("so the", "so the dv")),
    ("dossier_number", gettext_noop("Số lý lịch"), ("so ll", "so ly lich dang vien")),
    ("admission_decided_on", gettext_noop("Ngày quyết định kết nạp"), ("ngay quyet dinh ket nap", "ngay qd ket nap")),
    ("admission_date", gettext_noop("Ngày vào Đảng"), ("ngay ket nap", "ngay vao dang du bi")),
    ("confirmation_date", gettext_noop("Ngày chính thức"), ("ngay cong nhan chinh thuc",)),
    ("status", gettext_noop("Tình trạng"), ("du bi chinh thuc",)),
    ("category", gettext_noop("Diện ở nước ngoài"), ("dien", "dien dang vien")),
    ("abroad_from", gettext_noop("Ở nước ngoài từ ngày"), ("o nuoc ngoai tu",)),
    ("abroad_to", gettext_noop("Ở nước ngoài đến ngày"), ("o nuoc ngoai den",)),
    ("unit_code", gettext_noop("Mã chi bộ"), ("chi bo", "ma don vi")),
    ("citizen_id", gettext_noop("Số CCCD"), ("cccd", "cmnd", "so cmnd", "so can cuoc")),
    ("phone", gettext_noop("Điện thoại"), ("so dien thoai", "sdt")),
    ("email", gettext_noop("Thư điện tử"), ("email", "e mail")),
]
IGNORED_HEADERS = {"stt", "tt", "so tt", "ghi chu"}
HEADERS = {name: header for name, header, _ in COLUMNS}  # as the template writes them
FIELD_LABELS = TranslatedLabels(HEADERS)  # as messages name them, in the reader's language
DATE_FIELDS = {"birth_date", "admission_decided_on", "admission_date", "confirmation_date", "abroad_from", "abroad_to"}
TEXT_FIELDS = {name for name, _, _ in COLUMNS} - DATE_FIELDS
CHOICE_ENUMS = {"gender": Gender, "education": Education, "political_theory": Theory, "category": Category,
                "status": Status}
NEW_STATUSES = (Status.PROBATIONARY, Status.FULL)
_EDITABLE = frozenset(member_services.EDITABLE_FIELDS)
KEY_FIELDS = ("card_number", "dossier_number")  # a different value on every row (converted without remembering)
MODES = {"all": gettext_noop("Tất cả hoặc không gì cả"), "valid": gettext_noop("Chỉ các dòng hợp lệ")}
BATCH = 2000
STEP_ROWS = 500      # records written per short transaction when a job imports on SQLite: the first step's size
STEP_SECONDS = 0.25  # what a step should last: the next step's size follows the last one's time (50 to 2000 rows)
STEP_PAUSE = 0.15    # seconds between two steps at least (a writer waiting on SQLite's lock looks every 100 ms at
#                      most), and half the last step's time when the machine is slow, so that waiting writers go first


def header_key(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in search_key(text)).split())


_ALIASES = {header_key(label): name for name, label, _ in COLUMNS}
_ALIASES.update({header_key(a): name for name, _, aliases in COLUMNS for a in aliases})
_ALIASES.update({name: name for name, _, _ in COLUMNS})


def _choice_lookup(enum: Any) -> dict[str, str]:  # a TextChoices class
    table = {}
    for value, label in enum.choices:
        table[header_key(str(label))] = value
        table[header_key(value)] = value
    return table


CHOICES = {name: _choice_lookup(enum) for name, enum in CHOICE_ENUMS.items()}
CHOICES["gender"].update({"m": Gender.MALE, "f": Gender.FEMALE, "nam": Gender.MALE, "nu": Gender.FEMALE})
CHOICES["education"].update({"thcs": Education.LOWER_SECONDARY, "thpt": Education.UPPER_SECONDARY,
                             "12 12": Education.UPPER_SECONDARY, "dai hoc": Education.BACHELOR,
                             "cu nhan": Education.BACHELOR, "ky su": Education.BACHELOR})
CHOICES["status"].update({"dang vien du bi": Status.PROBATIONARY, "dang vien chinh thuc": Status.FULL})


class ImportRefused(Exception):
    """The import as a whole is refused; the message is for the user. ``unknown``: headers not recognised."""

    def __init__(self, message: str, unknown: list[str] | tuple = ()):
        super().__init__(message)
        self.unknown = list(unknown)


class ImportCancelled(Exception):
    pass


@dataclass(slots=True)
class Row:
    number: int
    raw: list
    data: dict = field(default_factory=dict)
    unit: Unit | None = None
    status: str = ""
    action: str = "new"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # not refusals (a name without diacritics): the report
    match: int | None = None            # id of the member the row is about (card, else dossier number)
    existing: Member | None = None      # that member's record, loaded when the row updates it
    changes: dict = field(default_factory=dict)
    member: Member | None = None        # a new row's member as checked (members.bulk.new_member / check_new)


@dataclass
class Plan:
    file_name: str
    sha256: str
    kind: str
    header: list[str]
    mapping: dict[int, str]             # column index → field
    encodings: dict[str, str]           # field → encoding found
    conversions: list[tuple[str, str, str]]  # (field, as read, converted) samples
    rows: list[Row]
    default_unit: Unit | None
    unknown: list[str] = field(default_factory=list)  # headers not mapped to any field

    @property
    def counts(self) -> dict[str, int]:
        out = {"rows": len(self.rows), "new": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            out[row.action] += 1
        return out

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def remembered_mapping(unit: Unit | None) -> dict[str, str]:
    if unit is None:
        return {}
    row = ColumnMapping.objects.filter(unit=unit).first()
    return dict(row.mapping) if row else {}


def map_header(header: list[str], remembered: dict[str, str], override: dict[str, str] | None = None
               ) -> tuple[dict[int, str], list[str]]:
    """Column index → field. Explicit choices first, then the unit's remembered mapping, then the aliases."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    taken: set[str] = set()
    for i, title in enumerate(header):
        key = header_key(title)
        if not key or key in IGNORED_HEADERS:
            continue
        name = (override or {}).get(key) or remembered.get(key) or _ALIASES.get(key)
        if name == "":
            continue
        if name and name not in taken:
            mapping[i] = name
            taken.add(name)
        else:
            unknown.append(title)
    return mapping, unknown


@rules_read_once()  # the identifier formats (members.identifiers): each rule read once for the whole file
def analyse(*, actor: Actor, path: str | Path, size: int, file_name: str = "", unit: Unit | None = None,
            mapping_override: dict[str, str] | None = None,
            progress: Callable[[int, int], None] | None = None,
            writer: WriterThread[member_bulk.Ready] | None = None, created: member_bulk.NewMembers | None = None,
            stop_at_error: bool = False) -> Plan:
    """Read and check the file; decide every row. Writes nothing, unless ``writer`` is given (``import_file``
    writing as it checks, ``writer`` storing what ``created`` prepares): then the new members are prepared and
    handed to it in batches of BATCH as they are checked, in the order ``execute`` writes them, and it is closed
    before the rows to update are read. ``stop_at_error`` (an all-or-nothing import): none are handed over once a
    row has an error. Raises FileRefused / ImportRefused."""
    if unit is not None:
        require(actor, "members.edit", unit)
    elif not actor.can("members.edit"):
        raise PermissionDenied
    sha = file_sha256(path)
    sheet = open_sheet(path, size)
    mapping, unknown = map_header(sheet.header, remembered_mapping(unit), mapping_override)
    fields = set(mapping.values())
    missing = [FIELD_LABELS[f] for f in ("full_name", "gender", "birth_date", "admission_date") if f not in fields]
    if "card_number" not in fields and "dossier_number" not in fields:
        missing.append(_("%(card)s hoặc %(dossier)s") % {"card": FIELD_LABELS["card_number"],
                                                           "dossier": FIELD_LABELS["dossier_number"]})
    if "unit_code" not in fields and unit is None:
        missing.append(_("%(column)s (hoặc chọn chi bộ cho cả tệp)") % {"column": FIELD_LABELS["unit_code"]})
    if not mapping:  # not one column recognised: most likely not a member list at all
        raise ImportRefused(_("Tệp này không giống danh sách đảng viên: không nhận ra cột nào (dòng tiêu đề đọc "
                              "được: %(headers)s). Hãy kiểm tra đã chọn đúng tệp chưa, dùng tệp mẫu, hoặc chọn nội "
                              "dung cho từng cột.") % {
                                  "headers": "; ".join(f"«{title}»" for title in sheet.header[:6] if title)},
                            unknown=unknown)
    if missing:
        raise ImportRefused(_("Bảng tính thiếu cột: %(columns)s. Hãy dùng tệp mẫu hoặc chọn cột tương ứng.") % {
            "columns": "; ".join(missing)}, unknown=unknown)
    rows = [Row(number=n, raw=cells) for n, cells in sheet.rows]
    if not rows:
        raise ImportRefused(_("Bảng tính không có dòng dữ liệu nào."))

    # Text columns: detect the encoding per column and convert (TCVN3 / VNI → Unicode).
    encodings: dict[str, str] = {}
    conversions: list[tuple[str, str, str]] = []
    for index, name in mapping.items():
        if name not in TEXT_FIELDS:
            continue
        values = [r.raw[index] for r in rows if isinstance(r.raw[index], str)]
        try:
            enc = legacy.column_encoding(values)
        except legacy.MixedEncodings as exc:
            raise ImportRefused(
                _("Cột «%(header)s» trộn nhiều bảng mã (%(exc)s); hãy chuyển cả cột về một bảng mã "
                  "(Unicode) rồi nhập lại.") % {"header": sheet.header[index], "exc": exc}) from exc
        encodings[name] = enc
        decode = legacy.DECODERS[enc]
        decoded: dict[str, str] = {}
        for r in rows:
            value = r.raw[index]
            if isinstance(value, str) and value:
                converted = decoded.get(value)
                if converted is None:  # a name with a hidden character stays as it is, to be refused (_convert)
                    converted = decoded[value] = (value if name == "full_name" and hidden_characters_problem(value)
                                                  else decode(clean(value)))
                if enc in (legacy.TCVN3, legacy.VNI) and converted != value and len(conversions) < 30:
                    conversions.append((FIELD_LABELS[name], value, converted))
                r.raw[index] = converted

    today = clock.today()
    units_by_code = _units_by_code(actor, rows, mapping)
    converters = _converters(mapping, today)
    for done, row in enumerate(rows, 1):
        _parse_row(row, converters, units_by_code, unit)
        if progress and done % BATCH == 0:
            progress(done, len(rows) * 2)
    _name_warnings(rows)
    _check_duplicates(rows)
    _match_existing(actor, rows)
    compared = [name for name in member_services.EDITABLE_FIELDS if name in fields]
    current = _current_values(rows, compared)
    if (writer is None) != (created is None):
        raise ValueError("analyse: a writer stores what ``created`` prepares; give both or neither")
    streaming = created is not None and not (stop_at_error and any(r.errors for r in rows))
    if streaming and created is not None:  # ids for the rows that may be new, drawn before the writer is busy
        created.expect(sum(1 for r in rows if r.match is None and not r.errors))
    checked: list[Member] = []
    for row in rows:
        if not row.errors:
            _decide(row, current.get(row.match) if row.match is not None else None, today)
        if streaming and writer is not None and created is not None:  # stored while the next batch is checked
            if row.errors and stop_at_error:
                streaming = False  # refused (execute): what was written rolls back with the transaction
            elif row.member is not None and not row.errors:
                checked.append(row.member)
                if len(checked) == BATCH:
                    writer.put(created.prepare(checked))
                    checked = []
    if writer is not None and created is not None:
        if streaming and checked:
            writer.put(created.prepare(checked))
        writer.close()  # written: the connection is this thread's again
    _load_existing(rows)
    for row in rows:
        if row.action == "update":
            _validate_update(row, today)
        if row.errors:
            row.action = "error"
    return Plan(file_name=file_name, sha256=sha, kind=sheet.kind, header=sheet.header, mapping=mapping,
                encodings=encodings, conversions=conversions, rows=rows, default_unit=unit, unknown=unknown)


def _units_by_code(actor: Actor, rows: list[Row], mapping: dict[int, str]) -> dict[str, Unit]:
    index = next((i for i, f in mapping.items() if f == "unit_code"), None)
    if index is None:
        return {}
    codes = {clean(str(r.raw[index])).upper() for r in rows if r.raw[index] not in (None, "")}
    units = {}
    for u in unit_selectors.units_with_codes(codes):
        if actor.can("members.edit", u):
            units[u.code] = u
    return units


def clean_name(value: str) -> str:
    """A name cell: stray punctuation around it dropped, then written as every path writes a person's name
    (core.text.person_name: NFC, spaces, a capital on each word)."""
    return person_name(clean(value).strip(" .,;-_"))


def _name_warnings(rows: list[Row]) -> None:
    """A warning in the report for each row whose name has no Vietnamese diacritic (core.text.name_warning);
    the row is still imported. Worked out once per distinct name."""
    seen: dict[str, str | None] = {}
    for row in rows:
        name = row.data.get("full_name")
        if not name:
            continue
        if name not in seen:
            seen[name] = name_warning(name)
        if warning := seen[name]:
            row.warnings.append(warning)


def _convert(name: str, value: object, today: date) -> tuple[object, str | None]:
    """One cell as read → (the value of the member's field, normalized as members.services does; error). The
    column's label, in the reader's language, is looked up only for an error message."""
    if name in DATE_FIELDS:
        try:
            value = parse_date(value, today=today)
        except ValueError as exc:
            return None, f"{FIELD_LABELS[name]}: {exc}"
        return member_services.normalize_data({name: value})[name], None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if name == "full_name" and (hidden := hidden_characters_problem(None if value is None else str(value))):
        return None, hidden
    text = clean("" if value is None else str(value))
    if name in ("card_number", "dossier_number", "citizen_id", "phone") and text.startswith("'"):
        text = text[1:]
    if name in CHOICES and text:
        found = CHOICES[name].get(header_key(text))
        if not found:
            return None, _("%(column)s: giá trị «%(value)s» không hợp lệ.") % {"column": FIELD_LABELS[name],
                                                                                "value": text}
        text = found
    if name == "full_name":
        text = clean_name(text)
    if name in _EDITABLE:
        return member_services.normalize_data({name: text})[name], None
    return text, None


def _converters(mapping: dict[int, str], today: date) -> list[tuple[int, str, Callable]]:
    """(column, field, convert) in the order of members.services.EDITABLE_FIELDS (unit code and status last);
    ``convert`` remembers its result for each distinct cell value, since columns repeat a lot (dates, towns,
    categories, units); card and dossier numbers, which do not repeat, are converted directly."""
    order = {name: i for i, name in enumerate(member_services.EDITABLE_FIELDS)}

    def memo(name: str) -> Callable:
        seen: dict = {}

        def convert(value: object) -> tuple[object, str | None]:
            key = (value.__class__, value)  # 1, 1.0 and True are equal but read differently
            found = seen.get(key)
            if found is None:
                found = seen[key] = _convert(name, value, today)
            return found
        return convert

    def key_column(name: str) -> Callable:
        """Card and dossier numbers differ on every row, so remembering them is no use. A number of ASCII letters
        and digits only (the usual one) is what _convert makes of it, upper-cased (clean leaves it as it is and
        normalize_data upper-cases it); anything else goes through _convert."""
        def convert(value: object) -> tuple[object, str | None]:
            if isinstance(value, str) and value.isascii() and value.isalnum():
                return value.upper(), None
            return _convert(name, value, today)
        return convert

    return sorted(((index, name, key_column(name) if name in KEY_FIELDS else memo(name))
                   for index, name in mapping.items()),
                  key=lambda item: order.get(item[1], len(order)))


def _parse_row(row: Row, converters: list[tuple[int, str, Callable]], units_by_code: dict[str, Unit],
               default_unit: Unit | None) -> None:
    data: dict = {}
    raw = row.raw
    for index, name, convert in converters:
        value, error = convert(raw[index])
        if error:
            row.errors.append(error)
        else:
            data[name] = value
    code = (data.pop("unit_code", "") or "").upper()
    if code:
        row.unit = units_by_code.get(code)
        if row.unit is None:
            row.errors.append(_("Mã chi bộ «%(code)s» không có hoặc ngoài phạm vi quản lý của bạn.") % {"code": code})
    else:
        row.unit = default_unit
        if row.unit is None:
            row.errors.append(_("Thiếu mã chi bộ."))
    if row.unit is not None and not row.unit.is_open:
        row.errors.append(_("«%(unit)s» đã giải thể; không thể thêm đảng viên.") % {"unit": row.unit.name})
    status = data.pop("status", "") or ""
    row.status = status or (Status.FULL if data.get("confirmation_date") else Status.PROBATIONARY)
    row.data = data


def _check_duplicates(rows: list[Row]) -> None:
    for name in ("card_number", "dossier_number"):
        seen: dict[str, int] = {}
        for row in rows:
            value = row.data.get(name)
            if not value:
                continue
            if value in seen:
                row.errors.append(_("%(column)s «%(value)s» trùng với dòng %(line)s trong tệp.") % {
                    "column": FIELD_LABELS[name], "value": value, "line": seen[value]})
            else:
                seen[value] = row.number


def _match_existing(actor: Actor, rows: list[Row]) -> None:
    """Find the member each row is about (card number, else dossier number), with the row's errors when the
    keys clash with other records or the record is outside the actor's scope. Only the keys are read here."""
    cards = [r.data["card_number"] for r in rows if r.data.get("card_number")]
    dossiers = [r.data["dossier_number"] for r in rows if r.data.get("dossier_number")]
    by_card: dict[str, tuple] = {}
    by_dossier: dict[str, tuple] = {}
    for key in member_selectors.member_keys(cards=cards, dossiers=dossiers):
        if key[1]:
            by_card[key[1]] = key
        if key[2]:
            by_dossier[key[2]] = key
    units = unit_selectors.units_by_id({key[3] for key in (*by_card.values(), *by_dossier.values())})
    editable = {pk: actor.can("members.edit", u) for pk, u in units.items()}
    for row in rows:
        card, dossier = row.data.get("card_number"), row.data.get("dossier_number")
        match = by_card.get(card) if card else None
        if match is None and dossier:
            match = by_dossier.get(dossier)
            if match is not None and card and match[1] and match[1] != card:
                row.errors.append(_("Số lý lịch «%(dossier)s» đã thuộc hồ sơ có số thẻ khác (%(card)s).") % {
                    "dossier": dossier, "card": match[1]})
                continue
        if match is not None:
            if not editable.get(match[3]):
                row.errors.append(_("Số thẻ/số lý lịch thuộc hồ sơ đảng viên ngoài phạm vi quản lý của bạn."))
                continue
            if dossier and match[2] != dossier and dossier in by_dossier:
                row.errors.append(_("Số lý lịch «%(dossier)s» đã có trong hồ sơ đảng viên khác.") % {
                    "dossier": dossier})
                continue
            row.match = match[0]
        else:
            for name, table in (("card_number", by_card), ("dossier_number", by_dossier)):
                value = row.data.get(name)
                if value and value in table:
                    row.errors.append(_("%(column)s «%(value)s» đã có trong hồ sơ đảng viên khác.") % {
                        "column": FIELD_LABELS[name], "value": value})


def _current_values(rows: list[Row], fields: list[str]) -> dict[int, dict]:
    """The stored values of ``fields`` of the members the rows matched (decrypted where encrypted)."""
    return member_selectors.member_values([r.match for r in rows if r.match is not None and not r.errors], fields)


def _load_existing(rows: list[Row]) -> None:
    """The full records of the members to update (usually few): row.existing."""
    wanted = {r.match: r for r in rows if r.action == "update" and r.match is not None}
    for pk, member in member_selectors.members_by_id(wanted).items():
        wanted[pk].existing = member


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for name, errors in (exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}).items():
        label = FIELD_LABELS.get(name) or member_services.LABELS.get(name, "")
        for err in errors:
            for message in err.messages:
                out.append(f"{label[:1].upper()}{label[1:]}: {message}" if label and name != "__all__" else message)
    return out


def _check(check: Callable[..., object], *args: object, today: date) -> list[str]:
    """The messages of the ValidationError ``check`` (members.bulk.check_new / check_changes) raises."""
    try:
        check(*args, today=today)
    except ValidationError as exc:
        return _messages(exc)
    return []


def _decide(row: Row, current: dict | None, today: date) -> None:
    """New rows are validated here; for a matched row, only what changes is decided (validated once the
    record is loaded, in _validate_update)."""
    if row.match is None:
        if row.status not in NEW_STATUSES:
            row.errors.append(_("Tình trạng: hồ sơ mới là đảng viên dự bị hoặc chính thức; tình trạng khác được ghi "
                                "qua quyết định."))
            return
        assert row.unit is not None  # a row without its unit has an error and is not decided
        member = member_bulk.new_member(row.unit, row.status, row.data)
        row.errors.extend(_check(member_bulk.check_new, member, today=today))
        row.member = member
        row.action = "new"
        return
    if current is None:  # the record went away since its keys were read
        row.errors.append(_("Hồ sơ đảng viên này vừa thay đổi; hãy kiểm tra lại rồi nhập lại."))
        return
    changes = {}
    for name, value in row.data.items():
        if name in _EDITABLE and value not in (None, "") and current[name] != value:
            changes[name] = value
    if not changes:
        row.action = "unchanged"
        return
    row.changes = changes
    row.action = "update"


def _validate_update(row: Row, today: date) -> None:
    current = row.existing
    if current is None:  # the record went away since its keys were read
        row.errors.append(_("Hồ sơ đảng viên này vừa thay đổi; hãy kiểm tra lại rồi nhập lại."))
        return
    row.errors.extend(_check(member_bulk.check_changes, current, row.changes, today=today))


# -- writing ------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    counts: dict[str, int]
    written: bool


def execute(*, actor: Actor, plan: Plan, mode: str,
            progress: Callable[[int, int], None] | None = None, batch: int = BATCH,
            job: ImportJob | None = None, created: member_bulk.NewMembers | None = None) -> Outcome:
    """Write the plan in one transaction (see module docstring). ``progress(done, total)`` is called after
    each batch; raising from it (a cancel, or a crash) rolls everything back. With ``job`` on SQLite, outside
    any transaction: in short steps, undone from the job's journal if anything fails (``_execute_in_steps``).
    ``created``: the new members were written already, in the caller's transaction, while the file was checked
    (``import_file``); what remains of their writing is finished here."""
    if mode not in MODES:
        raise ImportRefused(_("Chọn cách nhập: tất cả hoặc chỉ các dòng hợp lệ."))
    counts = plan.counts
    if mode == "all" and plan.has_errors:
        raise ImportRefused(_("Có %(count)s dòng lỗi; với cách nhập «%(mode)s» không dòng nào được ghi. "
                              "Sửa các dòng lỗi (xem báo cáo) hoặc chọn «Chỉ các dòng hợp lệ».") % {
                                "count": counts['error'], "mode": _(MODES["all"])})
    todo = [r for r in plan.rows if r.action in ("new", "update")]
    total = len(todo)
    new_rows = [r for r in todo if r.action == "new"]
    updates = [r for r in todo if r.action == "update"]
    if job is not None and connection.vendor == "sqlite" and not connection.in_atomic_block:
        return _execute_in_steps(actor=actor, plan=plan, mode=mode, job=job, new_rows=new_rows, updates=updates,
                                 progress=progress)
    if job is not None and not connection.in_atomic_block:  # the page shows the write phase as it starts
        ImportJob.objects.filter(pk=job.pk).update(phase=JobPhase.WRITING, heartbeat_at=timezone.now())
        if progress:
            progress(0, total)
    with transaction.atomic():
        for u in {r.unit.pk: r.unit for r in todo if r.unit is not None}.values():
            require(actor, "members.edit", u)
        if created is None:
            member_bulk.members_create_many(
                actor=actor, members=[r.member for r in new_rows if r.member is not None], checked=True,
                event_data={"import": True},
                progress=progress and (lambda done: progress(done, total)), batch=batch)
        elif created.written != len(new_rows):
            raise RuntimeError(f"{created.written} new members written while checking, {len(new_rows)} planned")
        else:
            created.finish()
        member_bulk.members_update_many(
            actor=actor,
            updates=[(r.existing, r.existing.version, r.changes) for r in updates if r.existing is not None],
            checked=True,
            progress=progress and (lambda done: progress(len(new_rows) + done, total)))
        written = _finish(actor=actor, plan=plan, mode=mode, new=len(new_rows), updated=len(updates))
        if job is not None:  # committed with the records: a worker dying now leaves a job that is done
            ImportJob.objects.filter(pk=job.pk).update(phase=JobPhase.WRITTEN)
    return Outcome(counts=written, written=True)


def _finish(*, actor: Actor, plan: Plan, mode: str, new: int, updated: int) -> dict[str, int]:
    """The import's own audit row and the unit's remembered column mapping (in the caller's transaction)."""
    counts = plan.counts
    written = {"new": new, "update": updated, "unchanged": counts["unchanged"], "error": counts["error"],
               "rows": counts["rows"]}
    audit(actor=actor, action="members.imported", unit=plan.default_unit,
          data={"file": plan.file_name, "sha256": plan.sha256, "mode": mode, **written,
                "encodings": {k: v for k, v in plan.encodings.items() if v in (legacy.TCVN3, legacy.VNI)}})
    if plan.default_unit is not None:
        ColumnMapping.objects.update_or_create(
            unit=plan.default_unit,
            defaults={"mapping": {header_key(plan.header[i]): f for i, f in plan.mapping.items()}},
        )
    return written


def _execute_in_steps(*, actor: Actor, plan: Plan, mode: str, job: ImportJob, new_rows: list[Row],
                      updates: list[Row], progress: Callable[[int, int], None] | None) -> Outcome:
    """SQLite: the plan written STEP_ROWS records at a time, each step one short transaction that also writes
    the job's journal, with a pause after it; the last step writes the import's audit row and marks the job
    written. Anything raised before that (a refusal, a cancel from ``progress``, an error) undoes the steps
    committed so far, then propagates. The journal goes once the job is written."""
    total = len(new_rows) + len(updates)
    done = 0
    if ImportedRecord.objects.filter(job=job).exists():  # a run interrupted before: its steps go first
        import_undo(actor=actor, job=job)
    ImportJob.objects.filter(pk=job.pk).update(phase=JobPhase.WRITING, heartbeat_at=timezone.now())
    if progress:
        progress(0, total)  # the page counts the rows written now, not the rows read

    size = STEP_ROWS

    def stepped(count: int, started: float) -> None:
        """After a step (its after-commit sealing included): progress, the next step's size, the pause."""
        nonlocal done, size
        elapsed = time.monotonic() - started
        done += count
        if progress:
            progress(done, total)  # outside the transaction: the job row, the heartbeat, a cancel
        size = max(50, min(2000, int(count * STEP_SECONDS / max(elapsed, 0.001))))
        time.sleep(max(STEP_PAUSE, elapsed / 2))

    try:
        start = 0
        while start < len(new_rows):
            chunk = [r.member for r in new_rows[start:start + size] if r.member is not None]
            start += size
            began = time.monotonic()
            with transaction.atomic():
                created = member_bulk.members_create_many(actor=actor, members=chunk, checked=True,
                                                          event_data={"import": True})
                ImportedRecord.objects.bulk_create([ImportedRecord(job=job, member_id=m.pk) for m in created])
            stepped(len(chunk), began)
        start = 0
        while start < len(updates):
            rows = [r for r in updates[start:start + size] if r.existing is not None]
            start += size
            began = time.monotonic()
            with transaction.atomic():
                changed = {m.pk: m for m in member_bulk.members_update_many(
                    actor=actor, updates=[(r.existing, r.existing.version, r.changes) for r in rows if r.existing],
                    checked=True)}
                ImportedRecord.objects.bulk_create([
                    ImportedRecord(job=job, member_id=pk, version=changed[pk].version,
                                   previous=json.dumps({name: getattr(r.existing, name) for name in r.changes},
                                                       cls=DjangoJSONEncoder))
                    for r in rows if r.existing is not None and (pk := r.existing.pk) in changed])
            stepped(len(rows), began)
        with transaction.atomic():
            written = _finish(actor=actor, plan=plan, mode=mode, new=len(new_rows), updated=len(updates))
            ImportJob.objects.filter(pk=job.pk).update(phase=JobPhase.WRITTEN, heartbeat_at=timezone.now())
    except BaseException:
        import_undo(actor=actor, job=job)
        raise
    _forget(job)
    return Outcome(counts=written, written=True)


def _forget(job: ImportJob) -> None:
    """The journal of a written job, deleted in short transactions."""
    while ids := list(ImportedRecord.objects.filter(job=job).values_list("pk", flat=True)[:STEP_ROWS * 4]):
        ImportedRecord.objects.filter(pk__in=ids).delete()
        time.sleep(STEP_PAUSE / 3)


def import_undo(*, actor: Actor, job: ImportJob) -> int:
    """Undo what a stepped import of ``job`` committed, from its journal, newest step first and in short steps
    of its own: changed records get their former values back (``members_update_many``: the timeline shows the
    change and its reversal), created records go (``members_discard_many``). Each step deletes its part of the
    journal in the same transaction, so an undo interrupted in turn is taken up where it stopped. Returns how
    many records were restored or removed."""
    ImportJob.objects.filter(pk=job.pk).update(phase=JobPhase.UNDOING, heartbeat_at=timezone.now())
    undone = 0
    size = STEP_ROWS
    while records := list(ImportedRecord.objects.filter(job=job).order_by("-pk")[:size]):
        began = time.monotonic()
        with transaction.atomic():
            changed = [r for r in records if r.previous]
            if changed:
                current = member_selectors.members_by_id([r.member_id for r in changed])
                reverse = []
                for record in changed:
                    member = current.get(record.member_id)
                    if member is not None:
                        reverse.append((member, record.version, _former_values(record.previous)))
                member_bulk.members_update_many(actor=actor, updates=reverse, checked=True)
            created = [r.member_id for r in records if not r.previous]
            if created:
                member_bulk.members_discard_many(actor=actor, ids=created)
            ImportedRecord.objects.filter(pk__in=[r.pk for r in records]).delete()
            ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        undone += len(records)
        elapsed = time.monotonic() - began
        size = max(50, min(2000, int(len(records) * STEP_SECONDS / max(elapsed, 0.001))))
        time.sleep(max(STEP_PAUSE, elapsed / 2))
    return undone


def _former_values(text: str) -> dict[str, Any]:
    values = json.loads(text)
    return {name: (date.fromisoformat(value) if name in DATE_FIELDS and value else value)
            for name, value in values.items()}


def import_file(*, actor: Actor, path: str | Path, size: int, file_name: str = "", unit: Unit | None = None,
                mode: str = "all", dry_run: bool = False, mapping_override: dict | None = None,
                progress: Callable[[int, int], None] | None = None,
                job: ImportJob | None = None) -> tuple[Plan, Outcome | None]:
    """Check the file (``analyse``), then write it (``execute``) unless ``dry_run``. On PostgreSQL without a job
    or progress to report (the command line), the two overlap: in one transaction, the new members are written
    on a writer thread as they are checked (``core.writer``), so that the database stores a batch while the next
    one is checked; a refusal (a row with an error in an all-or-nothing import) or any failure rolls back what
    was written. The records, events and audit rows are those written one after the other, in the same order."""
    if dry_run or job is not None or progress is not None or connection.vendor != "postgresql" or mode not in MODES:
        plan = analyse(actor=actor, path=path, size=size, file_name=file_name, unit=unit,
                       mapping_override=mapping_override, progress=progress)
        if dry_run:
            return plan, None
        return plan, execute(actor=actor, plan=plan, mode=mode, progress=progress, job=job)
    created = member_bulk.NewMembers(actor, event_data={"import": True}, check_each=True)
    with transaction.atomic():
        with WriterThread(created.store) as writer:
            plan = analyse(actor=actor, path=path, size=size, file_name=file_name, unit=unit,
                           mapping_override=mapping_override, writer=writer, created=created,
                           stop_at_error=mode == "all")
        return plan, execute(actor=actor, plan=plan, mode=mode, created=created)


