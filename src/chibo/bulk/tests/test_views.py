"""Import and export pages: upload → dry run → import; streamed list export as filtered, neutralised;
7-HSĐV book as PDF and XLSX; every export audited and scoped; the CLI commands."""

from __future__ import annotations

import io
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from chibo.bulk.models import ImportJob
from chibo.core.documents import pdf_text
from chibo.core.models import AuditEvent
from chibo.members.models import Member

CSV = ("Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức;Diện ở nước ngoài;Quê quán\n"
       "Nguyeãn Vaên Ñöùc;Nam;05/03/1985;91000001;19/05/2010;19/05/2011;Lưu học sinh tự túc;=1+1\n"
       "Traàn Thò Haèng;Nữ;7/8/92;91000002;02/03/2025;;Lưu học sinh tự túc;Haø Noäi\n")


def test_upload_dry_run_then_import(client_of, unit):
    client = client_of("bithu.phap")
    page = client.get(reverse("bulk:import"))
    assert page.status_code == 200 and "Tải tệp mẫu" in page.text
    upload = SimpleUploadedFile("ds.csv", CSV.encode(), content_type="text/csv")
    before = Member.objects.count()
    response = client.post(reverse("bulk:import"), {"file": upload, "unit": unit("PHAP-LHS").pk, "mode": "all",
                                                    "check": "1"})
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    page = client.get(response["Location"])
    assert "chạy thử" in page.text and "Nguyễn Văn Đức" in page.text and "Nguyeãn Vaên Ñöùc" in page.text
    assert Member.objects.count() == before
    report = client.get(reverse("bulk:job_report", args=[job.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)), read_only=True)
    assert [r[-2] for r in wb.active.iter_rows(values_only=True)][1:] == ["Thêm mới", "Thêm mới"]
    # htmx polling gets the partial only
    partial = client.get(reverse("bulk:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="progress"')
    response = client.post(reverse("bulk:job_run", args=[job.pk]), {"mode": "all"})
    assert response.status_code == 302
    assert Member.objects.count() == before + 2
    m = Member.objects.get(card_number="91000002")
    assert m.full_name == "Trần Thị Hằng" and m.home_town == "Hà Nội" and m.unit.code == "PHAP-LHS"
    assert Member.objects.get(card_number="91000001").home_town == "=1+1"  # stored as text, never computed
    # others never see the job
    assert client_of("bithu.duc").get(reverse("bulk:job", args=[job.pk])).status_code == 404
    assert client_of("ban.tochuc").get(reverse("bulk:job_report", args=[job.pk])).status_code == 404


def test_refused_file_is_shown_plainly(client_of):
    client = client_of("ban.tochuc")
    upload = SimpleUploadedFile("x.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    response = client.post(reverse("bulk:import"), {"file": upload, "mode": "valid"}, follow=True)
    assert "không phải là bảng tính" in response.text


def test_export_list_streams_filtered_scoped_neutralised(client_of, actor_of, unit):
    from chibo.members.services import member_update

    target = Member.objects.filter(unit__code="PHAP-LHS").first()
    member_update(actor=actor_of("ban.tochuc"), member=target, expected_version=target.version,
                  changes={"workplace": "=HYPERLINK(\"http://evil\")", "home_town": "@SUM(A1)"})
    client = client_of("bithu.phap")
    audits = AuditEvent.objects.filter(action="members.exported").count()
    response = client.get(reverse("bulk:export_list") + f"?unit={unit('PHAP-LHS').pk}")
    assert response.status_code == 200 and response.streaming
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    expected = Member.objects.filter(unit__code="PHAP-LHS").count()
    assert len(rows) == expected + 1 and rows[0][0] == "Họ và tên"
    mine = next(r for r in rows if r[3] == target.card_number)
    assert mine[12] == "'=HYPERLINK(\"http://evil\")" and mine[10] == "'@SUM(A1)"
    assert {r[9] for r in rows[1:]} == {"PHAP-LHS"}
    assert AuditEvent.objects.filter(action="members.exported").count() == audits + 1
    # scope: bithu.duc asking for everything gets only Germany
    response = client_of("bithu.duc").get(reverse("bulk:export_list"))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    codes = {r[9] for r in list(wb.active.iter_rows(values_only=True))[1:]}
    assert codes and all(c.startswith("DUC") for c in codes)


def test_the_list_exports_as_csv_on_the_page_and_through_the_api(client_of, unit):
    import csv

    client = client_of("bithu.phap")
    dsq = unit("PHAP-DSQ")
    expected = set(Member.objects.filter(unit__path__startswith=dsq.path,
                                         status__in=("probationary", "full", "exempt", "suspended"))
                   .values_list("full_name", flat=True))
    audits = AuditEvent.objects.filter(action="members.exported").count()
    page = client.get(reverse("bulk:export_list_csv") + f"?unit={dsq.pk}")
    assert page["Content-Type"] == "text/csv; charset=utf-8"
    assert "danh-sach-dang-vien.csv" in page["Content-Disposition"]
    text = b"".join(page.streaming_content).decode("utf-8")
    rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    assert rows[0][0] == "Họ và tên" and {r[0] for r in rows[1:]} == expected
    assert {r[9] for r in rows[1:]} == {"PHAP-DSQ"}

    api = client.get(f"/api/v1/members/export/?file_format=csv&unit={dsq.pk}")
    assert api.status_code == 200 and b"".join(api.streaming_content).decode("utf-8") == text
    book = client.get(f"/api/v1/members/export/?unit={dsq.pk}")
    assert book["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(book.streaming_content))).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [[c or None for c in r] for r in rows[1:]]
    assert AuditEvent.objects.filter(action="members.exported").count() == audits + 3
    refused = client.get("/api/v1/members/export/?file_format=pdf")
    assert refused.status_code == 400 and "file_format" in str(refused.json())
    assert AuditEvent.objects.filter(action="members.exported").count() == audits + 3


def test_member_list_book_pdf_and_xlsx(client_of, unit):
    client = client_of("bithu.phap")
    dsq = unit("PHAP-DSQ")
    pdf = client.get(reverse("bulk:book", args=[dsq.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "SỔ DANH SÁCH ĐẢNG VIÊN" in text and "7-HSĐV" in text
    some = Member.objects.filter(unit=dsq, status="full").first()
    assert some.full_name in text
    xlsx = client.get(reverse("bulk:book", args=[dsq.pk]) + "?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.active["A1"].value.startswith("SỔ DANH SÁCH ĐẢNG VIÊN")
    assert wb.active.page_setup.orientation == "landscape"
    assert AuditEvent.objects.filter(action="members.book_exported").count() >= 2


def test_cli_import_and_export(tmp_path, db):
    path = tmp_path / "ds.csv"
    path.write_text(CSV, encoding="utf-8")
    out = StringIO()
    call_command("import", "members", str(path), "--unit", "PHAP-LHS", "--dry-run", stdout=out)
    assert "Dry run: 2 rows — new 2" in out.getvalue() and "full_name=vni" in out.getvalue()
    assert not Member.objects.filter(card_number="91000001").exists()
    call_command("import", "members", str(path), "--unit", "PHAP-LHS", stdout=out)
    assert Member.objects.filter(card_number__in=["91000001", "91000002"]).count() == 2
    with pytest.raises(CommandError, match="quá nhiều cột|không phải"):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"\x00\x01garbage" * 10)
        call_command("import", "members", str(bad), stdout=out)
    target = tmp_path / "out.xlsx"
    call_command("export", "members", "--unit", "PHAP", "--format", "xlsx", "--output", str(target))
    rows = list(openpyxl.load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) > 10 and all(r[9].startswith("PHAP") for r in rows[1:])


def test_running_job_page_shows_reported_progress_and_cancel_reaches_the_job(client_of, settings, tmp_path):
    """While an import's transaction is open the job row cannot move (SQLite: the only write lock is the
    import's): the page shows the progress the job reported in its progress file, and the cancel button leaves a
    cancel file the job sees at its next batch."""
    from django.db import transaction

    from chibo.accounts.models import User
    from chibo.bulk import jobs
    from chibo.bulk.models import JobState
    from chibo.bulk.services import ImportCancelled

    settings.VAR_DIR = tmp_path
    client = client_of("bithu.phap")
    stored = jobs.storage_dir() / "running.csv"
    stored.write_text("x")
    job = ImportJob.objects.create(user=User.objects.get(username="bithu.phap"), file_name="running.csv",
                                   stored_path=str(stored), sha256="", mode="all", state=JobState.RUNNING,
                                   done=6000, total=24000)
    with transaction.atomic():  # as inside the import's write transaction
        jobs._side_update(job, side_ok=False, done=4000, total=12000)
    page = client.get(reverse("bulk:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "4000/12000" in page.text and 'value="33"' in page.text
    assert client.post(reverse("bulk:job_cancel", args=[job.pk])).status_code == 302
    with pytest.raises(ImportCancelled), transaction.atomic():
        jobs._side_update(job, side_ok=False, done=6000, total=12000)
    # once the job has ended, the row is the truth again and the side files are gone
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, done=0, total=0)
    jobs._clear_side_files(job)
    page = client.get(reverse("bulk:job", args=[job.pk]))
    assert "4000/12000" not in page.text and "Đã hủy" in page.text
    assert not any(tmp_path.glob("imports/running.csv.*"))
