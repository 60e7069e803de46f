"""Export the first N members of the whole tree's list (as ban.tochuc) in a fresh process with one writer; print time,
size and peak RSS. `python bench/export_one.py N [writer]`, writer one of:

- ``xlsx`` (default), ``csv``: the product's export (``bulk.exports.stream_member_list``);
- ``openpyxl``: the export as it was written before the streamed writers (model objects, one row built per member,
  openpyxl's write-only mode into a temporary file), kept here as the baseline;
- ``xlsxwriter``: the same rows as the product reads them, written by XlsxWriter in constant-memory mode (installed
  by the `bench` extra).
"""

import os
import resource
import sys
import tempfile
import time

import django

django.setup()

from chibo.accounts.models import User  # noqa: E402
from chibo.bulk import exports  # noqa: E402
from chibo.core.access import actor_from_user  # noqa: E402
from chibo.core.sheets import safe_row  # noqa: E402
from chibo.members.selectors import MemberFilters  # noqa: E402

n = int(sys.argv[1])
writer = sys.argv[2] if len(sys.argv) > 2 else "xlsx"
actor = actor_from_user(User.objects.get(username="ban.tochuc"))
original = exports.export_queryset
exports.export_queryset = lambda a, f: original(a, f)[:n]  # the first N rows of the list as sorted on screen
header = [label for _field, label in exports.LIST_COLUMNS]


def _d(value):
    return value.strftime("%d/%m/%Y") if value else ""


def openpyxl_blocks():
    from openpyxl import Workbook

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Danh sách đảng viên")
        ws.append(header)
        for m in exports.export_queryset(actor, MemberFilters()).iterator(chunk_size=2000):
            ws.append(safe_row((
                m.full_name, m.get_gender_display(), _d(m.birth_date), m.card_number or "", m.dossier_number or "",
                _d(m.admission_date), _d(m.confirmation_date), m.get_status_display(), m.get_category_display(),
                m.unit.code, m.home_town, m.job_title, m.workplace, _d(m.admission_decided_on),
                m.unit.national_code or "")))
        wb.save(path)
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(64 * 1024), b"")
    finally:
        os.unlink(path)


def xlsxwriter_blocks():
    import xlsxwriter

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet("Danh sách đảng viên")
        ws.write_row(0, 0, header)
        for i, row in enumerate(exports.member_rows(actor, MemberFilters()), start=1):
            ws.write_row(i, 0, row)
        wb.close()
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(64 * 1024), b"")
    finally:
        os.unlink(path)


blocks = {"openpyxl": openpyxl_blocks, "xlsxwriter": xlsxwriter_blocks}.get(writer)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
size = 0
for block in (blocks() if blocks else exports.stream_member_list(actor, MemberFilters(), writer)):
    size += len(block)
seconds = time.perf_counter() - t
print(f"rows={n}\nwriter={writer}\nseconds={seconds:.3f}\nbytes={size}\nbase_rss_mb={base:.1f}\n"
      f"rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
