"""Delegation temporary cells (committee, tasks, members attached for the mission, closed on return)
and the directory of outside organizations (edit, deactivate)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from chibo.core.lifecycle import TransitionRefused
from chibo.core.models import AuditEvent
from chibo.members.models import CommitteePost, Member, Status, TimelineEvent, TimelineKind
from chibo.transfers import selectors, services
from chibo.transfers.models import (
    OPEN_STATES,
    Delegation,
    DelegationMember,
    DelegationTask,
    Kind,
    OutsideOrganization,
    Transfer,
)
from chibo.units.models import Unit

TODAY = date(2026, 6, 15)
OPENED = date(2026, 6, 1)
RETURN = date(2026, 7, 20)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def plain(status: str, n: int, code: str = "PHAP", exclude=()) -> list[Member]:
    """Members of a country's subtree without a committee post, open transfer or delegation."""
    root = Unit.objects.get(code=code)
    busy = Transfer.objects.filter(state__in=OPEN_STATES).values("member_id")
    posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")
    found = list(Member.objects.filter(unit__path__startswith=root.path, status=status, admission_date__lt=OPENED)
                 .exclude(pk__in=busy).exclude(pk__in=posts).exclude(pk__in=list(exclude)).order_by("pk")[:n])
    assert len(found) == n
    return found


def snapshot() -> dict:
    return {
        "units": Unit.objects.count(), "delegations": Delegation.objects.count(),
        "links": list(DelegationMember.objects.values_list("pk", "detached_on")),
        "tasks": DelegationTask.objects.count(), "posts": list(CommitteePost.objects.values_list("pk", "to_date")),
        "timeline": TimelineEvent.objects.count(), "audit": AuditEvent.objects.count(),
        "homes": dict(Member.objects.values_list("pk", "unit_id")),
        "orgs": list(OutsideOrganization.objects.values_list("pk", "name", "kind", "upper_name", "address", "active")),
    }


@pytest.fixture
def officer(actor_of):
    return actor_of("ban.tochuc")


@pytest.fixture
def base(officer, unit):
    return dict(actor=officer, parent=unit("DUBNG"), name="Chi bộ tạm thời Đoàn công tác COP31", code="DOAN-COP31",
                country="BR", opened_on=OPENED, return_on=RETURN, document="700-QĐ/ĐUBNG",
                tasks=[("Lãnh đạo đoàn hoàn thành nhiệm vụ đàm phán", date(2026, 7, 10)),
                       ("Giữ gìn bí mật nhà nước, kỷ luật phát ngôn", None)])


def create_full(base):
    full = plain(Status.FULL, 4)
    probationary = plain(Status.PROBATIONARY, 1, exclude=[m.pk for m in full])
    team = [(full[0], "secretary"), (full[1], "deputy_secretary"), (full[2], "committee_member"),
            (full[3], "member"), (probationary[0], "member")]
    return services.delegation_cell_create(**base, team=team), team


