"""The exchange format: units and members in a documented, versioned file (JSON or XLSX) carrying the official
codes (a unit's national code, a member's party card number, the citizen ID where the reader may see it), so
that records can be moved into an empty install and reconciled with national extracts (docs/exchange-format.md;
the JSON Schema is ``SCHEMA``, also published as docs/exchange.schema.json).

- ``exchange_data`` / ``exchange_json`` / ``exchange_xlsx``: the actor's units and members as a file;
- ``read_exchange``: a file back into the document, refused clearly when it is of another format or version or
  does not follow the schema;
- ``exchange_import``: the document into an install holding only its top unit, through the units services and
  the members bulk path, all or nothing;
- ``reconcile`` / ``reconcile_xlsx``: what differs between the actor's records and a national extract.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import jsonschema  # type: ignore[import-untyped]  # no stubs; comes with drf-spectacular
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.core.labels import TranslatedLabels
from chibo.core.sheets import safe_row
from chibo.members import bulk as members_bulk
from chibo.members.enums import ACTIVE_STATUSES, Status
from chibo.members.selectors import former_members, members_on_rolls, members_visible, status_decisions
from chibo.members.services import member_change_status, normalize_data
from chibo.units import services as unit_services
from chibo.units.selectors import subtree_units, unit_root, units_with

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

FORMAT = "chibo-exchange"
# Version 2 carries the day and decision of an exempt or suspended member's status (``status_since``,
# ``status_document``), so that such members go through an import too.
VERSION = 2
MAX_BYTES = 200 * 1024 * 1024  # an exchange file (JSON or XLSX)

UNIT_FIELDS = ("code", "national_code", "name", "kind", "parent", "country", "city", "mission_kind", "mission_name",
               "abbreviation", "opened_on", "opened_by_doc")
MEMBER_FIELDS = ("card_number", "dossier_number", "citizen_id", "full_name", "gender", "birth_date", "home_town",
                 "ethnicity", "education", "political_theory", "job_title", "workplace", "admission_decided_on",
                 "admission_date", "confirmation_date", "status", "status_since", "status_document", "category",
                 "abroad_from", "abroad_to", "unit")
# Fields that may be null (absent values); the other text fields are "" when empty.
NULLABLE = frozenset({"national_code", "parent", "card_number", "dossier_number", "admission_decided_on",
                      "confirmation_date", "abroad_from", "abroad_to", "status_since", "status_document"})
DATES = frozenset({"opened_on", "birth_date", "admission_decided_on", "admission_date", "confirmation_date",
                   "abroad_from", "abroad_to", "status_since"})
# The member fields the import hands to the members app (the rest: the unit and the status).
MEMBER_DATA = tuple(f for f in MEMBER_FIELDS if f not in ("status", "status_since", "status_document", "unit"))
NEW_STATUSES = tuple(str(s) for s in members_bulk.NEW_STATUSES)
# Statuses a record reaches by a decision after it is created: the file carries the decision's day and number.
DECIDED_STATUSES = (str(Status.EXEMPT), str(Status.SUSPENDED))

_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_NULL_DATE = {"type": ["string", "null"], "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def _text(max_length: int, *, nullable: bool = False, min_length: int = 0) -> dict:
    spec: dict[str, Any] = {"type": ["string", "null"] if nullable else "string", "maxLength": max_length}
    if min_length:
        spec["minLength"] = min_length
    return spec


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://chibo.example/exchange.schema.json",
    "title": f"chibo exchange file, version {VERSION}",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "version", "exported_on", "root", "units", "members"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_on": _DATE,
        "root": _text(32, min_length=1),
        "units": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": list(UNIT_FIELDS),
                "properties": {
                    "code": _text(32, min_length=1),
                    "national_code": _text(32, nullable=True),
                    "name": _text(200, min_length=1),
                    "kind": _text(24, min_length=1),
                    "parent": _text(32, nullable=True),
                    "country": _text(2),
                    "city": _text(100),
                    "mission_kind": _text(24),
                    "mission_name": _text(200),
                    "abbreviation": _text(20),
                    "opened_on": _DATE,
                    "opened_by_doc": _text(100),
                },
            },
        },
        "members": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [f for f in MEMBER_FIELDS if f != "citizen_id"],
                "properties": {
                    "card_number": _text(20, nullable=True),
                    "dossier_number": _text(20, nullable=True),
                    "citizen_id": _text(20),
                    "full_name": _text(120, min_length=1),
                    "gender": _text(1, min_length=1),
                    "birth_date": _DATE,
                    "home_town": _text(200),
                    "ethnicity": _text(40),
                    "education": _text(20),
                    "political_theory": _text(20),
                    "job_title": _text(200),
                    "workplace": _text(200),
                    "admission_decided_on": _NULL_DATE,
                    "admission_date": _DATE,
                    "confirmation_date": _NULL_DATE,
                    "status": _text(20, min_length=1),
                    "status_since": _NULL_DATE,
                    "status_document": _text(100, nullable=True),
                    "category": _text(20, min_length=1),
                    "abroad_from": _NULL_DATE,
                    "abroad_to": _NULL_DATE,
                    "unit": _text(32, min_length=1),
                },
            },
        },
    },
}


def schema_json() -> str:
    """The schema as published in docs/exchange.schema.json."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


