"""Pages beyond the journey: bulk rotation (preview, then all or nothing), the transfer book files,
member self-service for trips and declarations."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings

from chibo.members.models import Member, Status
from chibo.transfers.models import Declaration, Transfer, Trip

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def test_rotation_preview_then_commit(client_of, unit):
    client = client_of("bithu.phap")
    lhs = unit("PHAP-LHS")
    people = list(Member.objects.filter(unit=lhs, status=Status.FULL).order_by("pk")[:3])
    data = {"members": [str(m.pk) for m in people], "kind": "internal", "to_unit": str(unit("PHAP-DSQ").pk),
            "decision_doc": "31/QĐ-BNG", "decision_date": "01/06/2026", "reason": "Luân chuyển"}
    before = Transfer.objects.count()
    page = client.post(f"/transfers/rotation/{lhs.pk}/", {**data, "action": "preview"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preview"' in html and "Ghi tất cả" in html
    for m in people:
        assert m.full_name in html
    assert "26/08/2026" in html or "/2026" in html
    assert Transfer.objects.count() == before
    done = client.post(f"/transfers/rotation/{lhs.pk}/", {**data, "action": "commit"})
    assert done.status_code == 302
    assert Transfer.objects.filter(member__in=people, state="requested").count() == 3
    again = client.post(f"/transfers/rotation/{lhs.pk}/", {**data, "action": "commit"})
    assert again.status_code == 200 and "chưa xong" in again.content.decode()
    assert Transfer.objects.count() == before + 3


def test_book_xlsx_and_pdf_downloads(client_of, unit):
    from openpyxl import load_workbook

    response = client_of("bithu.phap").get(f"/transfers/book/{unit('PHAP-DSQ').pk}/?year=2026&format=xlsx")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "10-SHĐ" in ws["A1"].value and ws["A2"].value == "Số"
    pdf = client_of("bithu.phap").get(f"/transfers/book/{unit('PHAP-DSQ').pk}/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_member_files_trip_and_declaration_online(client_of, personas):
    member = personas["dangvien.phap"].member
    client = client_of("dangvien.phap")
    assert client.get("/transfers/me/").status_code == 200
    r = client.post(f"/transfers/member/{member.pk}/trip/", {"country": "JP", "purpose": "Du lịch",
                                                            "depart_on": "01/07/2026", "return_on": "10/07/2026"})
    assert r.status_code == 302
    trip = Trip.objects.get(member=member)
    assert client.get(f"/transfers/trip/{trip.pk}/").status_code == 200
    # A nationality is declared by its fields: free text is refused (it could hold details of others).
    r = client.post(f"/transfers/member/{member.pk}/declaration/",
                    {"kind": "foreign_nationality", "country": "FR", "subject": "Không có ý định nhập quốc tịch"})
    assert r.status_code == 200 and not Declaration.objects.filter(member=member).exists()
    r = client.post(f"/transfers/member/{member.pk}/declaration/",
                    {"kind": "foreign_nationality", "country": "FR", "event_on": "01/09/2026"})
    assert r.status_code == 302 and Declaration.objects.filter(member=member).count() == 1
    page = client.get("/transfers/me/").content.decode()
    assert "Chuyến đi Nhật Bản" in page and "Nhập quốc tịch nước ngoài" in page
    # the secretary comments, the committee decides
    secretary = client_of("bithu.phap")
    assert secretary.post(f"/transfers/trip/{trip.pk}/", {"do": "opinion", "opinion": "Đồng ý"}).status_code == 302
    assert secretary.post(f"/transfers/trip/{trip.pk}/", {"do": "decide", "approve": "1",
                                                          "document": "9-QĐ/ĐU"}).status_code == 302
    trip.refresh_from_db()
    assert trip.state == "approved" and trip.report_due is not None
