"""The library and the register of classified documents on the demo organization: the upper committee sends a
resolution (a real PDF) to France; refusals (a unit outside the sender's subtree, a file whose content does not match
its name, a file over the limit) write nothing; France's member finds it unread first by a search without
diacritics, opens it (the PDF reads as sent) and is counted once; France's "not read" list shrinks while the level
above sees numbers only; a German document fetched by France's secretary by id or by file id answers 404 and each
attempt is audited; a new version keeps the old one; the read-by reminder goes once. The register refuses a file on a
networked install (the page says why), accepts it on an isolated LAN, puts the declassification date on the radar,
refuses a hand-over outside the unit, lets only the receiver acknowledge, and records the destruction."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from chibo.core.documents import OfficialDocument, Paragraph, pdf_text, render_pdf
from chibo.core.models import AuditEvent
from chibo.deadlines.models import Deadline
from chibo.library import services
from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover, Receipt
from chibo.members.models import Member
from chibo.notifications.models import Notification
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)
TITLE = "Nghị quyết về công tác xây dựng Đảng ở ngoài nước"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    doc = OfficialDocument(title="NGHỊ QUYẾT", issuer="ĐẢNG ỦY CẤP TRÊN", number="Số 57-NQ/ĐU",
                           issued_on=date(2026, 3, 2), blocks=[Paragraph(TITLE)])
    return render_pdf(doc)


def _upload(name: str, data: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _send(client, unit_id, data: bytes, *, name="nghi-quyet-57.pdf", targets=(), **extra):
    body = {"unit": unit_id, "number": "57-NQ/ĐU", "issued_on": "02/03/2026", "issuer": "Đảng ủy cấp trên",
            "kind": "resolution", "title": TITLE, "summary": "Quán triệt trong các chi bộ.",
            "targets": list(targets), "file": _upload(name, data), **extra}
    return client.post("/api/v1/library/documents/", body, format="multipart")


def test_send_read_receipts_and_the_scope_probe(personas, client_of, pdf):
    officer, secretary, member = client_of("ban.tochuc"), client_of("bithu.phap"), client_of("dangvien.phap")
    root, france, germany = (Unit.objects.get(code=c) for c in ("DUBNG", "PHAP", "DUC"))
    own = personas["dangvien.phap"].member
    with override_settings(CHIBO_TODAY=DAY):
        # Refused, nothing written: France's secretary addressing Germany, a text file named .pdf, an empty target.
        outside = _send(secretary, france.pk, pdf, targets=[germany.pk])
        assert outside.status_code == 400 and "targets" in outside.json(), outside.content
        fake = _send(officer, root.pk, b"just some text, not a PDF", targets=[france.pk])
        assert fake.status_code == 400 and "không đúng định dạng" in str(fake.json()["file"])
        big = _send(officer, root.pk, b"%PDF-" + b"0" * (services.MAX_UPLOAD + 1), targets=[france.pk])
        assert big.status_code == 400 and "quá lớn" in str(big.json()["file"])
        nowhere = _send(officer, root.pk, pdf)
        assert nowhere.status_code == 400 and "targets" in nowhere.json()
        assert not Document.objects.exists() and not DocumentFile.objects.exists()
        # The upper committee sends the resolution to France (its cells included), to be read by 20/03.
        sent = _send(officer, root.pk, pdf, targets=[france.pk], read_by="20/03/2026")
        assert sent.status_code == 201, sent.content
        doc_id = sent.json()["id"]
        assert sent.json()["files"][0]["content_type"] == "application/pdf"
        # France's member finds it, unread, by a search without diacritics.
        mine = member.get("/api/v1/library/documents/?q=nghi quyet 57").json()
        assert "results" in mine, mine
        assert [d["id"] for d in mine["results"]] == [doc_id] and mine["results"][0]["is_read"] is False
        assert member.get("/api/v1/library/documents/?q=tuyen giao").json()["results"] == []
        page = member.get("/library/?q=NGHI QUYET").content.decode()
        assert f'data-document="{doc_id}" data-read="0"' in page
        # France's secretary sees the member's name among those who have not read; the level above sees numbers.
        readings = secretary.get(f"/api/v1/library/documents/{doc_id}/readings/").json()
        cell = next(r for r in readings if r["unit_id"] == own.unit_id)
        assert own.full_name in cell["not_read"] and cell["read"] == 0
        top = officer.get(f"/api/v1/library/documents/{doc_id}/readings/").json()
        top_cell = next(r for r in top if r["unit_id"] == own.unit_id)
        assert top_cell["names_shown"] is False and top_cell["not_read"] == [] and top_cell["total"] == cell["total"]
        # The member opens the file: the PDF as sent, never cached; "đã đọc" recorded once.
        answer = member.get(f"/library/documents/{doc_id}/file/")
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
        assert "Nghị quyết về công tác xây dựng Đảng" in pdf_text(b"".join(answer.streaming_content)
                                                                  if answer.streaming else answer.content)
        member.get(f"/library/documents/{doc_id}/")
        assert Receipt.objects.filter(document_id=doc_id, member=own).count() == 1
        assert AuditEvent.objects.filter(action="library.file_downloaded", object_id=str(doc_id)).exists()
        after = secretary.get(f"/api/v1/library/documents/{doc_id}/readings/").json()
        cell_after = next(r for r in after if r["unit_id"] == own.unit_id)
        assert own.full_name not in cell_after["not_read"] and cell_after["read"] == 1
        assert len(cell_after["not_read"]) == len(cell["not_read"]) - 1
        page = secretary.get(f"/library/documents/{doc_id}/").content.decode()
        row = re.search(rf'<tr data-unit="{own.unit_id}">.*?</tr>', page, re.S).group(0)
        # Opening the page is a read too: the secretary is on the cell's rolls (2 of them have read it now).
        read_now = Receipt.objects.filter(document_id=doc_id, member__unit_id=own.unit_id).count()
        assert read_now == 2 and f"data-field=\"share\">{read_now}/{cell['total']} (" in row, row
        # The demo may hold a namesake in the cell: the name is listed only as often as unread namesakes.
        assert row.count(f'<span class="name">{own.full_name}</span>') == cell_after["not_read"].count(own.full_name)
        # A new version keeps the old one.
        v2 = secretary.post(f"/api/v1/library/documents/{doc_id}/versions/",
                            {"file": _upload("nq57-v2.pdf", pdf)}, format="multipart")
        assert v2.status_code == 403  # France did not send it
        v2 = officer.post(f"/api/v1/library/documents/{doc_id}/versions/",
                          {"file": _upload("nq57-v2.pdf", pdf), "note": "Sửa lỗi chính tả"}, format="multipart")
        assert v2.status_code == 201 and v2.json()["number"] == 2
        assert DocumentFile.objects.filter(document_id=doc_id).count() == 2
        # Germany's document: France's secretary gets 404 by id and by file id, each attempt audited.
        de = _send(client_of("bithu.duc"), germany.pk, pdf, targets=[Unit.objects.get(code="DUC-FRA").pk])
        assert de.status_code == 201, de.content
        de_id, de_file = de.json()["id"], de.json()["files"][0]["id"]
        for url in (f"/library/documents/{de_id}/", f"/library/documents/{de_id}/file/", f"/library/files/{de_file}/",
                    f"/api/v1/library/documents/{de_id}/", f"/api/v1/library/files/{de_file}/"):
            assert secretary.get(url).status_code == 404, url
        denied = AuditEvent.objects.filter(actor_id=personas["bithu.phap"].pk)
        assert denied.filter(action="library.document_denied").count() == 3
        assert denied.filter(action="library.file_denied").count() == 2
        assert not AuditEvent.objects.filter(action="library.file_downloaded", object_id=str(de_id)).exists()


def test_read_by_reminders_go_once_to_those_who_have_not_read(personas, actor_of, unit, pdf):
    officer = actor_of("ban.tochuc")
    with override_settings(CHIBO_TODAY=DAY):
        doc = services.document_send(actor=officer, unit=unit("DUBNG"), number="12-CT/ĐU", issued_on=DAY,
                                     issuer="Đảng ủy", kind="directive", title="Chỉ thị về học tập",
                                     filename="ct12.pdf", data=pdf, targets=[unit("PHAP-DSQ")],
                                     read_by=DAY + timedelta(days=3))
    reader, other = personas["dangvien.phap"], personas["bithu.phap"]
    services.document_mark_read(actor=actor_of("bithu.phap"), document=doc)
    assert services.read_reminders_step(DAY) >= 1
    reminders = Notification.objects.filter(kind="library.read_reminder", ref=f"library:{doc.pk}")
    assert reminders.filter(user=reader).count() == 1
    if other.member.unit.code == "PHAP-DSQ":  # read already: no reminder
        assert not reminders.filter(user=other).exists()
    services.read_reminders_step(DAY)
    assert reminders.filter(user=reader).count() == 1
    assert services.read_reminders_step(DAY + timedelta(days=4)) >= 1  # the day after the date: once more
    assert reminders.filter(user=reader).count() == 2


def test_register_of_classified_documents(personas, client_of, unit, pdf):
    secretary, member = client_of("bithu.phap"), client_of("dangvien.phap")
    france = unit("PHAP")
    own = personas["dangvien.phap"].member
    keeper = personas["bithu.phap"].member
    german = Member.objects.filter(unit__code="DUC-FRA").order_by("pk").first()
    entry = {"unit": france.pk, "number": "05-CV/M", "issued_on": "01/03/2026", "issuer": "Văn phòng Trung ương",
             "level": "toi_mat", "copies": 2, "custodian": keeper.pk, "received_on": "05/03/2026",
             "protected_until": "05/03/2036"}
    with override_settings(CHIBO_TODAY=DAY):
        page = secretary.get("/library/classified/").content.decode()
        assert "không được lưu tệp" in page
        refused = secretary.post("/library/classified/", {**entry, "file": _upload("mat.pdf", pdf)})
        assert refused.status_code == 400 and "mạng nội bộ cách ly" in refused.content.decode()
        api_refused = secretary.post("/api/v1/library/classified/", {**entry, "file": _upload("mat.pdf", pdf)},
                                     format="multipart")
        assert api_refused.status_code == 400 and "file" in api_refused.json()
        assert not ClassifiedEntry.objects.exists() and not Deadline.objects.filter(kind="library.declassify").exists()
        with override_settings(CHIBO_ISOLATED_LAN=True):
            lan = secretary.post("/api/v1/library/classified/", {**entry, "number": "06-CV/M",
                                                                 "file": _upload("mat.pdf", pdf)}, format="multipart")
            assert lan.status_code == 201 and lan.json()["has_file"] is True
        made = secretary.post("/api/v1/library/classified/", {**entry, "issued_on": "2026-03-01"},
                              content_type="application/json")
        assert made.status_code == 201, made.content
        entry_id = made.json()["id"]
        # The declassification date is on France's radar.
        deadline = Deadline.objects.get(kind="library.declassify", source=f"classified:{entry_id}")
        assert deadline.due_date == date(2036, 3, 5) and deadline.unit_id == france.pk
        assert "05-CV/M" in deadline.title
        assert secretary.get(f"/deadlines/{deadline.pk}/").status_code == 200
        # A hand-over outside the unit is refused; to a member of France, recorded and acknowledged by them only.
        outside = secretary.post(f"/api/v1/library/classified/{entry_id}/handovers/",
                                 {"to_member": german.pk, "copies": 1}, content_type="application/json")
        assert outside.status_code == 400 and "to_member" in outside.json()
        assert not Handover.objects.exists()
        handed = secretary.post(f"/api/v1/library/classified/{entry_id}/handovers/",
                                {"to_member": own.pk, "copies": 2}, content_type="application/json")
        assert handed.status_code == 201, handed.content
        handover_id = handed.json()["id"]
        assert secretary.post(f"/api/v1/library/handovers/{handover_id}/acknowledge/").status_code == 403
        assert member.get(f"/library/classified/{entry_id}/").status_code == 200  # the receiver sees the entry
        assert member.post(f"/library/handovers/{handover_id}/acknowledge/").status_code == 302
        assert ClassifiedEntry.objects.get(pk=entry_id).custodian_id == own.pk
        assert Handover.objects.get(pk=handover_id).acknowledged_at is not None
        # Germany's secretary does not see France's register entry (404, audited).
        assert client_of("bithu.duc").get(f"/api/v1/library/classified/{entry_id}/").status_code == 404
        assert AuditEvent.objects.filter(action="library.classified_denied").exists()
        # Destruction closes the radar item.
        gone = secretary.post(f"/api/v1/library/classified/{entry_id}/destroy/",
                              {"record": "Biên bản số 3/BB ngày 10/3/2026, chứng kiến: hai đồng chí cấp ủy viên"},
                              content_type="application/json")
        assert gone.status_code == 200 and gone.json()["destroyed_on"] == "2026-03-10"
        deadline.refresh_from_db()
        assert deadline.state == "waived"
