"""The official national code of a unit: optional, unique when set, its format a rulebook rule; edited by whoever
edits the unit (page and API), found by the unit picker, shown on the unit page and in the member list export."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.core.models import AuditEvent
from chibo.core.rulebook import rule, rule_add_version
from chibo.units import services
from chibo.units.models import Unit


def test_the_format_is_a_rule_awaiting_confirmation(db):
    fmt = rule("units.national_code_format", on=date(2026, 1, 1))
    assert fmt.unit == "pattern" and fmt.confidence == "to_confirm" and fmt.basis == "cần xác nhận"


def test_set_on_the_edit_page_shown_and_found_by_the_picker(client_of, unit):
    client = client_of("ban.tochuc")
    cell = unit("PHAP-LHS")
    form = client.get(reverse("units:edit", args=[cell.pk]))
    assert "Mã tổ chức quốc gia" in form.text
    data = {"name": cell.name, "code": cell.code, "country": cell.country, "city": cell.city,
            "mission_kind": cell.mission_kind, "mission_name": cell.mission_name, "opened_by_doc": cell.opened_by_doc,
            "abbreviation": cell.abbreviation, "national_code": "vn-12.345", "version": cell.version}
    assert client.post(reverse("units:edit", args=[cell.pk]), data).status_code == 302
    cell.refresh_from_db()
    assert cell.national_code == "VN-12.345" and "vn-12.345" in cell.search_key
    assert "VN-12.345" in client.get(reverse("units:detail", args=[cell.pk])).text
    found = client.get(reverse("units:pick"), {"q": "vn-12.3", "name": "unit"})
    assert cell.name in found.text
    # the member list export carries it
    export = client.get(reverse("bulk:export_list"), {"unit": cell.pk})
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
                .active.iter_rows(values_only=True))
    assert rows[0][-1] == "Mã tổ chức quốc gia" and {r[-1] for r in rows[1:]} == {"VN-12.345"}


def test_a_code_already_used_or_of_the_wrong_format_is_refused_with_nothing_written(client_of, unit, actor_of):
    officer = actor_of("ban.tochuc")
    services.unit_update(actor=officer, unit=unit("PHAP"), expected_version=unit("PHAP").version,
                         changes={"national_code": "VN-100"})
    cell = unit("PHAP-LHS")
    api = client_of("ban.tochuc")
    audit_rows = AuditEvent.objects.count()
    taken = api.patch(f"/api/v1/units/{cell.pk}/", {"national_code": "vn-100", "version": cell.version},
                      content_type="application/json")
    assert taken.status_code == 400, taken.content
    assert "đã được dùng cho tổ chức khác" in taken.json()["national_code"][0]
    wrong = api.patch(f"/api/v1/units/{cell.pk}/", {"national_code": "ĐỊA-PHƯƠNG?", "version": cell.version},
                      content_type="application/json")
    assert wrong.status_code == 400 and "không đúng định dạng" in wrong.json()["national_code"][0]
    cell.refresh_from_db()
    assert cell.national_code is None and AuditEvent.objects.count() == audit_rows
    page = api.post(reverse("units:edit", args=[cell.pk]), {
        "name": cell.name, "code": cell.code, "national_code": "VN-100", "version": cell.version})
    assert page.status_code == 200 and "đã được dùng cho tổ chức khác" in page.text
    ok = api.patch(f"/api/v1/units/{cell.pk}/", {"national_code": "VN-101", "version": cell.version},
                   content_type="application/json")
    assert ok.status_code == 200 and ok.json()["national_code"] == "VN-101"
    # cleared: null again, so that many units may have none
    cleared = api.patch(f"/api/v1/units/{cell.pk}/", {"national_code": "", "version": ok.json()["version"]},
                        content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["national_code"] is None


def test_the_format_follows_the_rulebook(actor_of, unit):
    officer = actor_of("ban.tochuc")
    rule_add_version(actor=officer, key="units.national_code_format", value="[0-9]{6}",
                     effective_from=date(2020, 1, 1), basis="cần xác nhận")
    cell = unit("PHAP-LHS")
    with pytest.raises(ValidationError, match="không đúng định dạng"):
        services.unit_update(actor=officer, unit=cell, expected_version=cell.version, changes={"national_code": "AB"})
    services.unit_update(actor=officer, unit=cell, expected_version=cell.version, changes={"national_code": "123456"})
    assert Unit.objects.get(pk=cell.pk).national_code == "123456"
    child = services.unit_create(actor=officer, parent=unit("PHAP"), kind="subordinate_cell", name="Chi bộ mới",
                                 code="PHAP-MOI", opened_on=date(2024, 1, 1), national_code="654321")
    assert child.national_code == "654321"
    with pytest.raises(ValidationError, match="đã được dùng"):
        services.unit_create(actor=officer, parent=unit("PHAP"), kind="subordinate_cell", name="Chi bộ khác",
                             code="PHAP-KHAC", opened_on=date(2024, 1, 1), national_code="654321")
