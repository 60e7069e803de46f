"""Unit kinds as data, through the API and pages alone: what a kind is called is a versioned rule; a new name from a
date changes what every page and the API say from that date, not before; bad names are refused, nothing written;
an unconfirmed name stands on the regulation watch."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings

from chibo.core.models import Rule

pytestmark = [pytest.mark.django_db]


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_kind_renamed_from_a_date(client_of, unit):
    cell = unit("PHAP-DSQ")
    officer = client_of("ban.tochuc")
    key = f"units.kind_name.{cell.kind}"
    seeded = Rule.objects.get(key=key)
    with override_settings(CHIBO_TODAY=date(2026, 12, 15)):
        body = officer.get(f"/api/v1/units/{cell.pk}/").json()
        assert (body["kind_name"], body["kind_level"]) == (seeded.value, Rule.objects.get(
            key=f"units.kind_level.{cell.kind}").value)
        before = Rule.objects.count()
        for bad in ("<b>Chi bộ</b>", "", "   ", "Chi bộ " + "x" * 40, "123", "Chi bộ {x}"):
            refused = post(officer, f"/api/v1/rules/{key}/", {"value": bad, "effective_from": "2027-01-01",
                                                              "basis": "Quy định thi hành Điều lệ 2026",
                                                              "confidence": "confirmed"})
            assert refused.status_code == 400 and "value" in refused.json(), (bad, refused.json())
        plain = {"value": "Chi bộ", "effective_from": "2027-01-01", "basis": "x", "confidence": "confirmed"}
        assert post(client_of("bithu.phap"), f"/api/v1/rules/{key}/", plain).status_code == 403
        assert post(officer, "/api/v1/rules/units.kind_name.embassy/", plain).status_code == 404
        assert Rule.objects.count() == before

        added = post(officer, f"/api/v1/rules/{key}/", {"value": "Chi bộ", "effective_from": "2027-01-01",
                                                        "basis": "Quy định thi hành Điều lệ Đảng 2026",
                                                        "confidence": "to_confirm"})
        assert added.status_code == 201, added.json()
        # Not yet in force: every reader still sees the name of today.
        assert officer.get(f"/api/v1/units/{cell.pk}/").json()["kind_name"] == seeded.value
        watch = officer.get("/rules/watch/").content.decode()
        assert "Tên gọi loại tổ chức" in watch and "Chi bộ" in watch

    with override_settings(CHIBO_TODAY=date(2027, 1, 2)):
        assert officer.get(f"/api/v1/units/{cell.pk}/").json()["kind_name"] == "Chi bộ"
        listed, url = {}, "/api/v1/units/"
        while url:
            answer = officer.get(url).json()
            listed.update({u["id"]: u["kind_name"] for u in answer["results"]})
            url = answer["next"]
        assert listed[cell.pk] == "Chi bộ"
        page = officer.get(f"/units/{cell.pk}/").content.decode()
        assert 'data-field="kind">Chi bộ <span' in page
        member_view = client_of("dangvien.phap").get(f"/units/{cell.pk}/").content.decode()
        assert 'data-field="kind">Chi bộ <span' in member_view
