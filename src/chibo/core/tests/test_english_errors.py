"""A reader who chose English gets the services' refusals in English: bad input sent through the API (a unit code
already used, a meeting without a place, a transfer of a member no longer active, a review period opened twice, a
dues payment of a negative amount, a meeting closed before it opened) answers with the English text of the refusal,
where the same request in Vietnamese answers with the Vietnamese one. The API's own answers too: a member outside
the reader's scope (404), an amount that is not a number, a bad filter or an unknown parameter on the member list,
and the name of a field inside a refusal."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chibo.core import clock
from chibo.core.tests.test_english import VIETNAMESE
from chibo.dues import services as dues_services
from chibo.members.enums import ACTIVE_STATUSES, Status
from chibo.members.models import Member
from chibo.members.selectors import members_visible
from chibo.transfers.models import OutsideOrganization
from chibo.units.models import Unit

pytestmark = pytest.mark.django_db


def send(client, url: str, data: dict, language: str):
    return client.post(url, json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def refusal(answer, field: str) -> str:
    """The refusal the API gives for ``field`` (its first message)."""
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    found = answer.json()[field]
    return found[0] if isinstance(found, list) else found


def in_both(client, url: str, data: dict, field: str) -> tuple[str, str]:
    """The same bad request in English, then in Vietnamese: (English refusal, Vietnamese refusal)."""
    return refusal(send(client, url, data, "en"), field), refusal(send(client, url, data, "vi"), field)


def test_a_unit_code_already_used(client_of, unit):
    root = Unit.objects.get(parent=None)
    data = {"parent": root.pk, "kind": "grassroots_cell", "name": "Chi bộ thử", "code": "PHAP-DSQ",
            "opened_on": "2020-01-01", "country": "FR"}
    english, vietnamese = in_both(client_of("ban.tochuc"), "/api/v1/units/", data, "code")
    assert english == "The code «PHAP-DSQ» is already used by another organization."
    assert vietnamese == "Mã «PHAP-DSQ» đã được dùng cho tổ chức khác."


def test_a_meeting_without_a_place(client_of, unit):
    data = {"unit": unit("PHAP-DSQ").pk, "kind": "regular", "title": "Sinh hoạt tháng 12", "day": "2026-12-10",
            "time": "18:30", "planned_minutes": 90, "place": ""}
    english, vietnamese = in_both(client_of("bithu.phap"), "/api/v1/meetings/", data, "place")
    assert english == "Enter the place or the link of the online meeting."
    assert vietnamese == "Cần ghi địa điểm hoặc đường dẫn họp trực tuyến."


def test_a_transfer_of_a_member_no_longer_active(client_of):
    member = Member.objects.exclude(status__in=ACTIVE_STATUSES).order_by("pk").first()
    assert member is not None, "the demo holds members who left"
    org = OutsideOrganization.objects.order_by("pk").first()
    data = {"member": member.pk, "kind": "official_out", "to_org": org.pk, "decision_doc": "3/QĐ-BNG",
            "decision_date": clock.today().isoformat(), "reason": "Về nước"}
    english, vietnamese = in_both(client_of("ban.tochuc"), "/api/v1/transfers/", data, "member")
    assert english == "The member is no longer active in the Party."
    assert vietnamese == "Đảng viên không còn sinh hoạt Đảng."


def test_a_review_period_opened_twice(client_of):
    officer = client_of("ban.tochuc")
    data = {"unit": Unit.objects.get(parent=None).pk, "kind": "year", "year": clock.today().year}
    assert send(officer, "/api/v1/grading/periods/", data, "en").status_code == 201
    english, vietnamese = in_both(officer, "/api/v1/grading/periods/", data, "year")
    assert english == "This organization has already opened this review period."
    assert vietnamese == "Tổ chức này đã mở kỳ kiểm điểm này rồi."


def test_a_dues_payment_of_a_negative_amount(client_of, unit, actor_of):
    cell = unit("PHAP-DSQ")
    member = Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1)).first()
    officer = actor_of("ban.tochuc")  # the member pays a fixed amount abroad, in euros
    dues_services.rate_define(actor=officer, category="mission_staff", currency="EUR", amount="12.50",
                              effective_from=date(2026, 1, 1), basis="Hướng dẫn (thử)")
    dues_services.profile_set(actor=officer, member=member, month=date(2026, 4, 1), base="abroad", currency="EUR",
                              category="mission_staff")
    data = {"method": "cash", "lines": [{"member": member.pk, "amount": "-5"}]}
    english, vietnamese = in_both(client_of("bithu.phap"), f"/api/v1/units/{cell.pk}/dues/", data, "amount")
    assert english == f"{member.full_name}: the amount must be greater than 0."
    assert vietnamese == f"{member.full_name}: số tiền phải lớn hơn 0."


def test_a_step_out_of_order(client_of, unit):
    client = client_of("bithu.phap")
    created = send(client, "/api/v1/meetings/", {"unit": unit("PHAP-DSQ").pk, "kind": "regular", "title": "Họp",
                                                 "day": "2026-12-10", "time": "18:30", "planned_minutes": 90,
                                                 "place": "Paris"}, "en")
    assert created.status_code == 201, created.content
    url = f"/api/v1/meetings/{created.json()['id']}/actions/"
    closed = send(client, url, {"action": "close"}, "en")  # not open yet
    assert closed.status_code == 409
    detail = closed.json()["detail"]
    assert detail.startswith("Cannot «") and not VIETNAMESE.search(detail), detail


def read(client, url: str, language: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_a_member_outside_the_scope_on_the_api(client_of, actor_of):
    member = Member.objects.exclude(pk__in=members_visible(actor_of("bithu.phap"))).order_by("pk").first()
    assert member is not None, "the demo holds members of other cells"
    client = client_of("bithu.phap")  # the secretary of one cell sees that cell only
    english, vietnamese = (read(client, f"/api/v1/members/{member.pk}/", language) for language in ("en", "vi"))
    assert english.status_code == vietnamese.status_code == 404
    assert english.json() == {"detail": "Not found."}
    assert vietnamese.json() == {"detail": "Không tìm thấy."}


def test_a_dues_payment_of_an_amount_that_is_not_a_number(client_of, unit, actor_of):
    cell = unit("PHAP-DSQ")
    member = Member.objects.filter(unit=cell, status=Status.FULL, admission_date__gte=date(2000, 1, 1)).first()
    officer = actor_of("ban.tochuc")
    dues_services.rate_define(actor=officer, category="mission_staff", currency="EUR", amount="12.50",
                              effective_from=date(2026, 1, 1), basis="Hướng dẫn (thử)")
    dues_services.profile_set(actor=officer, member=member, month=date(2026, 4, 1), base="abroad", currency="EUR",
                              category="mission_staff")
    url = f"/api/v1/units/{cell.pk}/dues/"
    client = client_of("bithu.phap")
    english, vietnamese = in_both(client, url, {"method": "cash", "lines": [{"member": member.pk, "amount": "abc"}]},
                                  "amount")
    assert english == f"{member.full_name}: «abc» is not an amount of money."
    assert vietnamese == f"{member.full_name}: «abc» không phải một số tiền."
    english, vietnamese = in_both(client, url, {"method": "cash", "lines": [{"member": member.pk, "amount": "1,255"}]},
                                  "amount")
    assert english == f"{member.full_name}: EUR has only 2 digits after the decimal separator."
    assert vietnamese == f"{member.full_name}: EUR chỉ có 2 chữ số sau dấu phẩy."


def test_a_bad_filter_on_the_member_list(client_of):
    client = client_of("ban.tochuc")
    english, vietnamese = (read(client, "/api/v1/members/?status=vanished&category=tourist", language)
                           for language in ("en", "vi"))
    assert english.status_code == vietnamese.status_code == 400
    assert english.json() == {"status": ["Invalid status «vanished»."]}
    assert vietnamese.json() == {"status": ["Tình trạng «vanished» không hợp lệ."]}
    english, vietnamese = (read(client, "/api/v1/members/?colour=red", language) for language in ("en", "vi"))
    assert english.status_code == vietnamese.status_code == 400
    accepted = "category, country, page, q, solitary, sort, status, unit"
    assert english.json() == {"colour": [f"Parameter not supported. Accepted parameters: {accepted}."]}
    assert vietnamese.json() == {"colour": [f"Tham số không được hỗ trợ. Tham số nhận được: {accepted}."]}


def test_a_card_number_already_used_names_the_field_in_the_readers_language(client_of):
    first, second = Member.objects.filter(status=Status.FULL).exclude(card_number=None).order_by("pk")[:2]
    client = client_of("ban.tochuc")
    answers = {}
    for language in ("en", "vi"):
        answer = client.patch(f"/api/v1/members/{second.pk}/", json.dumps(
            {"card_number": first.card_number, "version": second.version}), content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language)
        answers[language] = refusal(answer, "card_number")
    assert answers["en"] == f"Party card number «{first.card_number}» is already on another member's record."
    assert answers["vi"] == f"Số thẻ đảng viên «{first.card_number}» đã có trong hồ sơ đảng viên khác."
