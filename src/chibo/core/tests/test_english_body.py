"""English reaches the body of the pages, not only their chrome: read in English as the upper committee's officer, a
cell secretary and a member (the pages of ``test_english``), every text of a page's body (cells, paragraphs, list
items, definitions, badges, the words of a process diagram) holds no Vietnamese letter once the data is left out.

Data stays as it was written, in any language: names of people, units and countries, titles, what the rulebook
cites (a rule's basis and note, the legal basis of a category of personal data), the names a rule gives to kinds of
units, official form and document numbers.

The titles of deadlines and the titles and bodies of notifications are read too: the services keep what they said
(``core.said``), and the pages say it in the reader's language; only the names and numbers inside them are data.
"""

from __future__ import annotations

import re

import lxml.html
import pytest

from chibo.core.tests.test_english import (
    FORM_NUMBER,
    PAGES,
    READERS,
    VIETNAMESE,
    around_vietnamese,
    data_pattern,
    in_english,
    page_urls,
)
from chibo.core.tests.test_permission_matrix import targets  # noqa: F401  (a fixture)


def body_texts(page: bytes | str) -> list[str]:
    """Every run of text in the page's body, without the language switch, scripts, styles, the options of a list to
    pick from, what a text box holds (typed by people) and the text of a meeting's minutes (the cell's record, as
    the secretary wrote and the cell approved it)."""
    doc = lxml.html.fromstring(page)
    for skipped in doc.xpath("//form[contains(@class, 'lang')] | //script | //style | //option | //textarea"
                             " | //*[contains(@class, 'minutes-text')]"):
        skipped.drop_tree()
    return [" ".join(text.split()) for text in doc.xpath("//body//text()") if text.strip()]


# What people write in the records the pages show (model label: its fields), in their own words.
WRITTEN = {
    "accounts.User": ("full_name",),
    "members.Member": ("home_town", "job_title"),
    "meetings.Meeting": ("place", "agenda", "discussion", "conclusion"),
    "meetings.MeetingDocument": ("title",),
    "transfers.Transfer": ("reason",),
    "transfers.TransferHold": ("reference",),
    "transfers.ReturnReview": ("text",),
    "transfers.Trip": ("purpose", "cell_opinion", "report_text"),
    "transfers.Declaration": ("subject", "cell_opinion"),
    "transfers.Exemption": ("reason", "cell_opinion"),
    "transfers.OutsideOrganization": ("upper_name",),
    "transfers.DelegationTask": ("text",),
    "discipline.Case": ("violation", "explanation"),
    "discipline.Notice": ("body",),
    "privacy.Breach": ("summary", "data_affected", "actions"),
    "library.Document": ("issuer",),
    "study.Session": ("materials",),
    "study.Reflection": ("text",),
    "study.Certificate": ("issuer",),
    "grading.Period": ("title",),
    "programs.Item": ("title",),
    "programs.Proposal": ("title",),
    "admission.AdmissionCase": ("course_issuer", "verified_by"),
    "dues.Entry": ("collector",),
}



def written() -> set[str]:
    """What the pages cite or show as people wrote it: every rule version's basis and note, the names a rule gives
    to kinds of units (rules of unit "name"), the legal bases of the record of processing, and the fields of
    ``WRITTEN``."""
    from django.apps import apps

    from chibo.core.enums import RuleUnit
    from chibo.core.rulebook import rule_versions
    from chibo.privacy.processing import CATEGORIES

    versions = rule_versions(prefix="")
    found = {
        *versions.values_list("basis", flat=True),
        *versions.values_list("note", flat=True),
        *versions.filter(unit=RuleUnit.NAME).values_list("value", flat=True),
        *(category.basis for category in CATEGORIES),
    }
    for label, fields in WRITTEN.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            found.update(str(value) for value in row if value)
    return {text for text in found if text}


# A decision's number as the issuing body writes it ("15/QĐ-BNG"), beside the forms' numbers of ``FORM_NUMBER``.
NUMBER = re.compile(r"\b\d+/[A-ZĐ]+(?:-[A-ZĐ]+)+\b")


def cut_short(text: str, names: set[str]) -> bool:
    """A run that is only the beginning of a name (a chart cuts long names to fit)."""
    return len(text) >= 12 and any(name.startswith(text) for name in names)


def vietnamese_in_body(page: str) -> list[str]:
    return [text for text in body_texts(page) if VIETNAMESE.search(text)]


def test_the_scan_reads_the_whole_body():
    page = (
        "<html><head><title>Quy định</title></head><body>"
        "<nav><a href='/'>Home</a></nav><h1>Rules</h1><table><tr><td>Đã xác nhận</td><td>10 points</td></tr></table>"
        "<p>Kept <span>cần xác nhận</span></p><svg><text>Đang họp</text></svg>"
        "<select><option>Chi bộ</option></select><textarea>Ghi chú</textarea><script>var a = 'Việt';</script>"
        "<div class='minutes-text'>I. ĐIỂM DANH</div><form class='lang'><button>Tiếng Việt</button></form>"
        "</body></html>"
    )
    assert vietnamese_in_body(page) == ["Đã xác nhận", "cần xác nhận", "Đang họp"]


def test_what_is_cited_or_written_is_left_out(db):
    from chibo.core.rulebook import rule_versions

    basis = rule_versions(prefix="").exclude(basis="").values_list("basis", flat=True).first()
    assert basis and basis in written()
    data = data_pattern(*written())
    assert data.sub("", f"<td>{basis}</td>") == "<td></td>"
    assert data.sub("", "<td>Đã xác nhận</td>") == "<td>Đã xác nhận</td>"  # the pages' own words stay
    names = {"Chi bộ Đại sứ quán tại Cộng hòa Pháp"}
    assert cut_short("Chi bộ Đại sứ quán tại Cộ", names) and not cut_short("Chi bộ", names)
    assert NUMBER.sub("", "QĐ 15/QĐ-BNG") == "QĐ "


@pytest.mark.parametrize("username", READERS)
def test_the_whole_pages_read_in_english(username, client_of, targets):  # noqa: F811
    ids, _objects = targets
    client, urls, more = in_english(client_of(username)), page_urls(ids), written()
    data = data_pattern(*more)
    names = {re.sub(r"\\(.)", r"\1", name) for name in data.pattern.split("|")}  # the names, unescaped
    left = {}
    for page in PAGES[username]:
        answer = client.get(urls[page])
        assert answer.status_code == 200, (page, answer.status_code)
        text = answer.content.decode()
        for short in {w for w in body_texts(text) if cut_short(w, names)}:
            text = re.sub(rf">\s*{re.escape(short)}\s*<", "><", text)
        text = NUMBER.sub("", FORM_NUMBER.sub("", data.sub("", text)))
        assert len(body_texts(text)) > 10, page  # the page has a body to read
        words = vietnamese_in_body(text)
        if words:
            left[page] = [around_vietnamese(w) for w in words]
    assert left == {}, "\n".join(f"{page}: {' | '.join(words)}" for page, words in left.items())