# -- who ---------------------------------------------------------------------------------------------------
def require_officer(actor: Actor) -> None:
    """The exchange is the organization officers' (``units.edit``): 404 for those who do not see members at all,
    403 for those who only read them."""
    if not actor.can("members.view"):
        raise Http404
    if not actor.can("units.edit"):
        raise PermissionDenied


# -- export ------------------------------------------------------------------------------------------------
def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _scope_units(actor: Actor) -> list[Unit]:
    """The open units of the subtrees the actor organizes, parents first (by depth, then code)."""
    return list(units_with(actor, "units.edit").filter(closed_on__isnull=True).select_related("parent")
                .order_by("depth", "code"))


def _unit_record(unit: Unit) -> dict:
    return {"code": unit.code, "national_code": unit.national_code or None, "name": unit.name, "kind": unit.kind,
            "parent": unit.parent.code if unit.parent_id and unit.parent else None, "country": unit.country,
            "city": unit.city, "mission_kind": unit.mission_kind, "mission_name": unit.mission_name,
            "abbreviation": unit.abbreviation, "opened_on": unit.opened_on.isoformat(),
            "opened_by_doc": unit.opened_by_doc}


def _member_record(member: Member, unit_code: str, with_citizen_id: bool,
                   decisions: dict[int, tuple[date, str]]) -> dict:
    record = {"card_number": member.card_number or None, "dossier_number": member.dossier_number or None,
              "full_name": member.full_name, "gender": member.gender, "birth_date": _iso(member.birth_date),
              "home_town": member.home_town, "ethnicity": member.ethnicity, "education": member.education,
              "political_theory": member.political_theory, "job_title": member.job_title,
              "workplace": member.workplace, "admission_decided_on": _iso(member.admission_decided_on),
              "admission_date": _iso(member.admission_date), "confirmation_date": _iso(member.confirmation_date),
              "status": member.status, "status_since": None, "status_document": None, "category": member.category,
              "abroad_from": _iso(member.abroad_from), "abroad_to": _iso(member.abroad_to), "unit": unit_code}
    if member.status in DECIDED_STATUSES and member.pk in decisions:
        since, document = decisions[member.pk]
        record["status_since"], record["status_document"] = since.isoformat(), document or None
    if with_citizen_id:
        record["citizen_id"] = member.citizen_id or ""
    return record


def _member_sort(record: dict) -> tuple:
    return (record["unit"], record["card_number"] or "", record["full_name"], record["birth_date"],
            record["dossier_number"] or "", record["admission_date"])


