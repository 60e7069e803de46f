"""An upload through the API bigger than what Django keeps in memory (FILE_UPLOAD_MAX_MEMORY_SIZE, 2 MB) is
spooled to a temporary file; the import still reads its form fields and answers, never a server error (the
deployment test's 50 MB upload through nginx found the 500)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.bulk.tests.test_import import HEADER, rows_for
from chibo.core.spreadsheets import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db


def test_a_spooled_upload_is_read_not_a_server_error(client_of):
    api = client_of("bithu.phap")
    rows = rows_for(["Nguyễn Văn Đức"], card_base=56_000_000)
    text = "\n".join(";".join(str(c) for c in r) for r in [HEADER, *rows]) + "\n"
    padding = "\n" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024)  # blank lines: bigger than memory, same rows
    upload = SimpleUploadedFile("ds.csv", (text + padding).encode("utf-8"), content_type="text/csv")
    answer = api.post("/api/v1/imports/", {"file": upload, "mode": "valid"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["mode"] == "valid"  # the form field was read beside the spooled file


def test_a_spooled_upload_over_the_limit_is_refused_in_words(client_of):
    api = client_of("bithu.phap")
    upload = SimpleUploadedFile("ds.csv", b"a" * (MAX_UPLOAD_BYTES + 1), content_type="text/csv")
    answer = api.post("/api/v1/imports/", {"file": upload})
    assert answer.status_code == 400, answer.content
    assert "file" in answer.json()