def test_creation_with_a_full_committee_and_tasks(base):
    before_audit = AuditEvent.objects.count()
    created = AuditEvent.objects.filter(action="transfers.delegation_created")
    before_created = created.count()  # the demo's own delegation cell
    d, team = create_full(base)
    homes = {m.pk: m.unit_id for m, _r in team}
    unit = Unit.objects.get(pk=d.unit_id)
    assert unit.kind == "delegation_cell" and unit.is_open and unit.opened_by_doc == "700-QĐ/ĐUBNG"
    assert unit.country == "BR" and d.return_on == RETURN
    assert [(t.position, t.text, t.due_on) for t in d.tasks.all()] == [
        (1, "Lãnh đạo đoàn hoàn thành nhiệm vụ đàm phán", date(2026, 7, 10)),
        (2, "Giữ gìn bí mật nhà nước, kỷ luật phát ngôn", None)]
    assert set(Member.objects.filter(unit=unit).values_list("pk", flat=True)) == set(homes)
    links = {link.member_id: link for link in d.attached.all()}
    assert {pk: (link.role, link.from_unit_id, link.attached_on) for pk, link in links.items()} == {
        m.pk: (role, homes[m.pk], OPENED) for m, role in team}
    posts = {(p.member_id, p.role) for p in CommitteePost.objects.filter(unit=unit, to_date__isnull=True)}
    assert posts == {(team[0][0].pk, "secretary"), (team[1][0].pk, "deputy_secretary"),
                     (team[2][0].pk, "committee_member")}
    assert CommitteePost.objects.filter(unit=unit, decision_no="700-QĐ/ĐUBNG", from_date=OPENED).count() == 3
    for m, role in team:
        kinds = set(TimelineEvent.objects.filter(member=m, unit=unit).values_list("kind", flat=True))
        assert TimelineKind.MOVED in kinds
        assert (TimelineKind.APPOINTED in kinds) == (role != "member")
    assert created.count() == before_created + 1
    assert created.order_by("-pk").first().object_id == str(unit.pk)
    assert AuditEvent.objects.count() > before_audit


def test_closing_returns_everyone_ends_posts_and_closes_the_cell(base, officer):
    d, team = create_full(base)
    homes = {m.pk: m.unit_id for m, _r in team}
    with pytest.raises(ValidationError) as exc:  # before the cell was set up
        services.delegation_cell_close(actor=officer, delegation=d, closed_on=date(2026, 5, 30), document="750")
    assert "Ngày kết thúc" in exc.value.message_dict["closed_on"][0]
    services.delegation_cell_close(actor=officer, delegation=d, closed_on=TODAY, document="750-QĐ/ĐUBNG")
    unit = Unit.objects.get(pk=d.unit_id)
    assert unit.closed_on == TODAY and unit.closed_by_doc == "750-QĐ/ĐUBNG"
    assert {m.pk: m.unit_id for m in Member.objects.filter(pk__in=homes)} == homes
    assert not CommitteePost.objects.filter(unit=unit, to_date__isnull=True).exists()
    assert set(CommitteePost.objects.filter(unit=unit).values_list("to_date", flat=True)) == {TODAY}
    assert all(link.detached_on == TODAY for link in d.attached.all())
    for m, role in team:
        back = TimelineEvent.objects.filter(member=m, kind=TimelineKind.MOVED, occurred_on=TODAY).first()
        assert back is not None and back.data["to_id"] == homes[m.pk] and back.data["from_id"] == unit.pk
        ended = TimelineEvent.objects.filter(member=m, kind=TimelineKind.POST_ENDED, unit=unit).exists()
        assert ended == (role != "member")
    assert AuditEvent.objects.filter(action="transfers.delegation_closed").count() == 1
    with pytest.raises(TransitionRefused):  # closed twice: back home already
        services.delegation_cell_close(actor=officer, delegation=d, closed_on=TODAY, document="751")
    # Back home, the members may join another delegation.
    again = services.delegation_cell_create(**{**base, "code": "DOAN-COP31B", "opened_on": TODAY,
                                               "tasks": [("Nhiệm vụ mới", None)]},
                                            team=[(m, r) for m, r in team])
    assert again.attached.count() == 5


def test_closing_refused_when_a_home_unit_closed_meanwhile(base, officer, unit):
    from chibo.members.services import member_create
    from chibo.units.services import unit_close, unit_create

    home = unit_create(actor=officer, parent=unit("PHAP-DSQ"), kind="party_group", name="Tổ đảng Lễ tân",
                       code="PHAP-DSQ-LT", opened_on=date(2020, 1, 6))
    lone = member_create(actor=officer, unit=home, status="full", full_name="Lê Thu Hà", gender="F",
                         birth_date=date(1988, 2, 1), admission_date=date(2012, 5, 1),
                         confirmation_date=date(2013, 5, 1), category="mission_staff")
    others = plain(Status.FULL, 2)
    d = services.delegation_cell_create(**base, team=[(lone, "secretary"), (others[0], "member"),
                                                      (others[1], "member")])
    unit_close(actor=officer, unit=home, closed_on=TODAY, document="9-QĐ")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.delegation_cell_close(actor=officer, delegation=d, closed_on=TODAY, document="750-QĐ/ĐUBNG")
    assert "Lê Thu Hà" in exc.value.message_dict["members"][0] and "đã giải thể" in exc.value.message_dict["members"][0]
    assert snapshot() == before


