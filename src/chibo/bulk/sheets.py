"""The spreadsheets the import hands out: the template to fill in and the row-by-row report of a check. Both are
files of the exchange between a unit and the system, in Vietnamese whatever the reader's language (their columns are
the ones the import reads back)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from chibo.bulk.services import CHOICE_ENUMS, COLUMNS, HEADERS, NEW_STATUSES, Plan
from chibo.core.sheets import safe_row

ACTION_LABELS = {"new": "Thêm mới", "update": "Cập nhật", "unchanged": "Không đổi", "error": "Lỗi"}


def report_xlsx(plan: Plan) -> bytes:
    """Row-by-row report: the file's columns (converted to Unicode), then the outcome and the errors."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kết quả kiểm tra")
    ws.append(safe_row(["Dòng", *plan.header, "Cảnh báo (vẫn nhập)", "Kết quả", "Lỗi"]))
    for row in plan.rows:  # a cell as read, hidden characters included: safe_row shows them by their code
        ws.append(safe_row([row.number, *(_report_value(v) for v in row.raw), "; ".join(row.warnings),
                            ACTION_LABELS[row.action], "; ".join(row.errors)]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _report_value(value: object) -> object:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def template_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append([label for _, label, _ in COLUMNS])
    ws.append(["Nguyễn Văn An", "Nam", "05/03/1985", "Nam Định", "Kinh", "Đại học", "Trung cấp", "Bí thư thứ hai",
               "Đại sứ quán Việt Nam tại Pháp", "", "000123BNG", "12/05/2010", "19/05/2010", "19/05/2011", "Chính thức",
               "Cán bộ cơ quan đại diện", "01/09/2023", "31/08/2026", "PHAP-DSQ", "", "", ""])
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 22
    notes = wb.create_sheet("Hướng dẫn")
    notes.append(["Cột", "Giá trị"])
    notes.append(["Ngày", "dd/mm/yyyy (ví dụ 05/03/1985); chấp nhận cả d/m/yy và ngày của Excel"])
    for name, enum in CHOICE_ENUMS.items():
        values = [str(label) for value, label in enum.choices
                  if name != "status" or value in NEW_STATUSES]
        notes.append([HEADERS[name], "; ".join(values)])
    notes.append(["Bảng mã", "Unicode; tệp cũ gõ bằng TCVN3 (ABC) hoặc VNI được tự nhận và chuyển sang Unicode"])
    notes.append(["Khóa", "Số thẻ đảng viên, nếu không có thì số lý lịch: nhập lại cùng tệp không tạo bản trùng"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
