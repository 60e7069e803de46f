"""Help (the glossary, a guide per role, tooltips on jargon) and the printable roster; the print styles."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from chibo.core.glossary import TERMS
from chibo.home.help import GUIDES
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.models import Member
from chibo.units.models import Unit

pytestmark = pytest.mark.django_db

PERSONAS = ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap")
# The persona who reads each guide: every page the guide links to opens for them.
READER = {"dang-vien": "dangvien.phap", "bi-thu": "bithu.phap", "cap-uy": "ub.kiemtra", "ban-to-chuc": "ban.tochuc"}
CSS = Path(__file__).resolve().parents[2] / "core" / "static" / "chibo" / "chibo.css"


@pytest.mark.parametrize("username", PERSONAS)
def test_every_persona_reads_the_help_from_the_navigation_and_the_footer(client_of, username):
    client = client_of(username)
    home = client.get("/").content.decode()
    nav = home.split('class="nav"', 1)[1].split("</nav>", 1)[0]
    foot = home.split('class="foot"', 1)[1]
    assert 'href="/help/"' in nav and 'href="/help/glossary/"' in foot and 'href="/help/"' in foot
    index = client.get("/help/").content.decode()
    for guide in GUIDES:
        assert f'href="/help/guides/{guide.key}/"' in index
        assert client.get(f"/help/guides/{guide.key}/").status_code == 200
    glossary = client.get("/help/glossary/").content.decode()
    for term in TERMS:
        assert (
            f'<dt id="{term.key}">{html.escape(str(term.word))}</dt><dd>{html.escape(str(term.meaning))}</dd>'
            in glossary.replace("&#x27;", "'")
        )
    assert "data-print" not in glossary  # no print button where no print view exists


def test_the_glossary_explains_the_words_the_brief_names():
    words = " | ".join(str(t.word).lower() for t in TERMS)
    for word in ("chi bộ", "đảng viên dự bị", "chuyển sinh hoạt", "sinh hoạt tạm thời", "miễn công tác"):
        assert word in words
    assert len({t.key for t in TERMS}) == len(TERMS)


@pytest.mark.parametrize("key", list(READER))
def test_each_guide_links_only_to_pages_its_reader_may_open(client_of, key):
    client = client_of(READER[key])
    page = client.get(f"/help/guides/{key}/").content.decode()
    guide = next(g for g in GUIDES if g.key == key)
    links = re.findall(r'<a href="([^"]+)">Mở trang', page)
    assert links == [t.url for t in guide.tasks if t.page] and links
    for url in links:
        assert client.get(url, follow=True).status_code == 200, url  # "my record" redirects to the record
    assert page.count("<abbr title=") == sum(len(t.terms) for t in guide.tasks) > 0


def test_a_term_carries_its_glossary_meaning_as_a_tooltip():
    term = next(t for t in TERMS if t.key == "dang-vien-du-bi")
    out = Template('{% load glossary %}{% term "dang-vien-du-bi" %} / {% term "dang-vien-du-bi" x %}').render(
        Context({"x": "<b>dự bị</b>"})
    )
    title = html.escape(str(term.meaning))
    assert out == (
        f'<abbr title="{title}" data-term="dang-vien-du-bi">{term.word}</abbr> / '
        f'<abbr title="{title}" data-term="dang-vien-du-bi">&lt;b&gt;dự bị&lt;/b&gt;</abbr>'
    ).replace("'", "&#x27;")
    with pytest.raises((KeyError, TemplateSyntaxError)):
        Template('{% load glossary %}{% term "no-such-word" %}').render(Context())


def test_the_dashboard_explains_its_jargon(client_of):
    page = client_of("ban.tochuc").get("/").content.decode()
    assert 'data-term="dang-vien-du-bi"' in page and 'data-term="dien"' in page


def _roster(client, unit: Unit) -> tuple[list[int], list[int]]:
    """(member ids in page order, unit ids of the sections in order) of the printed roster."""
    page = client.get(f"/roster/{unit.pk}/").content.decode()
    return (
        [int(x) for x in re.findall(r'<tr data-member="(\d+)">', page)],
        [int(x) for x in re.findall(r'data-roster-unit="(\d+)"', page)],
    )


def test_the_roster_of_a_cell_lists_its_members_on_the_rolls_in_name_order(client_of, unit):
    cell = unit("PHAP-DSQ")
    expected = list(
        Member.objects.filter(unit=cell, status__in=ACTIVE_STATUSES)
        .order_by("name_sort", "pk")
        .values_list("pk", flat=True)
    )
    former = Member.objects.filter(unit=cell).exclude(status__in=ACTIVE_STATUSES).values_list("pk", flat=True)
    client = client_of("bithu.phap")
    members, sections = _roster(client, cell)
    assert members == expected and len(expected) > 3 and sections == [cell.pk]
    assert not set(former) & set(members)
    page = client.get(f"/roster/{cell.pk}/").content.decode()
    assert "data-print hidden" in page and "<form" not in page.split('id="main"', 1)[1].split("</main>", 1)[0]


def test_the_roster_of_a_committee_prints_each_cell_on_its_own_sheet(client_of, unit):
    committee = unit("PHAP")
    cells = list(Unit.objects.filter(path__startswith=committee.path).order_by("path"))
    on_rolls = Member.objects.filter(unit__in=cells, status__in=ACTIVE_STATUSES)
    members, sections = _roster(client_of("ban.tochuc"), committee)
    assert sorted(members) == sorted(on_rolls.values_list("pk", flat=True))
    assert sections == [u.pk for u in cells if on_rolls.filter(unit=u).exists()] and len(sections) > 1
    # a cell's members stay together, under their cell's heading
    unit_of = dict(on_rolls.values_list("pk", "unit_id"))
    runs = [unit_of[m] for i, m in enumerate(members) if i == 0 or unit_of[m] != unit_of[members[i - 1]]]
    assert runs == sections


def test_the_print_styles_hide_the_screen_parts_and_break_pages_between_sections():
    css = CSS.read_text(encoding="utf-8")
    last = css.rsplit("@media print", 1)[1]
    assert "break-before: page" in last and "text-decoration: none" in last
    first = css.split("@media print", 1)[1].split("\n}\n", 1)[0]
    for hidden in (".top", ".foot", "button", ".actions", ".filters"):
        assert hidden in first
