"""English is complete on the pages people use and on the pages of every process (admission, dues, grading,
discipline, inspection, documents, personal data, study, import, the audit log, delegations, trips, declarations, the
new member and new transfer forms, password and two-factor pages): read in English as the upper committee's officer,
a cell secretary and a member, one fetch per page, the page's own words (navigation, headings, labels, buttons,
table heads, legends) hold no Vietnamese letter. Names of people, units and countries and other data are not read:
only those elements' own text, with the language switch (which names Vietnamese in Vietnamese on purpose) left out.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.urls import reverse

from chibo.core.tests.test_permission_matrix import targets  # noqa: F401  (a fixture)

READERS = ("ban.tochuc", "bithu.phap", "dangvien.phap")
GUIDES = ("dang-vien", "bi-thu", "cap-uy", "ban-to-chuc")  # the short guide of each role
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
CHROME = "//nav | //h1 | //h2 | //h3 | //label | //button | //th | //legend"


def chrome_texts(page: bytes | str) -> list[str]:
    """The page's own words: the text of its navigation, headings, labels, buttons, table heads and legends,
    without the language switch, scripts, styles and the options of a list to pick from."""
    doc = lxml.html.fromstring(page)
    for skipped in doc.xpath("//form[contains(@class, 'lang')] | //script | //style | //option"):
        skipped.drop_tree()
    texts = []
    for element in doc.xpath(CHROME):
        text = " ".join(element.text_content().split())
        if text:
            texts.append(text)
    return texts


def vietnamese_in(page: bytes | str) -> list[str]:
    return [text for text in chrome_texts(page) if VIETNAMESE.search(text)]


def around_vietnamese(text: str) -> str:
    """The words around the first Vietnamese letter of a long text (what a failure names)."""
    found = VIETNAMESE.search(text)
    start = found.start() if found else 0
    return ("…" if start > 30 else "") + text[max(0, start - 30):start + 50] + ("…" if len(text) > start + 50 else "")


def test_the_scan_finds_vietnamese_in_the_chrome_only():
    page = (
        "<nav><a href='/'>Home</a> <span>Tổ chức</span></nav><h1>Members</h1><h2>Đảng viên</h2>"
        "<label>Name <input></label><button>Lưu</button><th>Status</th><legend>Kind</legend>"
        "<p>Nguyễn Văn An</p><td>Chi bộ Pháp</td>"
        "<form class='lang'><button>Tiếng Việt</button></form>"
    )
    assert vietnamese_in(page) == ["Home Tổ chức", "Đảng viên", "Lưu"]


# The pages done, by persona: every page a journey visits most often, as each persona reaches it.
COMMON = (
    "dashboard",
    "members",
    "member_own",
    "unit",
    "radar",
    "meetings",
    "meeting_planned",
    "meeting_minutes",
    "transfers",
    "transfer_own",
    "rules",
    "help",
    "glossary",
    "processes",
    "account",
    "notifications",
    *(f"guide:{key}" for key in GUIDES),
)
# The processes' pages: each persona reads those their role opens (one fetch per page).
PROCESSES = (
    "dues", "dues_member", "grading", "discipline", "library", "doc_fr", "privacy", "privacy_new", "processing",
    "study", "session_fr", "trip_new", "declaration_new", "declaration_own", "exemption_new", "trip_own",
)
OFFICERS = (
    "admission", "admission_stats", "admission_new", "case_fr", "dues_unit", "dues_rates", "grading_unit",
    "inspection", "plan_new", "plan_fr", "library_sent", "library_new", "classified", "preq_own", "session_new",
    "import", "delegations", "exemption_own", "transfer_new", "transfer_member", "member_new", "member_edit",
    "quality", "password_change", "mfa",
)
PAGES = {
    "ban.tochuc": (*COMMON, "units", *PROCESSES, *OFFICERS, "breaches", "breach_top", "anonymise", "audit",
                   "delegation_new"),
    "bithu.phap": (*COMMON, "units", "my_transfers", *PROCESSES, *OFFICERS, "grading_mine", "dcase_fr",
                   "certificates", "privacy_reads", "job_phap"),
    "dangvien.phap": (*COMMON, "my_transfers", *PROCESSES, "grading_mine", "dcase_own", "certificates"),
}
# An official form's or document's number keeps its Vietnamese letters in any language ("10-SHĐ", "12-NQ/ĐU").
FORM_NUMBER = re.compile(r"\b\d*-?[A-ZĐ]{2,}(?:/[A-ZĐ]+)+\b|\b\d+-[A-ZĐ]{2,}\b")


def page_urls(ids: dict) -> dict[str, str]:
    return {
        "dashboard": reverse("dashboard"),
        "members": reverse("members:list"),
        "member_own": reverse("members:detail", args=[ids["member_own"]]),
        "unit": reverse("units:detail", args=[ids["unit_fr_dsq"]]),
        "units": reverse("units:tree"),
        "radar": reverse("deadlines:radar"),
        "meetings": reverse("meetings:index"),
        "meeting_planned": reverse("meetings:detail", args=[ids["meeting_fr_dsq"]]),
        "meeting_minutes": reverse("meetings:detail", args=[ids["meeting_fr_dsq_minutes"]]),
        "transfers": reverse("transfers:list"),
        "my_transfers": reverse("transfers:mine"),
        "transfer_own": reverse("transfers:detail", args=[ids["transfer_own"]]),
        "rules": reverse("rules:index"),
        "help": reverse("help"),
        "glossary": reverse("help_glossary"),
        "processes": reverse("help_processes"),
        "account": reverse("accounts:me"),
        "notifications": reverse("notifications:list"),
        **{f"guide:{key}": reverse("help_guide", args=[key]) for key in GUIDES},
        **{page: reverse(name, args=[ids[arg] for arg in args]) for page, (name, args) in PROCESS_PAGES.items()},
    }


PROCESS_PAGES = {  # page: (URL name, the targets its URL takes)
    "admission": ("admission:board", ()),
    "admission_stats": ("admission:stats", ()),
    "admission_new": ("admission:new", ()),
    "case_fr": ("admission:case", ("case_fr",)),
    "dues": ("dues:index", ()),
    "dues_unit": ("dues:unit", ("unit_fr_dsq",)),
    "dues_member": ("dues:member", ("member_own",)),
    "dues_rates": ("dues:rates", ()),
    "grading": ("grading:index", ()),
    "grading_mine": ("grading:mine", ()),
    "grading_unit": ("grading:unit_review", ("unit_review_fr_dsq",)),
    "discipline": ("discipline:index", ()),
    "dcase_own": ("discipline:case", ("dcase_own",)),
    "dcase_fr": ("discipline:case", ("dcase_fr",)),
    "inspection": ("inspection:index", ()),
    "plan_new": ("inspection:plan_new", ()),
    "plan_fr": ("inspection:plan", ("plan_fr",)),
    "library": ("library:index", ()),
    "library_sent": ("library:sent", ()),
    "library_new": ("library:new", ()),
    "doc_fr": ("library:document", ("doc_fr",)),
    "classified": ("library:classified", ()),
    "privacy": ("privacy:index", ()),
    "privacy_new": ("privacy:new", ()),
    "preq_own": ("privacy:request", ("preq_own",)),
    "privacy_reads": ("privacy:reads", ()),
    "breaches": ("privacy:breaches", ()),
    "breach_top": ("privacy:breach", ("breach_top",)),
    "anonymise": ("privacy:anonymise", ()),
    "processing": ("privacy:processing", ()),
    "study": ("study:index", ()),
    "session_new": ("study:session_new", ()),
    "session_fr": ("study:session", ("session_fr",)),
    "certificates": ("study:certificates", ()),
    "import": ("bulk:import", ()),
    "job_phap": ("bulk:job", ("job_phap",)),
    "audit": ("audit_log", ()),
    "delegations": ("transfers:delegations", ()),
    "delegation_new": ("transfers:delegation_new", ()),
    "trip_new": ("transfers:trip_new", ("member_own",)),
    "trip_own": ("transfers:trip", ("trip_own",)),
    "declaration_new": ("transfers:declaration_new", ("member_own",)),
    "declaration_own": ("transfers:declaration", ("declaration_own",)),
    "exemption_new": ("transfers:exemption_new", ("member_own",)),
    "exemption_own": ("transfers:exemption", ("exemption_own",)),
    "transfer_new": ("transfers:new", ("member_own",)),
    "transfer_member": ("transfers:member", ("member_own",)),
    "member_new": ("members:new", ()),
    "member_edit": ("members:edit", ("member_own",)),
    "quality": ("members:quality", ()),
    "password_change": ("account_change_password", ()),
    "mfa": ("mfa_index", ()),
}


def data_pattern(*more: str) -> re.Pattern[str]:
    """What the pages show as data, in Vietnamese whatever the reader's language: names of people (members and
    applicants), units and countries, the titles of meetings and of what they vote on, of documents, study sessions
    and inspection items, and the review criteria as the rulebook words them; with ``more`` data, matched with it
    (the longest first, so a name is never cut by a shorter one)."""
    from chibo.admission.models import Applicant
    from chibo.core.data.countries_vi import NAMES
    from chibo.core.rulebook import rule_versions
    from chibo.grading.rules import CRITERION
    from chibo.inspection.models import PlanItem
    from chibo.library.models import Document
    from chibo.meetings.models import Meeting, Resolution
    from chibo.members.models import Member
    from chibo.study.models import Session
    from chibo.units.models import Unit

    names = {
        *Unit.objects.values_list("name", flat=True),
        *Member.objects.values_list("full_name", flat=True),
        *Applicant.objects.values_list("full_name", flat=True),
        *NAMES.values(),
        *Meeting.objects.values_list("title", flat=True),
        *Resolution.objects.values_list("title", flat=True),
        *Document.objects.values_list("title", flat=True),
        *Session.objects.values_list("topic", flat=True),
        *PlanItem.objects.values_list("topic", flat=True),
        *rule_versions(prefix=CRITERION).values_list("note", flat=True),
        *more,
    }
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n))


def in_english(client):
    """The reader picks English with the switch at the foot of every page."""
    answer = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    assert answer.status_code == 302
    return client


@pytest.mark.parametrize("username", READERS)
def test_the_pages_read_in_english(username, client_of, targets):  # noqa: F811
    ids, _objects = targets
    client, urls, data = in_english(client_of(username)), page_urls(ids), data_pattern()
    left = {}
    for page in PAGES[username]:
        answer = client.get(urls[page])
        assert answer.status_code == 200, (page, answer.status_code)
        assert answer.headers["Content-Language"] == "en"
        text = FORM_NUMBER.sub("", data.sub("", answer.content.decode()))
        assert len(chrome_texts(text)) > 3, page  # the page has words of its own to read
        words = vietnamese_in(text)
        if words:
            left[page] = [around_vietnamese(w) for w in words]
    assert left == {}, "\n".join(f"{page}: {' | '.join(words)}" for page, words in left.items())


def test_the_same_pages_stay_vietnamese_by_default(client_of, targets):  # noqa: F811
    ids, _objects = targets
    client = client_of("bithu.phap")
    page = client.get(page_urls(ids)["dashboard"]).content.decode()
    assert "Việc cần làm" in chrome_texts(page) and "Tổng quan" in page
    english = in_english(client_of("bithu.phap")).get(page_urls(ids)["dashboard"]).content.decode()
    assert "My work" in chrome_texts(english) and "Việc cần làm" not in english


def test_the_sign_in_and_second_step_pages_read_in_english(client, personas):
    from chibo.demo.builder import DEMO_PASSWORD

    client.cookies["django_language"] = "en"
    login = client.get(reverse("account_login"))
    assert login.status_code == 200 and len(chrome_texts(login.content)) > 2
    assert vietnamese_in(login.content) == []
    second = client.post(reverse("account_login"), {"login": "bithu.phap", "password": DEMO_PASSWORD}, follow=True)
    assert second.status_code == 200 and second.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "Two-factor" in second.content.decode() or "two-factor" in second.content.decode()
    assert vietnamese_in(second.content) == []
    client.logout()
    client.cookies["django_language"] = "en"
    reset = client.get(reverse("account_reset_password"))
    assert reset.status_code == 200 and len(chrome_texts(reset.content)) > 2
    assert vietnamese_in(reset.content) == []
