"""Services of members and units: every write leaves its row, its typed timeline event and an audit
event; every refusal carries a Vietnamese field message and leaves the database untouched."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import User
from chibo.accounts.selectors import grants_for_user
from chibo.core.errors import StaleEdit
from chibo.core.models import AuditEvent
from chibo.deadlines.models import Deadline
from chibo.members import services, timeline
from chibo.members.models import CommitteePost, Member, PostRole, Status, TimelineEvent, TimelineKind
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitChange, UnitKind

TODAY = timezone.localdate()
TRACKED = (Member, TimelineEvent, AuditEvent, Unit, UnitChange, CommitteePost)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TRACKED}


@contextmanager
def writes_nothing():
    """Asserts that the block leaves every tracked table exactly as it found it."""
    before = counts()
    yield
    assert counts() == before


def refused(call, field: str, *fragments: str) -> str:
    """Run ``call`` expecting a ValidationError on ``field`` that writes nothing; return the message."""
    with writes_nothing():
        with pytest.raises(ValidationError) as info:
            call()
    errors = info.value.message_dict
    assert field in errors, errors
    message = " ".join(errors[field])
    for fragment in fragments:
        assert fragment in message, message
    return message


def member_data(**overrides) -> dict:
    data = dict(
        full_name="Lê Thị Hồng Nhung", gender="F", birth_date=date(1990, 5, 17), home_town="Nam Định",
        education="master", political_theory="intermediate", job_title="Tham tán", workplace="Đại sứ quán",
        card_number="99000001", dossier_number="990001BNG", admission_date=date(2015, 3, 2),
        category="mission_staff", abroad_from=date(2024, 8, 1), abroad_to=date(2027, 8, 1),
        citizen_id="001190012345", phone="+33 1 44 14 64 00", email="Nhung.Le@Example.org",
    )
    data.update(overrides)
    return data


def last_audit(action: str, obj) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, object_type=obj._meta.model_name,
                                     object_id=str(obj.pk)).order_by("-pk").first()


@pytest.fixture
def officer(actor_of):
    return actor_of("ban.tochuc")


@pytest.fixture
def phap_member(unit):
    """A full member on the rolls of the embassy cell in France."""
    return Member.objects.filter(unit=unit("PHAP-DSQ"), status=Status.FULL, posts__isnull=True).first()


# -- member_create --------------------------------------------------------------------------------------

def test_member_create_writes_row_timeline_and_audit(officer, unit):
    before = counts()
    member = services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data())
    after = counts()
    assert after["Member"] == before["Member"] + 1
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    # member.created, and deadline.opened for the confirmation due after probation
    assert after["AuditEvent"] == before["AuditEvent"] + 2
    deadline = Deadline.objects.get(member=member, kind="probation.confirmation")
    assert deadline.start_date == date(2016, 3, 2) and deadline.rule.key == "confirmation.consider_within"

    stored = Member.objects.get(pk=member.pk)
    assert stored.full_name == "Lê Thị Hồng Nhung"
    assert stored.status == Status.PROBATIONARY and stored.version == 1
    assert stored.email == "nhung.le@example.org"  # normalized
    assert stored.citizen_id == "001190012345"  # decrypted on read
    assert stored.name_search == "le thi hong nhung"

    event = TimelineEvent.objects.get(member=member)
    assert event.kind == TimelineKind.CREATED
    assert event.occurred_on == date(2015, 3, 2)
    assert event.actor_label == "ban.tochuc"
    assert event.data == {"status": "probationary", "unit": unit("PHAP-LHS").name, "unit_id": unit("PHAP-LHS").pk}
    audit_row = last_audit("member.created", member)
    assert audit_row is not None and (audit_row.actor_id, audit_row.actor_label) == (officer.user.pk, "")
    assert audit_row.unit_id == unit("PHAP-LHS").pk


def test_secretary_creates_in_own_subtree_only(actor_of, unit):
    secretary = actor_of("bithu.phap")
    services.member_create(actor=secretary, unit=unit("PHAP-UNESCO"), **member_data())
    with writes_nothing(), pytest.raises(PermissionDenied):
        services.member_create(actor=secretary, unit=unit("DUC-DSQ"),
                               **member_data(card_number="99000002", dossier_number="990002BNG"))


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"birth_date": TODAY + timedelta(days=1)}, "birth_date", "Ngày sinh không hợp lệ"),
    ({"birth_date": date(1890, 1, 1)}, "birth_date", "Ngày sinh không hợp lệ"),
    ({"admission_date": TODAY + timedelta(days=3)}, "admission_date", "không thể ở tương lai"),
    ({"admission_date": date(2000, 1, 1)}, "admission_date", "dưới 16 tuổi"),
    ({"confirmation_date": date(2016, 1, 1)}, "confirmation_date", "dự bị chưa có ngày chính thức"),
    ({"abroad_from": date(2024, 8, 1), "abroad_to": date(2024, 7, 31)}, "abroad_to", "phải sau ngày bắt đầu"),
    ({"full_name": "Nhung"}, "full_name", "ít nhất hai chữ"),
    ({"full_name": "Lê Thị Nhung 2"}, "full_name", "chữ số"),
    ({"citizen_id": "12345"}, "citizen_id", "12 chữ số"),
    ({"email": "khong-phai-thu"}, "email", "không hợp lệ"),
    ({"gender": "X"}, "gender", "không hợp lệ"),
])
def test_member_create_refuses_impossible_input(officer, unit, overrides, field, fragment):
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"), **member_data(**overrides)),
            field, fragment)


def test_member_create_full_needs_confirmation_after_admission(officer, unit):
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"), status=Status.FULL,
                                           **member_data()), "confirmation_date", "cần ngày chính thức")
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"), status=Status.FULL,
                                           **member_data(confirmation_date=date(2015, 3, 1))),
            "confirmation_date", "phải sau ngày vào Đảng")
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"), status=Status.EXPELLED,
                                           **member_data()), "status", "dự bị hoặc chính thức")


def test_member_create_refused_in_closed_unit(officer, unit):
    closed = unit("DOAN-APEC17")
    assert closed.closed_on is not None
    refused(lambda: services.member_create(actor=officer, unit=closed, **member_data()), "unit", "đã giải thể")


def test_member_create_refuses_duplicate_card_and_dossier(officer, unit):
    existing = Member.objects.exclude(card_number__isnull=True).exclude(dossier_number__isnull=True).first()
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"),
                                           **member_data(card_number=existing.card_number)),
            "card_number", "đã có trong hồ sơ đảng viên khác", existing.card_number)
    # Spaces and case are normalized before the uniqueness check.
    spaced = " ".join(existing.dossier_number.lower())
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"),
                                           **member_data(dossier_number=spaced)),
            "dossier_number", "đã có trong hồ sơ đảng viên khác")


def test_member_create_refuses_unknown_fields(officer, unit):
    refused(lambda: services.member_create(actor=officer, unit=unit("PHAP-DSQ"), status=Status.PROBATIONARY,
                                           **member_data(version=7)), "__all__", "version")


# -- member_update ------------------------------------------------------------------------------------

def test_member_update_writes_diff_timeline_and_audit(officer, phap_member):
    v = phap_member.version
    before = counts()
    updated = services.member_update(actor=officer, member=phap_member, expected_version=v,
                                     changes={"job_title": "Công sứ", "phone": "+33 6 12 34 56 78",
                                              "abroad_to": date(2029, 1, 31)})
    assert updated.version == v + 1
    after = counts()
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    assert after["Member"] == before["Member"]

    stored = Member.objects.get(pk=phap_member.pk)
    assert stored.job_title == "Công sứ" and stored.phone == "+33 6 12 34 56 78"
    assert stored.abroad_to == date(2029, 1, 31) and stored.version == v + 1
    event = TimelineEvent.objects.filter(member=phap_member).order_by("-pk").first()
    assert event.kind == TimelineKind.UPDATED and event.data["version"] == v + 1
    changed = {c["field"]: c for c in event.data["changed"]}
    assert set(changed) == {"job_title", "phone", "abroad_to"}
    assert (changed["job_title"]["old"], changed["job_title"]["new"]) == (phap_member.job_title, "Công sứ")
    assert changed["job_title"]["label"] == "chức vụ, nghề nghiệp"
    assert changed["abroad_to"]["new"] == "31/01/2029"
    # Secret fields: only the fact of the change, never the value.
    assert (changed["phone"]["old"], changed["phone"]["new"]) == ("(đã thay đổi)", "(đã thay đổi)")
    audit_row = last_audit(TimelineKind.UPDATED, phap_member)
    assert "+33 6 12 34 56 78" not in str(audit_row.data)


def test_member_update_without_changes_writes_nothing(officer, phap_member):
    with writes_nothing():
        same = services.member_update(actor=officer, member=phap_member, expected_version=phap_member.version,
                                      changes={"job_title": f"  {phap_member.job_title} "})
    assert same.version == phap_member.version


@pytest.mark.parametrize("changes, field, fragment", [
    ({"birth_date": TODAY + timedelta(days=10)}, "birth_date", "Ngày sinh không hợp lệ"),
    ({"admission_date": TODAY + timedelta(days=1)}, "admission_date", "không thể ở tương lai"),
    ({"confirmation_date": date(1950, 1, 1)}, "confirmation_date", "phải sau ngày vào Đảng"),
    ({"confirmation_date": None}, "confirmation_date", "cần ngày chính thức"),
    ({"abroad_from": date(2025, 1, 10), "abroad_to": date(2025, 1, 9)}, "abroad_to", "phải sau ngày bắt đầu"),
    ({"phone": "gọi tôi"}, "phone", "chữ số"),
])
def test_member_update_refuses_impossible_dates(officer, phap_member, changes, field, fragment):
    refused(lambda: services.member_update(actor=officer, member=phap_member, expected_version=phap_member.version,
                                           changes=changes), field, fragment)
    assert Member.objects.get(pk=phap_member.pk).version == phap_member.version


def test_member_update_refuses_duplicate_card_number(officer, phap_member):
    other = Member.objects.exclude(pk=phap_member.pk).exclude(card_number__isnull=True).first()
    refused(lambda: services.member_update(actor=officer, member=phap_member, expected_version=phap_member.version,
                                           changes={"card_number": other.card_number}),
            "card_number", other.card_number)


def test_member_update_refuses_status_and_unit(officer, phap_member, unit):
    refused(lambda: services.member_update(actor=officer, member=phap_member, expected_version=phap_member.version,
                                           changes={"status": Status.EXPELLED}), "__all__", "status")
    refused(lambda: services.member_update(actor=officer, member=phap_member, expected_version=phap_member.version,
                                           changes={"unit": unit("DUC")}), "__all__", "unit")


# -- concurrent edit: two editors load version v --------------------------------------------------------

def test_second_editor_with_stale_version_is_refused_and_told_what_changed(actor_of, phap_member):
    first, second = actor_of("bithu.phap"), actor_of("ban.tochuc")
    v = phap_member.version
    loaded_by_first = Member.objects.get(pk=phap_member.pk)
    loaded_by_second = Member.objects.get(pk=phap_member.pk)

    services.member_update(actor=first, member=loaded_by_first, expected_version=v,
                           changes={"job_title": "Bí thư thứ nhất phụ trách lãnh sự", "workplace": "Lãnh sự"})
    with writes_nothing(), pytest.raises(StaleEdit) as info:
        services.member_update(actor=second, member=loaded_by_second, expected_version=v,
                               changes={"job_title": "Tùy viên quốc phòng", "home_town": "Huế"})
    stale = info.value
    assert stale.current_version == v + 1
    message = stale.message
    assert "bithu.phap" in message  # who changed it
    assert "Bí thư thứ nhất phụ trách lãnh sự" in message  # the field's new value
    assert "chức vụ, nghề nghiệp" in message and "chưa được lưu" in message
    assert {c.field for c in stale.changes} == {"job_title", "workplace"}
    assert all(c.by == "bithu.phap" and c.at for c in stale.changes)

    stored = Member.objects.get(pk=phap_member.pk)
    assert stored.job_title == "Bí thư thứ nhất phụ trách lãnh sự"
    assert stored.workplace == "Lãnh sự"
    assert stored.home_town == phap_member.home_town
    assert stored.version == v + 1

    # Reloading and saving again with the current version succeeds.
    services.member_update(actor=second, member=stored, expected_version=stored.version,
                           changes={"home_town": "Huế"})
    assert Member.objects.get(pk=phap_member.pk).home_town == "Huế"


def test_stale_message_shows_latest_value_of_each_field(actor_of, phap_member):
    a, b = actor_of("bithu.phap"), actor_of("ban.tochuc")
    v = phap_member.version
    services.member_update(actor=a, member=phap_member, expected_version=v, changes={"job_title": "Tham tán"})
    services.member_update(actor=b, member=phap_member, expected_version=v + 1, changes={"job_title": "Công sứ"})
    with pytest.raises(StaleEdit) as info:
        services.member_update(actor=a, member=phap_member, expected_version=v, changes={"home_town": "Huế"})
    assert [(c.field, c.value, c.by) for c in info.value.changes] == [("job_title", "Công sứ", "ban.tochuc")]


def _form_data(member: Member, **overrides) -> dict:
    data = {}
    for name in services.EDITABLE_FIELDS:
        value = getattr(member, name)
        if isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    data.update(overrides)
    return data


def test_stale_edit_through_the_form_is_refused_with_the_message(client_of, actor_of, phap_member):
    editor = client_of("ban.tochuc")
    url = reverse("members:edit", args=[phap_member.pk])
    v = phap_member.version
    page = editor.get(url)
    assert page.status_code == 200
    assert f'name="version" value="{v}"' in page.content.decode()

    services.member_update(actor=actor_of("bithu.phap"), member=phap_member, expected_version=v,
                           changes={"workplace": "Phòng Lãnh sự Paris"})
    with writes_nothing():
        response = editor.post(url, _form_data(phap_member, version=str(v), job_title="Đổi sau cùng"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "chưa được lưu" in html and "bithu.phap" in html and "Phòng Lãnh sự Paris" in html
    stored = Member.objects.get(pk=phap_member.pk)
    assert stored.workplace == "Phòng Lãnh sự Paris"
    assert stored.job_title == phap_member.job_title

    # With the fresh version the same form saves and redirects.
    ok = editor.post(url, _form_data(stored, version=str(stored.version), job_title="Đổi sau cùng"))
    assert ok.status_code == 302
    assert Member.objects.get(pk=phap_member.pk).job_title == "Đổi sau cùng"


def test_stale_edit_through_the_api_answers_409(client_of, actor_of, phap_member):
    editor = client_of("ban.tochuc")
    url = f"/api/v1/members/{phap_member.pk}/"
    v = editor.get(url).json()["version"]
    services.member_update(actor=actor_of("bithu.phap"), member=phap_member, expected_version=v,
                           changes={"home_town": "Thừa Thiên Huế"})
    with writes_nothing():
        response = editor.patch(url, {"version": v, "home_town": "Hải Phòng"}, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert "bithu.phap" in body["detail"] and "Thừa Thiên Huế" in body["detail"]
    assert body["current_version"] == v + 1
    assert body["changes"][0]["field"] == "home_town" and body["changes"][0]["value"] == "Thừa Thiên Huế"
    assert Member.objects.get(pk=phap_member.pk).home_town == "Thừa Thiên Huế"


# -- member_change_status / member_move ------------------------------------------------------------------

def test_change_status_writes_row_timeline_and_audit(officer, unit):
    member = services.member_create(actor=officer, unit=unit("PHAP-DSQ"), **member_data())
    before = counts()
    effective = TODAY - timedelta(days=2)
    updated = services.member_change_status(actor=officer, member=member, status=Status.FULL,
                                            reason="Đủ điều kiện chuyển chính thức", document="12-NQ/ĐUBNG",
                                            effective_on=effective)
    after = counts()
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    # the status change, and the confirmation deadline met on the effective date
    assert after["AuditEvent"] == before["AuditEvent"] + 2
    deadline = Deadline.objects.get(member=member, kind="probation.confirmation")
    assert deadline.state == "met" and deadline.met_on == effective
    stored = Member.objects.get(pk=member.pk)
    assert stored.status == Status.FULL and stored.confirmation_date == effective
    assert stored.version == updated.version == member.version + 1
    event = TimelineEvent.objects.filter(member=member).order_by("-pk").first()
    assert event.kind == TimelineKind.STATUS_CHANGED and event.occurred_on == effective
    assert event.data["from"] == "probationary" and event.data["to"] == "full"
    assert event.data["reason"] == "Đủ điều kiện chuyển chính thức" and event.data["document"] == "12-NQ/ĐUBNG"
    assert last_audit(TimelineKind.STATUS_CHANGED, member) is not None


def test_change_status_refusals(officer, unit):
    member = services.member_create(actor=officer, unit=unit("PHAP-DSQ"), status=Status.FULL,
                                    **member_data(confirmation_date=date(2016, 3, 2)))
    services.member_change_status(actor=officer, member=member, status=Status.EXPELLED, reason="Vi phạm kỷ luật",
                                  document="5-QĐ/UBKT", effective_on=TODAY - timedelta(days=1))
    member.refresh_from_db()

    def change(**kw):
        args = dict(status=Status.FULL, reason="Xét lại", document="6-QĐ/UBKT", effective_on=TODAY)
        args.update(kw)
        return lambda: services.member_change_status(actor=officer, member=member, **args)

    refused(change(), "status", "Không thể chuyển từ «Khai trừ» sang «Chính thức»")
    refused(change(status="bogus"), "status", "không hợp lệ")

    active = Member.objects.filter(unit=unit("PHAP-LHS"), status=Status.FULL).first()

    def change_active(**kw):
        args = dict(status=Status.EXEMPT, reason="Tuổi cao", document="7-QĐ", effective_on=TODAY)
        args.update(kw)
        return lambda: services.member_change_status(actor=officer, member=active, **args)

    refused(change_active(reason="   "), "reason", "Cần ghi lý do")
    refused(change_active(document=""), "document", "văn bản quyết định")
    refused(change_active(effective_on=TODAY + timedelta(days=1)), "effective_on", "không thể ở tương lai")
    refused(change_active(effective_on=active.admission_date - timedelta(days=1)), "effective_on",
            "trước ngày vào Đảng")
    refused(change_active(status=Status.PROBATIONARY), "status", "sang «Dự bị»")
    assert Member.objects.get(pk=active.pk).status == Status.FULL


def test_change_status_outside_scope_is_denied(actor_of, unit):
    duc_member = Member.objects.filter(unit__code="DUC-DSQ", status=Status.FULL).first()
    with writes_nothing(), pytest.raises(PermissionDenied):
        services.member_change_status(actor=actor_of("bithu.phap"), member=duc_member, status=Status.EXEMPT,
                                      reason="x", document="y", effective_on=TODAY)
    with writes_nothing(), pytest.raises(PermissionDenied):
        services.member_change_status(actor=actor_of("ub.kiemtra"), member=duc_member, status=Status.EXEMPT,
                                      reason="x", document="y", effective_on=TODAY)


def test_member_move_writes_row_timeline_and_audit(officer, phap_member, unit):
    target = unit("PHAP-UNESCO")
    before = counts()
    services.member_move(actor=officer, member=phap_member, to_unit=target, reason="Điều động công tác",
                         document="88-QĐ/ĐUBNG", effective_on=TODAY)
    after = counts()
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    stored = Member.objects.get(pk=phap_member.pk)
    assert stored.unit == target and stored.version == phap_member.version + 1
    event = TimelineEvent.objects.filter(member=phap_member).order_by("-pk").first()
    assert event.kind == TimelineKind.MOVED and event.unit == target
    assert event.data["from"] == unit("PHAP-DSQ").name and event.data["to"] == target.name
    assert last_audit(TimelineKind.MOVED, phap_member).unit_id == target.pk


def test_member_move_refusals(officer, actor_of, phap_member, unit):
    def move(to_unit, **kw):
        args = dict(reason="Điều động", document="9-QĐ", effective_on=TODAY)
        args.update(kw)
        return lambda: services.member_move(actor=officer, member=phap_member, to_unit=to_unit, **args)

    refused(move(unit("DOAN-APEC17")), "to_unit", "đã giải thể")
    refused(move(unit("PHAP-DSQ")), "to_unit", "đang sinh hoạt tại tổ chức này")
    refused(move(unit("PHAP-LHS"), document=" "), "document")
    refused(move(unit("PHAP-LHS"), effective_on=None), "effective_on", "Cần ngày hiệu lực")
    # A secretary of France cannot move a member into Germany.
    with writes_nothing(), pytest.raises(PermissionDenied):
        services.member_move(actor=actor_of("bithu.phap"), member=phap_member, to_unit=unit("DUC-DSQ"),
                             reason="x", document="y", effective_on=TODAY)
    assert Member.objects.get(pk=phap_member.pk).unit == unit("PHAP-DSQ")


# -- units ----------------------------------------------------------------------------------------------

def test_unit_create_writes_row_change_and_audit(officer, unit):
    before = counts()
    cell = unit_services.unit_create(
        actor=officer, parent=unit("PHAP"), kind=UnitKind.SUBORDINATE_CELL,
        name="Chi bộ Tổng lãnh sự quán tại Marseille",
        code="phap-mrs", country="fr", city="Marseille", mission_kind="consulate_general",
        opened_on=date(2024, 5, 1), opened_by_doc="901-QĐ/ĐUBNG",
    )
    after = counts()
    assert after["Unit"] == before["Unit"] + 1
    assert after["UnitChange"] == before["UnitChange"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    stored = Unit.objects.get(pk=cell.pk)
    assert stored.code == "PHAP-MRS" and stored.country == "FR"
    assert stored.parent == unit("PHAP") and stored.depth == unit("PHAP").depth + 1
    assert stored.path.startswith(unit("PHAP").path) and len(stored.path) == len(unit("PHAP").path) + 8
    change = UnitChange.objects.get(unit=cell)
    assert change.action == "created" and change.after["parent"] == "PHAP" and change.document == "901-QĐ/ĐUBNG"
    assert last_audit("unit.created", cell).actor_id == officer.user.pk


@pytest.mark.parametrize("kwargs, field, fragment", [
    ({"kind": UnitKind.GRASSROOTS_CELL}, "kind", "Không thể lập «Chi bộ cơ sở» trực thuộc «Đảng bộ cơ sở»"),
    ({"code": "PHAP-DSQ"}, "code", "đã được dùng"),
    ({"code": "phap-dsq"}, "code", "đã được dùng"),
    ({"code": "PHÁP 2"}, "code", "không dấu"),
    ({"country": "XX"}, "country", "ISO 3166"),
    ({"name": "   "}, "name", "không được để trống"),
    ({"opened_on": TODAY + timedelta(days=1)}, "opened_on", "tương lai"),
    ({"opened_on": date(1950, 1, 1)}, "opened_on", "trước ngày thành lập tổ chức cấp trên"),
])
def test_unit_create_refusals(officer, unit, kwargs, field, fragment):
    args = dict(parent=unit("PHAP"), kind=UnitKind.SUBORDINATE_CELL, name="Chi bộ mới", code="PHAP-NEW",
                country="FR", opened_on=date(2024, 5, 1))
    args.update(kwargs)
    refused(lambda: unit_services.unit_create(actor=officer, **args), field, fragment)


def test_unit_create_refused_under_closed_unit_and_without_permission(officer, actor_of, unit):
    refused(lambda: unit_services.unit_create(actor=officer, parent=unit("DOAN-APEC17"), kind=UnitKind.PARTY_GROUP,
                                              name="Tổ đảng", code="TD-1", opened_on=date(2017, 10, 1)),
            "parent", "đã giải thể")
    refused(lambda: unit_services.unit_create(actor=officer, parent=None, kind=UnitKind.UPPER_COMMITTEE,
                                              name="Đảng ủy thứ hai", code="DU2", opened_on=date(2020, 1, 1)),
            "parent", "Chỉ có một Đảng ủy cấp trên")
    # A secretary holds no units.edit, even in their own subtree.
    with writes_nothing(), pytest.raises(PermissionDenied):
        unit_services.unit_create(actor=actor_of("bithu.phap"), parent=unit("PHAP"), kind=UnitKind.SUBORDINATE_CELL,
                                  name="Chi bộ mới", code="PHAP-NEW", opened_on=date(2024, 5, 1))


def test_unit_update_writes_change_and_refuses_stale_version(officer, actor_of, unit):
    phap = unit("PHAP")
    v = phap.version
    updated = unit_services.unit_update(actor=officer, unit=phap, expected_version=v,
                                        changes={"city": "Paris 16e", "name": "Đảng bộ Đại sứ quán tại Cộng hòa Pháp"},
                                        document="77-QĐ")
    assert updated.version == v + 1
    stored = Unit.objects.get(pk=phap.pk)
    assert stored.city == "Paris 16e" and stored.name == "Đảng bộ Đại sứ quán tại Cộng hòa Pháp"
    change = stored.changes.first()
    assert change.action == "updated" and change.before["city"] == "Paris" and change.after["city"] == "Paris 16e"
    assert last_audit("unit.updated", phap) is not None

    with writes_nothing(), pytest.raises(StaleEdit) as info:
        unit_services.unit_update(actor=officer, unit=phap, expected_version=v, changes={"city": "Lyon"})
    assert "ban.tochuc" in info.value.message and "Paris 16e" in info.value.message
    refused(lambda: unit_services.unit_update(actor=officer, unit=phap, expected_version=v + 1,
                                              changes={"code": "DUC"}), "code", "đã được dùng")
    with writes_nothing(), pytest.raises(PermissionDenied):
        unit_services.unit_update(actor=actor_of("bithu.phap"), unit=phap, expected_version=v + 1,
                                  changes={"city": "Lyon"})
    assert Unit.objects.get(pk=phap.pk).city == "Paris 16e"


def test_unit_move_moves_the_subtree(officer, unit):
    duc, fra = unit("DUC"), unit("DUC-FRA")
    fra_members = Member.objects.filter(unit=fra).count()
    moved = unit_services.unit_move(actor=officer, unit=fra, new_parent=unit("PHAP"), document="55-QĐ/ĐUBNG")
    assert moved.parent == unit("PHAP")
    assert moved.path.startswith(unit("PHAP").path) and not moved.path.startswith(duc.path)
    assert moved.path.endswith(fra.path[-8:]) and moved.version == fra.version + 1
    assert Member.objects.filter(unit__path__startswith=unit("PHAP").path, unit=moved).count() == fra_members
    change = moved.changes.first()
    assert change.action == "moved" and change.before == {"parent": "DUC"} and change.after == {"parent": "PHAP"}
    assert last_audit("unit.moved", moved) is not None


def test_unit_move_refusals(officer, unit):
    phap = unit("PHAP")
    path_before = phap.path
    refused(lambda: unit_services.unit_move(actor=officer, unit=phap, new_parent=unit("PHAP-DSQ"), document="1-QĐ"),
            "parent", "chính nó hoặc tổ chức trực thuộc")
    refused(lambda: unit_services.unit_move(actor=officer, unit=phap, new_parent=phap, document="1-QĐ"),
            "parent", "chính nó")
    refused(lambda: unit_services.unit_move(actor=officer, unit=unit("PHAP-DSQ"), new_parent=unit("ANH"),
                                            document="1-QĐ"), "parent", "không thể trực thuộc")
    refused(lambda: unit_services.unit_move(actor=officer, unit=unit("PHAP-DSQ"), new_parent=unit("DOAN-APEC17"),
                                            document="1-QĐ"), "parent", "đã giải thể")
    refused(lambda: unit_services.unit_move(actor=officer, unit=unit("PHAP-DSQ"), new_parent=unit("DUC"),
                                            document=""), "document", "Cần số quyết định")
    assert Unit.objects.get(pk=phap.pk).path == path_before


def test_unit_close_refusals_and_success(officer, unit):
    refused(lambda: unit_services.unit_close(actor=officer, unit=unit("PHAP"), closed_on=TODAY, document="1-QĐ"),
            "closed_on", "Còn tổ chức trực thuộc đang hoạt động")
    remaining = Member.objects.filter(unit=unit("PHAP-UNESCO"), status__in=("full", "probationary", "exempt",
                                                                            "suspended")).count()
    assert remaining > 0
    refused(lambda: unit_services.unit_close(actor=officer, unit=unit("PHAP-UNESCO"), closed_on=TODAY,
                                             document="1-QĐ"), "closed_on", f"Còn {remaining} đảng viên")
    refused(lambda: unit_services.unit_close(actor=officer, unit=unit("DOAN-APEC17"), closed_on=TODAY,
                                             document="1-QĐ"), "closed_on", "đã giải thể")

    empty = unit_services.unit_create(actor=officer, parent=unit("PHAP"), kind=UnitKind.SUBORDINATE_CELL,
                                      name="Chi bộ đoàn công tác Lyon", code="PHAP-LYON", opened_on=date(2025, 1, 1))
    refused(lambda: unit_services.unit_close(actor=officer, unit=empty, closed_on=date(2024, 12, 31), document="2-QĐ"),
            "closed_on", "sau ngày thành lập")
    refused(lambda: unit_services.unit_close(actor=officer, unit=empty, closed_on=TODAY, document=""),
            "document", "Cần số quyết định")
    closed = unit_services.unit_close(actor=officer, unit=empty, closed_on=TODAY, document="3-QĐ/ĐUBNG")
    stored = Unit.objects.get(pk=empty.pk)
    assert stored.closed_on == TODAY and stored.closed_by_doc == "3-QĐ/ĐUBNG" and not closed.is_open
    assert stored.changes.first().action == "closed"
    assert last_audit("unit.closed", stored) is not None


# -- committee posts ------------------------------------------------------------------------------------

def test_post_appoint_writes_row_timeline_and_audit(officer, unit):
    cell = unit("PHAP-LHS")
    member = Member.objects.filter(unit=cell, status=Status.FULL, posts__isnull=True).first()
    before = counts()
    post = services.post_appoint(actor=officer, unit=cell, member=member, role=PostRole.COMMITTEE_MEMBER,
                                      from_date=TODAY, decision_no="41-QĐ/ĐUPHAP", decision_date=TODAY)
    after = counts()
    assert after["CommitteePost"] == before["CommitteePost"] + 1
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    assert CommitteePost.objects.get(pk=post.pk).to_date is None
    event = TimelineEvent.objects.filter(member=member).order_by("-pk").first()
    assert event.kind == TimelineKind.APPOINTED and event.unit == cell
    assert event.data["role_code"] == "committee_member" and event.data["decision_no"] == "41-QĐ/ĐUPHAP"
    assert timeline.label(event.kind) == "Được chỉ định vào cấp ủy"
    assert timeline.describe(event).startswith(f"Cấp ủy viên, {cell.name} — QĐ 41-QĐ/ĐUPHAP ngày ")
    assert last_audit(TimelineKind.APPOINTED, member) is not None


def test_new_secretary_ends_the_sitting_one_and_keeps_history(officer, unit):
    phap = unit("PHAP")
    sitting = CommitteePost.objects.get(unit=phap, role=PostRole.SECRETARY, to_date__isnull=True)
    newcomer = Member.objects.filter(unit__path__startswith=phap.path, status=Status.FULL,
                                     posts__isnull=True).first()
    start = TODAY - timedelta(days=1)
    before = counts()
    post = services.post_appoint(actor=officer, unit=phap, member=newcomer, role=PostRole.SECRETARY,
                                      from_date=start, decision_no="100-QĐ/ĐUBNG", decision_date=start)
    after = counts()
    assert after["CommitteePost"] == before["CommitteePost"] + 1
    assert after["TimelineEvent"] == before["TimelineEvent"] + 2  # appointed + ended
    # … each in the audit chain, with the sitting secretary's role ending with their post
    actions = list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[:after["AuditEvent"]
                                                                                      - before["AuditEvent"]])
    expected = ["post.appointed", "post.ended", "role.withdrawn"]  # the sitting secretary's role ends
    if User.objects.filter(member=newcomer).exists():
        expected.append("role.granted")  # and the newcomer's account gets the secretary's role
    assert sorted(actions) == sorted(expected), actions

    old = CommitteePost.objects.get(pk=sitting.pk)
    assert old.to_date == start - timedelta(days=1) and old.ended_reason == "Chỉ định bí thư mới"
    current = CommitteePost.objects.filter(unit=phap, role=PostRole.SECRETARY, to_date__isnull=True)
    assert list(current) == [post]
    assert CommitteePost.objects.filter(unit=phap, role=PostRole.SECRETARY).count() == 2
    ended = TimelineEvent.objects.filter(member=sitting.member, kind=TimelineKind.POST_ENDED).get()
    assert ended.occurred_on == old.to_date and ended.data["reason"] == "Chỉ định bí thư mới"
    # The sitting secretary's account keeps the role through the last day of the post, not after.
    holder = User.objects.get(member=sitting.member)
    assert grants_for_user(holder, on=old.to_date) and not grants_for_user(holder, on=start)


def test_post_appoint_refusals(officer, unit):
    phap = unit("PHAP")
    duc_member = Member.objects.filter(unit__code="DUC-DSQ", status=Status.FULL, posts__isnull=True).first()
    ok_member = Member.objects.filter(unit__code="PHAP-DSQ", status=Status.FULL, posts__isnull=True).first()
    sitting = CommitteePost.objects.get(unit=phap, role=PostRole.SECRETARY, to_date__isnull=True)

    def appoint(member, **kw):
        args = dict(role=PostRole.COMMITTEE_MEMBER, from_date=TODAY, decision_no="1-QĐ", decision_date=TODAY)
        args.update(kw)
        return lambda: services.post_appoint(actor=officer, unit=phap, member=member, **args)

    refused(appoint(duc_member), "member", "không sinh hoạt tại")
    refused(appoint(sitting.member), "member", "đang giữ một chức vụ")
    refused(appoint(ok_member, decision_no="  "), "decision_no", "Cần số quyết định")
    refused(appoint(ok_member, decision_date=TODAY + timedelta(days=1)), "decision_date", "tương lai")
    refused(appoint(ok_member, from_date=TODAY - timedelta(days=5)), "from_date", "trước ngày quyết định")
    refused(appoint(ok_member, role="chairman"), "role", "không hợp lệ")
    gone = Member.objects.filter(unit__path__startswith=phap.path).exclude(
        status__in=("full", "probationary", "exempt", "suspended")).first()
    if gone is not None:
        refused(appoint(gone), "member", "không còn sinh hoạt")
    assert CommitteePost.objects.get(pk=sitting.pk).to_date is None


def test_post_appoint_by_secretary_is_denied(actor_of, unit):
    member = Member.objects.filter(unit__code="PHAP-DSQ", status=Status.FULL, posts__isnull=True).first()
    with writes_nothing(), pytest.raises(PermissionDenied):
        services.post_appoint(actor=actor_of("bithu.phap"), unit=unit("PHAP-DSQ"), member=member,
                                   role=PostRole.COMMITTEE_MEMBER, from_date=TODAY, decision_no="1",
                                   decision_date=TODAY)


def test_post_end(officer, unit):
    post = CommitteePost.objects.filter(unit=unit("PHAP"), role=PostRole.DEPUTY_SECRETARY,
                                        to_date__isnull=True).first()
    refused(lambda: services.post_end(actor=officer, post=post, to_date=post.from_date - timedelta(days=1),
                                           reason="Hết nhiệm kỳ"), "to_date", "không thể trước ngày nhận nhiệm vụ")
    refused(lambda: services.post_end(actor=officer, post=post, to_date=TODAY, reason=" "), "reason", "lý do")
    before = counts()
    services.post_end(actor=officer, post=post, to_date=TODAY, reason="Hết nhiệm kỳ công tác")
    after = counts()
    assert after["TimelineEvent"] == before["TimelineEvent"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    stored = CommitteePost.objects.get(pk=post.pk)
    assert stored.to_date == TODAY and stored.ended_reason == "Hết nhiệm kỳ công tác"
    event = TimelineEvent.objects.filter(member=post.member).order_by("-pk").first()
    assert event.kind == TimelineKind.POST_ENDED and event.occurred_on == TODAY
    refused(lambda: services.post_end(actor=officer, post=stored, to_date=TODAY, reason="Lần nữa"),
            "to_date", "đã kết thúc")


def test_a_member_transferred_out_comes_back_only_by_a_transfer_in(officer, unit, phap_member):
    member = services.member_change_status(actor=officer, member=phap_member, status=Status.TRANSFERRED_OUT,
                                           reason="Đã đến sinh hoạt tại Đảng bộ trong nước", document="3/QĐ",
                                           effective_on=TODAY - timedelta(days=3))
    refused(lambda: services.member_move(actor=officer, member=member, to_unit=unit("PHAP-LHS"), reason="Điều động",
                                         document="4/QĐ", effective_on=TODAY), "status", "không còn sinh hoạt")
    back = services.member_transfer_in(actor=officer, member=member, to_unit=unit("PHAP-LHS"), reason="Trở lại",
                                       document="5/QĐ", effective_on=TODAY)
    assert back.status == Status.FULL and back.unit == unit("PHAP-LHS")
