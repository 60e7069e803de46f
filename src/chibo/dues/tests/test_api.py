"""GET /api/v1/members/{id}/dues/: the member sees their own position and receipts; staff of the unit see it;
anyone else gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from chibo.dues import services
from chibo.dues.services import PaymentLine

pytestmark = [pytest.mark.django_db]


@override_settings(CHIBO_TODAY=date(2026, 6, 15))
def test_a_member_reads_their_own_dues(personas, actor_of, client_of, unit):
    boss = actor_of("ban.tochuc")
    own = personas["dangvien.phap"].member
    services.rate_define(actor=boss, category="spouse", currency="EUR", amount="8", effective_from=date(2026, 4, 1),
                         basis="thử")
    services.profile_set(actor=boss, member=own, month=date(2026, 4, 1), base="abroad", currency="EUR",
                         category="spouse")
    posted = services.payments_post(actor=actor_of("bithu.phap"), unit=own.unit, paid_on=date(2026, 6, 1),
                                    method="bank", lines=[PaymentLine(own, "32")])
    services.payment_reverse(actor=boss, entry=posted.entries[0], reason="Nhầm số tiền")
    services.payments_post(actor=boss, unit=own.unit, paid_on=date(2026, 6, 2), method="bank",
                           lines=[PaymentLine(own, "16")])
    body = client_of("dangvien.phap").get(f"/api/v1/members/{own.pk}/dues/").json()
    assert body["currency"] == "EUR" and body["paid_through"] == "05/2026"
    assert body["arrears"] == [{"currency": "EUR", "amount": "8.000"}] and body["credit"] == []
    assert [m["month"] for m in body["months"]] == ["06/2026", "05/2026", "04/2026"]
    kinds = [(e["kind"], e["receipt"], e["amount"], e["reversed"]) for e in body["entries"]]
    assert kinds == [("payment", "2/2026", "16.000", False), ("reversal", "", "-32.000", False),
                     ("payment", "1/2026", "32.000", True)]
    assert client_of("bithu.phap").get(f"/api/v1/members/{own.pk}/dues/").status_code == 200
    assert client_of("bithu.duc").get(f"/api/v1/members/{own.pk}/dues/").status_code == 404
    assert client_of("ungvien.phap").get(f"/api/v1/members/{own.pk}/dues/").status_code == 404
