"""Starting a transfer from the pages: the search on the transfers page and the link on a member's page lead to
the new transfer form, whose kinds are explained in plain words; a refused save keeps the member, the kind and
every typed field; a transfer's page lists the steps taken and those to come, never a step that did not happen."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import override_settings

from chibo.core.access import actor_from_user
from chibo.members.models import Member, Status
from chibo.transfers import services
from chibo.transfers.models import Kind, Transfer

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def _listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-member="(\d+)"', html)}


def _new_links(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/transfers/member/(\d+)/new/"', html)}


def _steps(html: str, which: str) -> list[str]:
    block = re.search(rf'data-steps="{which}"[^>]*>(.*?)</ol>', html, re.S)
    return re.findall(r'data-step="(\w+)"', block.group(1)) if block else []


def test_the_transfers_page_finds_members_to_start_a_transfer_for_within_the_scope(client_of, unit):
    paris = list(Member.objects.filter(unit__path__startswith=unit("PHAP").path, status=Status.FULL).order_by("pk")[:2])
    berlin = Member.objects.filter(unit__path__startswith=unit("DUC").path, status=Status.FULL).first()
    secretary = client_of("bithu.phap")
    page = secretary.get("/transfers/").content.decode()
    assert 'id="start"' in page and 'name="who"' in page and 'id="candidates"' not in page
    for m in paris:
        html = secretary.get("/transfers/", {"who": m.full_name}).content.decode()
        assert m.pk in _listed(html) and m.pk in _new_links(html)
    # Germany lies outside the Paris secretary's scope: searching a German member's exact name finds nobody there.
    html = secretary.get("/transfers/", {"who": berlin.full_name}).content.decode()
    assert berlin.pk not in _listed(html) and berlin.pk not in _new_links(html)
    assert berlin.pk in _listed(client_of("ban.tochuc").get("/transfers/", {"who": berlin.full_name}).content.decode())
    # A card number finds its member; one letter asks for more.
    if paris[0].card_number:
        html = secretary.get("/transfers/", {"who": paris[0].card_number}).content.decode()
        assert paris[0].pk in _listed(html)
    assert "Gõ ít nhất 2 chữ" in secretary.get("/transfers/", {"who": "n"}).content.decode()
    # No transfer may be started by the inspector (read only) nor a member: no search, nobody listed.
    for who in ("ub.kiemtra", "dangvien.phap"):
        html = client_of(who).get("/transfers/", {"who": paris[0].full_name}).content.decode()
        assert 'id="start"' not in html and not _listed(html)


def test_a_member_with_an_open_transfer_is_listed_as_busy_without_a_new_link(client_of, personas, unit):
    member = Member.objects.filter(unit=unit("PHAP-LHS"), status=Status.FULL).first()
    services.transfer_request(
        actor=actor_from_user(personas["bithu.phap"]),
        member=member,
        kind=Kind.INTERNAL,
        to_unit=unit("PHAP-DSQ"),
        decision_doc="7/QĐ",
        decision_date=date(2026, 6, 10),
        reason="Đổi nơi công tác",
    )
    html = client_of("bithu.phap").get("/transfers/", {"who": member.full_name}).content.decode()
    assert member.pk in _listed(html) and member.pk not in _new_links(html)
    assert "đang có một việc chuyển sinh hoạt chưa xong" in html
    # Its own form says so before anything is typed.
    page = client_of("bithu.phap").get(f"/transfers/member/{member.pk}/new/").content.decode()
    assert 'data-field="blocked"' in page and "chưa xong" in page


def test_a_members_page_links_to_the_new_transfer_form_for_those_who_may_start_one(client_of, personas):
    member = personas["dangvien.phap"].member
    link = f'href="/transfers/member/{member.pk}/new/"'
    assert link in client_of("bithu.phap").get(f"/members/{member.pk}/").content.decode()
    assert link not in client_of("dangvien.phap").get(f"/members/{member.pk}/").content.decode()
    assert link not in client_of("ub.kiemtra").get(f"/members/{member.pk}/").content.decode()


def test_the_form_explains_each_kind_in_plain_words(client_of, personas):
    member = personas["dangvien.phap"].member
    html = client_of("bithu.phap").get(f"/transfers/member/{member.pk}/new/").content.decode()
    kinds = re.findall(r'<input type="radio" name="kind" value="(\w+)"', html)
    assert kinds == ["internal", "temporary", "official_out", "return"]  # the everyday move first
    for words in (
        "Sang một chi bộ khác trong Đảng bộ",
        "Đi học, đi công tác hay chữa bệnh",
        "Chuyển hẳn sang một tổ chức đảng không thuộc Đảng bộ",
        "Hết thời gian ở nước ngoài",
    ):
        assert words in html
    assert "từ trong nước đến" not in html and member.unit.name in html
    assert "(từ trong nước đến)" not in Kind.ABROAD.label


def test_a_refused_save_keeps_the_member_the_kind_and_what_was_typed(client_of, personas, unit):
    member = personas["dangvien.phap"].member
    before = Transfer.objects.count()
    page = client_of("bithu.phap").post(
        f"/transfers/member/{member.pk}/new/",
        {
            "kind": "temporary",
            "to_unit": str(unit("PHAP-LHS").pk),
            "decision_doc": "12/QĐ-BNG",
            "decision_date": "31/02/2026",
            "reason": "Đi học thạc sĩ",
            "period_from": "01/07/2026",
            "period_to": "30/06/2027",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and Transfer.objects.count() == before
    assert member.full_name in html and member.unit.name in html
    assert re.search(r'name="kind" value="temporary" required checked', html)
    assert len(re.findall(r'name="kind" value="\w+" required checked', html)) == 1
    assert 'value="12/QĐ-BNG"' in html and 'value="Đi học thạc sĩ"' in html
    assert 'value="01/07/2026"' in html and 'value="30/06/2027"' in html and 'value="31/02/2026"' in html
    assert re.search(rf'<option value="{unit("PHAP-LHS").pk}" selected', html)
    assert 'class="errorlist"' in html
    # A refusal by the service (a destination outside the tree is needed to go home) keeps it all too.
    page = client_of("bithu.phap").post(
        f"/transfers/member/{member.pk}/new/",
        {"kind": "return", "decision_doc": "13/QĐ-BNG", "decision_date": "01/06/2026", "reason": "Về nước"},
    )
    html = page.content.decode()
    assert Transfer.objects.count() == before
    assert re.search(r'name="kind" value="return" required checked', html) and 'value="13/QĐ-BNG"' in html


def test_a_new_transfer_shows_the_steps_taken_and_those_to_come_only(client_of, personas, unit):
    member = personas["dangvien.phap"].member
    client = client_of("bithu.phap")
    response = client.post(
        f"/transfers/member/{member.pk}/new/",
        {
            "kind": "internal",
            "to_unit": str(unit("PHAP-LHS").pk),
            "decision_doc": "14/QĐ-BNG",
            "decision_date": "10/06/2026",
            "reason": "Đổi nơi công tác",
        },
    )
    assert response.status_code == 302
    t = Transfer.objects.get(member=member, decision_doc="14/QĐ-BNG")
    html = client.get(f"/transfers/{t.pk}/").content.decode()
    assert _steps(html, "done") == ["requested"]
    assert _steps(html, "to_come") == ["approve", "issue", "receive", "report"]
    assert "Chi bộ đã đồng ý" not in html and "Chi bộ xem xét, đồng ý" in html
    assert client.post(f"/transfers/{t.pk}/act/", {"do": "approve", "on": "15/06/2026"}).status_code == 302
    html = client.get(f"/transfers/{t.pk}/").content.decode()
    assert _steps(html, "done") == ["requested", "approve"] and "Chi bộ đã đồng ý: <span" in html
    assert _steps(html, "to_come") == ["issue", "receive", "report"]
    assert client.post(f"/transfers/{t.pk}/act/", {"do": "cancel", "reason": "Đổi quyết định"}).status_code == 302
    html = client.get(f"/transfers/{t.pk}/").content.decode()
    assert _steps(html, "done") == ["requested", "approve", "cancel"] and _steps(html, "to_come") == []


def test_a_transfer_arriving_with_a_letter_never_shows_a_request_or_an_approval(client_of, personas, unit):
    from chibo.members.services import member_create
    from chibo.transfers.selectors import organizations

    officer = actor_from_user(personas["ban.tochuc"])
    arriving = member_create(
        actor=officer,
        unit=unit("PHAP"),
        status="full",
        full_name="Đỗ Minh Khang",
        gender="M",
        birth_date=date(1987, 6, 1),
        admission_date=date(2012, 1, 5),
        confirmation_date=date(2013, 1, 5),
        category="mission_staff",
    )
    t = services.transfer_register_incoming(
        actor=officer,
        member=arriving,
        at_unit=unit("PHAP"),
        kind="abroad",
        from_org=organizations().first(),
        incoming_letter="45-GGT/ĐU",
        letter_date=date(2026, 6, 1),
        decision_doc="1234/QĐ-BNG",
        decision_date=date(2026, 5, 20),
        to_unit=unit("PHAP-DSQ"),
        reason="Nhiệm kỳ công tác",
    )
    html = client_of("bithu.phap").get(f"/transfers/{t.pk}/").content.decode()
    assert _steps(html, "done") == ["incoming"]
    assert _steps(html, "to_come") == ["forward", "receive", "report"]
    steps = html.split('id="steps"')[1].split("</section>")[0]
    assert "Từ trong nước sang công tác ở nước ngoài" in html and "đồng ý" not in steps and "đề nghị" not in steps
