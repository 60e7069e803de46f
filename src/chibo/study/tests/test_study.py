"""Study sessions and course certificates on the real database: the pages and the API, scoping (404 outside),
refusals that write nothing, and the reflection kept private to its author and the cell's own committee."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from chibo.core import clock
from chibo.core.access import actor_from_user
from chibo.core.models import AuditEvent
from chibo.study import selectors, services
from chibo.study.models import Attendance, Certificate, Reflection, Session


def _post_json(client: Client, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def cell_dsq(unit):
    return unit("PHAP-DSQ")


@pytest.fixture
def own(personas):
    return personas["dangvien.phap"].member


@pytest.fixture
def fellow(cell_dsq, own, personas):
    """Another member of PHAP-DSQ with an account (no grants, TOTP enrolled so that the pages let them in): a fellow
    member of dangvien.phap's cell."""
    from chibo.accounts.services import totp_enrol, user_create
    from chibo.core.access import SYSTEM
    from chibo.members.selectors import members_of_unit

    holders = [u.member_id for u in personas.values() if u.member_id]
    member = members_of_unit(cell_dsq).exclude(pk__in=holders).exclude(pk=own.pk).first()
    user = user_create(actor=SYSTEM, username="dangvien.phap2", password="x", member=member)
    totp_enrol(actor=SYSTEM, user=user)
    return user


@pytest.fixture
def cell_secretary(cell_dsq, actor_of, personas, own, fellow):
    """A member of PHAP-DSQ with an account, appointed the cell's secretary (the role follows the post, as for
    every secretary): the cell's own committee."""
    from chibo.accounts.services import user_create
    from chibo.core.access import SYSTEM
    from chibo.members.models import CommitteePost, PostRole
    from chibo.members.selectors import members_of_unit
    from chibo.members.services import post_appoint

    taken = [u.member_id for u in personas.values() if u.member_id] + [own.pk, fellow.member_id]
    member = (members_of_unit(cell_dsq).exclude(pk__in=taken)
              .exclude(pk__in=CommitteePost.objects.filter(to_date__isnull=True).values("member_id")).first())
    user = user_create(actor=SYSTEM, username="bithu.dsq", password="x", member=member)
    day = clock.today() - timedelta(days=30)
    post_appoint(actor=actor_of("ban.tochuc"), unit=cell_dsq, member=member, role=PostRole.SECRETARY, from_date=day,
                 decision_no="31-QĐ/ĐUBNG", decision_date=day)
    return actor_from_user(user)


@pytest.fixture
def held(actor_of, cell_dsq):
    return services.session_plan(actor=actor_of("bithu.phap"), unit=cell_dsq, topic="Quán triệt Nghị quyết 66-NQ/TW",
                                 held_on=clock.today() - timedelta(days=2),
                                 materials="Nghị quyết 66-NQ/TW\n\n  Kế hoạch 12-KH/ĐU  ")


def _counts():
    """What the study app writes: its rows and its own audited writes (not the reads and refusals it audits, nor
    other apps' events such as a test client's sign-in)."""
    return (Certificate.objects.count(), Session.objects.count(), Attendance.objects.count(),
            Reflection.objects.count(),
            AuditEvent.objects.filter(action__startswith="study.").exclude(action__endswith="viewed")
            .exclude(action__contains="denied").count())


# -- certificates --------------------------------------------------------------------------------------


