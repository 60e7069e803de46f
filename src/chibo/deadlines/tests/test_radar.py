"""The radar, a deadline's page and actions, the API, the bell and the iCalendar feed.

"The radar shows the same counts as the API" (issue 3): the count cells of the page carry
``data-count`` attributes; for each persona and filter they must equal the API's ``count`` for the
same filters, and both must equal a count made here in plain Python from the rows.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import lxml.html
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from chibo.core.access import PATH_END, SYSTEM
from chibo.core.models import AuditEvent
from chibo.core.said import said
from chibo.deadlines import feeds
from chibo.deadlines.models import OPEN_STATES, Deadline, FeedToken, State
from chibo.deadlines.services import deadline_open, mark_late
from chibo.members.models import Member, Status
from chibo.notifications.models import Message, Notification
from chibo.notifications.tasks import deliver_now
from chibo.units.models import Unit

TODAY = date(2026, 3, 2)  # a Monday, two weeks after Tết Bính Ngọ
RADAR = "/deadlines/"
API = "/api/v1/deadlines/"


@pytest.fixture(autouse=True)
def fixed_today():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def other_member(code: str, *exclude) -> Member:
    member = (Member.objects.filter(unit__code=code, status__in=[Status.FULL, Status.PROBATIONARY])
              .exclude(pk__in=[m.pk for m in exclude if m is not None]).order_by("pk").first())
    assert member is not None, code
    return member


@pytest.fixture
def seeded(personas):
    """Deadlines around TODAY on top of the demo's: in France (dangvien.phap's own among them), in
    Germany, and one whose clock crosses Tết 2026."""
    own = personas["dangvien.phap"].member
    phap_self = personas["bithu.phap"].member
    dsq, lhs, de = other_member("PHAP-DSQ", own, phap_self), other_member("PHAP-LHS"), other_member("DUC-FRA")

    def make(kind, member, start):
        return deadline_open(actor=SYSTEM, kind=kind, unit=member.unit, member=member, start=start,
                             title=said("%(kind)s: %(name)s", kind=kind, name=member.full_name))

    rows = {
        "fr_overdue": make("transfer.report", dsq, date(2026, 1, 10)),      # due 09/02/2026
        "own_overdue": make("transfer.report", own, date(2026, 1, 1)),      # due 31/01/2026
        "own_soon": make("trip.report", own, date(2026, 2, 25)),            # 7 working days: 06/03/2026
        "fr_later": make("transfer.report", lhs, date(2026, 2, 20)),        # due 22/03/2026
        "de_overdue": make("transfer.report", de, date(2026, 1, 5)),        # due 04/02/2026
        "tet": make("probation.confirmation", dsq, date(2026, 2, 2)),      # 30 working days across Tết
        # The edges of the windows: due today (soon, not overdue) and due exactly 7 days ahead.
        "due_today": make("transfer.report", lhs, date(2026, 1, 31)),      # due 02/03/2026
        "due_in_7": make("transfer.report", lhs, date(2026, 2, 7)),        # due 09/03/2026
    }
    assert rows["due_today"].due_date == TODAY and rows["due_in_7"].due_date == TODAY + timedelta(days=7)
    assert rows["fr_overdue"].due_date == date(2026, 2, 9)
    assert rows["own_soon"].due_date == date(2026, 3, 6)
    return rows


def html(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.content.decode())


def page_counts(response) -> dict[str, int]:
    doc = html(response)
    return {el.get("data-count"): int(el.text_content().strip()) for el in doc.xpath("//*[@data-count]")}


def api_count(client: Client, **params) -> int:
    response = client.get(API, {k: v for k, v in params.items() if v not in (None, "")})
    assert response.status_code == 200, response.content
    return response.json()["count"]


def in_subtree(deadline: Deadline, root: Unit) -> bool:
    return root.path <= deadline.unit.path < root.path + PATH_END


def expected(persona: str, personas, *, state: str, days: int = 30, kind: str = "", unit: Unit | None = None) -> int:
    """The count, straight from the rows, without the selectors."""
    user = personas[persona]
    phap = Unit.objects.get(code="PHAP")
    rows = Deadline.objects.select_related("unit")
    if persona == "bithu.phap":
        rows = [d for d in rows if in_subtree(d, phap) or d.member_id == user.member_id]
    elif persona == "dangvien.phap":
        rows = [d for d in rows if d.member_id == user.member_id]
    rows = [d for d in rows if (not kind or d.kind == kind) and (unit is None or in_subtree(d, unit))]
    is_open = [d for d in rows if d.state in OPEN_STATES]
    return len({
        "overdue": [d for d in is_open if d.due_date < TODAY],
        "soon": [d for d in is_open if TODAY <= d.due_date <= TODAY + timedelta(days=days)],
        "open": is_open,
    }[state])


# --- the radar counts equal the API's ------------------------------------------------------------

FILTERS = [
    {},
    {"days": 7},
    {"kind": "transfer.report"},
    {"unit": "PHAP", "days": 60},
    {"unit": "PHAP-DSQ", "kind": "probation.confirmation"},
]


@pytest.mark.parametrize("persona", ["ban.tochuc", "bithu.phap", "dangvien.phap"])
def test_radar_shows_the_same_counts_as_the_api(persona, personas, client_of, seeded, unit):
    client = client_of(persona)
    checked = 0
    for f in FILTERS:
        if persona == "dangvien.phap" and f.get("unit") == "PHAP":
            continue  # the member's scope does not include the organization: 404 (tested below)
        root = unit(f["unit"]) if "unit" in f else None
        query = {"kind": f.get("kind", ""), "unit": root.pk if root else "", "days": f.get("days", "")}
        shown = page_counts(client.get(RADAR, {k: v for k, v in query.items() if v}))
        days = f.get("days", 30)
        api = {name: api_count(client, state=state, kind=f.get("kind"), unit=root.pk if root else None,
                               soon_days=days)
               for name, state in (("overdue", "overdue"), ("soon", "soon"), ("open", "active"))}
        truth = {name: expected(persona, personas, state=name, days=days, kind=f.get("kind", ""), unit=root)
                 for name in ("overdue", "soon", "open")}
        assert {k: shown[k] for k in ("overdue", "soon", "open")} == api == truth, (persona, f)
        # The drill-down list of each state shows as many rows as the API counts.
        for name, state in (("overdue", "overdue"), ("soon", "soon"), ("open", "active")):
            listed = page_counts(client.get(RADAR, {**{k: v for k, v in query.items() if v}, "state": state}))
            assert listed["list"] == api[name], (persona, f, state)
            checked += 1
    assert checked >= 12
    # Not a vacuous equality: every persona has something overdue and something due soon.
    assert expected(persona, personas, state="overdue") > 0 and expected(persona, personas, state="soon") > 0


def matrix_rows(doc) -> dict[str, lxml.html.HtmlElement]:
    """{unit code (+ "*" for the focus's own rolls): row} of the unit × kind table."""
    return {r.get("data-unit") + ("*" if r.get("data-own") else ""): r
            for r in doc.xpath("//table[contains(@class,'matrix')]/tbody/tr[@data-unit]")}


def cell_count(cell, what: str) -> int:
    found = cell.xpath(f".//a[@data-cell-count='{what}']")
    return int(found[0].text_content().split()[0]) if found else 0


def listed_rows(client, href: str) -> list:
    listed = html(client.get(RADAR + href))
    rows = listed.xpath("//table[contains(@class,'deadlines')]/tbody/tr[@data-deadline]")
    assert len(rows) == int(listed.xpath("//*[@data-count='list']")[0].text_content())
    return rows


def test_whole_tree_unit_by_kind_table_adds_up_and_drills_down(client_of, seeded, unit):
    """The upper committee's radar: one row per unit at the top of the tree (each counting its subtree), one column
    per kind; the cells add up to the sum row and the sum row to the totals; a unit's name opens the level below,
    a number its filtered list with exactly that many rows."""
    client = client_of("ban.tochuc")
    doc = html(client.get(RADAR))
    totals = {el.get("data-count"): int(el.text_content()) for el in doc.xpath("//*[@data-count]")}
    rows = matrix_rows(doc)
    # Grouped by the units at the top of the tree (and the root's own rolls), not one row per unit and kind.
    root = Unit.objects.get(depth=0)
    assert set(rows) <= {u.code for u in Unit.objects.filter(depth=1)} | {root.code + "*"}
    holding = {d.unit.path[:16] for d in Deadline.objects.filter(state__in=OPEN_STATES).select_related("unit")}
    assert {Unit.objects.get(code=c.rstrip("*")).path for c in rows} == holding
    assert len(rows) < Deadline.objects.filter(state__in=OPEN_STATES).values("unit", "kind").distinct().count()
    kinds = doc.xpath("//table[contains(@class,'matrix')]/thead/tr/th[@data-kind]/@data-kind")
    assert "transfer.report" in kinds and "probation.confirmation" in kinds and len(set(kinds)) == len(kinds)
    # Each column adds up to its sum, the sums to the totals above the table.
    for what in ("overdue", "soon", "open"):
        grand = 0
        for kind in kinds:
            column = sum(cell_count(r.xpath(f"./td[@data-kind='{kind}']")[0], what) for r in rows.values())
            total = doc.xpath(f"//tfoot//td[@data-kind='{kind}']")[0]
            assert column == cell_count(total, what), (what, kind)
            grand += column
        assert grand == totals[what] == cell_count(doc.xpath("//tfoot//td[@data-kind='']")[0], what)
    # Overdue cells are highlighted; rows with something overdue come first.
    late_cells = doc.xpath("//table[contains(@class,'matrix')]/tbody//td[contains(@class,'late-cell')]")
    assert late_cells and all(cell_count(c, "overdue") > 0 for c in late_cells)
    order = [r.get("class") == "overdue" for r in rows.values() if not r.get("data-own")]
    assert order == sorted(order, reverse=True)

    # France's row → the level below: France's own units, each counting its subtree.
    france = rows["PHAP"]
    opened = html(client.get(RADAR + france.xpath("./th/a")[0].get("href")))
    below = matrix_rows(opened)
    assert "PHAP-DSQ" in below and "PHAP-LHS" in below and not {"DUC", "PHAP"} & set(below)
    assert opened.xpath("//a[contains(., 'Lên một cấp')]")
    dsq = below["PHAP-DSQ"].xpath("./td[@data-kind='transfer.report']")[0]
    link = dsq.xpath(".//a[@data-cell-count='overdue']")[0]
    shown = listed_rows(client, link.get("href"))
    assert len(shown) == cell_count(dsq, "overdue") >= 1
    assert seeded["fr_overdue"].pk in {int(r.get("data-deadline")) for r in shown}
    assert all("PHAP-DSQ" in r.text_content() for r in shown)
    every_open = dsq.xpath(".//a[@data-cell-count='open']")[0].get("href")
    assert len(listed_rows(client, every_open)) == cell_count(dsq, "open")


def test_the_focus_units_own_rolls_are_a_row_of_their_own(client_of, seeded, unit):
    """Deadlines on a unit's own rolls (not a unit below it) are its "trực tiếp" row, whose links list exactly those
    (``own``); the page and the API count them alike."""
    phap = unit("PHAP")
    own = deadline_open(actor=SYSTEM, kind="transfer.report", unit=phap, start=date(2026, 1, 20),
                        title=said("Việc của chính Đảng ủy"), member=None)
    client = client_of("ban.tochuc")
    doc = html(client.get(RADAR, {"unit": phap.pk}))
    rows = matrix_rows(doc)
    assert list(rows)[0] == "PHAP*"  # the focus's own row first, then the units below it
    cell = rows["PHAP*"].xpath("./td[@data-kind='transfer.report']")[0]
    assert cell_count(cell, "open") == Deadline.objects.filter(unit=phap, state__in=OPEN_STATES).count() == 1
    href = cell.xpath(".//a[@data-cell-count='open']")[0].get("href")
    assert "own=1" in href
    assert [int(r.get("data-deadline")) for r in listed_rows(client, href)] == [own.pk]
    assert api_count(client, unit=phap.pk, own="true", state="active") == 1
    assert api_count(client, unit=phap.pk, state="active") > 1
    # ``own`` needs a unit and a yes or no.
    assert client.get(API, {"own": "true"}).status_code == 400
    assert client.get(API, {"unit": phap.pk, "own": "maybe"}).status_code == 400


def test_the_unit_by_kind_table_pages_its_rows(client_of, seeded, monkeypatch):
    from chibo.deadlines import views

    client = client_of("ban.tochuc")
    everything = matrix_rows(html(client.get(RADAR)))
    assert len(everything) > 3
    monkeypatch.setattr(views, "MATRIX_ROWS", 3)
    first = html(client.get(RADAR))
    assert len(matrix_rows(first)) == 3
    after = first.xpath("//nav[@class='pager']//a[contains(., 'Sau')]/@href")[0]
    second = matrix_rows(html(client.get(RADAR + after)))
    assert second and not set(second) & set(matrix_rows(first))
    assert list(matrix_rows(first)) + list(second) == list(everything)[:3 + len(second)]


def test_secretary_sees_overdue_and_due_soon_tables(client_of, seeded):
    doc = html(client_of("bithu.phap").get(RADAR))
    overdue_row = doc.xpath(f"//tr[@data-deadline='{seeded['fr_overdue'].pk}']")[0]
    text = " ".join(overdue_row.text_content().split())
    assert "Xuất trình giấy giới thiệu sinh hoạt đảng" in text
    assert seeded["fr_overdue"].member.full_name in text
    assert "PHAP-DSQ" in text and "09/02/2026" in text and "quá 21 ngày" in text
    soon_row = doc.xpath(f"//tr[@data-deadline='{seeded['own_soon'].pk}']")[0]
    assert "06/03/2026" in soon_row.text_content() and "còn 4 ngày" in soon_row.text_content()
    assert not doc.xpath(f"//tr[@data-deadline='{seeded['de_overdue'].pk}']")
    assert not doc.xpath("//table[contains(@class,'matrix')]")  # the unit × kind table is the upper committee's


def test_member_sees_only_their_own_obligations_and_the_applicant_nothing(client_of, seeded, personas):
    doc = html(client_of("dangvien.phap").get(RADAR))
    assert doc.xpath("//h1")[0].text_content() == "Việc của tôi"
    shown = {int(r.get("data-deadline")) for r in doc.xpath("//tr[@data-deadline]")}
    assert shown == set(Deadline.objects.filter(member=personas["dangvien.phap"].member).values_list("pk", flat=True))
    assert {seeded["own_overdue"].pk, seeded["own_soon"].pk} <= shown
    assert not doc.xpath("//form[contains(@class,'filters')]")
    applicant = html(client_of("ungvien.phap").get(RADAR))
    assert not applicant.xpath("//tr[@data-deadline]")
    assert "Bạn chưa có việc nào có hạn." in applicant.text_content()
    assert api_count(client_of("ungvien.phap")) == 0


def test_htmx_filter_returns_the_results_fragment(client_of, seeded):
    response = client_of("ban.tochuc").get(RADAR, {"state": "overdue"},
                                           headers={"HX-Request": "true", "HX-Target": "results"})
    text = response.content.decode()
    assert response.status_code == 200 and text.lstrip().startswith('<div id="results">')
    assert "<html" not in text and 'data-count="list"' in text


def test_invalid_filters_are_explained_not_crashed(client_of, seeded):
    doc = html(client_of("bithu.phap").get(RADAR, {"state": "bogus", "days": "abc", "kind": "x"}))
    errors = " ".join(e.text_content() for e in doc.xpath("//*[contains(@class,'errorlist')]"))
    assert "Chọn một mục của danh sách «Xem»." in errors and "Loại việc này không có." in errors
    assert "Chọn số ngày trong danh sách (7, 14, 30, 60 hoặc 90)." in errors
    assert doc.xpath("//*[@data-count='overdue']")  # the overview is still shown


# --- scope ----------------------------------------------------------------------------------------

def test_germany_sees_no_france(client_of, seeded, unit):
    client = client_of("bithu.duc")
    france = Deadline.objects.filter(unit__path__gte=unit("PHAP").path, unit__path__lt=unit("PHAP").path + PATH_END)
    assert france.count() >= 5
    doc = html(client.get(RADAR, {"state": "active"}))
    shown = {int(r.get("data-deadline")) for r in doc.xpath("//tr[@data-deadline]")}
    assert seeded["de_overdue"].pk in shown
    assert not shown & set(france.values_list("pk", flat=True))
    body = client.get(API, {"state": "active"}).json()
    assert body["count"] == len(shown) and all(not r["unit_name"].endswith("Pháp") for r in body["results"])
    assert not {r["id"] for r in body["results"]} & set(france.values_list("pk", flat=True))
    target = seeded["fr_overdue"]
    for url in (f"/deadlines/{target.pk}/", f"{API}{target.pk}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert target.member.full_name not in response.content.decode()
    assert client.get(API, {"unit": unit("PHAP").pk}).status_code == 404
    assert client.get(RADAR, {"unit": unit("PHAP").pk}).status_code == 404
    # The filter offers only Germany's units.
    options = html(client.get(RADAR)).xpath("//select[@name='unit']/option/@value")
    assert str(unit("PHAP").pk) not in options and str(unit("DUC").pk) in options


# --- the API --------------------------------------------------------------------------------------

def test_api_fields_and_bad_input(client_of, seeded):
    client = client_of("bithu.phap")
    d = seeded["fr_overdue"]
    body = client.get(f"{API}{d.pk}/").json()
    assert set(body) == {"id", "kind", "kind_label", "unit", "unit_name", "member", "member_name", "title",
                         "start_date", "due_date", "state", "met_on", "reason", "rule", "days_left", "due_changes"}
    assert body["kind_label"] == "Xuất trình giấy giới thiệu sinh hoạt đảng"
    assert body["due_date"] == "2026-02-09" and body["days_left"] == -21 and body["member_name"] == d.member.full_name
    assert body["due_changes"] == []  # no announced day has moved it
    assert body["rule"] == {"id": d.rule_id, "key": "transfer.report_within", "value": "30", "unit": "calendar_days",
                            "basis": d.rule.basis, "effective_from": d.rule.effective_from.isoformat()}
    for params, field in (({"state": "bogus"}, "state"), ({"kind": "x"}, "kind"), ({"unit": "abc"}, "unit"),
                          ({"soon_days": "0"}, "soon_days"), ({"soon_days": "9999"}, "soon_days")):
        response = client.get(API, params)
        assert response.status_code == 400 and field in response.json(), params
    assert client.get(API, {"unit": "999999999"}).status_code == 404
    # One query for the page of results whatever its size (no N+1), plus the count.
    with CaptureQueriesContext(connection) as ctx:
        assert client_of("ban.tochuc").get(API, {"state": "active"}).status_code == 200
    assert len([q for q in ctx.captured_queries if "deadlines_deadline" in q["sql"]]) == 2


# --- detail, waive, explain -------------------------------------------------------------------

def test_detail_explains_the_due_date_and_shows_the_log_to_staff_only(client_of, seeded, personas):
    from chibo.deadlines.reminders import sweep

    tet = seeded["tet"]
    doc = html(client_of("bithu.phap").get(f"/deadlines/{tet.pk}/"))
    computed = " ".join(doc.xpath("//*[@data-field='computed']")[0].text_content().split())
    assert computed.startswith("30 ngày làm việc kể từ 02/02/2026, bỏ qua thứ Bảy, Chủ nhật và ngày nghỉ lễ")
    assert tet.due_date.strftime("%d/%m/%Y") in computed
    skipped = " ".join(doc.xpath("//ul[@class='skipped']")[0].text_content().split())
    assert "17/02/2026 — Tết Nguyên Đán" in skipped
    assert doc.xpath("//a[@data-rule='confirmation.consider_within']/@href") == ["/rules/confirmation.consider_within/"]
    assert doc.xpath("//table[contains(@class,'deliveries')]")
    # A real sweep and delivery: the log shows the step, channel, recipient and state to staff.
    sweep(today=TODAY)
    own = seeded["own_overdue"]
    about = Message.objects.filter(ref=f"deadline:{own.pk}")
    for message in about.filter(channel="email"):
        assert deliver_now(message.pk) == "sent"
    assert about.exists() and not about.exclude(state="sent").exists()
    staff_view = html(client_of("bithu.phap").get(f"/deadlines/{own.pk}/"))
    log = staff_view.xpath("//table[contains(@class,'deliveries')]/tbody/tr[@data-message]")
    assert len(log) == about.count()
    assert {r.xpath("td[@data-step]/@data-step")[0] for r in log} == {"overdue", "escalate"}
    assert "dangvien.phap" in " ".join(r.text_content() for r in log)
    member_view = html(client_of("dangvien.phap").get(f"/deadlines/{own.pk}/"))
    assert not member_view.xpath("//table[contains(@class,'deliveries')]")
    assert not member_view.xpath("//form[contains(@action,'/waive/')]")


def audit_rows(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def snapshot(d: Deadline) -> tuple:
    """The deadline and the audited writes (refusals are audited as "…denied": not writes)."""
    d = Deadline.objects.get(pk=d.pk)
    return d.state, d.reason, d.closed_at, AuditEvent.objects.exclude(action__contains="denied").count()


def test_waive_permissions_validation_and_audit(client_of, personas, seeded):
    d = seeded["own_overdue"]
    url = f"/deadlines/{d.pk}/waive/"
    reason = {"reason": "Đảng viên đã chuyển sinh hoạt đảng về nước"}
    clients = {p: client_of(p) for p in ("dangvien.phap", "ub.kiemtra", "bithu.duc", "ungvien.phap", "bithu.phap")}
    phap = clients["bithu.phap"]
    before = snapshot(d)  # after the logins (audited too)
    assert clients["dangvien.phap"].post(url, reason).status_code == 403  # sees it, may not waive
    assert clients["ub.kiemtra"].post(url, reason).status_code == 403     # read-only role
    assert clients["bithu.duc"].post(url, reason).status_code == 404      # outside the scope
    assert clients["ungvien.phap"].post(url, reason).status_code == 404
    assert Client().post(url, reason).status_code == 302                  # to the login page
    assert phap.get(url).status_code == 405
    for bad, message in (({"reason": ""}, "Cần ghi rõ lý do."), ({"reason": "abc"}, "Cần ghi rõ lý do miễn.")):
        doc = html(phap.post(url, bad))
        errors = " ".join(e.text_content()
                          for e in doc.xpath("//form[contains(@action,'/waive/')]//ul[@class='errorlist']"))
        assert message in errors
        assert doc.xpath("//details[@open]//form[contains(@action,'/waive/')]")
    assert snapshot(d) == before  # nothing written by any refusal
    waived = audit_rows("deadline.waived")
    response = phap.post(url, reason)
    assert response.status_code == 302 and response["Location"] == f"/deadlines/{d.pk}/"
    d.refresh_from_db()
    assert d.state == State.WAIVED and d.reason == reason["reason"] and d.closed_at is not None
    assert audit_rows("deadline.waived") == waived + 1
    event = AuditEvent.objects.filter(action="deadline.waived").order_by("-pk").first()
    assert event.actor_id == personas["bithu.phap"].pk and event.object_id == str(d.pk)
    again = html(phap.post(url, reason))
    assert "Hạn này đã đóng." in again.text_content()
    assert audit_rows("deadline.waived") == waived + 1


def test_explain_lateness(client_of, seeded):
    d = seeded["fr_overdue"]
    url = f"/deadlines/{d.pk}/explain/"
    phap, duc, inspector = client_of("bithu.phap"), client_of("bithu.duc"), client_of("ub.kiemtra")
    reason = {"reason": "Chi bộ không họp được trong dịp Tết"}
    # A deadline not yet due cannot be late: refused, nothing written.
    later = seeded["fr_later"]
    before = snapshot(later)
    assert "Hạn này không bị trễ." in html(phap.post(f"/deadlines/{later.pk}/explain/", reason)).text_content()
    assert snapshot(later) == before
    # Past due: explainable at once, before the sweep flags it late, and after.
    assert d.state == State.OPEN
    assert "Ghi lý do trễ hạn" in html(phap.get(f"/deadlines/{d.pk}/")).text_content()
    mark_late(today=TODAY)
    d.refresh_from_db()
    assert d.state == State.LATE
    assert "Ghi lý do trễ hạn" in html(phap.get(f"/deadlines/{d.pk}/")).text_content()
    before = snapshot(d)
    assert duc.post(url, reason).status_code == 404
    assert inspector.post(url, reason).status_code == 403
    assert "Cần ghi rõ lý do." in html(phap.post(url, {"reason": "  "})).text_content()
    assert snapshot(d) == before
    explained = audit_rows("deadline.late_explained")
    assert phap.post(url, reason).status_code == 302
    d.refresh_from_db()
    assert d.reason == reason["reason"] and d.state == State.LATE
    assert audit_rows("deadline.late_explained") == explained + 1


# --- the bell and the notifications ----------------------------------------------------------

def bell(response) -> int:
    return int(html(response).xpath("//a[contains(@class,'bell')]/@data-unread")[0])


def test_bell_counts_unread_with_one_query_and_marks_read(client_of, personas):
    user = personas["bithu.phap"]
    Notification.objects.filter(user=user).delete()
    Notification.objects.create(user=user, title_vi="Đã đọc rồi", read_at="2026-01-01T00:00:00Z")
    first = Notification.objects.create(user=user, title_vi="Sắp đến hạn 06/03/2026: Báo cáo", url="/deadlines/")
    second = Notification.objects.create(user=user, title_vi="Quá hạn: Xuất trình giấy giới thiệu", url="/deadlines/")
    other = Notification.objects.create(user=personas["bithu.duc"], title_vi="Của người khác")
    client = client_of("bithu.phap")
    with CaptureQueriesContext(connection) as ctx:
        assert bell(client.get("/")) == 2
    assert len([q for q in ctx.captured_queries if "notifications_notification" in q["sql"]]) == 1
    doc = html(client.get("/notifications/"))
    items = doc.xpath("//li[@data-notification]")
    assert [int(i.get("data-notification")) for i in items][:2] == [second.pk, first.pk]  # newest first
    assert [i.get("class") for i in items] == ["unread", "unread", "read"]
    assert other.title not in doc.text_content()
    # Someone else's notification: 404, unchanged.
    assert client.post("/notifications/read/", {"id": other.pk}).status_code == 404
    assert client.post("/notifications/read/", {"id": "1 OR 1=1"}).status_code == 404
    assert bell(client.get("/")) == 2
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.post("/notifications/read/", {"id": first.pk}).status_code == 302
    assert bell(client.get("/")) == 1
    assert client.post("/notifications/read/").status_code == 302
    assert bell(client.get("/")) == 0
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_reminders_reach_the_bell_for_real(client_of, personas, seeded):
    from chibo.deadlines.reminders import sweep

    user = personas["dangvien.phap"]
    Notification.objects.filter(user=user).delete()
    sweep(today=TODAY)
    mine = Message.objects.filter(user=user, channel="inapp")
    assert mine.exists() and not mine.exclude(state="sent").exists()  # written by the sweep, in its transaction
    client = client_of("dangvien.phap")
    assert bell(client.get("/")) == mine.count() == Notification.objects.filter(user=user).count()
    doc = html(client.get("/notifications/"))
    links = doc.xpath("//li[@data-notification]//a/@href")
    assert f"/deadlines/{seeded['own_overdue'].pk}/" in links
    assert client.get(links[0]).status_code == 200  # the member may open their own deadline


# --- the iCalendar feed ------------------------------------------------------------------------

def unfold(text: str) -> list[str]:
    lines: list[str] = []
    for physical in text.split("\r\n"):
        if physical.startswith(" "):
            lines[-1] += physical[1:]
        else:
            lines.append(physical)
    return lines


def check_ics(body: bytes) -> list[dict[str, str]]:
    """Structure checks line by line; returns the events as {property: value}."""
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
    for physical in body.split(b"\r\n")[:-1]:
        assert len(physical) <= 75, physical
        physical.decode("utf-8")  # never folded inside a character
    lines = unfold(body.decode("utf-8"))
    assert lines[-1] == ""
    lines = lines[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    stack, events, current = [], [], None
    for line in lines:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                current = {}
        elif name == "END":
            assert stack and stack.pop() == value, line
            if value == "VEVENT":
                events.append(current)
                current = None
        elif current is not None:
            assert name not in current, f"{name} twice"
            current[name] = value
    assert not stack
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART;VALUE=DATE", "DTEND;VALUE=DATE", "SUMMARY"} <= set(event)
        assert re.fullmatch(r"deadline-\d+@chibo", event["UID"])
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        start = date(int(event["DTSTART;VALUE=DATE"][:4]), int(event["DTSTART;VALUE=DATE"][4:6]),
                     int(event["DTSTART;VALUE=DATE"][6:]))
        assert event["DTEND;VALUE=DATE"] == (start + timedelta(days=1)).strftime("%Y%m%d")
    return events


def test_feed_create_serve_revoke(client_of, personas, seeded, unit):
    phap = client_of("bithu.phap")
    FeedToken.objects.filter(user=personas["bithu.phap"]).delete()
    response = phap.post("/deadlines/feed/", {"action": "create"})
    assert response.status_code == 302 and response["Location"] == "/deadlines/feed/"
    shown = html(phap.get("/deadlines/feed/")).xpath("//textarea[@id='feed-url']")[0].text_content().strip()
    assert re.fullmatch(r"http://testserver/deadlines/feed/[A-Za-z0-9_-]{40,}\.ics", shown)
    assert not html(phap.get("/deadlines/feed/")).xpath("//textarea[@id='feed-url']")  # shown once
    assert html(phap.get("/deadlines/feed/")).xpath("//*[@data-feed='active']")
    key = shown.rsplit("/", 1)[1][:-4]
    token = FeedToken.objects.get(user=personas["bithu.phap"], revoked_at__isnull=True)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    assert AuditEvent.objects.filter(action="feed_token.created", actor_id=personas["bithu.phap"].pk).exists()

    anonymous = Client()  # a calendar app: no login, no session
    feed = anonymous.get(shown.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8" and feed["Cache-Control"] == "no-store"
    assert "sessionid" not in feed.cookies and "csrftoken" not in feed.cookies
    events = check_ics(feed.content)
    phap_root = unit("PHAP")
    visible = {d.pk for d in Deadline.objects.filter(state__in=OPEN_STATES).select_related("unit")
               if in_subtree(d, phap_root) or d.member_id == personas["bithu.phap"].member_id}
    assert {int(e["UID"].split("-")[1].split("@")[0]) for e in events} == visible
    fr = next(e for e in events if e["UID"] == f"deadline-{seeded['fr_overdue'].pk}@chibo")
    assert fr["SUMMARY"] == "[Quá hạn] Xuất trình giấy giới thiệu sinh hoạt đảng — PHAP-DSQ"
    assert fr["DTSTART;VALUE=DATE"] == "20260209"
    assert fr["DESCRIPTION"] == f"http://testserver/deadlines/{seeded['fr_overdue'].pk}/"
    text = feed.content.decode()
    unfolded = "\n".join(unfold(text))
    names = set(Member.objects.filter(unit__path__gte=phap_root.path, unit__path__lt=phap_root.path + PATH_END)
                .values_list("full_name", flat=True))
    assert names and not [n for n in names if n in unfolded or n in text]
    assert f"deadline-{seeded['de_overdue'].pk}@chibo" not in text

    # Regenerate: the old URL stops at once; revoke: the new one too.
    assert phap.post("/deadlines/feed/", {"action": "create"}).status_code == 302
    assert anonymous.get(f"/deadlines/feed/{key}.ics").status_code == 404
    new_url = html(phap.get("/deadlines/feed/")).xpath("//textarea[@id='feed-url']")[0].text_content().strip()
    new_key = new_url.rsplit("/", 1)[1][:-4]
    assert anonymous.get(f"/deadlines/feed/{new_key}.ics").status_code == 200
    assert phap.post("/deadlines/feed/", {"action": "revoke"}).status_code == 302
    assert anonymous.get(f"/deadlines/feed/{new_key}.ics").status_code == 404
    assert AuditEvent.objects.filter(action="feed_token.revoked", actor_id=personas["bithu.phap"].pk).exists()
    assert anonymous.get("/deadlines/feed/not-a-key.ics").status_code == 404
    # A closed account's feed stops too.
    closed_key = feeds.feed_token_create(actor=SYSTEM, user=personas["bithu.phap"])
    personas["bithu.phap"].is_active = False
    personas["bithu.phap"].save(update_fields=["is_active"])
    assert anonymous.get(f"/deadlines/feed/{closed_key}.ics").status_code == 404


def test_feed_of_a_member_has_only_their_own(personas, seeded):
    key = feeds.feed_token_create(actor=SYSTEM, user=personas["dangvien.phap"])
    events = check_ics(Client().get(f"/deadlines/feed/{key}.ics").content)
    assert {e["UID"] for e in events} == {f"deadline-{d.pk}@chibo" for d in Deadline.objects.filter(
        member=personas["dangvien.phap"].member, state__in=OPEN_STATES)}
    assert personas["dangvien.phap"].member.full_name not in Client().get(f"/deadlines/feed/{key}.ics").content.decode()


def test_ical_text_escaping_and_folding():
    assert feeds.ical_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    event = feeds.vevent(uid="deadline-1@chibo", day=date(2026, 2, 28), summary="Tết, Nguyên Đán; " + "Đảng ủy " * 30,
                         description="dòng 1\ndòng 2")
    text = feeds.vcalendar([event], name="chibo")
    body = text.encode()
    events = check_ics(body)
    assert events[0]["DTEND;VALUE=DATE"] == "20260301"
    assert events[0]["SUMMARY"].startswith("Tết\\, Nguyên Đán\\; Đảng ủy")
    assert events[0]["DESCRIPTION"] == "dòng 1\\ndòng 2"
    assert max(len(line) for line in body.split(b"\r\n")) == 75  # folded exactly at the limit or before
    assert len(body.split(b"\r\n")) > 8


def test_feed_create_is_personal(personas):
    from django.core.exceptions import PermissionDenied

    from chibo.core.access import actor_from_user

    with pytest.raises(PermissionDenied):
        feeds.feed_token_create(actor=actor_from_user(personas["bithu.phap"]), user=personas["bithu.duc"])
    assert not FeedToken.objects.filter(user=personas["bithu.duc"], revoked_at__isnull=True).exists()


def test_radar_links_are_relative_querystrings(client_of, seeded):
    doc = html(client_of("ban.tochuc").get(RADAR, {"kind": "transfer.report", "days": 7}))
    hrefs = doc.xpath("//div[@class='totals']/a/@href")
    assert hrefs == ["?" + urlencode({"kind": "transfer.report", "days": 7, "state": s})
                     for s in ("overdue", "soon", "active")]
