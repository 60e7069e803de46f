"""A document of Germany probed by France's secretary (run on SQLite and PostgreSQL): by the document's id (page, file,
API, who has read) and by the file's own id (page and API), each answers 404 exactly as for a document that does not
exist, and each attempt is written to the audit chain with the id asked for; nothing is downloaded, read or kept for
offline reading. The files live encrypted in the database: there is no bare URL to a stored file."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import override_settings

from chibo.core.models import AuditEvent
from chibo.library import services
from chibo.library.models import Receipt
from chibo.library.tests.matrix import PDF

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)
TOKEN = re.compile(r'(csrf-token" content|name="csrfmiddlewaretoken" value)="[^"]*"')


def _unmasked(answer) -> str:
    """The answer without its CSRF tokens (masked differently on every page)."""
    return TOKEN.sub("", answer.content.decode())


def test_a_german_document_is_404_to_france_and_every_attempt_is_audited(personas, actor_of, client_of, unit):
    with override_settings(CHIBO_TODAY=DAY):
        doc = services.document_send(actor=actor_of("bithu.duc"), unit=unit("DUC"), number="3-NQ/ĐU", issued_on=DAY,
                                     issuer="Đảng ủy Đại sứ quán tại Đức", kind="resolution",
                                     title="Nghị quyết của Đảng bộ tại Đức", filename="nq3-duc.pdf", data=PDF,
                                     to_everyone=True)
    file_id = doc.files.get().pk
    missing = doc.pk + 1000
    secretary = client_of("bithu.phap")
    probes = {  # url → (audited action, the id it names)
        "/library/documents/{doc}/": ("library.document_denied", "document"),
        "/library/documents/{doc}/file/": ("library.document_denied", "document"),
        "/library/files/{file}/": ("library.file_denied", "file"),
        "/api/v1/library/documents/{doc}/": ("library.document_denied", "document"),
        "/api/v1/library/documents/{doc}/file/": ("library.document_denied", "document"),
        "/api/v1/library/documents/{doc}/readings/": ("library.document_denied", "document"),
        "/api/v1/library/files/{file}/": ("library.file_denied", "file"),
    }
    mine = AuditEvent.objects.filter(actor_id=personas["bithu.phap"].pk)
    for template, (action, named) in probes.items():
        url = template.format(doc=doc.pk, file=file_id)
        before = mine.count()
        answer = secretary.get(url)
        assert answer.status_code == 404, url
        assert not answer.has_header("X-Chibo-Offline") and not answer.has_header("Content-Disposition"), url
        assert "Nghị quyết của Đảng bộ tại Đức" not in answer.content.decode(), url
        row = mine.order_by("-pk").first()
        assert mine.count() == before + 1 and row is not None, url
        assert (row.action, row.data) == (action, {named: str(doc.pk if named == "document" else file_id)}), url
        # The same answer as for a document that does not exist: nothing tells it is there.
        ghost_url = template.format(doc=missing, file=missing)
        ghost = secretary.get(ghost_url)
        assert ghost.status_code == 404, url
        assert _unmasked(ghost).replace(ghost_url, "") == _unmasked(answer).replace(url, ""), url
    # There is no path to a stored file outside the scoped, audited views.
    for url in ("/media/nq3-duc.pdf", "/library/files/nq3-duc.pdf", "/static/nq3-duc.pdf"):
        assert secretary.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action="library.file_downloaded", object_id=str(doc.pk)).exists()
    assert not Receipt.objects.filter(document=doc).exists()
    # Germany's secretary, who sent it, opens it.
    assert client_of("bithu.duc").get(f"/library/files/{file_id}/").status_code == 200