def _refused(call, field: str, text: str) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    messages = exc.value.message_dict.get(field, [])
    assert any(text in m for m in messages), exc.value.message_dict
    assert snapshot() == before


def test_refused_below_the_rule_minimum_of_full_members(base):
    full = plain(Status.FULL, 2)
    probationary = plain(Status.PROBATIONARY, 2)
    team = [(full[0], "secretary"), (full[1], "member"), (probationary[0], "member"), (probationary[1], "member")]
    _refused(lambda: services.delegation_cell_create(**base, team=team), "members",
             "cần ít nhất 3 đảng viên chính thức")


def test_refused_for_a_member_already_in_an_open_delegation(base):
    d, team = create_full(base)
    fresh = plain(Status.FULL, 2, exclude=[m.pk for m, _r in team])
    busy = team[3][0]
    call = lambda: services.delegation_cell_create(  # noqa: E731
        **{**base, "code": "DOAN-2"}, team=[(fresh[0], "secretary"), (fresh[1], "member"), (busy, "member")])
    _refused(call, "members", f"đang là thành viên {d.unit.name}")


def test_refused_for_a_member_with_an_open_transfer(base, officer, unit):
    people = plain(Status.FULL, 3)
    services.transfer_request(actor=officer, member=people[2], kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                              decision_doc="15/QĐ-BNG", decision_date=date(2026, 6, 10), reason="Điều động")
    call = lambda: services.delegation_cell_create(**base, team=[(people[0], "secretary"), (people[1], "member"),  # noqa: E731
                                                                 (people[2], "member")])
    _refused(call, "members", "đang có một việc chuyển sinh hoạt chưa xong")


def test_refused_for_a_member_under_inspection(base, officer):
    people = plain(Status.FULL, 3)
    services.hold_open(actor=officer, member=people[1], kind="inspection", reference="15-QĐ/UBKT",
                       opened_on=date(2026, 6, 2))
    call = lambda: services.delegation_cell_create(**base, team=[(p, "secretary" if i == 0 else "member")  # noqa: E731
                                                                 for i, p in enumerate(people)])
    _refused(call, "members", "15-QĐ/UBKT")


def test_refused_with_two_secretaries_or_none(base):
    people = plain(Status.FULL, 3)
    two = [(people[0], "secretary"), (people[1], "secretary"), (people[2], "member")]
    _refused(lambda: services.delegation_cell_create(**base, team=two), "roles", "Chỉ chỉ định một bí thư")
    none = [(p, "member") for p in people]
    _refused(lambda: services.delegation_cell_create(**base, team=none), "roles", "Cần chỉ định bí thư")


@pytest.mark.parametrize("role", ["secretary", "deputy_secretary", "committee_member"])
def test_refused_a_probationary_member_on_the_committee(base, role):
    full = plain(Status.FULL, 3)
    probationary = plain(Status.PROBATIONARY, 1)[0]
    team = [(full[0], "member" if role == "secretary" else "secretary"), (full[1], "member"), (full[2], "member"),
            (probationary, role)]
    _refused(lambda: services.delegation_cell_create(**base, team=team), "roles", "đảng viên chính thức")


