"""Identifiers checked (#21 item 4): the citizen ID's structure and its agreement with the record, the card and
dossier number formats read from the rulebook, on every path that writes a member (service, page, API, import),
before anything is encrypted or written."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.core import clock
from chibo.core.citizen_ids import CENTURY_GENDER, citizen_id_problem, make, parse
from chibo.core.data.vn_provinces import PROVINCES
from chibo.core.models import AuditEvent, Rule
from chibo.core.rulebook import rule_add_version
from chibo.members import identifiers, services
from chibo.members.models import ACTIVE_STATUSES, Member

# Hà Nội (001), a woman (1: the 1900s, female) born in 1990 (90), serial 012345.
GOOD = "001190012345"


def member_data(**overrides) -> dict:
    data = dict(full_name="Lê Thị Hồng Nhung", gender="F", birth_date=date(1990, 5, 17),
                admission_date=date(2015, 3, 2), category="mission_staff", card_number="99100001",
                dossier_number="991001BNG", citizen_id=GOOD)
    data.update(overrides)
    return data


def written() -> tuple[int, int]:
    return Member.objects.count(), AuditEvent.objects.count()


# --- the structure --------------------------------------------------------------------------------------------

def test_the_province_list_is_data_with_its_2025_provinces():
    assert len(PROVINCES) == 63 and all(len(code) == 3 and code.isdigit() for code in PROVINCES)
    assert len({now for _, now in PROVINCES.values()}) == 34  # the 34 provinces and cities since 2025
    assert PROVINCES["001"] == ("Hà Nội", "Hà Nội") and PROVINCES["036"] == ("Nam Định", "Ninh Bình")
    assert "003" not in PROVINCES and "099" not in PROVINCES


def test_a_well_formed_number_is_read_part_by_part():
    parts = parse("079303001234")
    assert (parts.province, parts.female, parts.birth_year, parts.serial) == ("079", True, 2003, "001234")
    assert parts.province_name == "Hồ Chí Minh"
    assert {d: CENTURY_GENDER[d] for d in "0123"} == {"0": (1900, False), "1": (1900, True), "2": (2000, False),
                                                     "3": (2000, True)}
    assert make(province="036", birth_year=1988, female=False, serial=1234) == "036088001234"
    assert make(province="001", birth_year=2004, female=True, serial=7) == "001304000007"
    assert citizen_id_problem(GOOD, birth_date=date(1990, 5, 17), female=True, today=date(2026, 1, 1)) == ""


@pytest.mark.parametrize(("value", "kwargs", "words"), [
    ("00119001234", {}, ["đúng 12 chữ số", "có 11 chữ số"]),
    ("0011900123456", {}, ["đúng 12 chữ số", "có 13 chữ số"]),
    ("00119001234A", {}, ["12 chữ số", "«A»"]),
    ("123456789", {}, ["CMND 9 chữ số", "01/01/2025"]),
    ("003190012345", {}, ["ba chữ số đầu «003»", "mã tỉnh"]),
    ("001390012345", {"today": date(2026, 1, 1)}, ["chữ số thứ tư «3»", "2090", "chưa tới"]),
    (GOOD, {"female": False}, ["chữ số thứ tư «1»", "ghi nữ", "giới tính nam"]),
    (GOOD, {"birth_date": date(1991, 1, 1)}, ["thứ năm và thứ sáu «90»", "1990", "năm sinh 1991"]),
    ("001290012345", {"birth_date": date(1990, 1, 1), "female": False, "today": date(2100, 1, 1)},
     ["chữ số thứ tư «2»", "năm sinh 2090", "1990"]),
])
def test_each_wrong_part_is_named(value, kwargs, words):
    problem = citizen_id_problem(value, **kwargs)
    assert all(word in problem for word in words), problem


# --- the service, the page, the API -----------------------------------------------------------------------------

@pytest.fixture
def officer(actor_of):
    return actor_of("ban.tochuc")


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"citizen_id": "001090012345"}, "citizen_id", "giới tính nữ"),
    ({"citizen_id": "001185012345"}, "citizen_id", "năm sinh 1990"),
    ({"citizen_id": "999190012345"}, "citizen_id", "«999»"),
    ({"citizen_id": "001 1900 1234"}, "citizen_id", "có 11 chữ số"),
    ({"card_number": "AB12345"}, "card_number", "Định dạng số thẻ đảng viên"),
    ({"card_number": "12345"}, "card_number", "6 đến 12 chữ số"),
    ({"dossier_number": "12-345"}, "dossier_number", "không đúng định dạng"),
    ({"dossier_number": "ĐN123456"}, "dossier_number", "chữ cái không dấu"),
])
def test_member_create_refuses_a_wrong_identifier_and_writes_nothing(officer, unit, overrides, field, words):
    before = written()
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data(**overrides))
    assert words in exc.value.message_dict[field][0], exc.value.message_dict
    assert written() == before


def test_a_format_refusal_says_the_rule_awaits_confirmation(officer, unit):
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data(card_number="X1"))
    message = exc.value.message_dict["card_number"][0]
    assert message == ("Số thẻ đảng viên «X1» không đúng định dạng: cần 6 đến 12 chữ số "
                       "(quy định: Định dạng số thẻ đảng viên, quy định đang chờ xác nhận).")


def test_a_right_number_is_validated_then_stored_encrypted(officer, unit):
    member = services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data(citizen_id="0011 9001 2345"))
    assert Member.objects.get(pk=member.pk).citizen_id == GOOD
    with connection.cursor() as cursor:
        cursor.execute("SELECT citizen_id FROM members_member WHERE id = %s", [member.pk])
        assert GOOD not in str(cursor.fetchone()[0])


def test_an_edit_of_the_birth_year_or_gender_is_held_to_the_citizen_id(officer, unit):
    member = services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data())
    for changes, words in (({"birth_date": date(1989, 5, 17)}, "năm sinh 1989"), ({"gender": "M"}, "giới tính nam")):
        with pytest.raises(ValidationError) as exc:
            services.member_update(actor=officer, member=member, expected_version=member.version, changes=changes)
        assert words in exc.value.message_dict["citizen_id"][0]
    both = services.member_update(actor=officer, member=member, expected_version=member.version,
                                  changes={"birth_date": date(1989, 5, 17), "citizen_id": "001189012345"})
    assert both.citizen_id == "001189012345" and both.version == member.version + 1


def test_the_format_follows_the_rule_version_in_force(officer, unit, settings):
    settings.CHIBO_TODAY = date(2026, 6, 1)
    with pytest.raises(ValidationError) as exc:
        rule_add_version(actor=officer, key="members.card_number_format", value="[0-9", effective_from=date(2026, 5, 1),
                         basis="x")
    assert "biểu thức chính quy" in exc.value.message_dict["value"][0]
    rule_add_version(actor=officer, key="members.card_number_format", value="[0-9]{2}[.]?[0-9]{6}",
                     effective_from=date(2026, 5, 1), basis="Mẫu thẻ mới (giả định của phép thử)",
                     note="8 chữ số, có thể có dấu chấm sau hai chữ số đầu")
    assert services.member_create(actor=officer, unit=unit("PHAP-LHS"),
                                  **member_data(card_number="12.345678")).card_number == "12.345678"
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=officer, unit=unit("PHAP-LHS"), **member_data(card_number="123456789"))
    assert "8 chữ số, có thể có dấu chấm" in exc.value.message_dict["card_number"][0]
    assert "chờ xác nhận" not in exc.value.message_dict["card_number"][0]  # this version was added as confirmed


@pytest.fixture
def token_client(personas):
    from django.test import Client

    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    def make(username: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {token_create(actor=SYSTEM, user=personas[username], label='test')}")

    return make


def _form(unit_pk: int, **overrides) -> dict:
    data = {"unit": str(unit_pk), "status": "probationary", "full_name": "Lê Thị Hồng Nhung", "gender": "F",
            "birth_date": "17/05/1990", "home_town": "", "ethnicity": "Kinh", "education": "", "political_theory": "",
            "job_title": "", "workplace": "", "card_number": "99100002", "dossier_number": "", "admission_date":
            "02/03/2015", "admission_decided_on": "", "confirmation_date": "", "category": "mission_staff",
            "abroad_from": "", "abroad_to": "", "citizen_id": "001090012345", "phone": "", "email": ""}
    data.update(overrides)
    return data


def test_the_member_page_shows_the_wrong_part_next_to_the_field(client_of, unit):
    client = client_of("bithu.phap")
    before = written()
    answer = client.post(reverse("members:new"), _form(unit("PHAP-DSQ").pk))
    text = answer.content.decode()
    assert answer.status_code == 200 and "chữ số thứ tư «0» (thế kỷ và giới tính) ghi nam" in text
    assert written() == before
    answer = client.post(reverse("members:new"), _form(unit("PHAP-DSQ").pk, citizen_id=GOOD))
    assert answer.status_code == 302


def test_the_api_refuses_with_the_field_and_writes_nothing(token_client, unit):
    client = token_client("bithu.phap")
    before = written()
    body = {"unit": unit("PHAP-DSQ").pk, "full_name": "Lê Thị Hồng Nhung", "gender": "F", "birth_date": "1990-05-17",
            "admission_date": "2015-03-02", "category": "mission_staff", "citizen_id": "001190012345",
            "card_number": "CARD1"}
    answer = client.post("/api/v1/members/", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400 and "Định dạng số thẻ đảng viên" in answer.json()["card_number"][0]
    assert written() == before
    answer = client.post("/api/v1/members/", json.dumps({**body, "card_number": "99100003", "citizen_id": "0011"}),
                         content_type="application/json")
    assert answer.status_code == 400 and "đúng 12 chữ số" in answer.json()["citizen_id"][0]
    member = Member.objects.filter(unit=unit("PHAP-DSQ"), status__in=ACTIVE_STATUSES).order_by("pk").first()
    patch = client.patch(f"/api/v1/members/{member.pk}/", json.dumps({"version": member.version,
                                                                       "citizen_id": "001000000001"}),
                         content_type="application/json")
    assert patch.status_code == 400 and "Số CCCD" in patch.json()["citizen_id"][0]
    assert Member.objects.get(pk=member.pk).version == member.version


# --- the import ---------------------------------------------------------------------------------------------------

HEADER = ["Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Số lý lịch", "Ngày vào Đảng", "Diện ở nước ngoài",
          "Mã chi bộ", "Số CCCD"]


def _sheet(tmp_path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    return path


def _row(n: int, **overrides) -> list:
    values = {"name": "Trần Văn Bình", "gender": "Nam", "birth": "10/01/1985", "card": f"9920{n:04d}",
              "dossier": f"99{n:04d}BNG", "admitted": "02/03/2012", "category": "Lưu học sinh tự túc",
              "unit": "PHAP-LHS", "cccd": f"0310850{n:05d}"}
    values.update(overrides)
    return list(values.values())


def _analyse(actor, path):
    from chibo.bulk.services import analyse

    return analyse(actor=actor, path=path, size=path.stat().st_size, file_name=path.name)


def test_the_import_names_the_wrong_part_on_its_row_and_reads_each_rule_once(officer, tmp_path):
    rows = [_row(1), _row(2, cccd="031185000002"), _row(3, card="C-3"), _row(4, dossier="(4)"),
            _row(5, cccd="12345678912")]
    plan = _analyse(officer, _sheet(tmp_path, rows))
    errors = {row.number: "; ".join(row.errors) for row in plan.rows}
    assert errors[2] == "" and plan.rows[0].action == "new"
    assert "ghi nữ" in errors[3] and "giới tính nam" in errors[3]
    assert "Định dạng số thẻ đảng viên" in errors[4]
    assert "Định dạng số lý lịch đảng viên" in errors[5]
    assert "có 11 chữ số" in errors[6]
    # the format rules are read once for the whole file, not once a row
    many = [_row(n) for n in range(10, 40)]
    with CaptureQueriesContext(connection) as queries:
        _analyse(officer, _sheet(tmp_path, many))
    rule_reads = [q["sql"] for q in queries.captured_queries if '"core_rule"' in q["sql"]]
    assert len(rule_reads) <= 4, rule_reads


def test_the_import_writes_nothing_in_all_or_nothing_mode_when_an_id_is_wrong(officer, tmp_path):
    from chibo.bulk.services import ImportRefused, import_file

    path = _sheet(tmp_path, [_row(1), _row(2, cccd="031085000002", gender="Nữ")])
    before = written()
    with pytest.raises(ImportRefused):
        import_file(actor=officer, path=path, size=path.stat().st_size, file_name=path.name, mode="all")
    assert written() == before


# --- what is there already ----------------------------------------------------------------------------------------

def test_the_demo_members_carry_valid_identifiers(db):
    members = list(Member.objects.all())
    assert sum(1 for m in members if m.citizen_id) > 100 and sum(1 for m in members if m.card_number) > 100
    wrong = {m.pk: identifiers.identifier_errors(m, today=clock.today()) for m in members}
    assert not {pk: e for pk, e in wrong.items() if e}


def test_the_format_rules_are_seeded_to_confirm(db):
    for key in identifiers.FORMAT_RULES.values():
        version = Rule.objects.get(key=key)
        assert (version.unit, version.confidence) == ("pattern", "to_confirm") and version.note
