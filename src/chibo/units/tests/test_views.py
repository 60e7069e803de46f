"""HTML pages of units and members for the organization officer and a secretary: counts that match
the database, committees, Vietnamese messages and dates, Vietnamese order, htmx fragments."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from chibo.core.access import subtree_q
from chibo.core.models import AuditEvent
from chibo.core.text import fold, name_sort_key
from chibo.members import services as member_services
from chibo.members.models import (
    ACTIVE_STATUSES,
    FULL_STATUSES,
    CommitteePost,
    Member,
    PostRole,
    Status,
    TimelineEvent,
)
from chibo.members.selectors import UNIT_PANEL_MEMBERS
from chibo.units.models import Unit, UnitChange

TODAY = timezone.localdate()
MEMBER_LINK = re.compile(r'<a href="/members/(\d+)/">([^<]*)</a>')


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Member, TimelineEvent, AuditEvent, Unit, UnitChange,
                                                    CommitteePost))


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def tree_counts(text: str) -> dict[str, tuple[int, int]]:
    """{unit code: (full, probationary)} as the tree page shows them (subtree totals)."""
    found = {}
    for match in re.finditer(r'<li data-unit="([^"]+)">.*?<span class="counts-inline"[^>]*>(\d+) / (\d+)</span>',
                             text, re.S):
        found[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return found


CHILDREN_URL = re.compile(r'hx-get="(/units/\d+/children/[^"]*)"')


def whole_tree(client, **params) -> str:
    """The tree page and every fragment a user gets by opening each unit and each "more" button."""
    text = page(client.get(reverse("units:tree"), params))
    pending, seen = CHILDREN_URL.findall(text), set()
    while pending:
        url = html.unescape(pending.pop())
        if url in seen:
            continue
        seen.add(url)
        fragment = page(client.get(url, HTTP_HX_REQUEST="true"))
        text += fragment
        pending += CHILDREN_URL.findall(fragment)
    return text


def recount(code: str) -> tuple[int, int]:
    """(full, probationary) members in the open units of a unit's subtree, straight from the database."""
    root = Unit.objects.get(code=code)
    members = Member.objects.filter(unit__in=Unit.objects.filter(subtree_q([root.path]), closed_on__isnull=True))
    return members.filter(status__in=FULL_STATUSES).count(), members.filter(status=Status.PROBATIONARY).count()


def listed(text: str) -> list[tuple[int, str]]:
    return [(int(pk), html.unescape(name)) for pk, name in MEMBER_LINK.findall(text)]


# -- tree -----------------------------------------------------------------------------------------------

def test_tree_counts_equal_a_recount_for_the_officer(client_of):
    shown = tree_counts(whole_tree(client_of("ban.tochuc")))
    assert len(shown) == Unit.objects.filter(closed_on__isnull=True).count()
    assert "DOAN-APEC17" not in shown
    for code in ("DUBNG", "PHAP", "PHAP-DSQ", "DUC", "HOAKY", "ANH"):
        assert shown[code] == recount(code), code
    assert shown["DUBNG"][0] > 0 and shown["DUBNG"][1] > 0
    # Subtree totals: a committee's numbers are its own plus its cells'.
    cells = [u.code for u in Unit.objects.filter(parent__code="PHAP")]
    own = Member.objects.filter(unit__code="PHAP")
    assert shown["PHAP"][0] == sum(shown[c][0] for c in cells) + own.filter(status__in=FULL_STATUSES).count()


