"""Personal data duties on the demo organization (docs/domain.md §10): a member's request about their own data with
its 2-working-day clock across Tết on the radar of the cell's secretary, the answer, a request for someone else's
data refused with nothing written, the export archive opened with its password and holding every table that refers
to the member, who opened my record (by role and unit, never by name), and the breach register's 72-hour clock."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import pyzipper
from django.test import override_settings
from django.urls import reverse

from chibo.core.documents import pdf_text
from chibo.core.models import AuditEvent
from chibo.deadlines.models import Deadline
from chibo.deadlines.selectors import deadlines_visible
from chibo.members.models import Member
from chibo.privacy import export
from chibo.privacy.models import Breach, DataRequest

pytestmark = [pytest.mark.django_db]
FRIDAY_BEFORE_TET = date(2026, 2, 13)  # Tết 2026: Mon 16 to Fri 20 February are public holidays
PASSWORD = "mat-khau-dai-1"


def _json(client, url, body):
    return client.post(url, body, content_type="application/json")


def _written() -> tuple[int, int, int]:
    return DataRequest.objects.count(), Deadline.objects.count(), AuditEvent.objects.count()


def test_a_members_export_request_answered_within_its_clock(personas, client_of, actor_of):
    member_client, secretary = client_of("dangvien.phap"), client_of("bithu.phap")
    me = personas["dangvien.phap"].member
    with override_settings(CHIBO_TODAY=FRIDAY_BEFORE_TET):
        # A request about someone else's data is refused, nothing written (API and page).
        other = Member.objects.filter(unit=me.unit).exclude(pk=me.pk).first()
        before = _written()
        answer = _json(member_client, "/api/v1/privacy/requests/", {"kind": "export", "member": other.pk})
        assert answer.status_code == 403
        page = member_client.post(reverse("privacy:new"), {"kind": "export", "member": other.pk})
        assert page.status_code == 403 and "chính mình" in page.content.decode()
        assert _written() == before
        # Bad input: no kind.
        assert _json(member_client, "/api/v1/privacy/requests/", {"details": "x"}).status_code == 400
        assert _written() == before

        answer = _json(member_client, "/api/v1/privacy/requests/", {"kind": "export", "details": "Cần bản sao"})
        assert answer.status_code == 201, answer.content
        body = answer.json()
        # 2 working days from Friday 13/02/2026: Tết (16–20) and the weekends do not count → Tuesday 24/02/2026.
        assert body["due_on"] == "2026-02-24" and body["state"] == "filed"
        assert body["available_actions"] == []  # the member never answers their own request
    req = DataRequest.objects.get(pk=body["id"])
    deadline = Deadline.objects.get(source=f"privacy:{req.pk}")
    assert deadline.kind == "privacy.request" and deadline.unit_id == me.unit_id
    assert deadline.due_date == date(2026, 2, 24)
    assert deadlines_visible(actor_of("bithu.phap")).filter(pk=deadline.pk).exists()  # on the secretary's radar
    assert not deadlines_visible(actor_of("bithu.duc")).filter(pk=deadline.pk).exists()

    # Outside the scope: Germany's secretary gets 404 on the request and its export.
    outsider = client_of("bithu.duc")
    assert outsider.get(f"/api/v1/privacy/requests/{req.pk}/").status_code == 404
    assert _json(outsider, f"/api/v1/privacy/requests/{req.pk}/export/", {"password": PASSWORD}).status_code == 404
    assert outsider.post(reverse("privacy:export", args=[req.pk]), {"password": PASSWORD}).status_code == 404
    # The member cannot answer it; the secretary can, within the clock.
    assert _json(member_client, f"/api/v1/privacy/requests/{req.pk}/actions/",
                 {"action": "answer", "answer": "Đã gửi"}).status_code == 403
    with override_settings(CHIBO_TODAY=date(2026, 2, 23)):
        page = secretary.get(reverse("privacy:request", args=[req.pk]))
        assert page.status_code == 200 and "24/02/2026" in page.content.decode()
        done = secretary.post(reverse("privacy:act", args=[req.pk]),
                              {"do": "answer", "answer": "Tệp xuất đã sẵn sàng trên trang yêu cầu."})
        assert done.status_code == 302
    req.refresh_from_db()
    deadline.refresh_from_db()
    assert req.state == "answered" and req.answered_on == date(2026, 2, 23) and not req.late
    assert deadline.state == "met"
    shown = member_client.get(reverse("privacy:request", args=[req.pk])).content.decode()
    assert "Tệp xuất đã sẵn sàng" in shown
    # Answering twice is refused (409).
    assert _json(secretary, f"/api/v1/privacy/requests/{req.pk}/actions/",
                 {"action": "answer", "answer": "Lần nữa"}).status_code in (403, 409)


def test_the_export_opens_with_its_password_and_holds_every_table(personas, client_of):
    member_client = client_of("dangvien.phap")
    me = personas["dangvien.phap"].member
    req = _json(member_client, "/api/v1/privacy/requests/", {"kind": "export"}).json()
    assert _json(member_client, f"/api/v1/privacy/requests/{req['id']}/export/",
                 {"password": "short"}).status_code == 400
    answer = _json(member_client, f"/api/v1/privacy/requests/{req['id']}/export/", {"password": PASSWORD})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer["Cache-Control"] == "no-store"
    archive = io.BytesIO(b"".join(answer.streaming_content) if answer.streaming else answer.content)
    with pyzipper.AESZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["data.json", "tom-tat.pdf"]
        with pytest.raises(RuntimeError):
            zf.read("data.json", pwd=b"wrong password")
        data = json.loads(zf.read("data.json", pwd=PASSWORD.encode()))
        pdf = zf.read("tom-tat.pdf", pwd=PASSWORD.encode())
    assert data["person"]["full_name"] == me.full_name
    assert me.full_name in pdf_text(pdf)
    user = personas["dangvien.phap"]
    targets = {export.MEMBER: me, export.APPLICANT: None, export.USER: user}
    checked = 0
    for key, field in export.person_fields():
        target = targets[field.related_model._meta.label_lower]
        if key in export.EXCLUDED or target is None:
            continue
        held = field.model._default_manager.filter(**{field.name: target}).count()
        assert len(data["sections"].get(key, [])) == held, key
        checked += held
    assert checked > 5  # the demo member has a timeline, dues, attendance…
    assert len(data["sections"]["privacy.DataRequest.member"]) == 1
    for rows in data["sections"].values():  # no credential leaves the system
        for row in rows:
            assert not any("password" in k or "hash" in k for k in row)
    assert AuditEvent.objects.filter(action="privacy.exported", object_id=str(req["id"])).exists()


def test_every_field_that_points_at_a_person_is_exported_or_excluded_with_a_reason():
    keys = {key for key, _f in export.person_fields()}
    missing = sorted(keys - set(export.INCLUDED) - set(export.EXCLUDED))
    assert not missing, f"add these to privacy.export.INCLUDED (or EXCLUDED with a reason): {missing}"
    assert not sorted((set(export.INCLUDED) | set(export.EXCLUDED)) - keys), "stale entries in the export maps"
    assert not set(export.INCLUDED) & set(export.EXCLUDED)
    assert all(len(reason) > 20 for reason in export.EXCLUDED.values())


def test_who_read_my_record_by_role_and_unit(personas, client_of):
    me = personas["dangvien.phap"].member
    secretary = personas["bithu.phap"]
    assert client_of("bithu.phap").get(reverse("members:detail", args=[me.pk])).status_code == 200
    reads = client_of("dangvien.phap").get("/api/v1/privacy/reads/").json()
    assert reads and reads[0]["role"] == "Bí thư / phó bí thư"
    assert reads[0]["unit"]
    page = client_of("dangvien.phap").get(reverse("privacy:reads")).content.decode()
    assert "Bí thư / phó bí thư" in page
    assert secretary.member.full_name not in page and secretary.username not in page
    assert client_of("ungvien.phap").get("/api/v1/privacy/reads/").status_code == 404


def test_an_officer_records_a_former_members_request_not_a_current_ones(personas, client_of):
    secretary = client_of("bithu.phap")
    me = personas["dangvien.phap"].member
    before = _written()
    answer = _json(secretary, "/api/v1/privacy/requests/", {"kind": "see", "member": me.pk})
    assert answer.status_code == 400 and "member" in answer.json()
    assert _written() == before
    Member.objects.filter(pk=me.pk).update(status="left")
    answer = _json(secretary, "/api/v1/privacy/requests/",
                   {"kind": "erase", "member": me.pk, "filed_on": "02/03/2026"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["recorded_by_officer"] is True
    # Out of scope: 404.
    assert _json(client_of("bithu.duc"), "/api/v1/privacy/requests/",
                 {"kind": "erase", "member": me.pk}).status_code == 404


def test_breach_register_clock_of_72_hours(client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    before = Breach.objects.count(), AuditEvent.objects.count()
    missing = _json(officer, "/api/v1/privacy/breaches/", {"summary": "Mất máy tính", "data_affected": "12 hồ sơ"})
    assert missing.status_code == 400 and "detected_at" in missing.json()
    assert _json(secretary, "/api/v1/privacy/breaches/",
                 {"detected_at": "13/02/2026 22:30", "summary": "x", "data_affected": "y"}).status_code == 403
    assert (Breach.objects.count(), AuditEvent.objects.count()) == before
    assert secretary.get(reverse("privacy:breaches")).status_code == 404
    answer = _json(officer, "/api/v1/privacy/breaches/",
                   {"detected_at": "13/02/2026 22:30", "summary": "Mất máy tính xách tay",
                    "data_affected": "Danh sách 12 đảng viên chi bộ"})
    assert answer.status_code == 201, answer.content
    breach = Breach.objects.get(pk=answer.json()["id"])
    # 72 clock hours, over the weekend and the first day of Tết.
    assert (breach.due_at - breach.detected_at).total_seconds() == 72 * 3600
    assert breach.due_at.date() == date(2026, 2, 16)
    done = _json(officer, f"/api/v1/privacy/breaches/{breach.pk}/actions/",
                 {"action": "notify", "notified_at": "15/02/2026 09:00", "notified_to": "Cục A05, Bộ Công an"})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "notified" and done.json()["late"] is False
    assert officer.get(reverse("privacy:breach", args=[breach.pk])).status_code == 200