def test_refused_duplicates_and_unknown_posts(base):
    people = plain(Status.FULL, 3)
    dup = [(people[0], "secretary"), (people[1], "member"), (people[2], "member"), (people[2], "member")]
    _refused(lambda: services.delegation_cell_create(**base, team=dup), "members", "được chọn hai lần")
    odd = [(people[0], "secretary"), (people[1], "ambassador"), (people[2], "member")]
    _refused(lambda: services.delegation_cell_create(**base, team=odd), "members", "chức vụ trong đoàn không hợp lệ")
    _refused(lambda: services.delegation_cell_create(**base, team=[]), "members", "Cần chọn các đảng viên")


def test_refused_under_a_closed_parent(base, officer, unit):
    from chibo.units.services import unit_close, unit_create

    closed = unit_create(actor=officer, parent=unit("DUBNG"), kind="grassroots_committee", name="Đảng bộ cũ",
                         code="DB-CU", opened_on=date(2001, 1, 2))
    unit_close(actor=officer, unit=closed, closed_on=date(2024, 1, 2), document="1-QĐ")
    people = plain(Status.FULL, 3)
    team = [(people[0], "secretary"), (people[1], "member"), (people[2], "member")]
    _refused(lambda: services.delegation_cell_create(**{**base, "parent": closed}, team=team), "parent",
             "đã giải thể")


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"opened_on": TODAY + timedelta(days=1)}, "opened_on", "tương lai"),
    ({"return_on": OPENED}, "return_on", "phải sau ngày thành lập"),
    ({"return_on": None}, "return_on", "Cần ngày dự kiến về nước"),
    ({"return_on": date(2027, 6, 1)}, "return_on", "chuyển sinh hoạt chính thức"),
    ({"tasks": []}, "tasks", "Cần giao ít nhất một nhiệm vụ"),
    ({"tasks": [("  ", None)]}, "tasks", "Cần giao ít nhất một nhiệm vụ"),
    ({"tasks": [("Nhiệm vụ", date(2026, 8, 1))]}, "tasks", "sau ngày dự kiến về nước"),
    ({"tasks": [("Nhiệm vụ", date(2026, 5, 1))]}, "tasks", "trước ngày thành lập"),
    ({"tasks": [("", date(2026, 7, 1))]}, "tasks", "cần nội dung"),
    ({"document": " "}, "document", "Cần số quyết định"),
    ({"country": "Brazil"}, "country", "ISO 3166"),
])
def test_refused_bad_dates_tasks_and_decision(base, changes, field, text):
    people = plain(Status.FULL, 3)
    team = [(people[0], "secretary"), (people[1], "member"), (people[2], "member")]
    _refused(lambda: services.delegation_cell_create(**{**base, **changes}, team=team), field, text)


def test_only_the_upper_committee_sets_up_or_closes_a_cell(base, actor_of):
    people = plain(Status.FULL, 3)
    team = [(people[0], "secretary"), (people[1], "member"), (people[2], "member")]
    with pytest.raises(PermissionDenied):
        services.delegation_cell_create(**{**base, "actor": actor_of("bithu.phap")}, team=team)
    d = services.delegation_cell_create(**base, team=team)
    with pytest.raises(PermissionDenied):
        services.delegation_cell_close(actor=actor_of("bithu.phap"), delegation=d, closed_on=TODAY, document="1")


