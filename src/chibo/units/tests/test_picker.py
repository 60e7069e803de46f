"""The unit picker (units/picker.py), the lazy tree and the weight of the pages that offer units.

A small scope is a plain <select>; a large one (built here with bulk_create, thousands of units) is a
search box answered by ``units:pick``, at most 20 units, always within the actor's scope; every form
that offers units refuses a unit outside the actor's scope, whatever the widget.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.bulk.models import ImportJob
from chibo.core.access import PATH_STEP
from chibo.core.text import fold, vn_sort_key
from chibo.meetings.models import Meeting
from chibo.members.models import Member
from chibo.transfers.models import Transfer
from chibo.units.models import Unit, UnitKind, unit_search_key
from chibo.units.picker import MAX_MATCHES, SMALL_SCOPE, UnitChoiceField, UnitScope

RADIO = re.compile(r'<input type="radio" name="(\w+)" value="(\d+)"')
PAGE_BUDGET = 150_000  # design.md: first load ≤ 150 KB
HTMX_BUDGET = 20_000  # design.md: an htmx interaction ≤ 20 KB


def many_units(parent: Unit, n: int, prefix: str, *, kind: str = UnitKind.GRASSROOTS_CELL) -> list[Unit]:
    """``n`` open cells under ``parent``, in one INSERT (the path needs the pk: pks are given)."""
    start = (Unit.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    units = []
    for i in range(n):
        pk = start + i
        name = f"Chi bộ {prefix} số {i:05d}"
        units.append(Unit(pk=pk, kind=kind, name=name, code=f"{prefix}-{i:05d}", parent=parent,
                          path=parent.path + f"{pk:0{PATH_STEP}d}", depth=parent.depth + 1,
                          sort_key=vn_sort_key(name), search_key=unit_search_key(name, f"{prefix}-{i:05d}"),
                          opened_on=date(2020, 1, 1), country=parent.country))
    Unit.objects.bulk_create(units, batch_size=500)
    return units


def pick(client, **params):
    return client.get(reverse("units:pick"), params, HTTP_HX_REQUEST="true")


def picked(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    pks = {int(pk) for _name, pk in RADIO.findall(response.content.decode())}
    return set(Unit.objects.filter(pk__in=pks).values_list("code", flat=True))


# -- the search endpoint -------------------------------------------------------------------------------

def test_pick_finds_units_by_name_or_code_within_the_scope_only(client_of, unit, personas):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    assert "DUC" in picked(pick(officer, q="duc"))
    assert picked(pick(secretary, q="duc")) == set()  # Germany is outside the Paris secretary's scope
    assert picked(pick(secretary, q=unit("DUC").name)) == set()
    assert picked(pick(secretary, q="phap")) == {"PHAP", "PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
    assert picked(pick(secretary, q="")) == {"PHAP", "PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
    assert picked(pick(client_of("ungvien.phap"), q="")) == set()
    # A member sees only their own cell.
    own = personas["dangvien.phap"].member.unit.code
    assert picked(pick(client_of("dangvien.phap"), q="")) <= {own}
    # Diacritics, đ and case do not matter; the name is searched, not only the code.
    assert unit("PHAP-DSQ").name == "Chi bộ Cơ quan Đại sứ quán tại Pháp"
    assert "PHAP-DSQ" in picked(pick(officer, q="dai su quan tai phap"))
    assert "PHAP-DSQ" in picked(pick(officer, q="ĐẠI SỨ QUÁN TẠI PHÁP"))
    assert "DUC" in picked(pick(officer, q=fold(unit("DUC").name))) and "DUC" in picked(pick(officer, q="duc"))
    # The answer names the form field it belongs to.
    assert set(n for n, _ in RADIO.findall(pick(officer, q="phap", name="to_unit").content.decode())) == {"to_unit"}


def test_pick_narrows_by_permission_openness_kind_and_parent(client_of, unit):
    officer = client_of("ban.tochuc")
    assert "DOAN-APEC17" in picked(pick(officer, q="DOAN-APEC17"))
    assert picked(pick(officer, q="DOAN-APEC17", open="1")) == set()  # closed
    cells = picked(pick(officer, q="PHAP", kind=UnitKind.SUBORDINATE_CELL))
    assert cells and all(unit(c).kind == UnitKind.SUBORDINATE_CELL for c in cells)
    assert picked(pick(officer, q="", under=unit("PHAP").pk, below="1")) == {"PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
    # A member holds no meetings.view, yet sees their own cell's minutes book: ``own`` adds it.
    member = client_of("dangvien.phap")
    assert picked(pick(member, q="", perm="meetings.view")) == set()
    assert picked(pick(member, q="", perm="meetings.view", own="1")) == {"PHAP-DSQ"}
    assert picked(pick(client_of("ungvien.phap"), q="", perm="meetings.view", own="1")) == set()
    # ub.kiemtra (inspector) sees the tree but may edit no member anywhere.
    assert picked(pick(client_of("ub.kiemtra"), q="PHAP")) >= {"PHAP"}
    assert picked(pick(client_of("ub.kiemtra"), q="PHAP", perm="members.edit")) == set()


@pytest.mark.parametrize("params", [
    {"perm": "root.everything"}, {"kind": "country"}, {"under": "abc"}, {"name": "unit\"><script>"},
    {"name": "1unit"},
])
def test_pick_refuses_what_does_not_exist(client_of, params):
    assert pick(client_of("ban.tochuc"), q="phap", **params).status_code == 404


def test_pick_under_a_unit_outside_the_scope_is_not_found(client_of, unit):
    assert pick(client_of("bithu.phap"), q="", under=unit("DUC").pk).status_code == 404
    assert pick(client_of("bithu.phap"), q="", under=unit("PHAP").pk).status_code == 200


def test_pick_answers_at_most_twenty_units_and_stays_small(client_of, unit):
    many_units(unit("DUBNG"), 60, "XA")
    response = pick(client_of("ban.tochuc"), q="XA")
    assert len(picked(response)) == MAX_MATCHES
    assert "gõ thêm để thu hẹp" in response.content.decode()
    assert len(response.content) < HTMX_BUDGET
    assert picked(pick(client_of("ban.tochuc"), q="XA-00042")) == {"XA-00042"}
    assert picked(pick(client_of("bithu.phap"), q="XA")) == set()


def test_pick_is_for_logged_in_users_only(client):
    response = client.get(reverse("units:pick"), {"q": "phap"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- the field ---------------------------------------------------------------------------------------

def _field(actor, **kw) -> UnitChoiceField:
    return UnitChoiceField(required=False, **kw).bind(actor)


def test_field_is_a_select_for_a_small_scope_and_a_search_box_for_a_large_one(actor_of, unit):
    secretary = _field(actor_of("bithu.phap"))
    html = secretary.widget.render("unit", None, attrs={"id": "id_unit"})
    assert html.startswith("<select") and html.count("<option") == 5  # "—" and the four units of France
    many_units(unit("DUBNG"), SMALL_SCOPE + 1, "XB")
    officer = _field(actor_of("ban.tochuc"))
    html = officer.widget.render("unit", str(unit("PHAP").pk), attrs={"id": "id_unit"})
    assert "<select" not in html and 'type="search"' in html and 'hx-get="/units/pick/?' in html
    assert f'name="unit" value="{unit("PHAP").pk}" checked' in html  # the chosen unit stays chosen
    assert len(html) < 2_000
    # The Paris secretary still has a plain list: their scope did not grow.
    assert _field(actor_of("bithu.phap")).units is not None


def test_search_box_offers_no_lone_dash_radio(actor_of, unit):
    """The "no unit" radio of the search box has words that mean something: never a lone "—" checked above the
    box; a dash label becomes "Bỏ chọn", offered only to clear a chosen unit; a required field has none at all;
    a label of its own ("Tất cả") stays."""
    many_units(unit("DUBNG"), SMALL_SCOPE + 1, "XD")
    officer = actor_of("ban.tochuc")
    empty_radio = re.compile(r'<input type="radio" name="unit" value=""[^>]*>\s*<span>([^<]*)</span>')

    def render(field, value=None):
        return field.widget.render("unit", value, attrs={"id": "id_unit"})

    dash = _field(officer)
    assert dash.units is None and empty_radio.findall(render(dash)) == []
    assert empty_radio.findall(render(dash, str(unit("PHAP").pk))) == ["Bỏ chọn"]
    required = UnitChoiceField(required=True).bind(officer)
    assert empty_radio.findall(render(required)) == [] and empty_radio.findall(render(required, unit("PHAP"))) == []
    assert f'value="{unit("PHAP").pk}" checked' in render(required, unit("PHAP"))
    assert empty_radio.findall(render(_field(officer, empty_label="Tất cả"))) == ["Tất cả"]
    assert empty_radio.findall(render(_field(officer, empty_label=None), str(unit("PHAP").pk))) == []
    # Nothing chosen in the search box: the field is empty (optional) or refused (required), never a forged "—".
    assert dash.clean(None) is None
    with pytest.raises(ValidationError):
        required.clean(None)


def test_field_refuses_a_forged_unit_in_both_modes(actor_of, unit):
    from django import forms

    secretary = _field(actor_of("bithu.phap"))
    assert secretary.clean(str(unit("PHAP-LHS").pk)) == unit("PHAP-LHS")
    for forged in (str(unit("DUC").pk), "999999", "abc", "-1", "1" * 40):
        with pytest.raises(forms.ValidationError):
            secretary.clean(forged)
    many_units(unit("PHAP"), SMALL_SCOPE + 1, "XC")
    large = _field(actor_of("bithu.phap"))
    assert large.units is None
    assert large.clean(str(unit("PHAP-LHS").pk)) == unit("PHAP-LHS")
    with pytest.raises(forms.ValidationError):
        large.clean(str(unit("DUC").pk))
    open_only = _field(actor_of("ban.tochuc"), scope=UnitScope(open_only=True))
    with pytest.raises(forms.ValidationError):
        open_only.clean(str(unit("DOAN-APEC17").pk))


# -- every form that offers units refuses one outside the scope ------------------------------------------

def _errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("large", [False, True], ids=["select", "search"])
def test_each_form_refuses_a_unit_outside_the_scope(client_of, unit, large):
    if large:
        many_units(unit("PHAP"), SMALL_SCOPE + 1, "XD")
    duc, phap = unit("DUC"), unit("PHAP")
    secretary = client_of("bithu.phap")
    refusal = "Tổ chức này không có trong phạm vi của bạn."
    member = Member.objects.filter(unit=unit("PHAP-DSQ"), status="full").first()
    members, jobs, transfers, meetings = (Member.objects.count(), ImportJob.objects.count(),
                                          Transfer.objects.count(), Meeting.objects.count())

    text = _errors(secretary.post(reverse("members:new"), {
        "unit": duc.pk, "status": "full", "full_name": "Ngô Văn Giả", "gender": "M", "birth_date": "01/01/1990",
        "ethnicity": "Kinh", "admission_date": "01/01/2020", "category": "state_student"}))
    assert refusal in text
    text = _errors(secretary.post(reverse("bulk:import"), {"unit": duc.pk, "mode": "all", "check": "1"}))
    assert refusal in text
    text = _errors(secretary.post(reverse("transfers:new", args=[member.pk]), {
        "kind": "official", "to_unit": duc.pk, "decision_doc": "1/QĐ", "decision_date": "01/01/2026",
        "reason": "Hết nhiệm kỳ"}))
    assert refusal in text
    text = _errors(secretary.post(reverse("transfers:incoming", args=[member.pk]), {"to_unit": phap.pk}))
    assert refusal in text  # the member's own unit's parent is not under the member's unit
    text = _errors(secretary.post(reverse("transfers:rotation", args=[unit("PHAP-DSQ").pk]), {
        "members": [member.pk], "kind": "official", "to_unit": duc.pk, "decision_doc": "1/QĐ",
        "decision_date": "01/01/2026", "reason": "Hết nhiệm kỳ"}))
    assert refusal in text
    text = _errors(secretary.post(reverse("meetings:new"), {
        "unit": duc.pk, "kind": "regular", "title": "Họp", "day": "01/07/2026", "time": "18:30",
        "planned_minutes": 120}))
    assert refusal in text
    text = _errors(secretary.get(reverse("rules:calendar"), {"start": "01/07/2026", "n": 5, "unit": duc.pk}))
    assert "Chọn một tổ chức trong phạm vi của bạn." in text
    assert secretary.get(reverse("deadlines:radar"), {"unit": duc.pk}).status_code == 404
    assert secretary.get(reverse("meetings:book"), {"unit": unit("DUC-DSQ").pk}).status_code == 404
    assert secretary.get(reverse("meetings:book"), {"unit": unit("PHAP-LHS").pk}).status_code == 200
    listed = _errors(secretary.get(reverse("members:list"), {"unit": duc.pk}))
    assert f'value="{duc.pk}" selected' not in listed and f'value="{duc.pk}" checked' not in listed
    assert not any(f"/members/{pk}/" in listed for pk in Member.objects.filter(unit=duc).values_list("pk", flat=True))
    assert (Member.objects.count(), ImportJob.objects.count(), Transfer.objects.count(),
            Meeting.objects.count()) == (members, jobs, transfers, meetings)


def test_member_list_filters_by_a_unit_chosen_in_the_search_box(client_of, unit):
    many_units(unit("DUBNG"), SMALL_SCOPE + 1, "XE")
    lhs = unit("PHAP-LHS")
    text = _errors(client_of("ban.tochuc").get(reverse("members:list"), {"unit": lhs.pk}))
    shown = set(int(pk) for pk in re.findall(r'<a href="/members/(\d+)/">', text))
    assert shown and shown <= set(Member.objects.filter(unit=lhs).values_list("pk", flat=True))
    assert f'name="unit" value="{lhs.pk}" checked' in text


# -- the tree ----------------------------------------------------------------------------------------

CHILDREN = re.compile(r'hx-get="/units/(\d+)/children/(?:\?page=(\d+))?')


def test_tree_children_are_scoped_and_paginated(client_of, unit):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    phap = unit("PHAP")
    fragment = _errors(secretary.get(reverse("units:children", args=[phap.pk]), HTTP_HX_REQUEST="true"))
    assert set(re.findall(r'<li data-unit="([^"]+)">', fragment)) == {"PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
    assert secretary.get(reverse("units:children", args=[unit("DUC").pk])).status_code == 404
    assert client_of("dangvien.phap").get(reverse("units:children", args=[phap.pk])).status_code == 404

    cells = many_units(phap, 120, "XF")
    seen, page = [], 1
    while page:
        fragment = _errors(officer.get(reverse("units:children", args=[phap.pk]), {"page": page}))
        assert len(fragment.encode()) < HTMX_BUDGET
        seen += re.findall(r'<li data-unit="([^"]+)">', fragment)
        more = re.search(rf'hx-get="/units/{phap.pk}/children/\?page=(\d+)"', fragment)
        page = int(more.group(1)) if more else None
    assert len(seen) == len(set(seen)) == 123  # every child once, over three pages
    assert {c.code for c in cells} <= set(seen)


def test_unit_page_lists_a_first_page_of_children_with_closed_ones(client_of, unit):
    root = unit("DUBNG")
    text = _errors(client_of("ban.tochuc").get(reverse("units:detail", args=[root.pk])))
    assert 'data-unit="DOAN-APEC17"' in text  # the unit page shows closed children too
    many_units(root, 120, "XJ")
    text = _errors(client_of("ban.tochuc").get(reverse("units:detail", args=[root.pk])))
    assert text.count('<li data-unit="') == 50 and len(text.encode()) < PAGE_BUDGET
    assert f'hx-get="/units/{root.pk}/children/?page=2&amp;closed=1"' in text


def test_tree_page_loads_two_levels_and_opens_the_rest_on_demand(client_of, unit):
    text = _errors(client_of("ban.tochuc").get(reverse("units:tree")))
    shown = re.findall(r'<li data-unit="([^"]+)">', text)
    assert shown[0] == "DUBNG" and "PHAP" in shown and "PHAP-DSQ" not in shown
    assert f'hx-get="/units/{unit("PHAP").pk}/children/" hx-trigger="toggle once"' in text


# -- page weight and query count at scale --------------------------------------------------------------

HEAVY_PAGES = ("/units/", "/members/", "/deadlines/", "/bulk/import/")


def _measure(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.content), len(queries)


@pytest.mark.parametrize("persona", ["ban.tochuc", "bithu.phap"])
def test_pages_offering_units_stay_light_and_their_query_count_flat(client_of, unit, persona):
    """2,000 more units (500 of them in France, so the Paris secretary's plain lists become search
    boxes): every page stays under budget and makes no more queries than before."""
    client = client_of(persona)
    _measure(client, "/units/")  # warm caches (session, content types)
    before = {url: _measure(client, url) for url in HEAVY_PAGES}
    many_units(unit("DUBNG"), 1500, "XG")
    many_units(unit("PHAP"), 500, "XH")
    after = {url: _measure(client, url) for url in HEAVY_PAGES}
    for url in HEAVY_PAGES:
        size, queries = after[url]
        assert size < PAGE_BUDGET, (url, size)
        assert queries <= before[url][1], (url, before[url], after[url])
        # The pages no longer carry the units: 2,000 more units add little.
        assert after[url][0] - before[url][0] < 20_000, (url, before[url], after[url])


def test_member_list_book_is_picked_when_the_scope_is_large(client_of, unit):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    dsq = unit("PHAP-DSQ")
    assert f'href="/bulk/export/book/{dsq.pk}/"' in _errors(secretary.get(reverse("bulk:import")))  # a short list
    many_units(unit("DUBNG"), SMALL_SCOPE + 1, "XI")
    text = _errors(officer.get(reverse("bulk:import")))
    assert 'action="/bulk/export/book/"' in text and f'href="/bulk/export/book/{dsq.pk}/"' not in text
    response = officer.get(reverse("bulk:book_pick"), {"book-unit": dsq.pk, "book-format": "xlsx"})
    assert response.status_code == 302 and response["Location"] == f"/bulk/export/book/{dsq.pk}/?format=xlsx"
    response = officer.get(reverse("bulk:book_pick"), {"book-unit": dsq.pk})
    assert response["Location"] == f"/bulk/export/book/{dsq.pk}/"
    assert secretary.get(reverse("bulk:book_pick"), {"book-unit": unit("DUC").pk}).status_code == 404
    assert officer.get(reverse("bulk:book_pick"), {"book-unit": unit("DOAN-APEC17").pk}).status_code == 404
