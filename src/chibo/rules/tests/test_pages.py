"""The rulebook and calendar pages, the rules API and ``chibo rules``: what each persona sees, what
the organization officer may change, Vietnamese messages on bad input, and that a refused request
writes nothing."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from chibo.core.calendar_services import calendar_day_add
from chibo.core.models import AuditEvent, CalendarDay, Rule
from chibo.core.rulebook import NAMES, rule, rule_add_version, rule_keys
from chibo.units.models import Unit, UnitChange

ALL = ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap")
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_today(settings):
    """"In force today" is asked on a known day (the clock every business rule reads)."""
    settings.CHIBO_TODAY = TODAY


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def state() -> tuple:
    return (tuple(Rule.objects.order_by("pk").values_list("pk", "value", "effective_to")),
            tuple(CalendarDay.objects.order_by("pk").values_list("pk", "day")), AuditEvent.objects.count())


def text_of(markup: str) -> str:
    """The page's text on one line, as a reader sees it (no space before punctuation)."""
    return re.sub(r"\s+([.,:;])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


# --- /rules/ -------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ALL)
def test_every_user_reads_the_rulebook(client_of, persona):
    text = page(client_of(persona).get(reverse("rules:index")))
    for key in rule_keys():
        assert f'href="/rules/{key}/"' in text, key
    assert 'href="/rules/"' in text  # the "Quy định" link of the navigation
    assert ">Quy định</a>" in text


def test_rulebook_rows_show_value_basis_and_confidence(client_of):
    text = text_of(page(client_of("bithu.phap").get(reverse("rules:index"))))
    name = NAMES["admission.decide_within"]
    assert f"{name} 60 ngày làm việc không quá (≤) 294-QĐ/TW 2025 từ 01/07/2025 Đã xác nhận" in \
        text.replace("Cấp ủy có thẩm quyền quyết định trong 60 ngày làm việc kể từ nghị quyết chi bộ ", "")
    # A value still to be confirmed carries the badge, with its note.
    start = text.index(NAMES["admission.age_min"])
    row = text[start:text.index(NAMES["admission.cell_vote_ratio"], start + 1)]
    assert "18 năm" in row and "Cần xác nhận" in row and "Tính theo tháng đến ngày chi bộ xét" in row
    assert "2/3 (66,67%)" in text and "5.000 đồng (VND)" in text
    assert "Kết nạp đảng viên" in text and "Đảng phí" in text  # grouped by process


def test_the_rulebook_shows_the_version_in_force_today(client_of, actor_of):
    rule_add_version(actor=actor_of("ban.tochuc"), key="meeting.min_minutes", value="75",
                     effective_from=date(2026, 1, 1), basis="Hướng dẫn thử 2026")
    text = text_of(page(client_of("dangvien.phap").get(reverse("rules:index"))))
    start = text.index(NAMES["meeting.min_minutes"] + " ")
    row = text[start:text.index(NAMES["meeting.min_minutes_combined"], start + 1)]
    assert "75 phút" in row and "Hướng dẫn thử 2026" in row and "90 phút" not in row


# --- /rules/<key>/ -------------------------------------------------------------------------------

def test_history_page_for_a_secretary_has_no_form_and_post_is_refused(client_of):
    client = client_of("bithu.phap")
    url = reverse("rules:detail", args=["admission.decide_within"])
    text = page(client.get(url))
    assert "Các phiên bản" in text and "294-QĐ/TW 2025" in text and "dữ liệu gốc" in text
    assert "Thêm phiên bản mới" not in text and 'name="value"' not in text
    before = state()
    response = client.post(url, {"value": "45", "effective_from": "01/07/2026", "basis": "99-QĐ/TW",
                                 "confidence": "confirmed"})
    assert response.status_code == 403
    assert state() == before


def test_officer_adds_a_version_and_sees_it_in_the_history(client_of):
    client = client_of("ban.tochuc")
    url = reverse("rules:detail", args=["admission.ceremony_within"])
    assert "Thêm phiên bản mới" in page(client.get(url))
    response = client.post(url, {"value": "20", "effective_from": "01/07/2026", "basis": "99-QĐ/TW 2026, Điều 5",
                                 "confidence": "to_confirm", "note": "Rút ngắn thời hạn"}, follow=True)
    text = page(response)
    assert response.redirect_chain == [(url, 302)]
    assert (f"Đã thêm phiên bản mới của «{NAMES['admission.ceremony_within']}»: 20 ngày làm việc, có hiệu lực từ "
            "01/07/2026." in text)
    flat = text_of(text)
    assert "20 ngày làm việc 01/07/2026 — 99-QĐ/TW 2026, Điều 5 Cần xác nhận Rút ngắn thời hạn ban.tochuc" in flat
    assert "30 ngày làm việc đang áp dụng 01/07/2025 30/06/2026 294-QĐ/TW 2025" in flat
    assert "30 ngày làm việc 01/01/2000 30/06/2025 232-QĐ/TW 2020 Cần xác nhận" in flat  # the text it replaced
    assert rule("admission.ceremony_within", on=date(2026, 7, 1)).value == "20"


@pytest.mark.parametrize("data, field_error", [
    ({"effective_from": "01/01/2000"}, "không được chồng lấn và không sửa lịch sử"),
    ({"effective_from": "31/02/2026"}, "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy"),
    ({"value": "-3"}, "không hợp lý (cho phép 0–2500)"),
    ({"value": "5000"}, "Giá trị 5000 ngày làm việc không hợp lý"),
    ({"value": "ba mươi"}, "không phải một số hoặc phân số"),
    ({"basis": ""}, "Cần ghi văn bản căn cứ (số hiệu, điều khoản)."),
    ({"basis": "   "}, "Cần ghi văn bản căn cứ (số hiệu, điều khoản)."),
    ({"value": ""}, "Cần nhập giá trị."),
])
def test_officer_sees_field_errors_in_vietnamese_and_nothing_is_written(client_of, data, field_error):
    client = client_of("ban.tochuc")
    url = reverse("rules:detail", args=["admission.ceremony_within"])
    before = state()
    post = {"value": "20", "effective_from": "01/07/2026", "basis": "99-QĐ/TW", "confidence": "confirmed", **data}
    text = page(client.post(url, post))
    errors = re.findall(r'<div role="alert"><ul class="errorlist"><li>(.*?)</li>', text)
    assert any(field_error in e for e in errors), errors
    assert state() == before


def test_ratio_rules_refuse_more_than_one(client_of):
    client = client_of("ban.tochuc")
    before = state()
    text = page(client.post(reverse("rules:detail", args=["admission.cell_vote_ratio"]), {
        "value": "3/2", "effective_from": "01/07/2026", "basis": "99-QĐ/TW", "confidence": "confirmed"}))
    assert "Giá trị 3/2 tỷ lệ không hợp lý (cho phép 0–1)" in text
    assert state() == before


def test_unknown_rule_page_is_404(client_of):
    assert client_of("bithu.phap").get("/rules/admission.no_such_rule/").status_code == 404
    assert client_of("ban.tochuc").post("/rules/admission.no_such_rule/", {"value": "1"}).status_code == 404


# --- /rules/calendar/ ----------------------------------------------------------------------------

def test_calendar_page_lists_the_holidays_of_the_year(client_of):
    text = text_of(page(client_of("dangvien.phap").get(reverse("rules:calendar") + "?year=2026")))
    assert "Lịch ngày làm việc năm 2026" in text
    for line in ("17/02/2026 Thứ 3 Tết Nguyên Đán", "26/04/2026 Chủ nhật Ngày Giỗ Tổ Hùng Vương",
                 "02/09/2026 Thứ 4 Quốc khánh"):
        assert line in text
    assert "Ghi ngày được công bố" not in text and "Xóa" not in text
    text_2027 = text_of(page(client_of("dangvien.phap").get(reverse("rules:calendar") + "?year=2027")))
    assert "06/02/2027 Thứ 7 Tết Nguyên Đán" in text_2027 and "17/02/2026" not in text_2027


def test_a_year_outside_the_calendar_is_refused_with_a_message(client_of):
    text = page(client_of("bithu.phap").get(reverse("rules:calendar") + "?year=1800"))
    assert "Lịch làm việc chỉ tính cho các năm 1990–2100." in text
    assert "Lịch ngày làm việc năm 2026" in text  # the current year instead


def test_officer_announces_and_withdraws_a_day(client_of):
    client = client_of("ban.tochuc")
    url = reverse("rules:calendar")
    response = client.post(url, {"day": "09/01/2027", "kind": "working_day", "note": "Làm bù ngày 02/01/2027",
                                 "document": "CV 1/BNV"}, follow=True)
    assert response.redirect_chain == [(url + "?year=2027", 302)]
    text = page(response)
    assert "Đã ghi 09/01/2027: Ngày làm việc bù (thứ Bảy/Chủ nhật)." in text
    flat = text_of(text)
    assert "09/01/2027 Thứ 7 Làm bù Làm bù ngày 02/01/2027 CV 1/BNV ghi bởi ban.tochuc" in flat
    assert 'data-confirm="Xóa ngày 09/01/2027 khỏi lịch?' in text
    # The calculator now counts that Saturday.
    calc = text_of(page(client.get(url + "?start=08/01/2027&n=1")))
    assert "1 ngày làm việc kể từ 08/01/2027: hạn là Thứ 7, 09/01/2027." in calc
    assert "Ngày làm việc bù đã tính: 09/01/2027" in calc

    before = state()
    refused = page(client.post(reverse("rules:calendar_remove"), {"day": "09/01/2027", "reason": ""}, follow=True))
    assert "Chưa xóa: Cần ghi lý do xóa." in refused and state() == before
    response = client.post(reverse("rules:calendar_remove"), {"day": "09/01/2027", "reason": "Nhập nhầm"}, follow=True)
    assert "Đã xóa ngày 09/01/2027 khỏi danh sách ngày đã công bố." in page(response)
    assert not CalendarDay.objects.filter(day=date(2027, 1, 9)).exists()
    assert AuditEvent.objects.filter(action__startswith="calendar.").order_by("-pk").first().action == \
        "calendar.day_removed"


@pytest.mark.parametrize("data, message", [
    ({"day": "11/01/2027", "kind": "working_day"}, "là thứ Hai, vốn đã là ngày làm việc"),
    ({"day": "02/09/2026", "kind": "day_off"}, "02/09/2026 đã là ngày lễ (Quốc khánh)."),
    ({"day": "01/01/2101", "kind": "day_off"}, "nằm ngoài khoảng năm 1990–2100"),
    ({"day": "1/13/2027", "kind": "day_off"}, "Ngày không hợp lệ"),
    ({"day": "08/01/2027", "kind": "day_off", "note": ""}, "Cần ghi nội dung"),
    ({"day": "", "kind": "day_off"}, "Cần nhập ngày (dd/mm/yyyy)."),
])
def test_wrong_announcement_shows_the_reason(client_of, data, message):
    client = client_of("ban.tochuc")
    before = state()
    text = page(client.post(reverse("rules:calendar"), {"note": "Thử", **data}))
    errors = re.findall(r'<div role="alert"><ul class="errorlist"><li>(.*?)</li>', text)
    assert any(message in e for e in errors), errors
    assert state() == before


@pytest.mark.parametrize("persona", ["ub.kiemtra", "bithu.phap", "dangvien.phap", "ungvien.phap"])
def test_others_cannot_change_the_calendar(client_of, actor_of, persona):
    calendar_day_add(actor=actor_of("ban.tochuc"), day=date(2027, 1, 9), kind="working_day", note="Làm bù")
    client = client_of(persona)
    before = state()
    assert client.post(reverse("rules:calendar"), {"day": "16/01/2027", "kind": "working_day",
                                                   "note": "x"}).status_code == 403
    assert client.post(reverse("rules:calendar_remove"), {"day": "09/01/2027", "reason": "x"}).status_code == 403
    assert state() == before


def test_calculator_counts_across_tet_and_back(client_of):
    text = text_of(page(client_of("bithu.phap").get(reverse("rules:calendar") + "?year=2026&start=13/02/2026&n=5")))
    assert "5 ngày làm việc kể từ 13/02/2026: hạn là Thứ 6, 27/02/2026." in text
    assert "Đếm ngược lại: từ 13/02/2026 đến 27/02/2026 có 5 ngày làm việc trong 14 ngày lịch." in text
    assert "Bỏ qua 4 ngày thứ Bảy, Chủ nhật." in text
    assert "17/02/2026 (Thứ 3): Ngày lễ: Tết Nguyên Đán" in text


def test_calculator_follows_the_units_host_holidays(client_of, unit):
    france = unit("PHAP")
    client = client_of("bithu.phap")
    url = reverse("rules:calendar") + f"?start=13/07/2026&n=1&unit={france.pk}"
    assert "hạn là Thứ 3, 14/07/2026" in text_of(page(client.get(url)))
    Unit.objects.filter(pk=france.pk).update(skip_host_holidays=True)
    text = text_of(page(client.get(url)))
    assert "hạn là Thứ 4, 15/07/2026" in text
    assert "nghỉ cả ngày lễ của nước sở tại (Pháp)" in text
    assert "14/07/2026 (Thứ 3): Ngày lễ nước sở tại (Pháp): National Day" in text and "(FR)" not in text
    # A unit outside the secretary's scope is not offered.
    other = page(client.get(reverse("rules:calendar") + f"?start=13/07/2026&n=1&unit={unit('DUC').pk}"))
    assert "hạn là" not in other and 'class="errorlist"' in other


@pytest.mark.parametrize("query, message", [
    ("start=13/02/2026&n=-1", "Nhập một số nguyên từ 0 đến 2500."),
    ("start=13/02/2026&n=2501", "Nhập một số nguyên từ 0 đến 2500."),
    ("start=13/02/2026&n=ba", "Nhập một số nguyên từ 0 đến 2500."),
    ("start=01/01/1980&n=1", "Lịch làm việc chỉ tính cho các năm 1990–2100."),
    ("start=31/12/2100&n=10", "vượt quá năm 2100"),
    ("start=hôm nay&n=1", "Ngày không hợp lệ"),
])
def test_calculator_refuses_bad_input(client_of, query, message):
    text = page(client_of("ungvien.phap").get(reverse("rules:calendar") + "?" + query))
    assert message in text and "hạn là" not in text


# --- unit setting --------------------------------------------------------------------------------

def test_unit_edit_form_sets_host_holidays(client_of, unit):
    france = unit("PHAP")
    client = client_of("ban.tochuc")
    form = page(client.get(reverse("units:edit", args=[france.pk])))
    assert 'name="skip_host_holidays"' in form and "Nghỉ cả ngày lễ của nước sở tại" in form
    assert 'name="skip_host_holidays"' not in page(client.get(reverse("units:create_child", args=[france.pk])))
    data = {"name": france.name, "code": france.code, "country": france.country, "city": france.city,
            "mission_kind": france.mission_kind, "mission_name": france.mission_name,
            "opened_by_doc": france.opened_by_doc, "version": france.version, "skip_host_holidays": "on"}
    response = client.post(reverse("units:edit", args=[france.pk]), data)
    assert response.status_code == 302
    france.refresh_from_db()
    assert france.skip_host_holidays
    assert UnitChange.objects.filter(unit=france).first().after == {"skip_host_holidays": True}
    shown = text_of(page(client.get(reverse("units:detail", args=[france.pk]))))
    assert "Ngày làm việc Nghỉ cả ngày lễ của nước sở tại (Pháp) và ngày lễ Việt Nam" in shown
    assert "Theo lịch Việt Nam" in text_of(page(client.get(reverse("units:detail", args=[unit("DUC").pk]))))
    # Unticked again: back to the Vietnamese calendar, audited as a change.
    del data["skip_host_holidays"]
    data["version"] = france.version
    assert client.post(reverse("units:edit", args=[france.pk]), data).status_code == 302
    france.refresh_from_db()
    assert not france.skip_host_holidays
    assert AuditEvent.objects.order_by("-pk").first().data["after"] == {"skip_host_holidays": False}


def test_host_holidays_cannot_be_set_on_a_unit_at_home(client_of, unit):
    root = unit("DUBNG")
    data = {"name": root.name, "code": root.code, "country": root.country, "city": root.city,
            "mission_kind": root.mission_kind, "mission_name": root.mission_name,
            "opened_by_doc": root.opened_by_doc, "version": root.version, "skip_host_holidays": "on"}
    text = page(client_of("ban.tochuc").post(reverse("units:edit", args=[root.pk]), data))
    assert "Chỉ áp dụng cho tổ chức ở nước ngoài" in text


# --- API -----------------------------------------------------------------------------------------

def test_api_lists_every_version_and_filters(client_of, actor_of):
    client = client_of("dangvien.phap")
    body = client.get("/api/v1/rules/").json()
    assert body["count"] == Rule.objects.count() and len(body["results"]) == min(50, body["count"])
    first = body["results"][0]
    assert set(first) >= {"key", "value", "unit", "unit_label", "comparison", "basis", "effective_from",
                          "effective_to", "confidence", "note"}
    rule_add_version(actor=actor_of("ban.tochuc"), key="probation.months", value="18",
                     effective_from=date(2026, 7, 1), basis="99-QĐ/TW 2026")
    both = client.get("/api/v1/rules/?key=probation.months").json()["results"]
    assert [(v["value"], v["effective_from"], v["effective_to"]) for v in both] == [
        ("12", "2000-01-01", "2026-06-30"), ("18", "2026-07-01", None)]
    on_30 = client.get("/api/v1/rules/?key=probation.months&on=2026-06-30").json()["results"]
    on_01 = client.get("/api/v1/rules/?key=probation.months&on=2026-07-01").json()["results"]
    assert [v["value"] for v in on_30] == ["12"] and [v["value"] for v in on_01] == ["18"]
    day = client.get("/api/v1/rules/?on=2026-07-01").json()
    assert day["count"] == len(rule_keys())  # one version per key in force that day
    assert client.get("/api/v1/rules/?on=1999-12-31").json()["count"] == 0


def test_api_refuses_bad_filters_with_messages(client_of):
    client = client_of("bithu.duc")
    response = client.get("/api/v1/rules/?key=admission.no_such_rule")
    assert response.status_code == 400
    assert response.json() == {"key": ["Không có quy định «admission.no_such_rule» trong sổ quy định."]}
    response = client.get("/api/v1/rules/?on=2026-02-30")
    assert response.status_code == 400 and "on" in response.json()


def test_api_history_of_a_rule(client_of, actor_of):
    rule_add_version(actor=actor_of("ban.tochuc"), key="trip.report_within", value="10",
                     effective_from=date(2030, 1, 1), basis="Quy định thử 2029")
    body = client_of("ungvien.phap").get("/api/v1/rules/trip.report_within/").json()
    assert body["key"] == "trip.report_within"
    assert [v["value"] for v in body["versions"]] == ["7", "10"]
    assert body["in_force"]["value"] == "7" and body["in_force"]["unit"] == "working_days"
    assert client_of("ungvien.phap").get("/api/v1/rules/trip.nothing/").status_code == 404


def test_api_is_read_only_and_needs_a_login(client_of):
    client = client_of("ban.tochuc")
    before = state()
    assert client.post("/api/v1/rules/", {"key": "x"}, content_type="application/json").status_code == 405
    assert client.patch("/api/v1/rules/probation.months/", {"value": "1"},
                        content_type="application/json").status_code == 405
    assert state() == before
    assert Client().get("/api/v1/rules/").status_code == 401
    assert Client().get("/api/v1/rules/probation.months/").status_code == 401


def test_api_schema_documents_the_rules(client_of):
    text = client_of("bithu.phap").get("/api/schema/").content.decode()
    assert "/api/v1/rules/" in text and "/api/v1/rules/{key}/" in text
    assert "name: 'on'" in text and "format: date" in text


# --- chibo rules ---------------------------------------------------------------------------------

def run(*args) -> str:
    out = io.StringIO()
    call_command("rules", *args, stdout=out)
    return out.getvalue()


def test_cli_lists_every_rule_in_force(db):
    out = run()
    lines = out.splitlines()
    assert lines[0].startswith("Rulebook on ") and lines[0].endswith(f": {len(rule_keys())} rules")
    for key in rule_keys():
        assert any(line.startswith(key + " ") for line in lines), key
    line = next(x for x in lines if x.startswith("admission.decide_within "))
    assert ("≤ 60 ngày làm việc" in line and "01/07/2025–…" in line and "[confirmed]" in line
            and "294-QĐ/TW 2025" in line)
    assert "[to confirm]" in next(x for x in lines if x.startswith("admission.age_min "))


def test_cli_on_a_date_and_with_history(actor_of):
    rule_add_version(actor=actor_of("ban.tochuc"), key="meeting.min_minutes", value="60",
                     effective_from=date(2026, 7, 1), basis="50-HD/BTCTW 2026")
    before = next(x for x in run("--on", "30/06/2026").splitlines() if x.startswith("meeting.min_minutes "))
    after = next(x for x in run("--on", "01/07/2026").splitlines() if x.startswith("meeting.min_minutes "))
    assert "90 phút" in before and "28/10/2025–30/06/2026" in before
    assert "60 phút" in after and "01/07/2026–…" in after and "50-HD/BTCTW 2026" in after
    history = run("--all", "--on", "01/07/2026", "--key", "meeting.min_minutes").splitlines()
    assert len(history) == 5  # title, the rule, three versions (before 42-HD/BTCTW, from it, the new one)
    assert history[2].strip().startswith("≥ 90 phút") and "12-HD/BTCTW 2018" in history[2]
    assert history[3].strip().startswith("≥ 90 phút") and "42-HD/BTCTW 2025" in history[3]
    assert history[4].strip().startswith("* ≥ 60 phút")
    assert "no version in force on 31/12/1999" in run("--on", "31/12/1999")


@pytest.mark.parametrize("args", [("--on", "31/02/2026"), ("--on", "tomorrow"), ("--key", "nope.nothing")])
def test_cli_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError):
        run(*args)


def test_the_installed_chibo_command_prints_the_rulebook(tmp_path_factory):
    from chibo.core.tests.cli_support import demo_db_copy, run_chibo

    _path, env = demo_db_copy(tmp_path_factory, "rules-cli")
    proc = run_chibo("rules", "--on", "02/03/2026", env=env)
    assert "Rulebook on 02/03/2026:" in proc.stdout and "admission.ceremony_within" in proc.stdout
    bad = run_chibo("rules", "--on", "30/02/2026", env=env, check=False)
    assert bad.returncode != 0 and "not a date" in bad.stderr
