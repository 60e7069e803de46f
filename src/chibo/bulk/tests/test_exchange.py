"""The exchange format: export (JSON and XLSX, the schema published in docs), the refusal of a file of another
version or invalid against the schema, the reconciliation report with a national extract (page, workbook, API),
and the round trip through an empty install (all or nothing; byte-identical JSON)."""

from __future__ import annotations

import copy
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from chibo.bulk import exchange
from chibo.core.models import AuditEvent
from chibo.members.models import Member
from chibo.units.models import Unit
from chibo.units.services import unit_create

ROOT = Path(__file__).resolve().parents[4]


def _upload(data: dict | bytes, name: str = "trich-xuat.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, raw, content_type="application/octet-stream")


def test_the_published_schema_is_the_one_the_import_checks():
    assert (ROOT / "docs" / "exchange.schema.json").read_text(encoding="utf-8") == exchange.schema_json()
    assert "exchange.schema.json" in (ROOT / "docs" / "exchange-format.md").read_text(encoding="utf-8")


@pytest.fixture
def coded(db):
    """Every open unit of the demo with a national code (the demo has none)."""
    for u in Unit.objects.filter(closed_on__isnull=True):
        u.national_code = f"VN-{u.pk:05d}"
        u.save(update_fields=["national_code"])


def test_export_json_and_xlsx_carry_the_official_codes_within_scope(client_of, coded):
    officer = client_of("ban.tochuc")
    page = officer.get(reverse("bulk:exchange"))
    assert page.status_code == 200 and "Đối chiếu" in page.text
    response = officer.get(reverse("bulk:exchange_json"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    data = exchange.read_exchange(raw)  # valid against its own schema
    assert data["units"][0]["parent"] is None and data["root"] == data["units"][0]["code"]
    assert all(u["national_code"] for u in data["units"])
    on_rolls = Member.objects.filter(status__in=("probationary", "full", "exempt", "suspended"))
    assert len(data["members"]) == on_rolls.count()
    sample = next(m for m in data["members"] if m["card_number"])
    held = Member.objects.get(card_number=sample["card_number"])
    assert sample["citizen_id"] == held.citizen_id and sample["unit"] == held.unit.code
    assert AuditEvent.objects.filter(action="exchange.exported").latest("pk").data["members"] == len(data["members"])
    # the workbook reads back to the same document
    book = officer.get(reverse("bulk:exchange_xlsx"))
    assert book.status_code == 200
    assert exchange.read_exchange(book.content) == data
    # the API gives the same document
    assert officer.get("/api/v1/exchange/").json() == data
    # the inspector reads members but organizes nothing: refused; a member: not found
    assert client_of("ub.kiemtra").get(reverse("bulk:exchange")).status_code == 403
    assert client_of("dangvien.phap").get(reverse("bulk:exchange_json")).status_code == 404
    assert client_of("bithu.phap").get("/api/v1/exchange/").status_code == 403


def test_reconciliation_finds_exactly_the_planted_differences(client_of, actor_of, coded):
    extract = exchange.exchange_data(actor_of("ban.tochuc"))
    units = extract["units"]
    by_code = {u["code"]: u for u in units}
    members = [m for m in extract["members"] if m["card_number"]]
    # planted: a unit renamed there, a unit missing there (one without members), a new unit there;
    # a member missing there, a member new there, a member born another day there.
    renamed = by_code["PHAP-LHS"]
    renamed["name"] = "Chi bộ Lưu học sinh Paris"
    empty = unit_create(actor=actor_of("ban.tochuc"), parent=Unit.objects.get(code="PHAP"), kind="subordinate_cell",
                        name="Chi bộ chưa báo lên", code="PHAP-CHUA", opened_on=date(2024, 1, 1),
                        national_code="VN-HERE-1")
    empty = {"national_code": empty.national_code, "name": empty.name}
    units.append({**renamed, "code": "MOI", "national_code": "VN-NEW-1", "name": "Chi bộ mới lập",
                  "parent": renamed["parent"]})
    gone = members[0]
    extract["members"].remove(gone)
    changed = members[1]
    changed["birth_date"] = "1970-01-01" if changed["birth_date"] != "1970-01-01" else "1971-01-01"
    extract["members"].append({**members[2], "card_number": "88000001", "full_name": "Người Mới", "unit": "MOI"})

    api = client_of("ban.tochuc")
    answer = api.post("/api/v1/exchange/reconcile/", {"file": _upload(extract)})
    assert answer.status_code == 200, answer.content
    report = answer.json()
    assert report["units_here_only"] == [{"key": empty["national_code"], "name": empty["name"]}]
    assert report["units_there_only"] == [{"key": "VN-NEW-1", "name": "Chi bộ mới lập"}]
    assert [(d["key"], d["field"], d["there"]) for d in report["units_different"]] == [
        (renamed["national_code"], "name", "Chi bộ Lưu học sinh Paris")]
    assert report["members_here_only"] == [{"key": gone["card_number"], "name": gone["full_name"]}]
    assert report["members_there_only"] == [{"key": "88000001", "name": "Người Mới"}]
    assert [(d["key"], d["field"], d["there"]) for d in report["members_different"]] == [
        (changed["card_number"], "birth_date", changed["birth_date"])]
    assert report["identical"] is False
    # the page shows the same, and the workbook holds it
    page = api.post(reverse("bulk:exchange_reconcile"), {"extract-file": _upload(extract), "as": "page"})
    assert page.status_code == 200 and "Người Mới" in page.text and "Chi bộ Lưu học sinh Paris" in page.text
    book = api.post(reverse("bulk:exchange_reconcile"), {"extract-file": _upload(extract), "as": "xlsx"})
    assert book.status_code == 200 and book["Cache-Control"] == "no-store"
    cells = {c for row in openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True)
             for c in row if c}
    assert {"88000001", "Người Mới", "VN-NEW-1", gone["card_number"], changed["birth_date"]} <= cells
    # the same extract against itself: nothing differs
    same = api.post("/api/v1/exchange/reconcile/", {"file": _upload(exchange.exchange_data(actor_of("ban.tochuc")))})
    assert same.json()["identical"] is True


def test_a_file_of_another_version_or_invalid_is_refused_and_nothing_is_written(client_of, actor_of, coded):
    data = exchange.exchange_data(actor_of("ban.tochuc"))
    api = client_of("ban.tochuc")
    units, members = Unit.objects.count(), Member.objects.count()
    older = api.post("/api/v1/exchange/import/", {"file": _upload({**data, "version": 1})})
    assert older.status_code == 400 and "phiên bản 1" in older.json()["file"][0]
    broken = copy.deepcopy(data)
    broken["members"][0]["birth_date"] = "01/02/1990"
    del broken["units"][0]["name"]
    invalid = api.post("/api/v1/exchange/reconcile/", {"file": _upload(broken)})
    assert invalid.status_code == 400 and "lược đồ" in invalid.json()["file"][0]
    assert "members/0/birth_date" in invalid.json()["file"][0]
    other = api.post("/api/v1/exchange/import/", {"file": _upload({"format": "khac", "version": 2})})
    assert other.status_code == 400 and "không theo định dạng trao đổi" in other.json()["file"][0]
    # this install is not empty: the import is refused, on the page as in the API
    full = api.post("/api/v1/exchange/import/", {"file": _upload(data)})
    assert full.status_code == 400 and "hệ thống trống" in full.json()["file"][0]
    page = api.post(reverse("bulk:exchange_import"), {"import-file": _upload(data)})
    assert page.status_code == 200 and "hệ thống trống" in page.text
    assert (Unit.objects.count(), Member.objects.count()) == (units, members)
    assert client_of("bithu.phap").post(reverse("bulk:exchange_import"), {"import-file": _upload(data)}
                                        ).status_code == 403


def _setup(code: str = "DUBNG") -> str:
    call_command("setup", "--no-input", "--unit-name", "Đảng ủy Bộ Ngoại giao", "--unit-code", code,
                 "--name", "Nguyễn Thị Lan", stdout=io.StringIO())
    from chibo.accounts.models import User

    User.objects.filter(username="nguyen.thi.lan").update(is_active=True)
    return "nguyen.thi.lan"


def _source_org(username: str) -> None:
    """A small organization built through the services: two levels of units with national codes, members with
    and without card numbers and citizen IDs."""
    from chibo.accounts.cli import cli_actor
    from chibo.core import citizen_ids
    from chibo.members import bulk as members_bulk
    from chibo.members.services import member_change_status, normalize_data
    from chibo.units.selectors import unit_root
    from chibo.units.services import unit_create, unit_update

    actor = cli_actor(username)
    root = unit_root()
    unit_update(actor=actor, unit=root, expected_version=root.version, changes={"national_code": "TW-01"})
    committee = unit_create(actor=actor, parent=root, kind="grassroots_committee", name="Đảng bộ tại Pháp",
                            code="PHAP", opened_on=date(2001, 1, 1), country="FR", city="Paris",
                            national_code="TW-01.1")
    cells = [unit_create(actor=actor, parent=committee, kind="subordinate_cell", name=f"Chi bộ {i}", code=f"PHAP-{i}",
                         opened_on=date(2005, 1, 1), country="FR", national_code=None if i == 2 else f"TW-01.1.{i}")
             for i in (1, 2)]
    members = []
    for i in range(6):
        born = date(1980 + i, 3, 1 + i)
        female = i % 2 == 1
        data = {"full_name": f"Nguyễn Văn Thử {chr(65 + i)}", "gender": "F" if female else "M", "birth_date": born,
                "admission_date": date(2010, 5, 19), "confirmation_date": date(2011, 5, 19) if i else None,
                "category": "self_student", "home_town": "Hà Nội", "card_number": f"9100000{i}" if i != 3 else "",
                "citizen_id": citizen_ids.make(province="001", birth_year=born.year, female=female, serial=i)
                if i % 3 else ""}
        members.append(members_bulk.new_member(cells[i % 2], "full" if i else "probationary", normalize_data(data)))
    created = members_bulk.members_create_many(actor=actor, members=members)
    # one exempt and one suspended member, each by a decision of its own day
    member_change_status(actor=actor, member=created[2], status="exempt", reason="Tuổi cao, sức yếu",
                         document="12-QĐ/ĐU", effective_on=date(2024, 3, 4))
    member_change_status(actor=actor, member=created[5], status="suspended", reason="Đang bị kiểm tra",
                         document="7-QĐ/UBKT", effective_on=date(2025, 9, 30))


def test_round_trip_through_an_empty_install(flush_install, tmp_path):
    flush_install()
    officer = _setup()
    _source_org(officer)
    first = tmp_path / "first.json"
    call_command("exchange", "export", "--output", str(first), "--user", officer)
    data = json.loads(first.read_text(encoding="utf-8"))
    assert len(data["units"]) == 4 and len(data["members"]) == 6
    assert sum(1 for m in data["members"] if m["citizen_id"]) == 4
    decided = {m["full_name"]: (m["status"], m["status_since"], m["status_document"]) for m in data["members"]
               if m["status_since"]}
    assert decided == {"Nguyễn Văn Thử C": ("exempt", "2024-03-04", "12-QĐ/ĐU"),
                       "Nguyễn Văn Thử F": ("suspended", "2025-09-30", "7-QĐ/UBKT")}

    flush_install()
    officer = _setup("TAM")
    # all or nothing: a file whose last member is refused leaves only the top unit, as it was
    broken = copy.deepcopy(data)
    broken["members"][-1]["gender"] = "X"
    bad = tmp_path / "bad.json"
    bad.write_bytes(exchange.dump_json(broken))
    with pytest.raises(CommandError, match="Đảng viên"):
        call_command("exchange", "import", str(bad), "--user", officer)
    undecided = copy.deepcopy(data)
    next(m for m in undecided["members"] if m["status"] == "exempt")["status_document"] = None
    bad.write_bytes(exchange.dump_json(undecided))
    with pytest.raises(CommandError, match="status_document"):
        call_command("exchange", "import", str(bad), "--user", officer)
    assert Unit.objects.count() == 1 and Unit.objects.get().code == "TAM" and not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.imported").exists()

    out = io.StringIO()
    call_command("exchange", "import", str(first), "--user", officer, stdout=out)
    assert "4 units and 6 members" in out.getvalue()
    suspended = Member.objects.get(full_name="Nguyễn Văn Thử F")
    assert suspended.status == "suspended"
    assert list(suspended.timeline.filter(kind="member.status_changed").values_list("occurred_on", "data__document")
                ) == [(date(2025, 9, 30), "7-QĐ/UBKT")]
    second = tmp_path / "second.json"
    call_command("exchange", "export", "--output", str(second), "--user", officer)
    assert second.read_bytes() == first.read_bytes()
    # a second import into the now full install is refused
    with pytest.raises(CommandError, match="hệ thống trống"):
        call_command("exchange", "import", str(first), "--user", officer)
