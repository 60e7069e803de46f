"""The kernel's spreadsheet reader, piece by piece: each reader (the member import, a dues statement) gets the same
checks with its own limits and wording (a SheetPolicy). The member import's files are tested end to end in
chibo.bulk.tests.test_import, a statement's in chibo.dues.tests.test_statements."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from chibo.core.spreadsheets import (
    DEFAULT_POLICY,
    FileRefused,
    SheetPolicy,
    check_size,
    check_zip,
    csv_rows,
    decode_text,
    openpyxl_rows,
    parse_date,
    sniff,
)

STRICT = SheetPolicy(max_bytes=5 * 1024 * 1024, too_large="Quá lớn: {mb:.1f} MB, tối đa {limit} MB.",
                     max_uncompressed=2 * 1024 * 1024, unzipped_too_large="Giải nén quá lớn.", zip_kinds=("xlsx",),
                     not_a_workbook="Không phải .xlsx.", broken_zip="Hỏng.", refuse_doctype=True, unreadable="Hỏng.",
                     columns=3, refuse_wider=False, encodings=("utf-8-sig",), unknown_encoding="Chỉ UTF-8.")


def xlsx_bytes(rows: list[list], mutate=None) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    if mutate is None:
        return out.getvalue()
    changed = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, mutate(item.filename, src.read(item)))
    return changed.getvalue()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    out.seek(0)
    return out


def test_dates():
    today = date(2026, 1, 1)
    assert parse_date("05/03/1980", today=today) == date(1980, 3, 5)
    assert parse_date("5/3/80", today=today) == date(1980, 3, 5)
    assert parse_date("5/3/05", today=today) == date(2005, 3, 5)
    assert parse_date(29285, today=today) == date(1980, 3, 5)
    assert parse_date("29285", today=today) == date(1980, 3, 5)
    assert parse_date("1980-03-05", today=today) == date(1980, 3, 5)
    with pytest.raises(ValueError, match="không phải là ngày"):
        parse_date("31/02/1980", today=today)


def test_kind_by_content_and_size_in_each_policys_words():
    assert [sniff(b"PK\x03\x04rest"), sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), sniff(b"a,b\n1,2\n")] == [
        "zip", "xls", "text"]
    late_nul = b"a" * 5000 + b"\x00"
    assert sniff(late_nul) == "text" and sniff(late_nul, scan=8192) == "binary"
    with pytest.raises(FileRefused, match=r"^Tệp quá lớn \(60 MB\); giới hạn 50 MB\. Hãy chia"):
        check_size(60 * 1024 * 1024)
    with pytest.raises(FileRefused, match=r"^Quá lớn: 5\.5 MB, tối đa 5 MB\.$"):
        check_size(int(5.5 * 1024 * 1024), STRICT)
    check_size(5 * 1024 * 1024, STRICT)
    with pytest.raises(FileRefused, match="Tệp rỗng"):
        check_size(0, STRICT)


def test_a_zip_is_checked_under_the_callers_limits_and_kinds():
    assert check_zip(io.BytesIO(xlsx_bytes([["a", "b"]]))) == "xlsx"
    assert check_zip(io.BytesIO(xlsx_bytes([["a", "b"]])), STRICT) == "xlsx"
    ods = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    assert check_zip(zip_bytes(ods)) == "ods"
    with pytest.raises(FileRefused, match="^Không phải .xlsx.$"):
        check_zip(zip_bytes(ods), STRICT)
    with pytest.raises(FileRefused, match="hay OpenDocument"):
        check_zip(zip_bytes({"readme.txt": b"hello"}))
    bomb = {"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\x00" * (3 * 1024 * 1024)}
    for policy in (DEFAULT_POLICY, STRICT):
        with pytest.raises(FileRefused, match="bom nén"):
            check_zip(zip_bytes(bomb), policy)
    stored = zip_bytes({"xl/workbook.xml": b"<x/>", "xl/media/a.bin": bytes(3 * 1024 * 1024)}, zipfile.ZIP_STORED)
    assert check_zip(stored) == "xlsx"
    with pytest.raises(FileRefused, match="^Giải nén quá lớn.$"):
        check_zip(stored, STRICT)
    with pytest.raises(FileRefused, match="tệp nén hỏng"):
        check_zip(io.BytesIO(b"PK\x03\x04" + b"garbage" * 10))
    with pytest.raises(FileRefused, match="^Hỏng.$"):
        check_zip(io.BytesIO(b"PK\x03\x04" + b"garbage" * 10), STRICT)


def test_a_doctype_in_any_xml_part_refuses_the_zip_when_the_policy_says_so():
    declared = xlsx_bytes([["a", "b"]], lambda name, body: (b'<!DOCTYPE x [<!ENTITY a "a">]>' + body
                                                            if name == "xl/worksheets/sheet1.xml" else body))
    assert check_zip(io.BytesIO(declared)) == "xlsx"  # calamine never expands entities
    with pytest.raises(FileRefused, match="DOCTYPE"):
        check_zip(io.BytesIO(declared), STRICT)


def test_openpyxl_rows_refuse_a_wide_sheet_or_cut_it():
    wide = xlsx_bytes([["a", "b", "c", "d", "e"], [1, 2, 3, 4, 5]])
    assert list(openpyxl_rows(io.BytesIO(wide), STRICT)) == [["a", "b", "c"], [1, 2, 3]]
    padded = list(openpyxl_rows(io.BytesIO(wide)))  # read-only openpyxl pads a row to the columns it reads
    assert [row[:6] for row in padded] == [["a", "b", "c", "d", "e", None], [1, 2, 3, 4, 5, None]]
    with pytest.raises(FileRefused, match="quá nhiều cột"):
        list(openpyxl_rows(io.BytesIO(wide), SheetPolicy(columns=4)))
    broken = xlsx_bytes([["a"]], lambda name, body: b"<not xml" if name == "xl/worksheets/sheet1.xml" else body)
    with pytest.raises(FileRefused, match="^Hỏng.$"):
        list(openpyxl_rows(io.BytesIO(broken), STRICT))
    with pytest.raises(FileRefused, match="tệp hỏng hoặc không đúng định dạng"):
        list(openpyxl_rows(io.BytesIO(b"not a zip")))


def test_csv_text_in_the_policys_encodings_and_malformed_csv_refused():
    legacy = "Họ tên".encode("cp1258", "replace") + b"\x81"  # \x81: neither UTF-8, nor cp1258, nor cp1252
    with pytest.raises(FileRefused, match="^Chỉ UTF-8.$"):
        decode_text(legacy, STRICT)
    assert decode_text("\ufeffNgày".encode()) == "Ngày"
    with pytest.raises(FileRefused, match="Không nhận ra bảng mã"):
        decode_text(legacy)
    assert list(csv_rows("a;b\n1;2\n", delimiter=";")) == [["a", "b"], ["1", "2"]]
    with pytest.raises(FileRefused, match="Tệp CSV không hợp lệ"):
        list(csv_rows('a,"b"c\n', strict=True))
