"""Member import: messy real-world files, legacy encodings, all-or-nothing vs valid rows, crash mid-import,
idempotent re-import, bad input refused with nothing written."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from chibo.bulk import legacy
from chibo.bulk.services import ImportRefused, execute, import_file
from chibo.bulk.sheets import report_xlsx, template_xlsx
from chibo.core.models import AuditEvent
from chibo.core.spreadsheets import FileRefused
from chibo.deadlines.models import Deadline
from chibo.members.models import Member, TimelineEvent

HEADER = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Số lý lịch", "Ngày vào Đảng",
          "Ngày chính thức", "Diện ở nước ngoài", "Mã chi bộ", "Quê quán"]
NAMES = ["Nguyễn Văn Đức", "Trần Thị Hằng", "Phạm Ngọc Ánh", "Hoàng Thị Thu Hương", "Đặng Hữu Nghĩa",
         "Bùi Xuân Trường", "Võ Thị Mỹ Dung", "Ngô Bảo Châu"]


def rows_for(names, *, card_base=88_000_000, unit="PHAP-LHS"):
    out = []
    for i, name in enumerate(names):
        full = i % 2 == 0
        out.append([i + 1, name, "Nam" if i % 3 else "Nữ", f"{(i % 27) + 1:02d}/0{(i % 9) + 1}/198{i % 10}",
                    str(card_base + i), f"{card_base + i}LL", f"1{(i % 9) + 1}/05/2010" if full else "02/03/2025",
                    "19/05/2011" if full else "", "Lưu học sinh tự túc", unit, "Thái Bình"])
    return out


def xlsx(tmp_path, rows, header=HEADER, name="ds.xlsx", banner=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if banner:  # a merged title banner above the header, as real files have
        ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ"])
        ws.merge_cells("A1:F1")
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def run(actor, path, **kw):
    return import_file(actor=actor, path=path, size=path.stat().st_size, file_name=path.name, **kw)


def db_state():
    return (Member.objects.count(), TimelineEvent.objects.count(), AuditEvent.objects.count(), Deadline.objects.count(),
            sorted(Member.objects.values_list("pk", "version")))


# -- encodings ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES + ["Quách Thị Giang", "Lê Quang Vinh", "Huỳnh Tấn Phát"])
def test_legacy_round_trip(name):
    vni = legacy.unicode_to_vni(name)
    tcvn = legacy.unicode_to_tcvn3(name)
    assert vni != name and tcvn != name
    assert legacy.vni_to_unicode(vni) == name
    # TCVN3 has no upper-case toned letters (they came from a separate capital font).
    assert legacy.tcvn3_to_unicode(tcvn).lower() == name.lower()


def test_known_legacy_spellings_and_detection():
    assert legacy.tcvn3_to_unicode("NguyÔn V¨n §øc") == "Nguyễn Văn Đức"
    assert legacy.vni_to_unicode("Nguyeãn Vaên Ñöùc") == "Nguyễn Văn Đức"
    assert legacy.column_encoding(["NguyÔn V¨n §øc", "TrÇn ThÞ H»ng", "Lª Quang Vinh"]) == legacy.TCVN3
    assert legacy.column_encoding(["Nguyeãn Vaên Ñöùc", "Leâ Quang Vinh", "Quaùch Thò Giang"]) == legacy.VNI
    assert legacy.column_encoding(["Nguyễn Văn Đức", "Lê Thị Hà", "Nguyen Van A"]) == legacy.UNICODE
    with pytest.raises(legacy.MixedEncodings):
        legacy.column_encoding(["NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"])


# -- the happy path, legacy files, idempotence --------------------------------------------------------
def test_import_legacy_and_nfd_file_then_reimport_changes_nothing(tmp_path, actor_of):
    import unicodedata

    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES)
    rows[0][1] = legacy.unicode_to_vni(NAMES[0])           # the name column in VNI …
    for r in rows[1:]:
        r[1] = legacy.unicode_to_vni(r[1])
    rows[2][10] = unicodedata.normalize("NFD", "Hà Nội")   # … and one NFD town
    rows[3][3] = 29285                                      # an Excel serial date
    rows[4][1] = "  " + rows[4][1].upper() + " "            # shouting, stray spaces
    path = xlsx(tmp_path, rows)
    before = db_state()
    plan, outcome = run(actor, path, dry_run=True)
    assert db_state() == before
    assert plan.encodings["full_name"] == legacy.VNI
    assert plan.counts == {"rows": 8, "new": 8, "update": 0, "unchanged": 0, "error": 0}, [r.errors for r in plan.rows]
    assert ("Họ và tên", legacy.unicode_to_vni(NAMES[1]), NAMES[1]) in plan.conversions
    plan, outcome = run(actor, path, mode="all")
    assert outcome.counts["new"] == 8
    got = dict(Member.objects.filter(card_number__startswith="88000").values_list("card_number", "full_name"))
    assert got["88000000"] == "Nguyễn Văn Đức"
    assert got["88000004"] == "Đặng Hữu Nghĩa"
    m = Member.objects.get(card_number="88000002")
    assert m.home_town == "Hà Nội" and m.name_search == "pham ngoc anh"
    assert Member.objects.get(card_number="88000003").birth_date == date(1980, 3, 5)
    assert TimelineEvent.objects.filter(member__card_number__startswith="88000").count() == 8
    probationary = Member.objects.filter(card_number__startswith="88000", status="probationary")
    assert probationary.count() == 4
    assert Deadline.objects.filter(member__in=probationary, kind="probation.confirmation").count() == 4
    # the deadlines are opened together, each with its own audit event, and the audit chain still verifies
    from chibo.core.audit import verify_chain

    for deadline in Deadline.objects.filter(member__in=probationary).select_related("member", "rule"):
        assert deadline.source == f"member:{deadline.member_id}"
        assert deadline.start_date.year == deadline.member.admission_date.year + 1
        assert deadline.due_date > deadline.start_date and deadline.rule.key == "confirmation.consider_within"
        opened = AuditEvent.objects.get(action="deadline.opened", object_id=str(deadline.pk))
        assert opened.data["member"] == deadline.member_id and opened.data["due"] == deadline.due_date.isoformat()
    assert verify_chain().ok
    event = AuditEvent.objects.filter(action="members.imported").latest("pk")
    assert (event.data["new"] == 8 and len(event.data["sha256"]) == 64
            and event.data["encodings"] == {"full_name": "vni"})
    # Again: nothing changes (idempotent upsert by card number).
    before = db_state()
    plan, outcome = run(actor, path, mode="all")
    assert plan.counts["unchanged"] == 8 and outcome.counts["new"] == 0
    assert db_state()[0:2] == before[0:2] and db_state()[4] == before[4]


def test_tcvn3_csv_with_changed_row_updates(tmp_path, actor_of):
    actor = actor_of("ban.tochuc")
    rows = rows_for(NAMES[:3], card_base=77_000_000)
    path = tmp_path / "ds.csv"
    lines = [";".join(HEADER)] + [";".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    run(actor, path, mode="all")
    rows[1][10] = legacy.unicode_to_tcvn3("Hải Phòng")
    for r in rows:
        r[1] = legacy.unicode_to_tcvn3(r[1])
        r[10] = legacy.unicode_to_tcvn3(r[10]) if r is not rows[1] else r[10]
    lines = [";".join(HEADER)] + [";".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    plan, outcome = run(actor, path, mode="all")
    assert plan.encodings["home_town"] == legacy.TCVN3
    # TCVN3 names come back lower-case-toned; the name clean-up restores the capitals, so they are unchanged.
    assert plan.counts["update"] == 1 and plan.counts["unchanged"] == 2, [(r.action, r.changes) for r in plan.rows]
    assert Member.objects.get(card_number="77000001").home_town == "Hải Phòng"


# -- errors: all-or-nothing, valid rows only, crash mid-import ---------------------------------------
def messy(tmp_path):
    rows = rows_for(NAMES, card_base=66_000_000)
    rows[2][3] = "31/02/1980"          # not a date
    rows[5][4] = rows[4][4]            # duplicate card number in the file
    rows[6][9] = "KHONG-CO"            # unknown unit
    rows[7][9] = "DUC-DSQ"             # outside bithu.phap's scope
    return xlsx(tmp_path, rows)


def test_all_or_nothing_refuses_and_report_lists_errors(tmp_path, actor_of):
    actor = actor_of("bithu.phap")
    path = messy(tmp_path)
    before = db_state()
    plan, _ = run(actor, path, dry_run=True)
    assert plan.counts["error"] == 4 and plan.counts["new"] == 4
    with pytest.raises(ImportRefused, match="4 dòng lỗi"):
        execute(actor=actor, plan=plan, mode="all")
    assert db_state() == before
    report = openpyxl.load_workbook(io.BytesIO(report_xlsx(plan)), read_only=True)
    lines = list(report.active.iter_rows(values_only=True))
    assert lines[0][-2:] == ("Kết quả", "Lỗi")
    errors = {line[0]: line[-1] for line in lines[1:] if line[-2] == "Lỗi"}
    assert "không phải là ngày" in errors[5]
    assert "trùng với dòng" in errors[8]
    assert "KHONG-CO" in errors[9] and "ngoài phạm vi" in errors[10]


def test_valid_rows_only_writes_exactly_the_valid_rows(tmp_path, actor_of):
    actor = actor_of("bithu.phap")
    plan, outcome = run(actor, messy(tmp_path), mode="valid")
    assert outcome.counts["new"] == 4
    assert Member.objects.filter(card_number__startswith="66000").count() == 4


def test_a_row_the_member_rules_refuse_is_a_row_error_not_a_failed_import(tmp_path, actor_of):
    """The member rules (admitted before 16) answer field by field: the row carries the message."""
    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES[:2], card_base=67_000_000)
    rows[1][3] = "01/01/2000"  # born 2000, admitted 2025 is fine; admitted 2010 is not
    rows[1][6], rows[1][7] = "19/05/2010", "19/05/2011"
    before = db_state()
    plan, _ = run(actor, xlsx(tmp_path, rows), dry_run=True)
    assert (plan.counts["new"], plan.counts["error"]) == (1, 1)
    error = next(r for r in plan.rows if r.errors)
    assert any("16 tuổi" in e and e.startswith("Ngày vào Đảng:") for e in error.errors), error.errors
    assert db_state() == before


def test_crash_mid_import_leaves_database_as_before(tmp_path, actor_of):
    actor = actor_of("bithu.phap")
    plan, _ = run(actor, messy(tmp_path), dry_run=True)
    before = db_state()
    seen = []

    def crash(done, total):
        seen.append(done)
        if done >= 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        execute(actor=actor, plan=plan, mode="valid", progress=crash, batch=2)
    assert seen == [2]  # the first batch was inserted before the crash …
    assert db_state() == before  # … and rolled back with everything else
    execute(actor=actor, plan=plan, mode="valid", batch=2)
    assert Member.objects.filter(card_number__startswith="66000").count() == 4


# -- one audit row per member, in the chain -----------------------------------------------------------
def member_audit_rows(file_rows, action):
    """The ``action`` audit rows of the members of a file's rows, by member id (one each, or this fails)."""
    pks = [str(pk) for pk in Member.objects.filter(card_number__in=[str(r[4]) for r in file_rows])
           .values_list("pk", flat=True)]
    found = AuditEvent.objects.filter(action=action, object_type="member", object_id__in=pks)
    out = {int(row.object_id): row for row in found}
    assert len(out) == found.count()
    return out


