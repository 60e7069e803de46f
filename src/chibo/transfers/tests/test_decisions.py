"""The committee's decisions on a private trip abroad and on a declaration, as PDF and DOCX downloaded
through the pages (the member and officers in scope; 404 for anyone else and before the decision),
their text extracted and checked field by field."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from chibo.core.documents import docx_text, pdf_text
from chibo.members.models import CommitteePost
from chibo.transfers import services

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def squash(text: str) -> str:
    return " ".join(text.split())


def secretary_of(code: str) -> str:
    return CommitteePost.objects.get(unit__code=code, role="secretary", to_date__isnull=True).member.full_name


def downloads(client, route: str, pk: int) -> list[str]:
    out = []
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = client.get(f"/transfers/{route}/{pk}/decision.{fmt}")
        assert response.status_code == 200, (fmt, response.status_code)
        assert response["Content-Disposition"].startswith("attachment;")
        out.append(squash(read(response.content)))
    return out


def status(client, route: str, pk: int) -> set[int]:
    return {client.get(f"/transfers/{route}/{pk}/decision.{fmt}").status_code for fmt in ("pdf", "docx")}


@pytest.fixture
def trip(actor_of, personas):
    member = personas["dangvien.phap"].member
    trip = services.trip_apply(actor=actor_of("dangvien.phap"), member=member, country="JP",
                               purpose="Thăm người thân", depart_on=date(2026, 7, 1), return_on=date(2026, 7, 20))
    return services.trip_opinion(actor=actor_of("bithu.phap"), trip=trip, opinion="Đề nghị đồng ý")


def test_trip_decision_documents(trip, actor_of, client_of):
    member = trip.member
    own, officer = client_of("dangvien.phap"), client_of("bithu.phap")
    assert status(own, "trip", trip.pk) == {404}  # no decision yet
    page = own.get(f"/transfers/trip/{trip.pk}/").content.decode()
    assert "decision.pdf" not in page
    services.trip_decide(actor=actor_of("bithu.phap"), trip=trip, approve=True, document="12-QĐ/ĐU")
    trip.refresh_from_db()
    for client in (own, officer, client_of("ban.tochuc")):
        for text in downloads(client, "trip", trip.pk):
            for expected in ("QUYẾT ĐỊNH", "Về việc đồng ý cho đảng viên đi nước ngoài về việc riêng",
                             "ĐẢNG BỘ", "Số 12-QĐ/ĐU", "ngày 15 tháng 06 năm 2026", f"Họ và tên: {member.full_name}",
                             f"Số thẻ đảng viên: {member.card_number}", f"Sinh hoạt tại: {member.unit.name}",
                             "Nước đến: Nhật Bản", "Mục đích: Thăm người thân",
                             "Thời gian: từ 01/07/2026 đến 20/07/2026", "Quyết định: Đồng ý",
                             f"chậm nhất ngày {trip.report_due:%d/%m/%Y}", "T/M ĐẢNG ỦY", "BÍ THƯ",
                             secretary_of("PHAP")):
                assert expected in text, expected
            assert "Không đồng ý" not in text and "THÔNG BÁO" not in text
            assert "(JP)" not in text  # the country by its name, not its code
    # another cell's secretary, an applicant: not found
    assert status(client_of("bithu.duc"), "trip", trip.pk) == {404}
    assert status(client_of("ungvien.phap"), "trip", trip.pk) == {404}
    # the links: on the trip page and on the member's own page /transfers/me/
    for url in (f"/transfers/trip/{trip.pk}/", "/transfers/me/"):
        html = own.get(url).content.decode()
        assert f"/transfers/trip/{trip.pk}/decision.pdf" in html and f"/transfers/trip/{trip.pk}/decision.docx" in html


def test_refused_trip_is_a_notice(trip, actor_of, client_of):
    services.trip_decide(actor=actor_of("bithu.phap"), trip=trip, approve=False, document="13-TB/ĐU")
    for text in downloads(client_of("dangvien.phap"), "trip", trip.pk):
        assert "THÔNG BÁO" in text and "Về việc không đồng ý cho đảng viên đi nước ngoài" in text
        assert "Quyết định: Không đồng ý" in text and "Số 13-TB/ĐU" in text and "Điều 2" not in text


@pytest.mark.parametrize("approve", [True, False])
def test_declaration_decision_documents(approve, actor_of, client_of, personas):
    member = personas["dangvien.phap"].member
    d = services.declaration_file(actor=actor_of("dangvien.phap"), member=member, kind="foreign_org",
                                  subject="Tham gia Hội cựu sinh viên trường Sciences Po", country="FR")
    own = client_of("dangvien.phap")
    assert status(own, "declaration", d.pk) == {404}
    services.declaration_opinion(actor=actor_of("bithu.phap"), declaration=d, opinion="Đề nghị đồng ý")
    services.declaration_decide(actor=actor_of("bithu.phap"), declaration=d, approve=approve, document="14-QĐ/ĐU")
    for client in (own, client_of("bithu.phap")):
        for text in downloads(client, "declaration", d.pk):
            for expected in (("QUYẾT ĐỊNH" if approve else "THÔNG BÁO"),
                             f"Về việc {'đồng ý' if approve else 'không đồng ý'} khai báo: tham gia tổ chức nước ngoài",
                             "Số 14-QĐ/ĐU", "ngày 15 tháng 06 năm 2026", f"Họ và tên: {member.full_name}",
                             f"Số thẻ đảng viên: {member.card_number}",
                             "Loại khai báo: Tham gia tổ chức nước ngoài hoặc quốc tế",
                             "Nội dung khai: Tham gia Hội cựu sinh viên trường Sciences Po",
                             "Nước liên quan: Pháp",
                             f"Quyết định: {'Đồng ý' if approve else 'Không đồng ý'}", "T/M ĐẢNG ỦY",
                             secretary_of("PHAP")):
                assert expected in text, expected
            assert "(FR)" not in text  # the country by its name, not its code
    assert status(client_of("bithu.duc"), "declaration", d.pk) == {404}
    for url in (f"/transfers/declaration/{d.pk}/", "/transfers/me/"):
        assert f"/transfers/declaration/{d.pk}/decision.pdf" in own.get(url).content.decode()
