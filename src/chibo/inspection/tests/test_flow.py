"""Inspection and supervision through the API and the pages on the demo organization: France's yearly plan with its
items (bad input refused field by field, nothing written), started, concluded or cancelled, its progress, written by
France's committee only (the level above reads it); supervision notes of the year on the plan of supervision; an
inspection of a member through assign → explain → conclude, seen only by those who need to know it (an inspection
officer of the level above gets 404 and the attempt is audited), the subject seeing the conclusion but not the signs
nor the team; an inspection of an organization, explained by its secretary; nobody opens one on themselves."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client, override_settings

from chibo.core.models import AuditEvent
from chibo.inspection.models import Inspection, Plan, PlanItem, SupervisionNote
from chibo.members.models import Member
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def _json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_plan_with_items_progress_and_supervision_notes(personas, client_of):
    secretary = client_of("bithu.phap")
    france, lhs, dsq = (Unit.objects.get(code=c) for c in ("PHAP", "PHAP-LHS", "PHAP-DSQ"))
    german = Member.objects.filter(unit__code="DUC-FRA").order_by("pk").first()
    subject = personas["dangvien.phap"].member
    with override_settings(CHIBO_TODAY=DAY):
        answer = _json(secretary, "/api/v1/inspection/plans/", {"unit": france.pk, "kind": "inspection", "year": 2026,
                                                                 "reference": "05-KH/ĐU", "adopted_on": "2026-01-15"})
        assert answer.status_code == 201, answer.content
        plan_id = answer.json()["id"]
        # A second plan of the same kind and year for France: refused, nothing written.
        again = _json(secretary, "/api/v1/inspection/plans/", {"unit": france.pk, "kind": "inspection", "year": 2026,
                                                                "reference": "06-KH/ĐU", "adopted_on": "2026-01-20"})
        assert again.status_code == 400 and "kind" in again.json()
        # Adopted within its year or the year before; France's plan is France's to adopt, not the level above's.
        early = _json(secretary, "/api/v1/inspection/plans/", {"unit": france.pk, "kind": "supervision", "year": 2026,
                                                                "reference": "06-KH/ĐU", "adopted_on": "2024-12-20"})
        assert early.status_code == 400 and "adopted_on" in early.json()
        above = _json(client_of("ub.kiemtra"), "/api/v1/inspection/plans/",
                      {"unit": france.pk, "kind": "supervision", "year": 2026, "reference": "06-KH/ĐU",
                       "adopted_on": "2026-01-20"})
        assert above.status_code == 400 and "unit" in above.json()
        assert Plan.objects.count() == 1

        items = f"/api/v1/inspection/plans/{plan_id}/items/"
        good = {"subject_unit": lhs.pk, "topic": "Việc chấp hành nghị quyết của chi bộ", "starts_on": "2026-02-01",
                "ends_on": "2026-06-30", "officers": "bithu.phap"}
        bad = [
            ({**good, "subject_unit": Unit.objects.get(code="DUC").pk}, "subject_unit"),  # outside France
            ({**good, "subject_unit": france.pk}, "subject_unit"),                        # the committee itself
            ({**good, "subject_member": subject.pk}, "subject_member"),                   # both
            ({k: v for k, v in good.items() if k != "subject_unit"}, "subject_member"),    # none
            ({k: v for k, v in good.items() if k != "subject_unit"} | {"subject_member": german.pk},
             "subject_member"),                                                          # a member outside France
            ({**good, "starts_on": "2025-12-01"}, "starts_on"),                            # outside the plan's year
            ({**good, "ends_on": "2027-01-05"}, "ends_on"),
            ({**good, "ends_on": "2026-01-05"}, "ends_on"),                                # ends before it starts
            ({**good, "officers": "nobody.here"}, "officers"),
            ({**good, "officers": "dangvien.phap"}, "officers"),                         # not inspection staff
            ({**good, "officers": "bithu.duc"}, "officers"),                             # another country's
        ]
        for body, field in bad:
            refused = _json(secretary, items, body)
            assert refused.status_code == 400 and field in refused.json(), (body, refused.content)
        # No username oracle: an unknown name and a name not allowed get the same words.
        unknown, member_name = (_json(secretary, items, {**good, "officers": n}).json()["officers"][0]
                                for n in ("nobody.here", "dangvien.phap"))
        assert unknown.replace("nobody.here", "X") == member_name.replace("dangvien.phap", "X")
        # The level above sees the plan but does not write it.
        assert _json(client_of("ub.kiemtra"), items, good).status_code == 403
        assert not PlanItem.objects.exists() and Plan.objects.get().version == 1

        first = _json(secretary, items, good)
        assert first.status_code == 201, first.content
        assert first.json()["officers"] == ["bithu.phap"] and first.json()["available_actions"] == ["start", "cancel"]
        second = _json(secretary, items, {**{k: v for k, v in good.items() if k != "subject_unit"},
                                          "subject_member": subject.pk, "topic": "Việc giữ mối liên hệ nơi cư trú"})
        assert second.status_code == 201, second.content

        act = f"/api/v1/inspection/items/{first.json()['id']}/actions/"
        upper = client_of("ub.kiemtra")
        assert upper.get(f"/api/v1/inspection/plans/{plan_id}/").json()["items"][0]["available_actions"] == []
        assert _json(upper, act, {"action": "start"}).status_code == 403
        assert PlanItem.objects.get(pk=first.json()["id"]).state == "planned"
        assert _json(secretary, act, {"action": "conclude", "conclusion": "x" * 30}).status_code == 409  # not started
        assert _json(secretary, act, {"action": "start"}).json()["state"] == "in_progress"
        short = _json(secretary, act, {"action": "conclude", "conclusion": "Tốt."})
        assert short.status_code == 400 and "conclusion" in short.json()
        early = _json(secretary, act, {"action": "conclude", "conclusion": "Chi bộ chấp hành tốt nghị quyết.",
                                       "concluded_on": "2026-01-20"})
        assert early.status_code == 400 and "concluded_on" in early.json()
        future = _json(secretary, act, {"action": "conclude", "conclusion": "Chi bộ chấp hành tốt nghị quyết.",
                                        "concluded_on": "2026-04-20"})
        assert future.status_code == 400 and "concluded_on" in future.json()
        done = _json(secretary, act, {"action": "conclude", "conclusion": "Chi bộ chấp hành tốt nghị quyết."})
        assert done.status_code == 200, done.content
        assert done.json()["state"] == "done" and done.json()["concluded_on"] == "2026-03-10"
        cancel = f"/api/v1/inspection/items/{second.json()['id']}/actions/"
        assert _json(secretary, cancel, {"action": "cancel", "reason": "Đảng viên đã chuyển sinh hoạt"}).status_code \
            == 200

        plan = secretary.get(f"/api/v1/inspection/plans/{plan_id}/").json()
        assert plan["progress"]["done"] == 1 and plan["progress"]["total"] == 1
        assert plan["progress"]["by_state"]["cancelled"] == 1 and len(plan["items"]) == 2
        page = secretary.get(f"/inspection/plans/{plan_id}/")
        assert page.status_code == 200 and "1/1 nội dung đã kết luận" in page.content.decode()

        # Supervision notes of the year, on the plan of supervision (none on the plan of inspection).
        assert _json(secretary, f"/api/v1/inspection/plans/{plan_id}/notes/",
                     {"subject_unit": dsq.pk, "on": "2026-03-01", "content": "Sinh hoạt tốt."}).status_code == 404
        supervision = _json(secretary, "/api/v1/inspection/plans/",
                            {"unit": france.pk, "kind": "supervision", "year": 2026, "reference": "06-KH/ĐU",
                             "adopted_on": "2025-12-20"})
        assert supervision.status_code == 201, supervision.content
        notes = f"/api/v1/inspection/plans/{supervision.json()['id']}/notes/"
        last_year = _json(secretary, notes, {"subject_unit": dsq.pk, "on": "2025-12-30", "content": "Sinh hoạt tốt."})
        assert last_year.status_code == 400 and "on" in last_year.json()
        assert _json(secretary, notes, {"subject_unit": dsq.pk, "on": "2026-03-01",
                                        "content": "Chi bộ sinh hoạt đúng kỳ.",
                                        "follow_up": "Biên bản sinh hoạt"}).status_code == 201
        assert [n["content"] for n in secretary.get(notes).json()["results"]] == ["Chi bộ sinh hoạt đúng kỳ."]
        assert SupervisionNote.objects.count() == 1
        assert "Chi bộ sinh hoạt đúng kỳ." in secretary.get(f"/inspection/plans/{supervision.json()['id']}/"
                                                            ).content.decode()
        assert "Giám sát thường xuyên" not in secretary.get(f"/inspection/plans/{plan_id}/").content.decode()

        # Plans are seen from the committee up: the inspection committee above sees it; Germany and a member do not.
        assert client_of("ub.kiemtra").get(f"/inspection/plans/{plan_id}/").status_code == 200
        for name in ("bithu.duc", "dangvien.phap"):
            assert client_of(name).get(f"/api/v1/inspection/plans/{plan_id}/").status_code == 404, name


def test_an_inspection_through_its_steps_seen_only_by_those_who_need_to_know(personas, client_of):
    secretary, member = client_of("bithu.phap"), client_of("dangvien.phap")
    subject = personas["dangvien.phap"].member
    france = Unit.objects.get(code="PHAP")
    opening = {"unit": france.pk, "subject_member": subject.pk, "decision_no": "3-QĐ/ĐU", "opened_on": "2026-03-02",
               "signs": "Có đơn phản ánh về việc kê khai tài sản chưa trung thực."}
    cases = "/api/v1/inspection/cases/"
    with override_settings(CHIBO_TODAY=DAY):
        # Bad input refused, nothing written: an organization of another country answers as an unknown one (the
        # committee too), no signs, no right, the level above in France's name, oneself.
        germany, missing = Unit.objects.get(code="DUC").pk, Unit.objects.order_by("-pk").first().pk + 1000
        outside, unknown = (_json(secretary, cases, {**opening, "subject_member": None, "subject_unit": pk})
                            for pk in (germany, missing))
        assert outside.status_code == unknown.status_code == 400 and outside.json() == unknown.json()
        assert "subject_unit" in outside.json()
        other, nowhere = (_json(secretary, cases, {**opening, "unit": pk}) for pk in (germany, missing))
        assert other.status_code == nowhere.status_code == 400 and other.json() == nowhere.json()
        assert "unit" in other.json()
        assert _json(secretary, cases, {**opening, "signs": ""}).status_code == 400
        assert _json(member, cases, opening).status_code == 403
        assert _json(client_of("ub.kiemtra"), cases, opening).status_code == 403
        mine = personas["bithu.phap"].member
        assert _json(secretary, cases, {**opening, "subject_member": mine.pk}).status_code == 403
        assert secretary.get(f"/inspection/new/?member={mine.pk}").status_code == 403
        # Digits that are not ASCII are no id (never a server error).
        assert secretary.get("/inspection/new/?member=²").status_code == 404
        assert secretary.get("/inspection/?year=²").status_code == 200
        assert not Inspection.objects.exists()

        answer = _json(secretary, cases, opening)
        assert answer.status_code == 201, answer.content
        case_id = answer.json()["id"]
        url = f"/api/v1/inspection/cases/{case_id}/"
        for decision in ("3-QĐ/ĐU", " 3-qđ/đu ", "3 - QĐ / ĐU"):  # the same decision, however it is typed
            twice = _json(secretary, cases, {**opening, "decision_no": decision})
            assert twice.status_code == 400 and "decision_no" in twice.json(), decision

        # Need to know: the inspection officer of the level above (inspector role, not on France itself), the
        # upper committee's officer and Germany get 404 from the page and the API, each attempt audited.
        for name in ("ub.kiemtra", "ban.tochuc", "bithu.duc"):
            assert client_of(name).get(url).status_code == 404, name
            assert client_of(name).get(f"/inspection/cases/{case_id}/").status_code == 404, name
        assert AuditEvent.objects.filter(action="inspection.case_denied").count() == 6

        # The team: the opener, then an officer assigned. The subject, a stranger and an unknown name get the same
        # answer (no username oracle).
        act = f"{url}actions/"
        refusals = {}
        for name in ("dangvien.phap", "bithu.duc", "nobody.here"):
            refused = _json(secretary, act, {"action": "assign", "username": name})
            assert refused.status_code == 400 and "username" in refused.json(), name
            refusals[name] = refused.json()["username"][0].replace(name, "X")
        assert len(set(refusals.values())) == 1
        assigned = _json(secretary, act, {"action": "assign", "username": "ub.kiemtra"})
        assert assigned.status_code == 200 and sorted(assigned.json()["team"]) == ["bithu.phap", "ub.kiemtra"]
        upper = client_of("ub.kiemtra")
        assert upper.get(url).status_code == 200
        # On the team, the level above still does not take France's steps.
        assert upper.get(url).json()["available_actions"] == []
        assert _json(upper, act, {"action": "drop", "reason": "Không có vi phạm"}).status_code == 403

        # The subject: sees the decision, not the signs nor the team, in the list or alone; never takes the
        # committee's steps (the refusal writes nothing).
        mine = member.get(url).json()
        assert "signs" not in mine and "team" not in mine and mine["decision_no"] == "3-QĐ/ĐU"
        assert mine["available_actions"] == ["explain"]
        listed = member.get(cases).json()["results"]
        assert [c["id"] for c in listed] == [case_id]
        for summary in (listed[0], secretary.get(cases).json()["results"][0]):
            assert not {"signs", "team", "explanation", "conclusion", "recommendations"} & set(summary)
        version = Inspection.objects.get().version
        assert _json(member, act, {"action": "drop", "reason": "Không có vi phạm"}).status_code == 403
        assert Inspection.objects.get().version == version and Inspection.objects.get().state == "open"
        assert not AuditEvent.objects.filter(action="inspection.dropped").exists()
        explained = _json(member, act, {"action": "explain", "on": "2026-03-09",
                                        "explanation": "Tôi đã kê khai đầy đủ, xin gửi kèm giấy tờ chứng minh."})
        assert explained.status_code == 200 and explained.json()["state"] == "explained"
        assert "signs" not in explained.json() and "team" not in explained.json()

        short = _json(secretary, act, {"action": "conclude", "conclusion": "Có vi phạm.", "conclusion_no": "7-TB/ĐU"})
        assert short.status_code == 400 and "conclusion" in short.json()
        before = _json(secretary, act, {"action": "conclude", "conclusion": "Kê khai chưa đầy đủ một khoản tiền gửi.",
                                        "conclusion_no": "7-TB/ĐU", "concluded_on": "2026-03-05"})
        assert before.status_code == 400 and "concluded_on" in before.json()  # before the explanation
        concluded = _json(secretary, act, {"action": "conclude", "conclusion_no": "7-TB/ĐU",
                                           "conclusion": "Kê khai chưa đầy đủ một khoản tiền gửi.",
                                           "recommendations": "Đề nghị chi bộ xem xét, nhắc nhở."})
        assert concluded.status_code == 200 and concluded.json()["state"] == "concluded"

        seen = member.get(url).json()
        assert seen["conclusion"] == "Kê khai chưa đầy đủ một khoản tiền gửi."
        assert seen["recommendations"] == "Đề nghị chi bộ xem xét, nhắc nhở." and "signs" not in seen
        page = member.get(f"/inspection/cases/{case_id}/").content.decode()
        assert "Kê khai chưa đầy đủ" in page and "kê khai tài sản chưa trung thực" not in page
        assert "ub.kiemtra" not in page and "Đề nghị xem xét kỷ luật" not in page
        staff = secretary.get(f"/inspection/cases/{case_id}/").content.decode()
        assert "kê khai tài sản chưa trung thực" in staff
        assert f"/discipline/new/?member={subject.pk}" in staff and "Đề nghị xem xét kỷ luật" in staff
        # Each read is in the audit chain, by whom and of which case.
        assert AuditEvent.objects.filter(action="inspection.case_viewed", object_id=str(case_id),
                                         actor_id=personas["dangvien.phap"].pk).count() >= 2
        assert AuditEvent.objects.filter(action="inspection.case_viewed", object_id=str(case_id),
                                         actor_id=personas["bithu.phap"].pk).exists()


def test_an_organization_inspected_by_the_level_above_explains_through_its_secretary(personas, client_of, unit):
    """The upper committee inspects France's organization: France's secretary is the subject (explains, sees neither
    the signs nor the team, takes none of the committee's steps); a case the level above opens on a member is not
    seen by the member's own committee and cell secretaries; nobody opens a case on their own organization."""
    from chibo.accounts import services as account_services
    from chibo.core.access import SYSTEM, Role

    upper, france_sec = client_of("ban.tochuc"), client_of("bithu.phap")
    root, france = Unit.objects.get(depth=0), unit("PHAP")
    cases = "/api/v1/inspection/cases/"
    with override_settings(CHIBO_TODAY=DAY):
        # France's committee may not be put on its own organization's team, nor may France's secretary open it.
        opened = _json(upper, cases, {"unit": root.pk, "subject_unit": france.pk, "decision_no": "8-QĐ/ĐUBNG",
                                      "signs": "Có phản ánh về việc quản lý tài chính của Đảng ủy.",
                                      "opened_on": "2026-03-02"})
        assert opened.status_code == 201, opened.content
        case_id = opened.json()["id"]
        act = f"{cases}{case_id}/actions/"
        assert _json(upper, act, {"action": "assign", "username": "bithu.phap"}).status_code == 400
        seen = france_sec.get(f"{cases}{case_id}/").json()
        assert "signs" not in seen and "team" not in seen and seen["available_actions"] == ["explain"]
        assert _json(france_sec, act, {"action": "drop", "reason": "Đã khắc phục"}).status_code == 403
        explained = _json(france_sec, act, {"action": "explain", "on": "2026-03-08",
                                            "explanation": "Đảng ủy xin giải trình về các khoản chi như sau."})
        assert explained.status_code == 200 and explained.json()["state"] == "explained"
        assert "signs" not in explained.json() and "team" not in explained.json()
        page = france_sec.get("/inspection/").content.decode()
        assert "Cuộc kiểm tra về đồng chí" in page and f'data-case="{case_id}"' in page
        assert Inspection.objects.get(pk=case_id).explanation.startswith("Đảng ủy xin giải trình")

        # A secretary of an organization does not open a case on it, even from the level above.
        account_services.staff_role_for_demo(actor=SYSTEM, user=personas["ban.tochuc"], role=Role.SECRETARY,
                                             unit=unit("PHAP-LHS"), starts_on=date(2020, 1, 1))
        own = _json(upper, cases, {"unit": root.pk, "subject_unit": unit("PHAP-LHS").pk, "decision_no": "9-QĐ/ĐUBNG",
                                   "signs": "Có phản ánh về việc quản lý tài chính của chi bộ.",
                                   "opened_on": "2026-03-02"})
        assert own.status_code == 403 and Inspection.objects.count() == 1

        # A case the level above opens on a member: the member's committee and cell secretaries do not see it.
        subject = personas["dangvien.phap"].member
        on_member = _json(upper, cases, {"unit": root.pk, "subject_member": subject.pk, "decision_no": "10-QĐ/ĐUBNG",
                                         "signs": "Có đơn phản ánh về việc chấp hành phân công công tác.",
                                         "opened_on": "2026-03-02"})
        assert on_member.status_code == 201, on_member.content
        cell_secretary = account_services.user_create(actor=SYSTEM, username="bithu.dsq", password="x" * 20,
                                                      full_name="Bí thư chi bộ")
        account_services.staff_role_for_demo(actor=SYSTEM, user=cell_secretary, role=Role.SECRETARY,
                                             unit=subject.unit, starts_on=date(2020, 1, 1))
        account_services.totp_enrol(actor=SYSTEM, user=cell_secretary)
        cell = Client()
        cell.force_login(cell_secretary)
        for client in (france_sec, cell):
            assert client.get(f"{cases}{on_member.json()['id']}/").status_code == 404
            assert client.get(f"/inspection/cases/{on_member.json()['id']}/").status_code == 404
        assert client_of("dangvien.phap").get(f"{cases}{on_member.json()['id']}/").status_code == 200


def test_the_subject_finds_the_way_in(personas, client_of):
    """A member without any inspection role sees the «Kiểm tra, giám sát» entry once a case is about them, and the
    index lists it under «Cuộc kiểm tra về đồng chí»."""
    member = client_of("dangvien.phap")
    assert 'href="/inspection/"' not in member.get("/").content.decode()
    with override_settings(CHIBO_TODAY=DAY):
        answer = _json(client_of("bithu.phap"), "/api/v1/inspection/cases/",
                       {"unit": Unit.objects.get(code="PHAP").pk, "subject_member": personas["dangvien.phap"].member.pk,
                        "decision_no": "3-QĐ/ĐU", "opened_on": "2026-03-02",
                        "signs": "Có đơn phản ánh về việc kê khai tài sản chưa trung thực."})
        assert answer.status_code == 201
    assert 'href="/inspection/"' in member.get("/").content.decode()
    index = member.get("/inspection/").content.decode()
    assert "Cuộc kiểm tra về đồng chí" in index and f'data-case="{answer.json()["id"]}"' in index


def test_the_member_page_offers_an_inspection_to_who_may_open_one(personas, client_of):
    subject = personas["dangvien.phap"].member
    assert "Mở kiểm tra" in client_of("bithu.phap").get(f"/members/{subject.pk}/").content.decode()
    assert "Mở kiểm tra" not in client_of("dangvien.phap").get(f"/members/{subject.pk}/").content.decode()


def test_chibo_act_takes_the_steps_of_both_lifecycles(personas, actor_of, unit):
    from io import StringIO

    from django.core.management import call_command

    from chibo.inspection import services

    secretary = actor_of("bithu.phap")
    with override_settings(CHIBO_TODAY=DAY):
        plan = services.plan_create(actor=secretary, unit=unit("PHAP"), year=2026, kind="supervision",
                                    reference="2-KH/ĐU", adopted_on=DAY)
        item = services.plan_item_add(actor=secretary, plan=plan, subject_unit=unit("PHAP-DSQ"), topic="Sinh hoạt",
                                      starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
        call_command("act", "inspection_item", str(item.pk), "start", user="bithu.phap", stdout=StringIO())
        case = services.inspection_open(actor=secretary, unit=unit("PHAP"), subject_unit=unit("PHAP-LHS"),
                                        signs="Có phản ánh về việc quản lý quỹ của chi bộ.", decision_no="4-QĐ/ĐU",
                                        opened_on=DAY)
        out = StringIO()
        call_command("act", "inspection", str(case.pk), "explain",
                     "explanation=Chi bộ xin giải trình về các khoản chi.", user="bithu.phap", stdout=out)
        assert "Đã giải trình" in out.getvalue()
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.state == "in_progress" and case.state == "explained" and case.explained_on == DAY