def test_an_import_audits_each_member_it_creates_and_the_chain_verifies(tmp_path, actor_of):
    """N new members: N "member.created" audit rows, each saying what the member's timeline says, plus the
    import's own row; the chain verifies; the counters equal a recount."""
    from django.core.management import call_command

    from chibo.members.counters import counts_check

    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES, card_base=55_000_000) + rows_for(NAMES[:4], card_base=55_000_100, unit="PHAP-DSQ")
    audits = AuditEvent.objects.count()
    plan, outcome = run(actor, xlsx(tmp_path, rows), mode="all")
    assert outcome.counts["new"] == len(rows) == 12
    members = {m.pk: m for m in Member.objects.filter(card_number__startswith="55000").select_related("unit")}
    assert len(members) == 12
    by_member = member_audit_rows(rows, "member.created")
    assert sorted(by_member) == sorted(members)
    events = {e.member_id: e for e in TimelineEvent.objects.filter(member__in=members.values())}
    assert sorted(events) == sorted(members)  # each member's timeline has its created event
    for pk, member in members.items():
        row, event = by_member[pk], events[pk]
        assert event.kind == "member.created" and event.occurred_on == member.admission_date
        assert row.data == event.data == {"status": member.status, "unit": member.unit.name,
                                          "unit_id": member.unit_id, "import": True}
        assert (row.unit_id, row.actor_id, row.actor_label, row.ip) == (member.unit_id, actor.user.pk, "", "127.0.0.1")
    probationary = [m for m in members.values() if m.status == "probationary"]
    assert len(probationary) == 6
    assert Deadline.objects.filter(member__in=probationary, kind="probation.confirmation").count() == 6
    # the members' rows, a deadline.opened row per probationary member, and the import's own row
    assert AuditEvent.objects.count() == audits + 12 + 6 + 1
    assert AuditEvent.objects.filter(action="members.imported").latest("pk").data["new"] == 12
    call_command("audit", "verify")  # seals first, then walks the whole chain
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0
    assert counts_check() == []