# -- pages ------------------------------------------------------------------------------------------
def test_creation_page_search_pick_create_show_close(client_of):
    client = client_of("ban.tochuc")
    people = plain(Status.FULL, 3)
    page = client.get("/transfers/delegations/new/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="delegation-q"' in html and people[0].full_name not in html
    assert "<script" not in html.split("</head>")[1]  # CSP: behaviour through htmx attributes only
    short = client.get("/transfers/delegations/new/search/", {"q": "a"}).content.decode()
    assert "ít nhất 2 ký tự" in short
    found = client.get("/transfers/delegations/new/search/", {"q": people[0].full_name}).content.decode()
    assert f'data-member="{people[0].pk}"' in found and f"pick={people[0].pk}" in found
    assert found.count("<li") <= selectors.DELEGATION_SEARCH_LIMIT
    by_card = client.get("/transfers/delegations/new/search/", {"q": people[1].card_number})
    assert f'data-member="{people[1].pk}"' in by_card.content.decode()
    picked = client.get("/transfers/delegations/new/search/", {"q": people[0].full_name, "member": [people[0].pk]})
    assert f'data-member="{people[0].pk}"' not in picked.content.decode()
    row = client.get("/transfers/delegations/new/row/", {"pick": people[0].pk}).content.decode()
    assert f'name="member" value="{people[0].pk}"' in row and f'name="role_{people[0].pk}"' in row
    assert client.get("/transfers/delegations/new/row/", {"pick": people[0].pk, "member": people[0].pk}).content == b""
    assert 'name="task_text"' in client.get("/transfers/delegations/new/row/", {"task": "1"}).content.decode()
    data = {"name": "Chi bộ tạm thời Đoàn công tác Geneva 2026", "code": "DOAN-GVA26", "country": "CH",
            "opened_on": "01/06/2026", "return_on": "20/07/2026", "document": "701-QĐ/ĐUBNG",
            "member": [str(m.pk) for m in people], f"role_{people[0].pk}": "secretary",
            f"role_{people[1].pk}": "secretary", f"role_{people[2].pk}": "member",
            "task_text": ["Lãnh đạo đoàn", "Báo cáo kết quả", ""], "task_due": ["10/07/2026", "", ""]}
    before = snapshot()
    refused = client.post("/transfers/delegations/new/", data)
    html = refused.content.decode()
    assert refused.status_code == 200 and "Chỉ chỉ định một bí thư" in html
    assert f'name="member" value="{people[2].pk}"' in html and "Báo cáo kết quả" in html  # the picks stay
    assert snapshot() == before
    bad_due = client.post("/transfers/delegations/new/", {**data, "task_due": ["31/02/2026", "", ""]})
    assert "Nhiệm vụ 1: thời hạn ghi theo dạng dd/mm/yyyy" in bad_due.content.decode()
    done = client.post("/transfers/delegations/new/", {**data, f"role_{people[1].pk}": "deputy_secretary"})
    d = Delegation.objects.get(unit__code="DOAN-GVA26")
    assert done.status_code == 302 and done["Location"] == f"/transfers/delegations/{d.unit_id}/"
    assert [t.text for t in d.tasks.all()] == ["Lãnh đạo đoàn", "Báo cáo kết quả"]
    shown = client.get(done["Location"]).content.decode()
    for m in people:
        assert m.full_name in shown
    assert "Phó bí thư" in shown and "10/07/2026" in shown and "701-QĐ/ĐUBNG" in shown
    committee = shown.split('id="committee"')[1].split("</table>")[0]
    assert committee.index(people[0].full_name) < committee.index(people[1].full_name)  # the secretary first
    assert "Chi bộ tạm thời Đoàn công tác Geneva 2026" in client.get("/transfers/delegations/").content.decode()
    assert f"/transfers/delegations/{d.unit_id}/" in client.get(f"/units/{d.unit_id}/").content.decode()
    apec = Unit.objects.get(code="DOAN-APEC17")  # a delegation cell from before, without the record
    assert client.get(f"/units/{apec.pk}/").status_code == 200
    closed = client.post(f"/transfers/delegations/{d.unit_id}/close/", {"closed_on": "15/06/2026",
                                                                       "document": "760-QĐ/ĐUBNG"})
    assert closed.status_code == 302
    assert not Member.objects.filter(unit_id=d.unit_id).exists()


def test_pages_refuse_outsiders(client_of, base):
    d, _team = create_full(base)
    secretary = client_of("bithu.phap")
    assert secretary.get("/transfers/delegations/new/search/", {"q": "nguyen"}).status_code == 403
    assert secretary.get(f"/transfers/delegations/{d.unit_id}/").status_code == 404
    assert client_of("ub.kiemtra").get(f"/transfers/delegations/{d.unit_id}/").status_code == 200


# -- outside organizations --------------------------------------------------------------------------
def test_org_edit_is_audited_and_refuses_duplicates(officer, actor_of):
    org, other = OutsideOrganization.objects.order_by("pk")[:2]
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.org_update(actor=officer, org=org, name=other.name.upper(), kind="domestic_party")
    assert "trùng tên" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.org_update(actor=officer, org=org, name="Tên mới", kind="embassy-ish")
    with pytest.raises(PermissionDenied):
        services.org_update(actor=actor_of("bithu.phap"), org=org, name="Tên mới", kind="domestic_party")
    assert snapshot() == before
    services.org_update(actor=officer, org=org, name="  Đảng bộ  Cục Lãnh sự mới ", kind="domestic_party",
                        upper_name=org.upper_name, address="Số 40 Trần Phú")
    org.refresh_from_db()
    assert org.name == "Đảng bộ Cục Lãnh sự mới" and org.address == "Số 40 Trần Phú"
    event = AuditEvent.objects.filter(action="transfers.org_updated").latest("pk")
    assert set(event.data["changes"]) == {"name", "address"}


def test_deactivated_org_leaves_the_pickers_but_stays_on_old_transfers(officer, unit, client_of):
    from chibo.members.services import member_create

    org = OutsideOrganization.objects.order_by("pk").first()
    incoming = member_create(actor=officer, unit=unit("PHAP"), status="full", full_name="Đỗ Minh Khang", gender="M",
                             birth_date=date(1987, 6, 1), admission_date=date(2012, 1, 5),
                             confirmation_date=date(2013, 1, 5), category="mission_staff")
    old = services.transfer_register_incoming(
        actor=officer, member=incoming, kind=Kind.ABROAD, from_org=org, incoming_letter="33-GGT/ĐU",
        letter_date=date(2026, 6, 10), decision_doc="40/QĐ-BNG", decision_date=date(2026, 6, 1),
        to_unit=unit("PHAP-DSQ"), reason="Nhiệm kỳ công tác", at_unit=unit("PHAP"))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.org_set_active(actor=officer, org=org, active=False, reason=" ")
    assert "Cần lý do" in exc.value.message_dict["reason"][0]
    assert snapshot() == before
    services.org_set_active(actor=officer, org=org, active=False, reason="Sáp nhập theo Nghị quyết 18")
    assert AuditEvent.objects.filter(action="transfers.org_deactivated").latest("pk").data["reason"] \
        == "Sáp nhập theo Nghị quyết 18"
    assert org not in selectors.organizations() and org in selectors.organizations(active_only=False)
    client = client_of("ban.tochuc")
    member = plain(Status.FULL, 1)[0]
    form = client.get(f"/transfers/member/{member.pk}/new/").content.decode()
    assert f'<option value="{org.pk}"' not in form
    assert org.name in client.get(f"/transfers/{old.pk}/").content.decode()  # the old transfer keeps it
    with pytest.raises(ValidationError) as exc:
        services.transfer_request(actor=officer, member=member, kind=Kind.OFFICIAL_OUT, to_org=org,
                                  decision_doc="5/QĐ", decision_date=date(2026, 6, 10), reason="Về nước")
    assert "không còn hoạt động" in exc.value.message_dict["to_org"][0]
    with pytest.raises(ValidationError) as exc:
        services.transfer_register_incoming(
            actor=officer, member=member, kind=Kind.ABROAD, from_org=org, incoming_letter="34-GGT/ĐU",
            letter_date=date(2026, 6, 10), decision_doc="41/QĐ-BNG", decision_date=date(2026, 6, 1),
            to_unit=unit("PHAP-DSQ") if member.unit.code != "PHAP-DSQ" else unit("PHAP-LHS"), reason="Nhiệm kỳ",
            at_unit=unit("PHAP"))
    assert "không còn hoạt động" in exc.value.message_dict["from_org"][0]
    with pytest.raises(ValidationError):
        services.org_set_active(actor=officer, org=org, active=False, reason="lần nữa")
    services.org_set_active(actor=officer, org=org, active=True)
    assert org in selectors.organizations()


def test_org_pages(client_of):
    org = OutsideOrganization.objects.order_by("pk").first()
    officer = client_of("ban.tochuc")
    listing = officer.get("/transfers/organizations/").content.decode()
    assert f"/transfers/organizations/{org.pk}/edit/" in listing
    assert f"/transfers/organizations/{org.pk}/edit/" not in client_of("bithu.phap").get(
        "/transfers/organizations/").content.decode()
    done = officer.post(f"/transfers/organizations/{org.pk}/edit/", {
        "name": "Đảng bộ Cục Lãnh sự (sau sắp xếp)", "kind": "domestic_party", "upper_name": "Đảng ủy Bộ Ngoại giao",
        "address": "Hà Nội"})
    assert done.status_code == 302
    org.refresh_from_db()
    assert org.name == "Đảng bộ Cục Lãnh sự (sau sắp xếp)"
    refused = officer.post(f"/transfers/organizations/{org.pk}/active/", {"active": "0", "reason": ""})
    assert refused.status_code == 200 and "Cần lý do" in refused.content.decode()
    assert OutsideOrganization.objects.get(pk=org.pk).active
    off = officer.post(f"/transfers/organizations/{org.pk}/active/", {"active": "0", "reason": "Giải thể"})
    assert off.status_code == 302 and not OutsideOrganization.objects.get(pk=org.pk).active
    assert "Ngừng sử dụng" in officer.get("/transfers/organizations/").content.decode()


def test_delegation_api_is_scoped_and_shows_committee_and_tasks(base, personas):
    from rest_framework.test import APIClient

    d, team = create_full(base)

    def api(username):
        client = APIClient()
        client.force_authenticate(personas[username])
        return client

    body = api("ban.tochuc").get(f"/api/v1/delegations/{d.unit_id}/").json()
    assert body["document"] == "700-QĐ/ĐUBNG" and body["return_on"] == "2026-07-20"
    assert [(t["position"], t["due_on"]) for t in body["tasks"]] == [(1, "2026-07-10"), (2, None)]
    assert {(m["member"], m["role"]) for m in body["members"]} == {(m.pk, role) for m, role in team}
    assert api("bithu.phap").get(f"/api/v1/delegations/{d.unit_id}/").status_code == 404
    listed = api("ban.tochuc").get("/api/v1/delegations/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert d.unit_id in [row["unit"] for row in rows]


def test_the_demo_has_one_open_delegation_cell_built_through_the_service():
    from chibo.transfers.demo import DELEGATION, DELEGATION_FROM, DELEGATION_TASKS

    d = Delegation.objects.select_related("unit", "unit__parent").get(unit__code=DELEGATION["code"])
    unit = d.unit
    assert unit.is_open and unit.kind == "delegation_cell" and unit.parent.code == "DUBNG"
    assert unit.opened_on < d.return_on and unit.opened_by_doc == DELEGATION["document"]
    links = list(d.attached.select_related("member", "from_unit"))
    assert len(links) == 4 and {link.from_unit.code for link in links} == {DELEGATION_FROM}
    assert all(link.member.unit_id == unit.pk and link.member.status == Status.FULL and link.detached_on is None
               for link in links)
    posts = dict(CommitteePost.objects.filter(unit=unit, to_date__isnull=True).values_list("role", "member_id"))
    assert set(posts) == {"secretary", "deputy_secretary"}
    assert [t.text for t in d.tasks.all()] == list(DELEGATION_TASKS)
    assert AuditEvent.objects.filter(action="transfers.delegation_created", object_id=str(unit.pk)).exists()
    assert all(TimelineEvent.objects.filter(member=link.member, unit=unit, kind=TimelineKind.MOVED).exists()
               for link in links)
