"""Person names on every write path (members, applicants, the API): one normalizing helper, hidden characters and
markup refused with the reason, a warning (not a refusal) for a name typed without diacritics; stock form messages
that read right in Vietnamese."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from chibo.admission.models import Applicant
from chibo.core.text import hidden_characters_problem, name_problem, name_warning, person_name
from chibo.members.models import Member


def test_person_name_is_nfc_spaced_and_capitalised_the_vietnamese_way():
    decomposed = "nguye\u0302\u0303n   VA\u0306N \u00a0 đức"
    assert person_name(decomposed) == "Nguyễn Văn Đức"
    assert person_name("  ÉMILIE  d'arc-lê ") == "Émilie D'arc-lê"


@pytest.mark.parametrize("raw, code", [("Lê Thị\u202e Hà", "U+202E"), ("Lê\u200f Hà", "U+200F"),
                                       ("Trần\x07 Minh", "U+0007"), ("Trần\x1b[31m Minh", "U+001B")])
def test_hidden_characters_are_named_in_the_refusal(raw, code):
    problem = hidden_characters_problem(raw)
    assert problem is not None and code in problem and "gõ lại" in problem


def test_markup_is_refused_for_the_markup_not_for_a_digit():
    problem = name_problem("<script>alert(1)</script> An")
    assert problem is not None and "«<»" in problem and "chữ số" not in problem
    emoji = name_problem("Lê Thị 😀 Hà")
    assert emoji is not None and "«😀»" in emoji


@pytest.mark.parametrize("name, warned", [("Nguyen Van An", True), ("nguyen van an", True), ("Nguyễn Văn An", False),
                                          ("Đinh Hoa", False), ("Lê Mai", False), ("", False)])
def test_a_name_without_any_diacritic_gets_a_warning(name, warned):
    assert (name_warning(name) is not None) is warned


MEMBER = {"gender": "F", "birth_date": "1995-09-02", "admission_date": "2026-02-03", "category": "mission_staff"}


@pytest.mark.parametrize("name, reason", [("Lê Thị\u202e Hà", "U+202E"), ("Trần\x07 Minh Anh", "U+0007"),
                                          ("Phạm <i>Thu</i> Hà", "«<»")])
def test_the_api_refuses_hidden_characters_and_markup_and_writes_nothing(client_of, unit, name, reason):
    before = Member.objects.count()
    answer = client_of("bithu.phap").post("/api/v1/members/", json.dumps({
        "unit": unit("PHAP-DSQ").pk, "full_name": name, **MEMBER}), content_type="application/json")
    assert answer.status_code == 400 and reason in answer.json()["full_name"][0]
    assert Member.objects.count() == before


def _member_form(unit_pk: int, name: str) -> dict:
    return {"unit": str(unit_pk), "status": "probationary", "full_name": name, "gender": "F",
            "birth_date": "17/05/1990", "home_town": "", "ethnicity": "Kinh", "education": "bachelor",
            "political_theory": "", "job_title": "", "workplace": "", "card_number": "", "dossier_number": "",
            "admission_date": "02/03/2015", "confirmation_date": "", "category": "mission_staff", "abroad_from": "",
            "abroad_to": "", "citizen_id": "", "phone": "", "email": ""}


def test_the_member_page_saves_a_name_without_diacritics_and_warns(client_of, unit):
    client = client_of("bithu.phap")
    response = client.post(reverse("members:new"), _member_form(unit("PHAP-DSQ").pk, "  vu   thi huong "), follow=True)
    member = Member.objects.get(pk=response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[1])
    assert member.full_name == "Vu Thi Huong"
    text = response.content.decode()
    assert 'class="msg warning"' in text and "không có dấu tiếng Việt" in text  # on the member's page, after save
    # a name with its diacritics: no warning
    response = client.post(reverse("members:new"), _member_form(unit("PHAP-DSQ").pk, "vũ thị hương"), follow=True)
    assert response.redirect_chain and 'class="msg warning"' not in response.content.decode()
    # an edit that leaves the name as it is does not warn again
    edit = client.get(reverse("members:edit", args=[member.pk]))
    assert edit.status_code == 200


def test_the_member_page_refuses_a_hidden_character_next_to_the_field(client_of, unit):
    client = client_of("bithu.phap")
    before = Member.objects.count()
    response = client.post(reverse("members:new"), _member_form(unit("PHAP-DSQ").pk, "Vũ Thị\u202e Hương"))
    assert response.status_code == 200 and "U+202E" in response.content.decode()
    assert Member.objects.count() == before


def test_the_applicant_page_warns_and_refuses_like_the_members_page(client_of, unit, settings):
    settings.CHIBO_TODAY = date(2026, 6, 15)
    client = client_of("bithu.phap")
    data = {"unit": unit("PHAP-LHS").pk, "full_name": "tran  minh  khoa", "gender": "M", "birth_date": "12/04/2000",
            "citizen_id": "", "email": "", "recorded_on": "15/06/2026"}
    response = client.post(reverse("admission:new"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Applicant.objects.filter(full_name="Tran Minh Khoa").exists()
    assert any(m.level_tag == "warning" and "không có dấu" in str(m) for m in get_messages(response.wsgi_request))
    before = Applicant.objects.count()
    response = client.post(reverse("admission:new"), {**data, "full_name": "Trần Minh\x07 Khoa"})
    assert response.status_code == 200 and "U+0007" in response.content.decode()
    assert Applicant.objects.count() == before


class _Numbers(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=10)
    when = forms.DateField()
    upload = forms.FileField()


def test_stock_form_messages_read_plainly_in_vietnamese():
    with translation.override("vi"):
        form = _Numbers({"count": "0", "when": "hôm qua"}, {})
        assert not form.is_valid()
        assert form.errors["count"] == ["Giá trị phải từ 1 trở lên."]
        assert "ngày/tháng/năm" in form.errors["when"][0]
        assert form.errors["upload"] == ["Mục này cần được điền."]
        form = _Numbers({"count": "11"}, {})
        form.is_valid()
        assert form.errors["count"] == ["Giá trị không được lớn hơn 10."]
        form = _Numbers({"count": "ba"}, {})
        form.is_valid()
        assert "số nguyên" in form.errors["count"][0]
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        assert " ." not in text and "Đảm bảo" not in text and "tổng thể" not in text
