"""The import says plainly what is wrong: no file, a file that is not a spreadsheet, a spreadsheet that is not a
member list; names follow the rules of the members pages (hidden characters refused per row, a warning per row for a
name without diacritics, written the same way as a member typed on a page)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chibo.bulk.models import ImportJob
from chibo.bulk.sheets import report_xlsx
from chibo.bulk.tests.test_import import HEADER, NAMES, db_state, rows_for, run
from chibo.members.models import Member


def test_no_file_is_said_plainly_and_nothing_is_started(client_of):
    client = client_of("bithu.phap")
    jobs = ImportJob.objects.count()
    response = client.post(reverse("bulk:import"), {"mode": "all", "check": "1"})
    assert response.status_code == 200
    assert "Chưa chọn tệp" in response.content.decode()
    assert ImportJob.objects.count() == jobs


def test_a_file_that_is_not_a_spreadsheet_is_named_and_refused(client_of):
    client = client_of("bithu.phap")
    jobs = ImportJob.objects.count()
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 just some text", content_type="application/pdf")
    response = client.post(reverse("bulk:import"), {"file": upload, "mode": "all", "check": "1"})
    text = response.content.decode()
    assert response.status_code == 200 and "«bien-ban.pdf» không phải bảng tính" in text
    assert ".xlsx" in text and ImportJob.objects.count() == jobs
    # the API shares the form: the same sentence, 400
    upload = SimpleUploadedFile("ghi-chu.txt", "Danh sách\nchỉ là một đoạn văn".encode(), content_type="text/plain")
    answer = client.post("/api/v1/imports/", {"file": upload, "mode": "all"})
    assert answer.status_code == 400 and "không phải bảng tính" in answer.json()["file"][0]
    assert ImportJob.objects.count() == jobs


def test_a_text_file_that_is_not_a_member_list_is_said_so(tmp_path, actor_of):
    from chibo.bulk.services import ImportRefused
    from chibo.core.spreadsheets import FileRefused

    actor = actor_of("bithu.phap")
    letter = tmp_path / "thu.csv"
    letter.write_text("Kính gửi chi bộ\n\nĐây là một lá thư\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="không giống danh sách đảng viên") as refused:
        run(actor, letter, dry_run=True)
    assert "tệp mẫu" in str(refused.value)
    prose = tmp_path / "van-ban.csv"  # a comma makes two "columns", none of them a member list's
    prose.write_text("Kính gửi chi bộ, các đồng chí\nĐây là một lá thư, không phải danh sách\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="không giống danh sách đảng viên: không nhận ra cột nào"):
        run(actor, prose, dry_run=True)


def _csv(tmp_path, rows):
    """A CSV (an XLSX cannot even hold a control character)."""
    path = tmp_path / "ds.csv"
    path.write_text("\n".join(";".join(str(c) for c in line) for line in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_names_are_warned_refused_and_written_as_on_the_pages(tmp_path, actor_of):
    actor = actor_of("bithu.phap")
    rows = rows_for(NAMES[:4], card_base=77_000_000)
    rows[0][1] = "  nguyen   van   duc. "      # no diacritics: imported, with a warning
    rows[1][1] = "Trần Thị\u202e Hằng"         # a bidi control: the row is refused
    rows[2][1] = "Phạm\x07 Ngọc Ánh"           # a control character: the row is refused
    rows[3][1] = "hoàng  thị thu  hương"       # written with capitals, no warning
    before = db_state()
    plan, _ = run(actor, _csv(tmp_path, rows), dry_run=True)
    assert db_state() == before
    by_number = {r.number: r for r in plan.rows}
    first, bidi, control, last = (by_number[n] for n in sorted(by_number))
    assert first.action == "new" and first.data["full_name"] == "Nguyen Van Duc"
    assert first.warnings and "không có dấu tiếng Việt" in first.warnings[0]
    assert bidi.action == "error" and any("U+202E" in e for e in bidi.errors), bidi.errors
    assert control.action == "error" and any("U+0007" in e for e in control.errors), control.errors
    assert last.action == "new" and last.data["full_name"] == "Hoàng Thị Thu Hương" and not last.warnings
    report = list(openpyxl.load_workbook(io.BytesIO(report_xlsx(plan)), read_only=True).active.iter_rows(
        values_only=True))
    assert report[0][-3:] == ("Cảnh báo (vẫn nhập)", "Kết quả", "Lỗi")
    lines = {line[0]: line for line in report[1:]}
    assert "không có dấu tiếng Việt" in lines[first.number][-3] and lines[first.number][-2] == "Thêm mới"
    assert "U+202E" in lines[bidi.number][-1] and "U+0007" in lines[control.number][-1]
    assert not lines[last.number][-3]
    _, outcome = run(actor, _csv(tmp_path, rows), mode="valid")
    assert outcome is not None and outcome.counts["new"] == 2
    written = set(Member.objects.filter(card_number__startswith="7700000").values_list("full_name", flat=True))
    assert written == {"Nguyen Van Duc", "Hoàng Thị Thu Hương"}