def test_certificates_are_recorded_by_who_edits_the_record_and_bad_input_writes_nothing(actor_of, own):
    phap = actor_of("bithu.phap")
    today = clock.today()
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.certificate_record(actor=phap, member=own, kind="new_member", issuer="ĐUBNG", number="GCN 1",
                                    issued_on=today + timedelta(days=1))
    assert exc.value.message_dict["issued_on"] == ["Ngày không thể ở tương lai."]
    with pytest.raises(ValidationError) as exc:
        services.certificate_record(actor=phap, member=own, kind="other", issuer=" ", number="", issued_on=today)
    assert set(exc.value.message_dict) == {"issuer", "number", "title"}
    with pytest.raises(PermissionDenied):  # Germany's secretary, France's member
        services.certificate_record(actor=actor_of("bithu.duc"), member=own, kind="new_member", issuer="x",
                                    number="1", issued_on=today)
    with pytest.raises(PermissionDenied):  # the member reads their certificates but does not write them
        services.certificate_record(actor=actor_of("dangvien.phap"), member=own, kind="new_member", issuer="x",
                                    number="1", issued_on=today)
    assert _counts() == before
    cert = services.certificate_record(actor=phap, member=own, kind="new_member", issuer="Đảng ủy Bộ Ngoại giao",
                                       number="GCN 44/2025", issued_on=today)
    event = AuditEvent.objects.filter(action="study.certificate_recorded").latest("pk")
    assert event.data["number"] == "GCN 44/2025" and event.data["person"] == f"member:{own.pk}"
    assert selectors.certificate_get(actor_of("dangvien.phap"), cert.pk) == cert
    with pytest.raises(Http404):
        selectors.certificate_get(actor_of("bithu.duc"), cert.pk)


