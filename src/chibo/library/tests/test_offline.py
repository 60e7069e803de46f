"""Offline reading on a phone, as the server sees it: the service worker at the site root is plain JavaScript naming
only this site's own assets; the answers it may keep are marked ``X-Chibo-Offline: keep`` only for an unclassified
document's page and file opened by a member it is addressed to (and the member's own list), never for a page showing
who has not read, the sender's page, another unit's document, the register of classified documents or the API;
every page keeps ``Cache-Control: no-store``; signing out answers ``Clear-Site-Data``."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client, override_settings

from chibo.library import services
from chibo.library.tests.matrix import PDF

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def test_the_service_worker_is_static_javascript_from_the_site_root(client_of):
    for client in (Client(), client_of("dangvien.phap")):
        answer = client.get("/sw.js")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "text/javascript; charset=utf-8"
        assert answer["Service-Worker-Allowed"] == "/"
        assert answer["Cache-Control"] == "no-store" and answer["X-Content-Type-Options"] == "nosniff"
        body = answer.content.decode()
        assert "/static/chibo/chibo.css" in body and "X-Chibo-Offline" in body
        assert "http://" not in body and "https://" not in body and "importScripts" not in body  # nothing elsewhere
        assert "dangvien" not in body  # the same for everyone
    assert "script-src 'self'" in answer["Content-Security-Policy"]  # the worker registers under the site's policy


def test_only_documents_the_member_may_read_are_marked_for_offline(personas, actor_of, client_of, unit):
    officer = actor_of("ban.tochuc")
    with override_settings(CHIBO_TODAY=DAY):
        doc = services.document_send(actor=officer, unit=unit("DUBNG"), number="57-NQ/ĐU", issued_on=DAY,
                                     issuer="Đảng ủy", kind="resolution", title="Nghị quyết về công tác đảng viên",
                                     filename="nq57.pdf", data=PDF, targets=[unit("PHAP")])
        other = services.document_send(actor=actor_of("bithu.duc"), unit=unit("DUC"), number="3-NQ/ĐU",
                                       issued_on=DAY, issuer="Đảng ủy", kind="resolution", title="Nghị quyết",
                                       filename="nq3.pdf", data=PDF, targets=[unit("DUC-FRA")])
    member, secretary, top = client_of("dangvien.phap"), client_of("bithu.phap"), client_of("ban.tochuc")
    file_id = doc.files.get().pk

    page = member.get(f"/library/documents/{doc.pk}/")
    assert page["X-Chibo-Offline"] == "keep" and page["Cache-Control"] == "no-store"
    assert page["X-Chibo-Offline-File"] == f"/library/files/{file_id}/"
    text = page.content.decode()
    assert 'data-offline-worker="/sw.js"' in text and "bản lưu bị xóa khi đồng chí đăng xuất" in text
    for url in (f"/library/documents/{doc.pk}/file/", f"/library/files/{file_id}/", "/library/"):
        answer = member.get(url)
        assert answer.status_code == 200 and answer["X-Chibo-Offline"] == "keep", url
        assert answer["Cache-Control"] == "no-store", url
    # Never kept: a search, the API, the register of classified documents, the member's own record.
    for url in ("/library/?q=nghi", f"/api/v1/library/documents/{doc.pk}/", "/library/classified/", "/members/me/",
                "/"):
        answer = member.get(url)
        assert not answer.has_header("X-Chibo-Offline"), url
        assert answer["Cache-Control"] == "no-store", url
    # The secretary's page names who has not read, the sender's page offers a new version: neither is kept.
    shown = secretary.get(f"/library/documents/{doc.pk}/")
    assert shown.status_code == 200 and 'data-field="not-read"' in shown.content.decode()
    assert not shown.has_header("X-Chibo-Offline")
    assert not top.get(f"/library/documents/{doc.pk}/").has_header("X-Chibo-Offline")
    # Another unit's document: 404, nothing to keep.
    refused = member.get(f"/library/documents/{other.pk}/")
    assert refused.status_code == 404 and not refused.has_header("X-Chibo-Offline")


def test_signing_out_clears_the_site_data(client_of):
    member = client_of("dangvien.phap")
    assert not member.get("/library/").has_header("Clear-Site-Data")
    out = member.post("/accounts/logout/")
    assert out.status_code == 302
    assert out["Clear-Site-Data"] == '"cache", "storage"'
    assert member.get("/library/").status_code == 302  # signed out
    login = Client().get("/accounts/login/")
    assert "data-signed-out" in login.content.decode()  # the page tells the worker to drop what it kept