def exchange_data(actor: Actor) -> dict:
    """The open units the actor organizes and the members on their rolls, as an exchange document. The citizen ID
    travels only for members of units where the actor may edit member records (who sees it on the member's
    page and in its API answer); the member list exports never carry it."""
    require_officer(actor)
    units = _scope_units(actor)
    by_pk = {u.pk: u for u in units}
    editable = {u.pk for u in units if actor.can("members.edit", u)}
    members = (members_visible(actor).filter(unit__in=list(by_pk), status__in=ACTIVE_STATUSES)
               .defer("phone", "email").order_by("pk"))
    decisions = status_decisions(members.filter(status__in=DECIDED_STATUSES).values_list("pk", flat=True))
    records = sorted((_member_record(m, by_pk[m.unit_id].code, m.unit_id in editable, decisions)
                      for m in members.iterator(chunk_size=2000)), key=_member_sort)
    roots = [u for u in units if u.parent_id not in by_pk]
    return {"format": FORMAT, "version": VERSION, "exported_on": clock.today().isoformat(),
            "root": roots[0].code if roots else "",
            "units": [_unit_record(u) for u in units], "members": records}


def audit_export(actor: Actor, data: dict, fmt: str) -> None:
    audit(actor=actor, action="exchange.exported",
          data={"format": fmt, "version": VERSION, "units": len(data["units"]), "members": len(data["members"]),
                "citizen_ids": sum(1 for m in data["members"] if "citizen_id" in m)})