def test_certificate_page_and_api(client_of, own, personas):
    secretary = client_of("bithu.phap")
    url = f"/study/certificates/?member={own.pk}"
    page = secretary.get(url)
    assert page.status_code == 200 and "Ghi giấy chứng nhận" in page.content.decode()
    future = (clock.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    refused = secretary.post(url, {"member": own.pk, "kind": "awareness", "number": "GCN 2", "issuer": "ĐUBNG",
                                   "issued_on": future})
    assert refused.status_code == 400 and "Ngày không thể ở tương lai." in refused.content.decode()
    assert not Certificate.objects.filter(member=own).exists()
    day = (clock.today() - timedelta(days=10)).strftime("%d/%m/%Y")
    done = secretary.post(url, {"member": own.pk, "kind": "awareness", "number": "GCN 2", "issuer": "ĐUBNG",
                                "issued_on": day})
    assert done.status_code == 302
    text = client_of("dangvien.phap").get("/study/certificates/").content.decode()
    assert "GCN 2" in text and "Lớp bồi dưỡng nhận thức về Đảng" in text and "Ghi giấy chứng nhận" not in text
    # the API: the same refusal, Germany's secretary cannot reach France's member
    api = _post_json(secretary, "/api/v1/study/certificates/",
                     {"member": own.pk, "kind": "new_member", "number": "3", "issuer": "x", "issued_on": future})
    assert api.status_code == 400 and "issued_on" in api.json()
    assert _post_json(client_of("bithu.duc"), "/api/v1/study/certificates/",
                      {"member": own.pk, "kind": "new_member", "number": "3", "issuer": "x",
                       "issued_on": day}).status_code == 404
    listed = client_of("dangvien.phap").get(f"/api/v1/study/certificates/?member={own.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["number"] for r in rows] == ["GCN 2"]


def test_an_applicants_certificate_is_scoped_like_their_file(client_of, personas):
    applicant = personas["ungvien.phap"].applicant
    day = (clock.today() - timedelta(days=10)).strftime("%d/%m/%Y")
    body = {"applicant": applicant.pk, "kind": "awareness", "number": "GCN 9/2026", "issuer": "ĐUBNG", "issued_on": day}
    assert _post_json(client_of("bithu.duc"), "/api/v1/study/certificates/", body).status_code == 404
    created = _post_json(client_of("bithu.phap"), "/api/v1/study/certificates/", body)
    assert created.status_code == 201, created.content
    assert client_of("ungvien.phap").get(f"/api/v1/study/certificates/{created.json()['id']}/").status_code == 200
    assert client_of("dangvien.phap").get(f"/api/v1/study/certificates/{created.json()['id']}/").status_code == 404


# -- sessions, attendance, reflections ---------------------------------------------------------------------


def test_a_session_is_planned_and_its_attendance_recorded_by_the_cell(client_of, actor_of, cell_dsq, own, held,
                                                                     unit):
    secretary = client_of("bithu.phap")
    assert held.material_lines == ["Nghị quyết 66-NQ/TW", "Kế hoạch 12-KH/ĐU"]
    # planning: a meeting of another unit is refused, nothing written
    from chibo.meetings.models import Meeting

    other = Meeting.objects.exclude(unit=cell_dsq).first()
    before = _counts()
    if other is not None:
        response = _post_json(secretary, "/api/v1/study/sessions/", {
            "unit": cell_dsq.pk, "topic": "Học tập", "held_on": clock.today().strftime("%d/%m/%Y"),
            "meeting": other.pk})
        assert response.status_code == 400 and "meeting" in response.json()
    assert _post_json(client_of("bithu.duc"), "/api/v1/study/sessions/", {
        "unit": cell_dsq.pk, "topic": "Học tập", "held_on": clock.today().strftime("%d/%m/%Y")}).status_code == 404
    assert _counts() == before
    page = secretary.post("/study/sessions/new/", {"unit": cell_dsq.pk, "topic": "Học tập Chỉ thị 35",
                                                   "held_on": clock.today().strftime("%d/%m/%Y"), "meeting": ""})
    assert page.status_code == 302
    # attendance: an absence "with a reason" needs the reason; refused with nothing written
    url = f"/api/v1/study/sessions/{held.pk}/attendance/"
    before = _counts()
    bad = _post_json(secretary, url, {"rows": [{"member": own.pk, "presence": "excused", "reason": ""}]})
    assert bad.status_code == 400 and Attendance.objects.filter(session=held).count() == 0
    outsider = _post_json(secretary, url, {"rows": [{"member": unit("DUC-FRA").members.first().pk,
                                                     "presence": "present"}]})
    assert outsider.status_code == 400
    assert _counts() == before
    done = secretary.post(f"/study/sessions/{held.pk}/attendance/", {f"presence_{own.pk}": "excused",
                                                                     f"reason_{own.pk}": "Đi công tác"})
    assert done.status_code == 302
    row = Attendance.objects.get(session=held, member=own)
    assert (row.presence, row.reason) == ("excused", "Đi công tác")
    detail = secretary.get(f"/study/sessions/{held.pk}/").content.decode()
    assert own.full_name in detail and "Đi công tác" in detail and "xếp hạng" in detail  # "không xếp hạng"
    api = secretary.get(f"/api/v1/study/sessions/{held.pk}/").json()
    assert {"member": own.pk, "member_name": own.full_name, "presence": "excused",
            "reason": "Đi công tác"} in api["attendance"]
    # the member sees the session of their cell, not the other members' reasons
    mine = client_of("dangvien.phap").get(f"/api/v1/study/sessions/{held.pk}/").json()
    assert mine["attendance"] == [] and mine["topic"] == held.topic
    # a session still to come takes no attendance
    later = services.session_plan(actor=actor_of("bithu.phap"), unit=cell_dsq, topic="Sắp tới",
                                  held_on=clock.today() + timedelta(days=5))
    assert _post_json(secretary, f"/api/v1/study/sessions/{later.pk}/attendance/",
                      {"rows": [{"member": own.pk, "presence": "present"}]}).status_code == 400


def test_a_reflection_is_read_only_by_its_author_and_the_cells_committee(client_of, actor_of, held, own, fellow,
                                                                         cell_secretary):
    author = client_of("dangvien.phap")
    assert author.get(f"/study/sessions/{held.pk}/reflection/").status_code == 200
    empty = author.post(f"/study/sessions/{held.pk}/reflection/", {"text": "   "})
    assert empty.status_code == 400 and not Reflection.objects.exists()
    assert author.post(f"/study/sessions/{held.pk}/reflection/",
                       {"text": "Tôi tiếp thu nghị quyết và sẽ vận dụng."}).status_code == 302
    reflection = Reflection.objects.get(session=held, member=own)
    assert "Tôi tiếp thu" in author.get(f"/study/reflections/{reflection.pk}/").content.decode()
    audit = AuditEvent.objects.filter(action="study.reflection_written").latest("pk")
    assert "Tôi tiếp thu" not in json.dumps(audit.data, ensure_ascii=False)
    # a fellow member of the same cell: the session yes, the reflection no (page and API), and the try is audited
    mate = Client()
    mate.force_login(fellow)
    assert mate.get(f"/study/sessions/{held.pk}/").status_code == 200
    assert "Tôi tiếp thu" not in mate.get(f"/study/sessions/{held.pk}/").content.decode()
    assert mate.get(f"/study/reflections/{reflection.pk}/").status_code == 404
    assert mate.get(f"/api/v1/study/reflections/{reflection.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="study.reflection_denied", object_id=str(reflection.pk)).exists()
    # another cell's secretary, and the committee a level above: 404
    for persona in ("bithu.duc", "bithu.phap", "ban.tochuc"):
        assert client_of(persona).get(f"/study/reflections/{reflection.pk}/").status_code == 404, persona
        assert client_of(persona).get(f"/api/v1/study/reflections/{reflection.pk}/").status_code == 404, persona
    # the cell's own committee reads it, audited
    assert selectors.reflection_get(cell_secretary, reflection.pk) == reflection
    assert AuditEvent.objects.filter(action="study.reflection_viewed").exists()
    assert [r.pk for r in selectors.reflections_readable(cell_secretary, held)] == [reflection.pk]
    with pytest.raises(Http404):  # a fellow member cannot write on behalf of the session elsewhere
        services.reflection_write(actor=actor_of("bithu.duc"), session=held, text="x")
    # the API: the author rewrites it; the fellow member writes their own, separate one
    again = _post_json(author, f"/api/v1/study/sessions/{held.pk}/reflection/", {"text": "Bản sửa."})
    assert again.status_code == 201 and again.json()["id"] == reflection.pk
    theirs = _post_json(mate, f"/api/v1/study/sessions/{held.pk}/reflection/", {"text": "Của tôi."})
    assert theirs.status_code == 201 and theirs.json()["id"] != reflection.pk
    assert author.get(f"/api/v1/study/sessions/{held.pk}/reflection/").json()["text"] == "Bản sửa."


# -- documents from the library ----------------------------------------------------------------------------------


PDF = b"%PDF-1.4\n% a study document\n%%EOF\n"


def test_a_session_takes_its_documents_from_the_library_and_refuses_one_outside_the_cells_reach(
        client_of, actor_of, unit, cell_dsq, own):
    from chibo.library import services as library

    today = clock.today()

    def send(actor, sender, number, **audience):
        return library.document_send(actor=actor, unit=unit(sender), number=number, issued_on=today,
                                     issuer="Đảng ủy", kind="resolution", title=f"Văn bản {number}",
                                     filename=f"{number}.pdf", data=PDF, **audience)

    to_cell = send(actor_of("bithu.phap"), "PHAP", "5-NQ/ĐUP", targets=[cell_dsq])
    from_above = send(actor_of("ban.tochuc"), "DUBNG", "66-NQ/ĐUBNG", to_everyone=True)
    sibling = send(actor_of("bithu.phap"), "PHAP", "6-NQ/ĐUP", targets=[unit("PHAP-LHS")])
    roles_only = send(actor_of("bithu.phap"), "PHAP", "7-TB/ĐUP", roles=["secretary"])
    german = send(actor_of("bithu.duc"), "DUC", "3-NQ/ĐU", to_everyone=True)
    secretary = client_of("bithu.phap")

    # the page offers the documents every member of the cell may read, and only those
    form = secretary.get(f"/study/sessions/new/?unit={cell_dsq.pk}").content.decode()
    assert to_cell.number in form and from_above.number in form
    assert sibling.number not in form and roles_only.number not in form and german.number not in form

    # a document the cell's members cannot read is refused with a clear message; nothing is written
    before = _counts()
    refused = secretary.post("/study/sessions/new/", {
        "unit": cell_dsq.pk, "topic": "Học tập Nghị quyết", "held_on": f"{today:%d/%m/%Y}",
        "documents": [to_cell.pk, sibling.pk]})
    assert refused.status_code == 400
    assert "6-NQ/ĐUP không gửi tới" in refused.content.decode()
    api = _post_json(secretary, "/api/v1/study/sessions/", {
        "unit": cell_dsq.pk, "topic": "Học tập", "held_on": today.isoformat(), "documents": [roles_only.pk]})
    assert api.status_code == 400 and "7-TB/ĐUP không gửi tới" in api.json()["documents"][0]
    unseen = _post_json(secretary, "/api/v1/study/sessions/", {
        "unit": cell_dsq.pk, "topic": "Học tập", "held_on": today.isoformat(), "documents": [german.pk]})
    assert unseen.status_code == 400 and "Không tìm thấy tài liệu" in unseen.json()["documents"][0]
    assert german.number not in unseen.content.decode()
    assert _post_json(secretary, "/api/v1/study/sessions/", {
        "unit": cell_dsq.pk, "topic": "Học tập", "held_on": today.isoformat(), "documents": ["x"]}).status_code == 400
    with pytest.raises(ValidationError):
        services.session_plan(actor=actor_of("bithu.phap"), unit=cell_dsq, topic="Học tập", held_on=today,
                              document_ids=[sibling.pk])
    assert _counts() == before

    # chosen on the page: the session page lists them with links to the library, beside the other materials
    done = secretary.post("/study/sessions/new/", {
        "unit": cell_dsq.pk, "topic": "Học tập Nghị quyết 66", "held_on": f"{today:%d/%m/%Y}",
        "documents": [to_cell.pk, from_above.pk], "materials": "Sách Bác Hồ với kiều bào"})
    assert done.status_code == 302
    session = Session.objects.get(topic="Học tập Nghị quyết 66")
    assert set(session.documents.values_list("pk", flat=True)) == {to_cell.pk, from_above.pk}
    event = AuditEvent.objects.filter(action="study.session_planned", object_id=str(session.pk)).get()
    assert sorted(event.data["documents"]) == sorted([to_cell.pk, from_above.pk])

    # a member of the cell sees them and opens them through the library, which records the read
    member = client_of("dangvien.phap")
    page = member.get(f"/study/sessions/{session.pk}/").content.decode()
    assert f'href="/library/documents/{to_cell.pk}/"' in page and f'href="/library/documents/{from_above.pk}/"' in page
    assert "Sách Bác Hồ với kiều bào" in page
    detail = member.get(f"/api/v1/study/sessions/{session.pk}/").json()
    assert sorted(detail["documents"]) == sorted([to_cell.pk, from_above.pk])
    shown = {d["id"]: d for d in detail["library_documents"]}
    assert set(shown) == {to_cell.pk, from_above.pk} and not shown[to_cell.pk]["is_read"]
    assert shown[to_cell.pk]["url"] == f"/library/documents/{to_cell.pk}/"
    assert member.get(shown[to_cell.pk]["url"]).status_code == 200
    assert to_cell.receipts.filter(member=own).exists()
    again = member.get(f"/api/v1/study/sessions/{session.pk}/").json()
    assert {d["id"]: d["is_read"] for d in again["library_documents"]}[to_cell.pk] is True

    # the API plans with documents too, and answers their ids
    made = _post_json(secretary, "/api/v1/study/sessions/", {
        "unit": cell_dsq.pk, "topic": "Học tập qua API", "held_on": today.isoformat(), "documents": [from_above.pk]})
    assert made.status_code == 201 and made.json()["documents"] == [from_above.pk]