def test_an_import_audits_each_member_it_updates(tmp_path, actor_of):
    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES[:4], card_base=56_000_000)
    run(actor, xlsx(tmp_path, rows), mode="all")
    before = {m.card_number: m.version for m in Member.objects.filter(card_number__startswith="56000")}
    rows[1][10], rows[2][8] = "Hải Phòng", "Người lao động"  # a town, and a category (the counters move)
    audits = AuditEvent.objects.count()
    plan, outcome = run(actor, xlsx(tmp_path, rows, name="ds2.xlsx"), mode="all")
    assert (outcome.counts["update"], outcome.counts["unchanged"]) == (2, 2)
    updated = {m.pk: m for m in Member.objects.filter(card_number__in=["56000001", "56000002"])}
    by_member = member_audit_rows(rows, "member.updated")
    assert sorted(by_member) == sorted(updated)
    assert AuditEvent.objects.count() == audits + 2 + 1
    for pk, member in updated.items():
        assert member.version == before[member.card_number] + 1
        event = TimelineEvent.objects.filter(member=member, kind="member.updated").get()
        assert event.data["version"] == member.version  # the audit row names the fields, never their values
        assert by_member[pk].data == {"changed": [c["field"] for c in event.data["changed"]], "version": member.version}
    town = next(pk for pk, m in updated.items() if m.card_number == "56000001")
    assert by_member[town].data["changed"] == ["home_town"] and "Hải Phòng" not in str(by_member[town].data)
    town_event = TimelineEvent.objects.get(member_id=town, kind="member.updated")
    assert [(c["field"], c["new"]) for c in town_event.data["changed"]] == [("home_town", "Hải Phòng")]
    assert Member.objects.get(card_number="56000002").category == "labourer"
    from chibo.core.audit import verify_chain
    from chibo.members.counters import counts_check

    assert verify_chain().ok and counts_check() == []


def test_a_failing_import_writes_no_audit_row(tmp_path, actor_of):
    """A crash after some members were written: their rows, events and audit rows go with the rollback, and
    nothing is left for the sealing."""
    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES, card_base=57_000_000)
    plan, _ = run(actor, xlsx(tmp_path, rows), dry_run=True)
    audits = AuditEvent.objects.count()
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()

    def crash(done, total):
        if done >= 4:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        execute(actor=actor, plan=plan, mode="all", progress=crash, batch=4)
    assert AuditEvent.objects.count() == audits
    assert AuditEvent.objects.filter(seq__isnull=True).count() == unsealed
    assert not Member.objects.filter(card_number__startswith="57000").exists()
    # refused as a whole (a row in error, all or nothing): no audit row either
    rows[3][3] = "31/02/1980"
    plan, _ = run(actor, xlsx(tmp_path, rows, name="bad.xlsx"), dry_run=True)
    with pytest.raises(ImportRefused):
        execute(actor=actor, plan=plan, mode="all")
    assert AuditEvent.objects.count() == audits


# -- bad input ------------------------------------------------------------------------------------------
def test_bad_files_are_refused_with_nothing_written(tmp_path, actor_of):
    actor = actor_of("ban.tochuc")
    before = db_state()
    junk = tmp_path / "a.xlsx"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(FileRefused, match="không phải là bảng tính"):
        run(actor, junk)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(FileRefused, match="bom nén"):
        run(actor, bomb)
    with pytest.raises(FileRefused, match="quá lớn"):
        import_file(actor=actor, path=junk, size=2 * 1024 ** 3)
    wide = xlsx(tmp_path, [list(range(10_000))], header=[f"c{i}" for i in range(10_000)], name="wide.xlsx")
    with pytest.raises(FileRefused, match="quá nhiều cột"):
        run(actor, wide)
    mixed = rows_for(NAMES[:2], card_base=55_000_000)
    mixed[0][1] = legacy.unicode_to_tcvn3(mixed[0][1])
    mixed[1][1] = legacy.unicode_to_vni(mixed[1][1])
    with pytest.raises(ImportRefused, match="trộn nhiều bảng mã"):
        run(actor, xlsx(tmp_path, mixed, name="mixed.xlsx"))
    with pytest.raises(ImportRefused, match="thiếu cột"):
        run(actor, xlsx(tmp_path, [["a", "b"]], header=["Tên", "Tuổi"], name="cols.xlsx"))
    assert db_state() == before