def dump_json(data: dict) -> bytes:
    """The one way a document is written as JSON: keys sorted, two-space indent, UTF-8, a final newline (the
    same document gives the same bytes)."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def exchange_json(actor: Actor) -> bytes:
    data = exchange_data(actor)
    audit_export(actor, data, "json")
    return dump_json(data)


def _sheet(wb: Workbook, title: str, fields: tuple[str, ...], records: list[dict]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(fields))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for record in records:
        ws.append(["" if record.get(f) is None else record.get(f) for f in fields])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # a value beginning with "=" stays text, never a formula
                cell.data_type = "s"


def exchange_xlsx(actor: Actor) -> bytes:
    """The same document as a workbook: a sheet "format" (format, version, exported_on, root) and one sheet each
    for "units" and "members", their first row naming the fields."""
    data = exchange_data(actor)
    audit_export(actor, data, "xlsx")
    return _workbook(data)


def _workbook(data: dict) -> bytes:
    wb = Workbook()
    head = wb.active
    head.title = "format"
    for key in ("format", "version", "exported_on", "root"):
        head.append([key, data[key]])
    fields = MEMBER_FIELDS if any("citizen_id" in m for m in data["members"]) else \
        tuple(f for f in MEMBER_FIELDS if f != "citizen_id")
    _sheet(wb, "units", UNIT_FIELDS, data["units"])
    _sheet(wb, "members", fields, data["members"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- reading a file ----------------------------------------------------------------------------------------
def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _cell(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None if name in NULLABLE else ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _sheet_records(ws, known: tuple[str, ...]) -> list[dict]:
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise _refuse(f"Trang «{ws.title}» có cột không thuộc định dạng trao đổi: {', '.join(unknown)}.")
    records = []
    for row in rows:
        if all(v is None or v == "" for v in row):
            continue
        records.append({name: _cell(name, value) for name, value in zip(header, row, strict=False) if name})
    return records


def _from_xlsx(raw: bytes) -> dict:
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise _refuse("Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng).") from exc
    try:
        names = set(wb.sheetnames)
        if not {"format", "units", "members"} <= names:
            raise _refuse("Bảng tính không theo định dạng trao đổi: cần các trang «format», «units» và «members».")
        head = {str(row[0]): row[1] for row in wb["format"].iter_rows(values_only=True, max_col=2) if row and row[0]}
        version = head.get("version")
        data: dict[str, Any] = {
            "format": head.get("format"),
            "version": int(version) if isinstance(version, float) and version.is_integer() else version,
            "exported_on": _cell("exported_on", head.get("exported_on")),
            "root": _cell("root", head.get("root")),
            "units": _sheet_records(wb["units"], UNIT_FIELDS),
            "members": _sheet_records(wb["members"], MEMBER_FIELDS),
        }
    finally:
        wb.close()
    return data


def read_exchange(raw: bytes) -> dict:
    """The document in an exchange file (JSON, or XLSX: told apart by their first bytes), checked: its format and
    version first (a file of another version is refused as such), then the schema. Raises ValidationError."""
    if not raw:
        raise _refuse("Tệp trống.")
    if len(raw) > MAX_BYTES:
        raise _refuse(f"Tệp quá lớn; giới hạn {MAX_BYTES // (1024 * 1024)} MB.")
    if raw[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                if sum(i.file_size for i in zf.infolist()) > 4 * MAX_BYTES:
                    raise _refuse("Tệp giải nén quá lớn.")
        except zipfile.BadZipFile as exc:
            raise _refuse("Tệp không phải là bảng tính (tệp nén hỏng).") from exc
        data: Any = _from_xlsx(raw)
    else:
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _refuse("Tệp không phải JSON hay bảng tính Excel (.xlsx) của định dạng trao đổi.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _refuse(f"Tệp không theo định dạng trao đổi «{FORMAT}».")
    if data.get("version") != VERSION:
        raise _refuse(f"Tệp theo phiên bản {data.get('version')!s} của định dạng trao đổi; hệ thống này đọc phiên "
                      f"bản {VERSION}. Hãy xuất lại tệp theo phiên bản {VERSION}.")
    problems = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        shown = [f"{'/'.join(str(p) for p in e.absolute_path) or '(tệp)'}: {_schema_message(e)}" for e in problems[:10]]
        more = f" (và {len(problems) - 10} lỗi khác)" if len(problems) > 10 else ""
        raise _refuse("Tệp không đúng lược đồ của định dạng trao đổi: " + "; ".join(shown) + more + ".")
    return data


def _schema_message(error: jsonschema.ValidationError) -> str:
    kinds = {"required": "thiếu trường bắt buộc", "additionalProperties": "có trường không thuộc định dạng",
             "type": "sai kiểu dữ liệu", "pattern": "sai định dạng (ngày viết YYYY-MM-DD)",
             "maxLength": "quá dài", "minLength": "không được để trống", "const": "giá trị không đúng"}
    return kinds.get(str(error.validator), "không hợp lệ")


# -- import into an empty install ----------------------------------------------------------------------------
def _unit_order(data: dict) -> tuple[dict, list[dict]]:
    """The root record of the file and the others, each after its parent; refuses what cannot form one tree."""
    units = data["units"]
    codes = [u["code"].upper() for u in units]
    dupes = sorted({c for c in codes if codes.count(c) > 1}) if len(set(codes)) != len(codes) else []
    if dupes:
        raise _refuse(f"Mã tổ chức lặp lại trong tệp: {', '.join(dupes)}.")
    by_code = {u["code"].upper(): u for u in units}
    roots = [u for u in units if not u["parent"] or u["parent"].upper() not in by_code]
    if len(roots) != 1 or roots[0]["code"].upper() != data["root"].upper():
        raise _refuse("Tệp phải có đúng một tổ chức gốc (trường «root»), mọi tổ chức khác trực thuộc nó.")
    ordered: list[dict] = []
    placed = {roots[0]["code"].upper()}
    pending = [u for u in units if u is not roots[0]]
    while pending:
        ready = [u for u in pending if u["parent"].upper() in placed]
        if not ready:
            raise _refuse("Cây tổ chức trong tệp có vòng lặp: "
                          + ", ".join(sorted(u["code"] for u in pending)) + ".")
        ordered.extend(ready)
        placed.update(u["code"].upper() for u in ready)
        pending = [u for u in pending if u["code"].upper() not in placed]
    return roots[0], ordered


def _prefixed(where: str, exc: ValidationError) -> ValidationError:
    return _refuse("; ".join(f"{where}: {m}" for m in exc.messages))


def _on(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def import_target(actor: Actor) -> Unit:
    """The top unit of an install ready for an exchange import: only the top unit (from ``chibo setup``), no
    member records; the actor organizes it. Raises ValidationError otherwise."""
    require_officer(actor)
    root = unit_root()
    if root is None:
        raise _refuse("Chưa có tổ chức gốc: hãy chạy «chibo setup» trước.")
    if not (actor.can("units.edit", root) and actor.can("members.edit", root)):
        raise PermissionDenied
    if subtree_units([root.path]).exclude(pk=root.pk).exists() or members_on_rolls().exists() \
            or former_members().exists():
        raise _refuse("Chỉ nhập tệp trao đổi vào hệ thống trống (chỉ có tổ chức gốc, chưa có tổ chức trực thuộc "
                      "và hồ sơ đảng viên).")
    return root


@transaction.atomic
def exchange_import(*, actor: Actor, data: dict) -> dict[str, int]:
    """Create the document's units and members in an install holding only its top unit: the top unit takes the
    file's root record (name, codes, place), the other units come through ``units.services.unit_create`` and the
    members through ``members.bulk.members_create_many`` (timeline, audit, deadlines as any new record). All or
    nothing: any refusal rolls everything back and names the record. Returns the counts."""
    root = import_target(actor)
    root = unit_services.unit_lock(root)
    root_record, others = _unit_order(data)
    if root_record["kind"] != root.kind:
        raise _refuse(f"Tổ chức gốc «{root_record['code']}» trong tệp không cùng loại với tổ chức gốc của hệ thống.")
    changes = {name: root_record[name] or "" for name in ("name", "code", "national_code", "country", "city",
                                                            "mission_kind", "mission_name", "abbreviation",
                                                            "opened_by_doc")}
    try:
        root = unit_services.unit_update(actor=actor, unit=root, expected_version=root.version, changes=changes)
    except ValidationError as exc:
        raise _prefixed(f"Tổ chức «{root_record['code']}»", exc) from exc
    created: dict[str, Unit] = {root_record["code"].upper(): root}
    for record in others:
        try:
            unit = unit_services.unit_create(
                actor=actor, parent=created[record["parent"].upper()], kind=record["kind"], name=record["name"],
                code=record["code"], national_code=record["national_code"] or "",
                opened_on=date.fromisoformat(record["opened_on"]),
                country=record["country"], city=record["city"], mission_kind=record["mission_kind"],
                mission_name=record["mission_name"], abbreviation=record["abbreviation"],
                opened_by_doc=record["opened_by_doc"])
        except ValidationError as exc:
            raise _prefixed(f"Tổ chức «{record['code']}»", exc) from exc
        created[unit.code] = unit
    members = []
    later: list[tuple[Member, str, str, date | None, str]] = []
    problems: list[str] = []
    for number, record in enumerate(data["members"], 1):
        where = f"Đảng viên {number} ({record['full_name']})"
        home = created.get(record["unit"].upper())
        if home is None:
            problems.append(f"{where}: không có tổ chức «{record['unit']}» trong tệp.")
            continue
        status, decided = record["status"], record["status"] in DECIDED_STATUSES
        if status not in NEW_STATUSES and not decided:
            problems.append(f"{where}: tình trạng «{status}» không nhập được; chỉ nhập đảng viên dự bị, chính thức, "
                            "miễn sinh hoạt hoặc đình chỉ sinh hoạt.")
            continue
        if decided and not (record.get("status_since") and (record.get("status_document") or "").strip()):
            problems.append(f"{where}: tình trạng «{status}» cần ngày hiệu lực (status_since) và số quyết định "
                            "(status_document).")
            continue
        if not decided and (record.get("status_since") or record.get("status_document")):
            problems.append(f"{where}: ngày và quyết định về tình trạng chỉ ghi cho đảng viên miễn hoặc đình chỉ "
                            "sinh hoạt.")
            continue
        fields = {name: _on(record.get(name)) if name in DATES else record.get(name) or ""
                  for name in MEMBER_DATA if name in record}
        # A record created first as the member was before the decision, then given its status by that decision.
        first = status if not decided else (Status.FULL if status == Status.EXEMPT or fields.get("confirmation_date")
                                            else Status.PROBATIONARY)
        try:
            members.append(members_bulk.new_member(home, first, normalize_data(fields)))
        except ValidationError as exc:
            problems.extend(f"{where}: {m}" for m in exc.messages)
            continue
        if decided:
            later.append((members[-1], where, status, _on(record["status_since"]), record["status_document"]))
    if problems:
        raise _refuse(" ".join(problems[:20]) + (f" (và {len(problems) - 20} lỗi khác)" if len(problems) > 20 else ""))
    try:
        members_bulk.members_create_many(actor=actor, members=members, event_data={"exchange": True})
    except ValidationError as exc:
        raise _prefixed("Đảng viên", exc) from exc
    for member, where, status, since, document in later:
        assert since is not None  # checked above
        try:
            member_change_status(actor=actor, member=member, status=status, document=document, effective_on=since,
                                 reason="Tình trạng đã có trước khi nhập từ tệp trao đổi")
        except ValidationError as exc:
            raise _prefixed(where, exc) from exc
    counts = {"units": len(created), "members": len(members)}
    audit(actor=actor, action="exchange.imported", unit=root, data={"version": VERSION, **counts})
    return counts


# -- reconciliation with a national extract --------------------------------------------------------------------
UNIT_COMPARED = ("name", "kind", "parent", "country", "city")
MEMBER_COMPARED = ("full_name", "gender", "birth_date", "dossier_number", "admission_date", "confirmation_date",
                   "status", "category", "unit", "citizen_id")
FIELD_LABELS = TranslatedLabels({
    "name": gettext_noop("Tên"),
    "kind": gettext_noop("Loại tổ chức"),
    "parent": gettext_noop("Tổ chức cấp trên (mã quốc gia)"),
    "country": gettext_noop("Quốc gia"),
    "city": gettext_noop("Thành phố"),
    "full_name": gettext_noop("Họ và tên"),
    "gender": gettext_noop("Giới tính"),
    "birth_date": gettext_noop("Ngày sinh"),
    "dossier_number": gettext_noop("Số lý lịch"),
    "admission_date": gettext_noop("Ngày vào Đảng"),
    "confirmation_date": gettext_noop("Ngày chính thức"),
    "status": gettext_noop("Tình trạng"),
    "category": gettext_noop("Diện ở nước ngoài"),
    "unit": gettext_noop("Chi bộ (mã quốc gia)"),
    "citizen_id": gettext_noop("Số CCCD"),
})


@dataclass(frozen=True)
class Entry:
    """A record present on one side only: its key (national code or card number) and its name."""

    key: str
    name: str


@dataclass(frozen=True)
class Difference:
    key: str
    name: str
    field: str
    here: str
    there: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass
class Report:
    units_here_only: list[Entry] = field(default_factory=list)
    units_there_only: list[Entry] = field(default_factory=list)
    units_different: list[Difference] = field(default_factory=list)
    members_here_only: list[Entry] = field(default_factory=list)
    members_there_only: list[Entry] = field(default_factory=list)
    members_different: list[Difference] = field(default_factory=list)
    # Records here that cannot be matched: units without a national code, members without a card number.
    units_without_code: list[Entry] = field(default_factory=list)
    members_without_card: list[Entry] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.units_here_only or self.units_there_only or self.units_different or self.members_here_only
                    or self.members_there_only or self.members_different)


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def _differences(key: str, name: str, here: dict, there: dict, fields: tuple[str, ...]) -> list[Difference]:
    return [Difference(key, name, f, _value(here.get(f)), _value(there.get(f))) for f in fields
            if f in here and f in there and _value(here.get(f)) != _value(there.get(f))]


def reconcile(actor: Actor, extract: dict) -> Report:
    """What differs between the actor's records (the open units it organizes, keyed by national code, and the
    members on their rolls, keyed by party card number) and a national extract in the exchange format. The
    extract's records are taken where they concern the actor's scope: a unit whose national code, or whose
    parent's, is one of the scope's (and so on down the extract's tree); a member whose unit is one of those or
    whose card number is one here."""
    mine = exchange_data(actor)
    report = Report()
    here_nat = {u["code"]: u["national_code"] for u in mine["units"]}
    for u in mine["units"]:
        if not u["national_code"]:
            report.units_without_code.append(Entry(u["code"], u["name"]))
    here_by_nat = {u["national_code"]: {**u, "parent": here_nat.get(u["parent"] or "")}
                   for u in mine["units"] if u["national_code"]}

    there_units = {u["code"].upper(): u for u in extract["units"]}
    there_nat = {code: u["national_code"] for code, u in there_units.items()}
    there_by_nat: dict[str, dict] = {}
    scope_nat = set(here_by_nat)
    grew = True
    while grew:  # the extract's units in scope, and those below them (a new cell under a new committee)
        grew = False
        for u in extract["units"]:
            nat = u["national_code"]
            parent_nat = there_nat.get((u["parent"] or "").upper())
            if nat and nat not in there_by_nat and (nat in scope_nat or (parent_nat and parent_nat in scope_nat)):
                there_by_nat[nat] = {**u, "parent": parent_nat}
                scope_nat.add(nat)
                grew = True
    for nat in sorted(here_by_nat.keys() - there_by_nat.keys()):
        report.units_here_only.append(Entry(nat, here_by_nat[nat]["name"]))
    for nat in sorted(there_by_nat.keys() - here_by_nat.keys()):
        report.units_there_only.append(Entry(nat, there_by_nat[nat]["name"]))
    for nat in sorted(here_by_nat.keys() & there_by_nat.keys()):
        report.units_different.extend(_differences(nat, here_by_nat[nat]["name"], here_by_nat[nat],
                                                   there_by_nat[nat], UNIT_COMPARED))

    here_members: dict[str, dict] = {}
    for m in mine["members"]:
        if not m["card_number"]:
            report.members_without_card.append(Entry("", m["full_name"]))
            continue
        here_members[m["card_number"]] = {**m, "unit": here_nat.get(m["unit"])}
    there_members: dict[str, dict] = {}
    for m in extract["members"]:
        card = (m["card_number"] or "").replace(" ", "").upper()
        unit_nat = there_nat.get(m["unit"].upper())
        if card and (card in here_members or (unit_nat and unit_nat in scope_nat)):
            there_members[card] = {**m, "unit": unit_nat}
    for card in sorted(here_members.keys() - there_members.keys()):
        report.members_here_only.append(Entry(card, here_members[card]["full_name"]))
    for card in sorted(there_members.keys() - here_members.keys()):
        report.members_there_only.append(Entry(card, there_members[card]["full_name"]))
    for card in sorted(here_members.keys() & there_members.keys()):
        report.members_different.extend(_differences(card, here_members[card]["full_name"], here_members[card],
                                                     there_members[card], MEMBER_COMPARED))
    audit(actor=actor, action="exchange.reconciled",
          data={"version": VERSION, "units_here_only": len(report.units_here_only),
                "units_there_only": len(report.units_there_only), "units_different": len(report.units_different),
                "members_here_only": len(report.members_here_only),
                "members_there_only": len(report.members_there_only),
                "members_different": len(report.members_different)})
    return report


def report_sections(report: Report) -> list[tuple[str, str, list]]:
    """(slug, title, rows) of each part of the report, in the order the page and the workbook show them."""
    return [
        ("units_here_only", "Tổ chức chỉ có ở đây", report.units_here_only),
        ("units_there_only", "Tổ chức chỉ có trong dữ liệu toàn quốc", report.units_there_only),
        ("units_different", "Tổ chức có thông tin khác nhau", report.units_different),
        ("members_here_only", "Đảng viên chỉ có ở đây", report.members_here_only),
        ("members_there_only", "Đảng viên chỉ có trong dữ liệu toàn quốc", report.members_there_only),
        ("members_different", "Đảng viên có thông tin khác nhau", report.members_different),
        ("units_without_code", "Tổ chức chưa có mã quốc gia (không đối chiếu được)", report.units_without_code),
        ("members_without_card", "Đảng viên chưa có số thẻ (không đối chiếu được)", report.members_without_card),
    ]


def reconcile_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet, a block per part."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Đối chiếu"
    ws.append(["ĐỐI CHIẾU VỚI DỮ LIỆU TOÀN QUỐC"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Lập ngày {clock.today():%d/%m/%Y}"])
    for _slug, title, rows in report_sections(report):
        ws.append([])
        ws.append([f"{title}: {len(rows)}"])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        if rows and isinstance(rows[0], Difference):
            ws.append(["Mã", "Tên", "Trường", "Ở đây", "Dữ liệu toàn quốc"])
            for d in rows:
                ws.append(safe_row([d.key, d.name, d.label, d.here, d.there]))
        elif rows:
            ws.append(["Mã", "Tên"])
            for e in rows:
                ws.append(safe_row([e.key, e.name]))
    for letter, width in zip("ABCDE", (18, 36, 28, 28, 28), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
