"""Vietnamese is the source language of every user-facing string, and the English pages read it through gettext
(docs/architecture.md, "Languages"): a Vietnamese string constant in a Python module is either marked for
translation (inside ``_``, ``gettext``, ``gettext_lazy``, ``gettext_noop``, ``ngettext``, ``pgettext``, ``_t``,
``said``… ) or it is Vietnamese on purpose.

The test reads every module of the package (not the tests, not the migrations) with ``ast`` and fails on a
Vietnamese string constant that is neither a docstring nor inside a gettext-family call, and on an f-string inside
one (its text could never be found in the catalogue). A module whose Vietnamese is meant (official papers, data,
exchange formats, the demo) is listed in ``BY_DESIGN`` with its reason; a few data constants inside modules that
are otherwise translated are listed one by one in ``DATA_STRINGS``. Modules that still hold page text nobody has
marked yet are in ``NOT_YET`` with the number of strings left: that number may only go down, and an entry whose
module has none left must be removed, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # …/src/chibo

VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ]")

# The functions whose arguments makemessages reads (chibo.core.management.commands.makemessages): Django's gettext
# family, ``_t`` (gettext where ``_`` is gettext_lazy) and ``said`` / ``said_term`` (core.said).
MARKERS = frozenset({
    "_", "_t", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy", "said", "said_term",
})

# Modules whose Vietnamese is meant, with the reason.
OFFICIAL_PAPER = "official papers print Vietnamese (the party's forms, generated as DOCX/PDF)"
EXCHANGE = "the exchange format: spreadsheets' columns and values are Vietnamese, whatever the reader's language"
DEMO = "the demo loader writes Vietnamese data, as a real installation holds"
BY_DESIGN: dict[str, str] = {
    "admission/documents.py": OFFICIAL_PAPER,
    "discipline/documents.py": OFFICIAL_PAPER,
    "dues/documents.py": OFFICIAL_PAPER,
    "grading/documents.py": OFFICIAL_PAPER,
    "reports/documents.py": OFFICIAL_PAPER,
    "transfers/documents.py": OFFICIAL_PAPER,
    "core/documents.py": "the layout of official papers: the party's heading, 'Nơi nhận:', the date line",
    "meetings/minutes.py": "minutes of a meeting are an official paper in Vietnamese",
    "units/headings.py": "the signing lines of official papers ('T/M CHI ỦY')",
    "privacy/export.py": "the copy of a person's data is a paper (a Vietnamese summary beside data.json)",
    "core/data/countries_vi.py": "data: the official Vietnamese names of countries",
    "core/data/vn_provinces.py": "data: the names of Vietnam's provinces and cities",
    "bulk/legacy.py": EXCHANGE,
    "bulk/exchange.py": EXCHANGE,
    "bulk/exports.py": EXCHANGE,
    "bulk/reader.py": EXCHANGE,
    "bulk/sheets.py": EXCHANGE,
    "core/spreadsheets.py": EXCHANGE,
    "demo/builder.py": DEMO,
    "demo/national.py": DEMO,
    "admission/demo.py": DEMO,
    "meetings/demo.py": DEMO,
    "transfers/demo.py": DEMO,
    "settings.py": "the language's own name ('Tiếng Việt') and the values the deployment's defaults match in "
                   "imported data (statuses, payment channels)",
    "core/management/commands/makemessages.py": "an operator's command that refuses to build a Vietnamese catalogue",
    "accounts/management/commands/setup.py": "an operator's command: an example name in its help",
    "admission/management/commands/admission.py": "an operator's command: a Vietnamese term in its help",
    "bulk/management/commands/export.py": "an operator's command: the name of the paper book 7-HSĐV in its help",
}

# Single data constants inside modules whose other strings are translated.
# Texts the services write into the records: a reason on a member's timeline or a case, on a closed deadline or a
# voided letter, kept as written, in the organization's language, as an officer's own words are.
RECORD = "data: a reason the system writes into the record, kept as written like an officer's"
NAME = "data: the name given to a new record (a review period, a work program), edited as data afterwards"
MAIL = "e-mail goes out in Vietnamese, the organization's language (notifications.tasks)"
LEGAL_BASIS = "the legal basis of a category of personal data, shown as the texts cite it (test_english_body)"
DATA_STRINGS: dict[tuple[str, str], str] = {
    ('admission/services.py', 'Chi bộ biểu quyết '): RECORD,
    ('admission/services.py', ' tán thành, cần '): RECORD,
    ('admission/services.py', 'Cấp ủy biểu quyết '): RECORD,
    ('admission/services.py', ' lần biểu quyết không đạt tỉ lệ; chuyển cấp ủy cấp trên xem xét.'): RECORD,
    ('admission/services.py', 'Công nhận đảng viên chính thức (nghị quyết '): RECORD,
    ('admission/services.py', 'Hồ sơ kết nạp kết thúc: '): RECORD,
    ('deadlines/services.py', 'Không còn theo dõi dự bị tại Đảng bộ: '): RECORD,
    ('discipline/services.py', 'Kỷ luật cách chức ('): RECORD,
    ('discipline/services.py', 'Kỷ luật khai trừ khỏi Đảng'): RECORD,
    ('discipline/services.py', 'Giải quyết khiếu nại: '): RECORD,
    ('discipline/services.py', ' khai trừ số '): RECORD,
    ('library/services.py', 'Tài liệu đã tiêu hủy'): RECORD,
    ('members/services.py', '(đã thay đổi)'): RECORD,
    ('members/services.py', 'Chỉ định bí thư mới'): RECORD,
    ('members/services.py', 'Tổ chức kết thúc'): RECORD,
    ('privacy/services.py', 'Trả lời sau hạn'): RECORD,
    ('programs/services.py', 'Trả lời sau hạn'): RECORD,
    ('programs/services.py', 'Tổ chức gửi đã rút kiến nghị.'): RECORD,
    ('programs/services.py', 'Cấp ủy, bí thư'): RECORD,
    ('transfers/services.py', 'Đang xem xét theo hồ sơ của cấp có thẩm quyền'): RECORD,
    ('transfers/services.py', 'Giấy giới thiệu mới thay thế'): RECORD,
    ('transfers/services.py', 'Đã đến sinh hoạt tại '): RECORD,
    ('transfers/services.py', 'Đã hủy'): RECORD,
    ('transfers/services.py', 'Ô số 1 (giấy số '): RECORD,
    ('transfers/services.py', ') bị hủy: '): RECORD,
    ('transfers/services.py', 'Giấy giới thiệu bị hủy'): RECORD,
    ('transfers/services.py', 'Thành viên đoàn công tác ('): RECORD,
    ('transfers/services.py', 'Đoàn công tác về nước, chi bộ tạm thời kết thúc'): RECORD,
    ('transfers/services.py', 'Đoàn công tác về nước ('): RECORD,
    ('grading/services.py', 'Kiểm điểm, xếp loại '): NAME,
    ('grading/services.py', 'quý '): NAME,
    ('grading/services.py', 'năm '): NAME,
    ('grading/services.py', 'nhiệm kỳ (đến năm '): NAME,
    ('programs/services.py', 'Chương trình công tác '): NAME,
    ('notifications/tasks.py', '\n\nXem chi tiết: '): MAIL,
    ("dues/statements.py", "VNĐ"): "data: a sign of the đồng the banks write beside an amount",
    ("dues/statements.py", "Đ"): "data: a sign of the đồng the banks write beside an amount",
    ("dues/statements.py", "Sao kê "): "data: the note a posted statement line keeps in the ledger, as a treasurer's",
    ("transfers/models.py", "ĐU"): "data: the sign of the issuing body in a document's number (the party's forms)",
    ("transfers/models.py", "TĐ"): "data: the sign of the issuing body in a document's number (the party's forms)",
    ("transfers/forms.py", "Bí thư"): "data: the signer's title printed on the transfer letter (a Vietnamese paper)",
    ("transfers/views.py", "Bí thư"): "data: the signer's title printed on the transfer letter (a Vietnamese paper)",
    ("privacy/anonymise.py", "[đã ẩn danh]"): "data: written into the rows of an anonymised person, as data is",
    ("privacy/anonymise.py", "Đảng viên"): "data: the name an anonymised person's rows keep, as data is written",
    ("privacy/anonymise.py", "Quần chúng"): "data: the name an anonymised person's rows keep, as data is written",
    ("privacy/anonymise.py", " đã ẩn danh số "): "data: the name an anonymised person's rows keep, as data is written",
    ("privacy/anonymise.py", "Ẩn danh: hết thời hạn lưu giữ dữ liệu"): "data: the reason kept on the closed account",
    ("privacy/processing.py", "Điều lệ Đảng và các quy định thi hành; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị "
                              "định 356/2025/NĐ-CP (dữ liệu cá nhân nhạy cảm: quan điểm chính trị)"): LEGAL_BASIS,
    ("privacy/processing.py", "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP (bảo đảm an toàn hệ "
                              "thống: xác thực, nhật ký hoạt động)"): LEGAL_BASIS,
    ("core/text.py", "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"): "data: the Vietnamese alphabet, for sorting names",
    ("core/text.py", "đ"): "data: the letter folded to d when names are searched",
}

# Modules that still hold page text outside gettext: the number of such strings left. A number may only go down;
# remove an entry when its module has none left.
NOT_YET: dict[str, int] = {
    # being changed by another piece of work at the same time (services, deadlines, notifications): their numbers go
    # down as it lands
}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def unmarked(source: str) -> list[tuple[int, str]]:
    """The Vietnamese string constants of ``source`` outside docstrings and gettext-family calls, and the f-strings
    inside such calls, as (line, text)."""
    tree = ast.parse(source)
    marked: set[int] = set()
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in MARKERS:
            for arg in node.args:
                for sub in ast.walk(arg):
                    marked.add(id(sub))
                    if isinstance(sub, ast.JoinedStr):
                        found.append((sub.lineno, "f-string inside " + _call_name(node)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                marked.add(id(first.value))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in marked
                and VIETNAMESE.search(node.value)):
            found.append((node.lineno, node.value))
    return sorted(found)


def modules() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                  if "tests" not in p.relative_to(PACKAGE).parts and "migrations" not in p.relative_to(PACKAGE).parts)


def counts() -> dict[str, list[tuple[int, str]]]:
    out = {}
    for name in modules():
        if name in BY_DESIGN:
            continue
        found = [(line, text) for line, text in unmarked((PACKAGE / name).read_text(encoding="utf-8"))
                 if (name, text) not in DATA_STRINGS]
        if found:
            out[name] = found
    return out


def test_no_vietnamese_outside_gettext():
    """Every Vietnamese string a page or the API may show goes through gettext."""
    found = counts()
    problems = []
    for name, strings in sorted(found.items()):
        left = NOT_YET.get(name)
        if left is None:
            problems += [f"{name}:{line}: {text[:80]!r}" for line, text in strings]
        elif len(strings) > left:
            problems.append(f"{name}: {len(strings)} Vietnamese strings outside gettext, NOT_YET allows {left} "
                            f"(mark the new ones): " + "; ".join(f"{line}: {text[:40]!r}" for line, text in strings))
    assert not problems, "Vietnamese outside gettext (wrap it, or list it with a reason):\n" + "\n".join(problems)


def test_the_lists_only_shrink():
    """An entry of NOT_YET whose module has nothing left, or of BY_DESIGN whose module is gone or has no Vietnamese
    left, is removed."""
    found = counts()
    existing = set(modules())
    done = [name for name in NOT_YET if name not in found]
    assert not done, f"remove from NOT_YET (nothing left to mark, or the module is gone): {done}"
    stale = [name for name in BY_DESIGN
             if name not in existing or not unmarked((PACKAGE / name).read_text(encoding="utf-8"))]
    assert not stale, f"remove from BY_DESIGN (no Vietnamese left, or the module is gone): {stale}"
    unused = [key for key in DATA_STRINGS
              if key[0] not in existing
              or key[1] not in {text for _, text in unmarked((PACKAGE / key[0]).read_text(encoding="utf-8"))}]
    assert not unused, f"remove from DATA_STRINGS: {unused}"
    assert not set(NOT_YET) & set(BY_DESIGN)


@pytest.mark.parametrize(("source", "expected"), [
    ('label = "Họ và tên"\n', [(1, "Họ và tên")]),
    ('x = f"Đã lập {name}."\n', [(1, "Đã lập ")]),
    ('messages.success(request, "Đã lưu.")\n', [(1, "Đã lưu.")]),
    ('x = _("Đã lưu %(n)s.") % {"n": "một"}\n', [(1, "một")]),
    ('x = gettext(f"Đã lập {name}.")\n', [(1, "f-string inside gettext")]),
    ('ERRORS = {"required": "Cần nhập."}\n', [(1, "Cần nhập.")]),
])
def test_the_checker_finds_vietnamese_outside_gettext(source, expected):
    assert unmarked(source) == expected


@pytest.mark.parametrize("source", [
    '"""Tài liệu của mô-đun."""\n',
    'def f():\n    """Tài liệu."""\n    return 1\n',
    'label = _("Họ và tên")\n',
    'label = gettext_lazy("Họ và tên")\n',
    'x = translation.gettext("Đã lưu.")\n',
    'A = "a", gettext_noop("Đang soạn")\n',
    'x = npgettext("rule value", "%(count)s ngày", "%(count)s ngày", n)\n',
    'x = said("Lễ kết nạp: %(name)s", name=n)\n',
    'label = "Full name"\n',
])
def test_the_checker_passes_marked_strings(source):
    assert unmarked(source) == []