def test_formulas_are_never_evaluated(tmp_path, actor_of):
    rows = rows_for(NAMES[:1], card_base=44_000_000)
    rows[0][10] = "=HYPERLINK(\"http://x\",\"Nam Định\")"
    plan, outcome = run(actor_of("ban.tochuc"), xlsx(tmp_path, rows), mode="all")
    # openpyxl (data_only) gives the cached value of a formula: none was ever computed, so it stays empty.
    assert Member.objects.get(card_number="44000000").home_town == ""


def test_template_is_importable_as_is(tmp_path, actor_of):
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx())
    plan, _ = run(actor_of("ban.tochuc"), path, dry_run=True)
    assert plan.counts["new"] == 1, plan.rows[0].errors


def test_trigram_index_for_contains_search(db):
    """members migration 0004: a pg_trgm GIN index on name_search on PostgreSQL, nothing on SQLite."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'member_name_search_trgm'")
            assert "gin_trgm_ops" in cur.fetchone()[0]
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE name = 'member_name_search_trgm'")
            assert cur.fetchone() is None


def test_column_mapping_chosen_once_is_remembered_for_the_unit(tmp_path, actor_of, unit):
    actor = actor_of("bithu.phap")
    lhs = unit("PHAP-LHS")
    header = ["Tên đảng viên", *HEADER[2:9]]
    rows = [r[1:9] for r in rows_for(NAMES[:2], card_base=33_000_000)]
    path = xlsx(tmp_path, rows, header=header)
    with pytest.raises(ImportRefused, match="thiếu cột") as refused:
        run(actor, path, unit=lhs, dry_run=True)
    assert refused.value.unknown == ["Tên đảng viên"]
    plan, outcome = run(actor, path, unit=lhs, mode="all", mapping_override={"ten dang vien": "full_name"})
    assert outcome.counts["new"] == 2
    # next time, for this unit, the same header is understood without asking
    plan, _ = run(actor, path, unit=lhs, dry_run=True)
    assert plan.counts["unchanged"] == 2 and plan.unknown == []


# -- the reader: calamine for XLSX, the sheet's extent checked first ------------------------------------
def test_sparse_xlsx_is_refused_before_it_is_read(tmp_path, actor_of):
    """Two cells far apart make a tiny file whose dense grid would need gigabytes: refused from the cell
    references, before calamine builds anything."""
    import resource

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Giới tính"])
    ws.cell(row=900_000, column=60, value="x")
    path = tmp_path / "sparse.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FileRefused, match="quá lớn"):
        run(actor_of("ban.tochuc"), path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 100 * 1024  # KB: nothing big was built


def test_rows_keep_their_numbers_and_cells_without_references_are_read(tmp_path, actor_of):
    """Empty rows above the header keep the report's row numbers right; a writer that leaves out cell
    references (the grid cannot be sized beforehand) is read row by row instead."""
    rows = rows_for(NAMES[:2], card_base=22_000_000)
    rows[0][3] = date(1985, 3, 5)            # a real date cell
    rows[1][3] = "30/02/1990"                # an error, to see its row number
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / "gap.xlsx"
    wb.save(path)
    plan, _ = run(actor_of("ban.tochuc"), path, dry_run=True)
    assert [(r.number, r.action) for r in plan.rows] == [(4, "new"), (5, "error")]
    assert plan.rows[0].data["birth_date"] == date(1985, 3, 5)
    # the same sheet without any r="…" attribute
    import re

    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb' r="[A-Z]*[0-9]+"', b"", data)
                assert b' r="' not in data
            dst.writestr(item, data)
    plan, _ = run(actor_of("ban.tochuc"), bare, dry_run=True)
    # without references, rows are where they come: the empty rows (never written) are gone
    assert [(r.number, r.action) for r in plan.rows] == [(2, "new"), (3, "error")]
    assert plan.rows[0].data["birth_date"] == date(1985, 3, 5)


# -- ODS: repeated rows and cells are sized before calamine reads them -----------------------------------
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
ODS_TRAILING_ROWS = ('<table:table-row table:style-name="ro1" table:number-rows-repeated="1048560">'
                     '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')


def ods_cell(value) -> str:
    if value in (None, ""):
        return '<table:table-cell table:style-name="ce1"/>'
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}" '
                f'calcext:value-type="date"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>')
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}" calcext:value-type="float">'
                f'<text:p>{value}</text:p></table:table-cell>')
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{value}</text:p>'
            '</table:table-cell>')


def ods_row(cells, trailing=1024) -> str:
    """A row as LibreOffice writes it: the unused columns up to the sheet's width as one repeated empty cell."""
    return f'<table:table-row>{"".join(ods_cell(c) for c in cells)}' \
           f'<table:table-cell table:number-columns-repeated="{trailing - len(cells)}"/></table:table-row>'


