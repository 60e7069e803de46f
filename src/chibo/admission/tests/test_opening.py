"""Opening an admission case: the page, the API and the command line record an applicant (only what the
regulations need) and refuse someone already a member, with an open case, too young or — for a cell that
does not decide — too old; `chibo act` takes the next steps."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from chibo.admission import services
from chibo.admission.models import AdmissionCase, Applicant, Stage
from chibo.core.access import Actor, Grant, Role
from chibo.core.citizen_ids import make as make_citizen_id
from chibo.core.models import AuditEvent
from chibo.members.models import Member
from chibo.members.services import member_update

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def record(actor, cell, **kw):
    fields = {"full_name": "Phạm Thu Hà", "gender": "F", "birth_date": date(1999, 4, 12), **kw}
    return services.applicant_record(actor=actor, unit=cell, **fields)


def refused(call, field: str) -> str:
    counts = (Applicant.objects.count(), AdmissionCase.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        call()
    assert (Applicant.objects.count(), AdmissionCase.objects.count(), AuditEvent.objects.count()) == counts
    assert field in exc.value.message_dict, exc.value.message_dict
    return exc.value.message_dict[field][0]


def test_refused_for_a_member_an_open_case_the_young_and_for_a_cell_the_old(actor_of, unit):
    secretary, cell = actor_of("bithu.phap"), unit("PHAP-DSQ")
    member = Member.objects.filter(unit=cell).order_by("pk").first()
    on_record = make_citizen_id(province="001", birth_year=member.birth_date.year, female=member.gender == "F",
                                serial=1)
    member_update(actor=secretary, member=member, expected_version=member.version, changes={"citizen_id": on_record})
    assert "đã là đảng viên" in refused(lambda: record(secretary, cell, gender=member.gender,
                                                       birth_date=member.birth_date, citizen_id=on_record),
                                        "citizen_id")
    applicant = record(secretary, cell, citizen_id="001199012345", email="thuha@example.org")
    assert applicant.case.stage == Stage.RECORDED and applicant.citizen_id == "001199012345"
    assert Applicant.objects.filter(pk=applicant.pk).values_list("citizen_id", flat=True).get() == "001199012345"
    assert "hồ sơ kết nạp chưa kết thúc" in refused(lambda: record(secretary, cell, citizen_id="001199012345"),
                                                     "citizen_id")
    assert "17 tuổi 11 tháng" in refused(lambda: record(secretary, cell, birth_date=date(2008, 7, 1)), "birth_date")
    assert "12 chữ số" in refused(lambda: record(secretary, cell, citizen_id="12AB"), "citizen_id")
    # over the maximum age: the committee that decides may open it, the cell alone may not
    cell_only = Actor(user=None, grants=(Grant(Role.SECRETARY, cell.pk, cell.path),), label="bithu.dsq")
    assert "cấp ủy cấp trên" in refused(lambda: record(cell_only, cell, birth_date=date(1960, 1, 1)), "birth_date")
    assert record(secretary, cell, full_name="Lương Văn Cao", birth_date=date(1960, 1, 1)).case.pk


def test_the_page_the_api_and_the_command_open_a_case(client_of, api_client_of, unit):
    cell = unit("PHAP-DSQ")
    page = client_of("bithu.phap").get(f"/admission/moi/?unit={cell.pk}")
    assert page.status_code == 200 and "Ghi nhận quần chúng ưu tú" in page.content.decode()
    done = client_of("bithu.phap").post("/admission/moi/", {
        "unit": str(cell.pk), "full_name": "Phạm Thu Hà", "gender": "F", "birth_date": "12/04/1999",
        "citizen_id": "001199012345", "email": "thuha@example.org"})
    case = AdmissionCase.objects.get(applicant__full_name="Phạm Thu Hà")
    assert done.status_code == 302 and done["Location"] == f"/admission/{case.pk}/"
    api = api_client_of("bithu.phap")
    again = api.post("/api/v1/admission/cases/", {"unit": cell.pk, "full_name": "Phạm Thu Hà", "gender": "F",
                                                  "birth_date": "1999-04-12", "citizen_id": "001199012345"},
                     format="json")
    assert again.status_code == 400 and "citizen_id" in again.json()
    made = api.post("/api/v1/admission/cases/", {"unit": cell.pk, "full_name": "Trịnh Văn Long", "gender": "M",
                                                 "birth_date": "1997-02-03"}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["stage"] == "recorded" and "course" in made.json()["available_actions"]
    out = StringIO()
    call_command("admission", "open", "--unit", "PHAP-DSQ", "--name", "Đoàn Minh Châu", "--gender", "F",
                 "--birth", "05/05/1996", "--user", "bithu.phap", stdout=out)
    assert "opened for Đoàn Minh Châu in PHAP-DSQ" in out.getvalue()
    with pytest.raises(CommandError, match="17 tuổi"):
        call_command("admission", "open", "--unit", "PHAP-DSQ", "--name", "Đoàn Minh Thư", "--gender", "F",
                     "--birth", "20/06/2008", "--user", "bithu.phap")
    with pytest.raises(CommandError, match="may not open"):
        call_command("admission", "open", "--unit", "PHAP-DSQ", "--name", "Đoàn Minh Thư", "--gender", "F",
                     "--birth", "20/06/1990", "--user", "bithu.duc")


def test_chibo_act_takes_a_step_lists_the_next_and_refuses_out_of_order(unit, actor_of):
    case = record(actor_of("bithu.phap"), unit("PHAP-DSQ")).case
    out = StringIO()
    call_command("act", "admission", str(case.pk), user="bithu.phap", stdout=out)
    assert "course:" in out.getvalue() and "close:" in out.getvalue()
    with pytest.raises(CommandError, match="Đã ghi nhận quần chúng ưu tú"):  # the reason names the case's stage
        call_command("act", "admission", str(case.pk), "cell_vote", "held_on=10/06/2026", "yes=3", "no=0",
                     user="bithu.phap")
    with pytest.raises(CommandError, match="may not take"):  # the inspector reads cases, takes no step
        call_command("act", "admission", str(case.pk), "course", user="ub.kiemtra")
    with pytest.raises(CommandError, match="on"):
        call_command("act", "admission", str(case.pk), "course", "certificate_no=GCN 9/2026", "issuer=ĐUBNG",
                     "on=31/02/2026", user="bithu.phap")
    out = StringIO()
    call_command("act", "admission", str(case.pk), "course", "certificate_no=GCN 9/2026",
                 "issuer=Đảng ủy Bộ Ngoại giao", "on=10/06/2026", user="bithu.phap", stdout=out)
    assert "Now: Đã học lớp bồi dưỡng nhận thức về Đảng" in out.getvalue()
    assert AdmissionCase.objects.get(pk=case.pk).stage == Stage.COURSE
    with pytest.raises(CommandError, match="No admission"):
        call_command("act", "admission", str(case.pk), user="bithu.duc")


@pytest.fixture
def api_client_of(personas):
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(personas[username])
        return client
    return make
