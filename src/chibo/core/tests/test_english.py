"""English is complete on the pages people use most: read in English as the upper committee's officer, a cell
secretary and a member, the page's own words (navigation, headings, labels, buttons, table heads, legends) hold
no Vietnamese letter. Names of people, units and countries and other data are not read: only those elements'
own text, with the language switch (which names Vietnamese in Vietnamese on purpose) left out.
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
PAGES = {
    "ban.tochuc": (*COMMON, "units"),
    "bithu.phap": (*COMMON, "units", "my_transfers"),
    "dangvien.phap": (*COMMON, "my_transfers"),
}
# An official form's number keeps its Vietnamese letters in any language ("10-SHĐ").
FORM_NUMBER = re.compile(r"\b\d+-[A-ZĐ]{2,}\b")


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
    }


def data_pattern() -> re.Pattern[str]:
    """What the pages show as data, in Vietnamese whatever the reader's language: names of people, units and
    countries, the titles of meetings and of what they vote on."""
    from chibo.core.data.countries_vi import NAMES
    from chibo.meetings.models import Meeting, Resolution
    from chibo.members.models import Member
    from chibo.units.models import Unit

    names = {
        *Unit.objects.values_list("name", flat=True),
        *Member.objects.values_list("full_name", flat=True),
        *NAMES.values(),
        *Meeting.objects.values_list("title", flat=True),
        *Resolution.objects.values_list("title", flat=True),
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
            left[page] = words
    assert left == {}


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