def ods(tmp_path, tables, name="ds.ods", prolog=""):
    """An OpenDocument spreadsheet; ``tables`` is the XML of its table:table elements."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODS_NS} office:version="1.3">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml",
                    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                    '<manifest:file-entry manifest:full-path="/" '
                    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                    "</manifest:manifest>")
    return path


def ods_table(body, name="Sheet1") -> str:
    return (f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="1024"/>'
            f"{body}</table:table>")


def read_in_subprocess(path, *, calamine=False):
    """Open the file in a fresh interpreter: (message or "ok", its peak resident memory in MB, seconds)."""
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "t = time.monotonic()\n"
        "if sys.argv[2] == 'calamine':\n"
        "    from python_calamine import CalamineWorkbook\n"
        "    CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)\n"
        "    result = 'ok'\n"
        "else:\n"
        "    import os\n"
        "    from chibo.bulk.reader import open_sheet\n"
        "    from chibo.core.spreadsheets import FileRefused\n"
        "    try:\n"
        "        open_sheet(sys.argv[1], os.path.getsize(sys.argv[1]))\n"
        "        result = 'ok'\n"
        "    except FileRefused as exc:\n"
        "        result = str(exc)\n"
        # VmHWM is this process's own peak (ru_maxrss would carry the parent's peak across exec)
        "peak = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
        "print(peak // 1024, round(time.monotonic() - t, 2), result)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path), "calamine" if calamine else "reader"],
                         capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    rss, seconds, message = out.split(" ", 2)
    return message, int(rss), float(seconds)


def test_ods_with_repeated_empty_rows_and_cells_imports(tmp_path, actor_of):
    """A sheet as LibreOffice saves it: each row padded with a repeated empty cell to column 1024, the sheet
    with a million repeated empty rows, a repeated empty gap inside the data; read normally, with the
    file's row numbers."""
    rows = rows_for(NAMES[:3], card_base=11_000_000)
    rows[0][3] = date(1985, 3, 5)                                   # a real date cell
    rows[1][10] = None                                              # an empty cell inside a row
    body = (ods_row(["DANH SÁCH ĐẢNG VIÊN CHI BỘ"]) + ods_row(HEADER) + ods_row(rows[0])
            + '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/>'
              "</table:table-row>"
            + ods_row(rows[1]) + ods_row(rows[2]) + ODS_TRAILING_ROWS)
    path = ods(tmp_path, ods_table(body))
    assert path.stat().st_size < 3000
    message, rss, _ = read_in_subprocess(path)
    assert message == "ok" and rss < 150
    actor = actor_of("ban.tochuc")
    plan, _ = run(actor, path, dry_run=True)
    assert [(r.number, r.action) for r in plan.rows] == [(3, "new"), (6, "new"), (7, "new")], \
        [r.errors for r in plan.rows]
    assert plan.rows[0].data["birth_date"] == date(1985, 3, 5)
    plan, outcome = run(actor, path, mode="all")
    assert outcome.counts["new"] == 3
    stored = Member.objects.get(card_number="11000001")
    assert stored.full_name == NAMES[1] and stored.home_town == ""


def test_ods_bomb_is_refused_before_calamine_with_bounded_memory(tmp_path, actor_of):
    """818 bytes describing 1 048 576 rows: calamine alone would build a grid of hundreds of megabytes;
    the reader refuses it from content.xml, quickly and in little memory, and nothing is written."""
    header = "".join(ods_cell(c) for c in ["Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ", "Chi bộ"])
    gap = ('<table:table-row table:number-rows-repeated="{n}">'
           '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    bomb = ods(tmp_path, ods_table(f"<table:table-row>{header}</table:table-row>{gap.format(n=1_048_574)}"
                                   f"<table:table-row>{header}</table:table-row>"), name="bomb.ods")
    assert bomb.stat().st_size < 1000
    message, rss, seconds = read_in_subprocess(bomb)
    assert "quá nhiều dòng" in message and rss < 150 and seconds < 5
    # under the row limit, still a million empty rows between two real ones: a grid out of all proportion …
    sparse = ods(tmp_path, ods_table(f"<table:table-row>{header}</table:table-row>{gap.format(n=999_000)}"
                                     f"<table:table-row>{header}</table:table-row>"), name="sparse.ods")
    message, rss, _ = read_in_subprocess(sparse)
    assert "quá nhiều so với dữ liệu" in message and rss < 150
    # … which calamine on its own would have paid for
    assert read_in_subprocess(sparse, calamine=True)[1] > 250
    # a value repeated across 16 384 columns; a bomb hidden in the second sheet (calamine reads every sheet)
    wide = ods(tmp_path, ods_table('<table:table-row><table:table-cell table:number-columns-repeated="16384" '
                                   'office:value-type="float" office:value="1"/></table:table-row>'), name="wide.ods")
    second = ods(tmp_path, ods_table(ods_row(HEADER)) + ods_table(
        f"<table:table-row>{header}</table:table-row>{gap.format(n=999_000)}<table:table-row>{header}</table:table-row>",
        name="Sheet2"), name="second.ods")
    actor = actor_of("ban.tochuc")
    before = db_state()
    for path, refusal in [(bomb, "quá nhiều dòng"), (sparse, "quá nhiều so với dữ liệu"), (wide, "quá nhiều cột"),
                          (second, "quá nhiều so với dữ liệu")]:
        with pytest.raises(FileRefused, match=refusal):
            run(actor, path)
    assert db_state() == before