def test_tree_for_a_secretary_shows_only_their_subtree(client_of):
    shown = tree_counts(whole_tree(client_of("bithu.phap")))
    assert set(shown) == {"PHAP", "PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
    for code in shown:
        assert shown[code] == recount(code)


def test_tree_follows_writes_and_shows_closed_units_on_request(client_of, actor_of, unit):
    client = client_of("ban.tochuc")
    before = tree_counts(whole_tree(client))
    member_services.member_create(actor=actor_of("bithu.phap"), unit=unit("PHAP-LHS"), full_name="Đỗ Minh Khôi",
                                  gender="M", birth_date=date(1999, 2, 3), admission_date=date(2025, 6, 1),
                                  category="state_student")
    after = tree_counts(whole_tree(client))
    for code in ("PHAP-LHS", "PHAP", "DUBNG"):
        assert after[code] == (before[code][0], before[code][1] + 1), code
    assert after["DUC"] == before["DUC"]
    with_closed = whole_tree(client, closed="1")
    assert 'data-unit="DOAN-APEC17"' in with_closed and "đã giải thể" in with_closed


def test_tree_is_not_for_plain_members(client_of):
    assert client_of("dangvien.phap").get(reverse("units:tree")).status_code == 404


# -- unit detail ----------------------------------------------------------------------------------------

def test_unit_detail_shows_committee_and_members(client_of, unit):
    phap = unit("PHAP")
    text = page(client_of("ban.tochuc").get(reverse("units:detail", args=[phap.pk])))
    assert phap.name in text and "Đảng ủy Bộ Ngoại giao" in text  # breadcrumb
    secretary = CommitteePost.objects.get(unit=phap, role=PostRole.SECRETARY, to_date__isnull=True)
    assert secretary.member.full_name in text and "Bí thư" in text
    assert f"QĐ {secretary.decision_no} ({secretary.decision_date:%d/%m/%Y})" in text
    assert f"{phap.opened_on:%d/%m/%Y}" in text
    for post in CommitteePost.objects.filter(unit=phap, to_date__isnull=True):
        assert html.escape(post.member.full_name) in text

    active = Member.objects.filter(unit__in=Unit.objects.filter(subtree_q([phap.path])), status__in=ACTIVE_STATUSES)
    assert f"Đảng viên ({active.count()})" in text
    shown = panel_members(text)
    first = sorted(active, key=lambda m: (m.name_sort, m.pk))[:UNIT_PANEL_MEMBERS]
    assert shown == [m.pk for m in first]  # the first of the members on the rolls, in Vietnamese name order
    gone = Member.objects.filter(unit__in=Unit.objects.filter(subtree_q([phap.path]))).exclude(
        status__in=ACTIVE_STATUSES)
    assert not set(shown) & set(gone.values_list("pk", flat=True))
    for child in ("PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"):
        assert unit(child).name in text
    assert reverse("units:edit", args=[phap.pk]) in text
    assert reverse("members:post_new", args=[phap.pk]) in text


def panel_members(text: str) -> list[int]:
    doc = lxml.html.fromstring(text)
    return [int(r.get("data-member")) for r in doc.xpath("//section[@data-panel='members']//tr[@data-member]")]


def test_unit_page_lists_its_members_a_page_at_a_time(client_of):
    """The upper committee's page shows the first rows of its members, with the count of all of them and a link to
    the member list filtered by the unit, whose pages go on from there: every member reachable, none twice."""
    client = client_of("ban.tochuc")
    root = Unit.objects.get(depth=0)
    active = Member.objects.filter(status__in=ACTIVE_STATUSES)
    assert active.count() > 2 * 50  # more than the list's two pages
    text = page(client.get(reverse("units:detail", args=[root.pk])))
    shown = panel_members(text)
    assert len(shown) == UNIT_PANEL_MEMBERS
    assert f"Đảng viên ({active.count()})" in text
    doc = lxml.html.fromstring(text)
    more = doc.xpath("//section[@data-panel='members']//a[@data-more='members']")[0]
    assert more.get("href") == f"{reverse('members:list')}?unit={root.pk}"
    # The list it opens: the same members first, the same count, then page after page.
    seen: list[int] = []
    url = more.get("href")
    while url:
        listing = page(client.get(url))
        rows = [pk for pk, _ in listed(listing.split('<div id="results">', 1)[1])]
        assert 0 < len(rows) <= 50
        seen += rows
        nxt = lxml.html.fromstring(listing).xpath("//nav[@class='pager']//a[contains(., 'Sau')]/@href")
        url = reverse("members:list") + nxt[0] if nxt else ""
    assert seen[:UNIT_PANEL_MEMBERS] == shown
    assert len(seen) == len(set(seen)) == active.count()
    assert set(seen) == set(active.values_list("pk", flat=True))


def test_a_small_unit_shows_all_its_members_without_a_link(client_of, unit):
    cell = unit("PHAP-LHS")
    active = Member.objects.filter(unit=cell, status__in=ACTIVE_STATUSES)
    assert 0 < active.count() <= UNIT_PANEL_MEMBERS
    text = page(client_of("ban.tochuc").get(reverse("units:detail", args=[cell.pk])))
    assert set(panel_members(text)) == set(active.values_list("pk", flat=True))
    assert 'data-more="members"' not in text


def test_the_member_filters_fold_into_a_details_box(client_of):
    """On a phone the filters take one line until opened (a <details>, no script); the style sheet keeps them
    open on a wider screen. A search made says so on the folded line; an invalid one opens the box."""
    client = client_of("ban.tochuc")
    doc = lxml.html.fromstring(page(client.get(reverse("members:list"))))
    box = doc.xpath("//details[contains(@class,'fold-narrow')]")[0]
    assert box.get("open") is None and box.xpath("./summary") and box.xpath(".//form[contains(@class,'filters')]")
    assert "đang lọc" not in box.xpath("./summary")[0].text_content()
    searched = lxml.html.fromstring(page(client.get(reverse("members:list"), {"q": "nguyen"})))
    assert "đang lọc" in searched.xpath("//details[contains(@class,'fold-narrow')]/summary")[0].text_content()
    wrong = lxml.html.fromstring(page(client.get(reverse("members:list"), {"category": "nonsense"})))
    assert wrong.xpath("//details[contains(@class,'fold-narrow')]")[0].get("open") is not None


def test_unit_detail_for_a_secretary(client_of, unit):
    client = client_of("bithu.phap")
    text = page(client.get(reverse("units:detail", args=[unit("PHAP-DSQ").pk])))
    assert unit("PHAP-DSQ").name in text
    assert reverse("units:edit", args=[unit("PHAP-DSQ").pk]) not in text  # no units.edit
    assert client.get(reverse("units:detail", args=[unit("DUC").pk])).status_code == 404
    assert client.get(reverse("units:edit", args=[unit("PHAP").pk])).status_code == 403
    assert client.get(reverse("units:create_child", args=[unit("PHAP").pk])).status_code == 403


def test_closed_unit_detail_keeps_history(client_of, unit):
    closed = unit("DOAN-APEC17")
    text = page(client_of("ub.kiemtra").get(reverse("units:detail", args=[closed.pk])))
    assert "đã giải thể" in text and "30/11/2017" in text and "611-QĐ/ĐUBNG" in text


def test_create_child_unit_form(client_of, unit):
    client = client_of("ban.tochuc")
    url = reverse("units:create_child", args=[unit("PHAP").pk])
    data = {"kind": "subordinate_cell", "name": "Chi bộ Tổng lãnh sự quán tại Marseille", "code": "PHAP-MRS",
            "country": "FR", "city": "Marseille", "mission_kind": "consulate_general", "mission_name": "",
            "opened_on": "30/02/2024", "opened_by_doc": "901-QĐ/ĐUBNG"}
    before = counts()
    assert "Ngày không hợp lệ" in page(client.post(url, data))
    assert "Không thể lập «Chi bộ cơ sở» trực thuộc «Đảng bộ cơ sở»" in page(
        client.post(url, {**data, "opened_on": "01/05/2024", "kind": "grassroots_cell"}))
    assert "đã được dùng" in page(client.post(url, {**data, "opened_on": "01/05/2024", "code": "phap-dsq"}))
    assert counts() == before
    response = client.post(url, {**data, "opened_on": "01/05/2024"})
    assert response.status_code == 302
    created = Unit.objects.get(code="PHAP-MRS")
    assert created.parent == unit("PHAP") and created.opened_on == date(2024, 5, 1)


# -- member create form ---------------------------------------------------------------------------------

def member_form(unit_pk: int, **overrides) -> dict:
    data = {"unit": str(unit_pk), "status": "probationary", "full_name": "Vũ Thị Thanh Hương", "gender": "F",
            "birth_date": "17/05/1990", "home_town": "Thái Bình", "ethnicity": "Kinh", "education": "bachelor",
            "political_theory": "", "job_title": "Tùy viên", "workplace": "", "card_number": "",
            "dossier_number": "", "admission_date": "02/03/2015", "confirmation_date": "",
            "category": "mission_staff", "abroad_from": "", "abroad_to": "", "citizen_id": "", "phone": "",
            "email": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides, message", [
    ({"birth_date": "31/02/1990"}, "Ngày không hợp lệ"),
    ({"birth_date": "1990-13-01"}, "Ngày không hợp lệ"),
    ({"admission_date": "hôm qua"}, "Ngày không hợp lệ"),
    ({"birth_date": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")}, "Ngày sinh không hợp lệ."),
    ({"admission_date": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")}, "Ngày vào Đảng không thể ở tương lai."),
    ({"status": "full", "confirmation_date": "01/01/2015"}, "Ngày chính thức phải sau ngày vào Đảng."),
    ({"abroad_from": "01/09/2024", "abroad_to": "31/08/2024"},
     "Ngày kết thúc nhiệm kỳ ở nước ngoài phải sau ngày bắt đầu."),
    ({"full_name": "Hương"}, "Nhập đầy đủ họ và tên"),
    ({"full_name": "Vũ\x00Thị Hương"}, None),
])
def test_member_create_form_refuses_bad_input_and_writes_nothing(client_of, unit, overrides, message):
    client = client_of("ban.tochuc")
    before = counts()
    text = page(client.post(reverse("members:new"), member_form(unit("PHAP-DSQ").pk, **overrides)))
    if message:
        assert message in text, message
    assert 'class="errorlist"' in text
    assert counts() == before


def test_member_create_form_saves_and_shows_dd_mm_yyyy(client_of, unit):
    client = client_of("bithu.phap")
    response = client.post(reverse("members:new"), member_form(unit("PHAP-UNESCO").pk, abroad_from="01/09/2024"))
    assert response.status_code == 302
    member = Member.objects.get(full_name="Vũ Thị Thanh Hương")
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.birth_date == date(1990, 5, 17) and member.admission_date == date(2015, 3, 2)
    assert member.unit == unit("PHAP-UNESCO") and member.status == Status.PROBATIONARY
    text = page(client.get(response["Location"]))
    assert "17/05/1990" in text and "02/03/2015" in text and "01/09/2024" in text
    assert "1990-05-17" not in text and "May" not in text
    assert 'data-kind="member.created"' in text


def test_member_create_form_offers_only_units_in_scope(client_of, unit):
    client = client_of("bithu.phap")
    text = page(client.get(reverse("members:new")))
    assert unit("PHAP-DSQ").name in text and unit("DUC-DSQ").name not in text
    assert unit("DOAN-APEC17").name not in text
    before = counts()
    outside = page(client.post(reverse("members:new"), member_form(unit("DUC-DSQ").pk)))
    assert 'class="errorlist"' in outside
    assert counts() == before
    assert client_of("dangvien.phap").get(reverse("members:new")).status_code == 404
    assert client_of("ub.kiemtra").get(reverse("members:new")).status_code == 404


def test_member_status_form_requires_a_document(client_of, unit):
    member = Member.objects.filter(unit=unit("PHAP-LHS"), status=Status.FULL).first()
    client = client_of("bithu.phap")
    url = reverse("members:status", args=[member.pk])
    before = counts()
    text = page(client.post(url, {"status": "full", "effective_on": TODAY.strftime("%d/%m/%Y"),
                                  "document": "", "reason": "x"}))
    assert 'class="errorlist"' in text
    text = page(client.post(url, {"status": "exempt", "effective_on": "29/02/2023", "document": "1-QĐ",
                                  "reason": "Tuổi cao"}))
    assert "Ngày không hợp lệ" in text
    assert counts() == before
    ok = client.post(url, {"status": "exempt", "effective_on": TODAY.strftime("%d/%m/%Y"), "document": "1-QĐ",
                           "reason": "Tuổi cao"})
    assert ok.status_code == 302 and Member.objects.get(pk=member.pk).status == Status.EXEMPT


# -- member list: scope, filters, Vietnamese order, dates, htmx ------------------------------------------

def test_member_list_is_in_vietnamese_order(client_of):
    text = page(client_of("ban.tochuc").get(reverse("members:list"), {"sort": "name"}))
    names = [name for _, name in listed(text)]
    assert len(names) == 50
    assert names == sorted(names, key=name_sort_key)
    # The list shows the members on the rolls unless asked for every status.
    everyone = sorted(Member.objects.filter(status__in=ACTIVE_STATUSES).values_list("full_name", flat=True),
                      key=name_sort_key)
    assert names == everyone[:50]
    # The default order is the same; "-name" reverses it.
    assert [n for _, n in listed(page(client_of("ban.tochuc").get(reverse("members:list"))))] == names
    desc = [n for _, n in listed(page(client_of("ban.tochuc").get(reverse("members:list"), {"sort": "-name"})))]
    assert desc == everyone[::-1][:50]
    every_status = [n for _, n in listed(page(client_of("ban.tochuc").get(reverse("members:list"),
                                                                         {"sort": "name", "status": "all"})))]
    assert every_status == sorted(Member.objects.values_list("full_name", flat=True), key=name_sort_key)[:50]


def test_member_list_for_a_secretary_is_scoped_and_sorted(client_of):
    text = page(client_of("bithu.phap").get(reverse("members:list")))
    rows = listed(text)
    scoped = Member.objects.filter(unit__code__startswith="PHAP")
    assert {pk for pk, _ in rows} == set(scoped.values_list("pk", flat=True))
    assert [n for _, n in rows] == sorted((n for _, n in rows), key=name_sort_key)
    assert f"{scoped.count()} đảng viên" in text
    # A filter value outside the secretary's choices does not widen the scope.
    leak = listed(page(client_of("bithu.phap").get(reverse("members:list"), {"country": "DE"})))
    assert {pk for pk, _ in leak} <= set(scoped.values_list("pk", flat=True))


def test_member_list_filters(client_of, unit):
    client = client_of("ban.tochuc")
    text = page(client.get(reverse("members:list"), {"q": "Nguyen  VAN"}))
    rows = listed(text)
    assert rows and all("nguyen" in fold(n) and "van" in fold(n) for _, n in rows)
    expected = {m.pk for m in Member.objects.all() if "nguyen" in fold(m.full_name) and "van" in fold(m.full_name)}
    assert f"{len(expected)} đảng viên" in text
    assert {pk for pk, _ in rows} == expected if len(expected) <= 50 else len(rows) == 50
    # Names that start with the words come before names that merely contain them.
    starts = [fold(n).startswith("nguyen van") for _, n in rows]
    assert starts == sorted(starts, reverse=True)

    dsq = unit("PHAP-DSQ")
    text = page(client.get(reverse("members:list"), {"unit": dsq.pk, "status": "probationary"}))
    want = Member.objects.filter(unit=dsq, status=Status.PROBATIONARY)
    assert {pk for pk, _ in listed(text)} == set(want.values_list("pk", flat=True))
    assert f"{want.count()} đảng viên" in text

    text = page(client.get(reverse("members:list"), {"country": "DE", "category": "resident"}))
    want = Member.objects.filter(unit__country="DE", category="resident")
    assert want.exists()
    assert {pk for pk, _ in listed(text)} == set(want.values_list("pk", flat=True))

    rows = listed(page(client.get(reverse("members:list"), {"unit": unit("DUC").pk, "sort": "admission"})))
    admitted = [Member.objects.get(pk=pk).admission_date for pk, _ in rows]
    assert admitted == sorted(admitted)


def test_member_list_renders_dates_as_dd_mm_yyyy(client_of, unit):
    member = Member.objects.filter(unit=unit("PHAP-DSQ")).order_by("name_sort").first()
    text = page(client_of("bithu.phap").get(reverse("members:list"), {"q": member.full_name}))
    assert member.birth_date.strftime("%d/%m/%Y") in text
    assert member.birth_date.isoformat() not in text


def test_htmx_request_returns_only_the_results_fragment(client_of):
    client = client_of("ban.tochuc")
    response = client.get(reverse("members:list"), {"q": "nguyen"}, headers={"HX-Request": "true",
                                                                             "HX-Target": "results"})
    text = page(response).strip()
    assert text.startswith('<div id="results">') and text.endswith("</div>")
    assert "<html" not in text and "<form" not in text and "<h1>" not in text
    rows = listed(text)
    assert rows and all("nguyen" in fold(n) for _, n in rows)
    full = page(client.get(reverse("members:list"), {"q": "nguyen"}))
    assert "<html" in full and '<div id="results">' in full and "<form" in full
    assert listed(full) == rows
    # An htmx request aimed elsewhere (a boosted link) gets the whole page.
    other = page(client.get(reverse("members:list"), headers={"HX-Request": "true", "HX-Target": "main"}))
    assert "<html" in other


def test_member_list_pages(client_of):
    client = client_of("ban.tochuc")
    first = listed(page(client.get(reverse("members:list"))))
    second_text = page(client.get(reverse("members:list"), {"page": "2"}))
    second = listed(second_text)
    assert len(second) == 50 and not {pk for pk, _ in first} & {pk for pk, _ in second}
    assert "Trang 2 /" in second_text
    # Nonsense page numbers fall back to a real page instead of failing.
    assert listed(page(client.get(reverse("members:list"), {"page": "abc"}))) == first
    assert page(client.get(reverse("members:list"), {"q": "x" * 5000, "unit": "abc", "sort": "drop"}))