def test_ods_with_doctype_or_broken_xml_is_refused(tmp_path, actor_of):
    actor = actor_of("ban.tochuc")
    before = db_state()
    laughs = ('<!DOCTYPE office:document-content [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    entity = ods(tmp_path, ods_table(ods_row(HEADER) + ods_row(["&c;", "Nam"])), name="dtd.ods", prolog=laughs)
    with pytest.raises(FileRefused, match="DOCTYPE"):
        run(actor, entity)
    external = ods(tmp_path, ods_table(ods_row(HEADER) + ods_row(["&x;", "Nam"])), name="ext.ods",
                   prolog='<!DOCTYPE office:document-content SYSTEM "file:///etc/passwd">')
    with pytest.raises(FileRefused, match="DOCTYPE"):
        run(actor, external)
    broken = ods(tmp_path, ods_table(ods_row(HEADER) + "<table:table-row><table:table-cell>"), name="broken.ods")
    with pytest.raises(FileRefused, match="tệp hỏng"):
        run(actor, broken)
    nested = ods(tmp_path, ods_table(ods_row(HEADER) + "<table:table-row><table:table-cell>"
                                     + ods_table(ods_row(["x"])) + "</table:table-cell></table:table-row>"),
                 name="nested.ods")
    with pytest.raises(FileRefused, match="bảng lồng"):
        run(actor, nested)
    assert db_state() == before


# -- the write path: what COPY (PostgreSQL) or bulk_create (SQLite) stores is what member_create stores ----
def test_imported_member_is_stored_exactly_like_member_create(tmp_path, actor_of, unit):
    from chibo.core.crypto import blind_index
    from chibo.members.services import member_create

    actor = actor_of("ban.tochuc")
    header = [*HEADER, "Số CCCD", "Điện thoại", "Thư điện tử", "Trình độ học vấn"]
    row = rows_for(NAMES[:1], card_base=11_000_000)[0]
    row += ["001180012345", "+33 6 12 34 56 78", "An.Nguyen@Example.org", "Đại học"]
    plan, outcome = run(actor, xlsx(tmp_path, [row], header=header), mode="all")
    assert outcome.counts["new"] == 1
    imported = Member.objects.get(card_number="11000000")
    data = dict(plan.rows[0].data)
    data.pop("card_number")
    data.pop("dossier_number")
    made = member_create(actor=actor, unit=unit("PHAP-LHS"), status=imported.status, **data)
    made.refresh_from_db()
    skip = {"id", "card_number", "dossier_number", "created_at", "updated_at"}
    for f in Member._meta.concrete_fields:
        if f.attname not in skip:
            assert getattr(imported, f.attname) == getattr(made, f.attname), f.attname
    assert imported.citizen_id == "001180012345" and imported.citizen_id_hash == blind_index("001180012345")
    assert imported.email == "an.nguyen@example.org" and imported.education == "bachelor"
    assert imported.created_at and imported.updated_at and imported.version == 1
    from django.db import connection

    with connection.cursor() as cur:  # sealed in the database, never the plain value
        cur.execute("SELECT citizen_id, phone FROM members_member WHERE id = %s", [imported.pk])
        stored = cur.fetchone()
    assert "001180012345" not in stored[0] and "+33" not in stored[1]
    event = TimelineEvent.objects.get(member=imported)
    assert (event.kind, event.occurred_on, event.unit_id) == ("member.created", imported.admission_date,
                                                            imported.unit_id)
    # member_create's event data, marked as imported; the member's audit row says the same
    assert event.data == {"status": imported.status, "unit": imported.unit.name, "unit_id": imported.unit_id,
                          "import": True}
    assert event.recorded_at and event.actor_label == actor.label
    row = AuditEvent.objects.get(action="member.created", object_type="member", object_id=str(imported.pk))
    assert (row.data, row.unit_id, row.actor_id, row.actor_label) == (event.data, imported.unit_id, actor.user.pk, "")
    made_row = AuditEvent.objects.get(action="member.created", object_id=str(made.pk))
    assert set(row.data) - set(made_row.data) == {"import"}


# -- XLS (Excel 97-2003): real BIFF8 files written by xlwt, their records sized before calamine reads them --
def xls_book(rows, header=HEADER, banner=True):
    """A workbook as an old member list: a merged title banner, the header, the rows (dates as date cells)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Danh sách")
    date_cell = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    top = 0
    if banner:
        ws.write_merge(0, 0, 0, 5, "DANH SÁCH ĐẢNG VIÊN CHI BỘ")
        top = 1
    for c, title in enumerate(header):
        ws.write(top, c, title)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write(r, c, value, date_cell)
            elif value is not None:
                ws.write(r, c, value)
    return wb


def xls_records(stream: bytes, start: int = 0):
    import struct

    pos = start
    while pos + 4 <= len(stream):
        typ, length = struct.unpack_from("<HH", stream, pos)
        yield pos, typ, stream[pos + 4:pos + 4 + length]
        pos += 4 + length


def xls_save(tmp_path, wb, name="ds.xls", patch=None):
    """Save ``wb``; ``patch(type, data)`` may rewrite the records of its (last) worksheet first."""
    import struct

    from xlwt.CompoundDoc import XlsDoc

    stream = wb.get_biff_data()
    if patch:
        sheet = [struct.unpack_from("<I", data)[0] for _, typ, data in xls_records(stream) if typ == 0x0085][-1]
        body = b"".join(struct.pack("<HH", typ, len(data)) + data
                        for _, typ, data in xls_records(stream, sheet) for data in [patch(typ, data)])
        stream = stream[:sheet] + body
    path = tmp_path / name
    XlsDoc().save(str(path), stream)
    return path


def test_xls_with_banner_legacy_names_and_dates_imports_then_reimport_changes_nothing(tmp_path, actor_of):
    """A real .xls: banner and header, Vietnamese names, birth dates as Excel date cells and as dd/mm/yyyy
    text; a dry run, the write, a re-import that changes nothing; then the same list as an old file whose
    names were typed in TCVN3 (stored as the 8-bit characters of the .VnTime font) reads as the same members."""
    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES, card_base=99_000_000)
    for i, r in enumerate(rows):
        if i % 2:
            r[3] = date(1980 + i, i + 1, 10 + i)   # an Excel date cell; the others stay text dd/mm/yyyy
    rows[2][10] = "Hà Nội"
    path = xls_save(tmp_path, xls_book(rows))
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    before = db_state()
    plan, _ = run(actor, path, dry_run=True)
    assert db_state() == before
    assert plan.counts == {"rows": 8, "new": 8, "update": 0, "unchanged": 0, "error": 0}, [r.errors for r in plan.rows]
    assert [r.number for r in plan.rows] == list(range(3, 11))    # the banner is row 1, the header row 2
    report = list(openpyxl.load_workbook(io.BytesIO(report_xlsx(plan)), read_only=True).active.iter_rows(
        values_only=True))
    assert report[0][:3] == ("Dòng", "STT", "Họ và tên") and len(report) == 9
    assert report[2][2] == NAMES[1] and report[2][4] == "11/02/1981" and report[3][4] == "03/03/1982"
    plan, outcome = run(actor, path, mode="all")
    assert outcome.counts["new"] == 8
    got = {m.card_number: m for m in Member.objects.filter(card_number__startswith="99000")}
    assert [got[f"{99_000_000 + i}"].full_name for i in range(8)] == NAMES
    assert got["99000001"].birth_date == date(1981, 2, 11)           # from a date cell
    assert got["99000002"].birth_date == date(1982, 3, 3)            # from the text "03/03/1982"
    assert got["99000002"].home_town == "Hà Nội" and got["99000000"].admission_date == date(2010, 5, 11)
    event = AuditEvent.objects.filter(action="members.imported").latest("pk")
    assert event.data["new"] == 8 and len(event.data["sha256"]) == 64
    before = db_state()
    plan, outcome = run(actor, path, mode="all")
    assert plan.counts["unchanged"] == 8 and outcome.counts["new"] == 0, [(r.action, r.changes) for r in plan.rows]
    assert db_state()[0:2] == before[0:2] and db_state()[4] == before[4]
    # the same list from an old file: names in TCVN3
    for r in rows:
        r[1] = legacy.unicode_to_tcvn3(r[1])
    assert rows[0][1] == "NguyÔn V¨n §øc"
    old = xls_save(tmp_path, xls_book(rows), name="cu.xls")
    plan, _ = run(actor, old, dry_run=True)
    assert plan.encodings["full_name"] == legacy.TCVN3
    assert ("Họ và tên", "NguyÔn V¨n §øc", "Nguyễn Văn Đức") in plan.conversions
    assert plan.counts["unchanged"] == 8, [(r.action, r.changes) for r in plan.rows]
    report = list(openpyxl.load_workbook(io.BytesIO(report_xlsx(plan)), read_only=True).active.iter_rows(
        values_only=True))
    # the report shows the names converted (TCVN3 has no toned capitals: "Ánh" reads "ánh" until clean-up)
    assert [line[2].lower() for line in report[1:]] == [n.lower() for n in NAMES]


def test_xls_bomb_is_refused_before_calamine_with_bounded_memory(tmp_path, actor_of):
    """A value at A1 and one at IV65536: a file of a few kilobytes for which calamine alone builds a grid of
    16.7 million cells (about 1 GB); refused from its records, quickly and in little memory. A DIMENSIONS
    record that lies small does not hide it; one that lies big (which makes calamine alone abort the whole
    process) is refused too; text repeated from the shared string table is counted; nothing is written."""
    import subprocess

    import xlwt

    wb = xls_book([], header=HEADER[:5], banner=False)
    wb.get_sheet(0).write(65_535, 255, 1.5)
    bomb = xls_save(tmp_path, wb, name="bomb.xls")
    assert bomb.stat().st_size < 10_000
    message, rss, seconds = read_in_subprocess(bomb)
    assert "quá lớn (65.536 dòng × 256 cột)" in message and rss < 150 and seconds < 5
    assert read_in_subprocess(bomb, calamine=True)[1] > 600

    def dimensions(first_row, last_row, first_col, last_col):
        import struct

        record = struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0)
        return lambda typ, data: record if typ == 0x0200 else data

    liar = xls_save(tmp_path, wb, name="liar.xls", patch=dimensions(0, 2, 0, 2))
    assert "quá lớn" in read_in_subprocess(liar)[0]
    # a few cells, but a DIMENSIONS record whose first row is past its last: calamine's 32-bit arithmetic wraps
    # round and it asks for 11 petabytes (more than any address space), which kills the process
    wrap = xls_save(tmp_path, xls_book([["a", "b"]], header=HEADER[:5]), name="wrap.xls",
                    patch=dimensions(10, 5, 0, 0xFFFF))
    with pytest.raises(subprocess.CalledProcessError) as killed:
        read_in_subprocess(wrap, calamine=True)
    assert killed.value.returncode < 0 and "memory allocation" in killed.value.stderr
    message, rss, _ = read_in_subprocess(wrap)
    assert "DIMENSIONS" in message and rss < 150
    # one 30 000-character string, shared by 4 000 cells: each cell gets its own copy (twice) in calamine
    long = xls_book([], header=HEADER[:5], banner=False)
    text = "Nguyễn Văn Đức " * 2000
    for r in range(1, 4001):
        long.get_sheet(0).write(r, 0, text)
    copies = xls_save(tmp_path, long, name="copies.xls")
    assert copies.stat().st_size < 250_000
    message, rss, _ = read_in_subprocess(copies)
    assert "quá nhiều chữ" in message and rss < 150
    # the bomb in the second sheet: calamine reads every sheet on opening
    second = xls_book(rows_for(NAMES[:1], card_base=98_000_000))
    hidden = second.add_sheet("Ghi chú")
    hidden.write(0, 0, "x")
    hidden.write(65_535, 200, "y")
    second_sheet = xls_save(tmp_path, second, name="second.xls")
    assert "quá lớn (trang thứ 2)" in read_in_subprocess(second_sheet)[0]
    # a blank formatted cell far away makes no cell in calamine: such a file is read
    fine = xls_book(rows_for(NAMES[:1], card_base=98_000_000))
    fine.get_sheet(0).write(65_535, 255, None, xlwt.easyxf("font: bold on"))
    formatted = xls_save(tmp_path, fine, name="formatted.xls")
    assert read_in_subprocess(formatted)[0] == "ok"
    actor = actor_of("ban.tochuc")
    before = db_state()
    for path, refusal in [(bomb, "quá lớn"), (liar, "quá lớn"), (wrap, "DIMENSIONS"), (copies, "quá nhiều chữ"),
                          (second_sheet, "quá lớn")]:
        with pytest.raises(FileRefused, match=refusal):
            run(actor, path)
    assert db_state() == before
    plan, outcome = run(actor, formatted, mode="all")
    assert outcome.counts["new"] == 1 and Member.objects.get(card_number="98000000").full_name == NAMES[0]


def test_xls_that_is_not_a_valid_workbook_is_refused(tmp_path, actor_of):
    """OLE2 files that are not Excel workbooks, a workbook stream that is not BIFF, sector chains that loop
    back on themselves (calamine alone would copy the same sector until it holds the 2 GB the entry claims,
    or forever), a second, hidden "Workbook" entry (the one calamine would read): all refused, nothing
    written."""
    import struct

    from xlwt.CompoundDoc import XlsDoc

    good = xls_save(tmp_path, xls_book(rows_for(NAMES[:1], card_base=97_000_000)), name="good.xls").read_bytes()
    header_at = 512
    directory = header_at + struct.unpack_from("<I", good, 48)[0] * 512
    fat = header_at + struct.unpack_from("<I", good, 76)[0] * 512

    def entry(index):
        return directory + index * 128

    assert good[entry(1):entry(1) + 16].decode("utf-16-le") == "Workbook"

    def variant(name, change):
        data = bytearray(good)
        change(data)
        path = tmp_path / name
        path.write_bytes(bytes(data))
        return path

    renamed = variant("renamed.xls",
                      lambda d: d.__setitem__(slice(entry(1), entry(1) + 16), "Document".encode("utf-16-le")))
    junk = tmp_path / "junk.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    not_biff = tmp_path / "notbiff.xls"
    XlsDoc().save(str(not_biff), b"Danh sach dang vien\n" * 400)

    def loop(d):
        start = struct.unpack_from("<I", d, entry(1) + 116)[0]
        last = start
        while struct.unpack_from("<I", d, fat + last * 4)[0] < 0xFFFFFFFA:
            last = struct.unpack_from("<I", d, fat + last * 4)[0]
        struct.pack_into("<I", d, fat + last * 4, start)             # the chain's end points back to its start
        struct.pack_into("<I", d, entry(1) + 120, 0x7FFFFFF0)        # and the entry claims 2 GB

    looped = variant("loop.xls", loop)

    def hidden(d):
        d[entry(2):entry(2) + 128] = d[entry(1):entry(1) + 128]     # the real stream, moved to entry 2
        struct.pack_into("<I", d, entry(0) + 76, 2)                 # the directory tree now leads there
        struct.pack_into("<I", d, entry(1) + 120, 4096)             # entry 1: out of the tree, still "Workbook"

    hidden_entry = variant("hidden.xls", hidden)
    # a second BOF record without data in the workbook globals: calamine panics on it (a PanicException, which
    # is not an Exception); read as a broken file
    stream = bytearray(xls_book(rows_for(NAMES[:1], card_base=97_000_000)).get_biff_data())
    at = next(pos for pos, typ, data in xls_records(bytes(stream)) if typ == 0x00E2 and not data)
    struct.pack_into("<H", stream, at, 0x0809)
    panic = tmp_path / "panic.xls"
    XlsDoc().save(str(panic), bytes(stream))
    # chains calamine follows to their end, without a length: the directory's, and the DIFAT's (each DIFAT
    # sector ends with the next one's number); looping back, calamine alone would grow until memory runs out
    directory_sector = struct.unpack_from("<I", good, 48)[0]
    directory_loop = variant("dirloop.xls", lambda d: struct.pack_into("<I", d, fat + directory_sector * 4,
                                                                       directory_sector))

    def difat_loop(d):
        struct.pack_into("<I", d, 68, directory_sector)              # the DIFAT starts at the directory sector …
        struct.pack_into("<I", d, directory + 508, directory_sector)  # … whose last word names itself next

    difat_looped = variant("difatloop.xls", difat_loop)
    message, rss, seconds = read_in_subprocess(looped)
    assert "không phải là bảng tính Excel" in message and rss < 150 and seconds < 5
    actor = actor_of("ban.tochuc")
    before = db_state()
    for path, refusal in [(renamed, "không chứa bảng tính Excel"), (junk, "không phải là bảng tính Excel"),
                          (not_biff, "không phải là bảng tính Excel"), (looped, "không phải là bảng tính Excel"),
                          (hidden_entry, "không phải là bảng tính Excel"),
                          (directory_loop, "không phải là bảng tính Excel"),
                          (difat_looped, "không phải là bảng tính Excel"), (panic, "tệp hỏng")]:
        with pytest.raises(FileRefused, match=refusal):
            run(actor, path)
    assert db_state() == before
    run(actor, tmp_path / "good.xls", mode="all")
    assert Member.objects.filter(card_number="97000000").exists()


def xlsx_shared(tmp_path, rows, name="shared.xlsx", texts=None):
    """An XLSX as Excel writes it, its text in the shared string table (openpyxl writes inline strings): each
    cell refers to its string by index. ``texts`` replaces strings of the table (a long text written once)."""
    import html
    import re
    from xml.sax.saxutils import escape

    path = xlsx(tmp_path, rows[1:], header=rows[0], name=name, banner=False)
    table: dict[bytes, int] = {}

    def content(xml_text: bytes) -> bytes:
        text = html.unescape(xml_text.decode())
        return escape(texts[text]).encode() if texts and text in texts else xml_text

    def shared(match):
        return b't="s"><v>%d</v>' % table.setdefault(match.group(1), len(table))

    out = tmp_path / f"s-{name}"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb't="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is>', shared, data)
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            dst.writestr(item, data)
        dst.writestr("xl/sharedStrings.xml",
                     b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                     b'2006/main">' + b"".join(b'<si><t xml:space="preserve">%s</t></si>' % content(text)
                                               for text in table) + b"</sst>")
    return out


def test_xlsx_long_shared_string_in_many_cells_is_refused(tmp_path, actor_of):
    """calamine gives every cell its own copy of its shared string: one 30 000-character string shared by
    25 000 cells is a 130 KB file that asks for a gigabyte. What the cells copy is counted from the shared
    string table before calamine reads the file; a real sheet with one long note is still read."""
    long = "Nguyễn Văn Đức " * 2000
    bomb = xlsx_shared(tmp_path, [HEADER[:5]] + [["DÀI", "Nam"] for _ in range(25_000)], name="bomb.xlsx",
                       texts={"DÀI": long})
    assert bomb.stat().st_size < 300_000
    message, rss, seconds = read_in_subprocess(bomb)
    assert "quá nhiều chữ" in message and rss < 150 and seconds < 10
    assert read_in_subprocess(bomb, calamine=True)[1] > 900
    # one long note among ordinary rows: the quick bound (cells × longest string) is over the limit, the count
    # of what each cell really copies is not
    rows = rows_for(NAMES * 500, card_base=96_000_000)
    rows[0][10] = long
    fine = xlsx_shared(tmp_path, [HEADER] + rows, name="fine.xlsx")
    assert read_in_subprocess(fine)[0] == "ok"
    actor = actor_of("ban.tochuc")
    before = db_state()
    with pytest.raises(FileRefused, match="quá nhiều chữ"):
        run(actor, bomb)
    assert db_state() == before
    plan, _ = run(actor, fine, dry_run=True)
    assert plan.counts["rows"] == 4000 and plan.rows[1].data["full_name"] == NAMES[1]
