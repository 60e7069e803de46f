"""Work programs and proposals through the API and the pages on the demo organization: France's program and its
items (bad input refused field by field, nothing written; the level above reads it but does not write it), an item
of the upper committee handed down to France and carried out there with its evidence, the follow-up board and the
reminder through the outbox, the calendar feed, and a proposal raised by France's secretary, on the upper
committee's radar until the officer answers it (nobody else answers it; a member without the role raises none)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from chibo.core.access import actor_from_user
from chibo.core.models import AuditEvent
from chibo.deadlines.models import Deadline
from chibo.notifications.models import Message
from chibo.programs.feeds import item_events
from chibo.programs.models import Item, Program, Proposal
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def _json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_program_with_items_refused_field_by_field_then_carried_out(personas, client_of):
    secretary, above = client_of("bithu.phap"), client_of("ban.tochuc")
    france, germany = Unit.objects.get(code="PHAP"), Unit.objects.get(code="DUC")
    member = personas["dangvien.phap"].member
    german = personas["bithu.duc"].member
    with override_settings(CHIBO_TODAY=DAY):
        made = _json(secretary, "/api/v1/programs/", {"unit": france.pk, "year": 2026, "quarter": 1,
                                                       "title": "Chương trình công tác quý I"})
        assert made.status_code == 201, made.content
        program_id = made.json()["id"]
        for body, field in [
            ({"unit": france.pk, "year": 2026, "quarter": 1, "title": "Lần hai"}, "quarter"),  # one per period
            ({"unit": germany.pk, "year": 2026, "quarter": 0, "title": "Của Đức"}, "unit"),    # outside scope
            ({"unit": france.pk, "year": 2026, "quarter": 7, "title": "Quý bảy"}, "quarter"),
        ]:
            refused = _json(secretary, "/api/v1/programs/", body)
            assert refused.status_code == 400 and field in refused.json(), (body, refused.content)
        # the level above reads France's programs but keeps its own
        assert _json(above, "/api/v1/programs/", {"unit": france.pk, "year": 2026, "title": "X"}).status_code == 400
        assert Program.objects.count() == 1

        items = f"/api/v1/programs/{program_id}/items/"
        good = {"title": "Sinh hoạt chuyên đề về Nghị quyết", "owner_member": member.pk, "due_on": "2026-03-31"}
        for body, field in [
            ({**good, "due_on": "2026-04-01"}, "due_on"),                                   # after the quarter
            ({**good, "due_on": "2025-12-31"}, "due_on"),                                   # before it
            ({**good, "owner_role": "Bí thư"}, "owner_role"),                                # both owners
            ({k: v for k, v in good.items() if k != "owner_member"}, "owner_member"),        # none
            ({**good, "owner_member": german.pk}, "owner_member"),                           # not of France
            ({**good, "title": "  "}, "title"),
        ]:
            refused = _json(secretary, items, body)
            assert refused.status_code == 400 and field in refused.json(), (body, refused.content)
        assert _json(above, items, good).status_code == 403
        assert not Item.objects.exists() and Program.objects.get().version == 1

        item = _json(secretary, items, good).json()
        assert item["owner_name"] == member.full_name and item["available_actions"][0] == "start"
        actions = f"/api/v1/programs/items/{item['id']}/actions/"
        assert _json(above, actions, {"action": "start"}).status_code == 403  # the unit's own committee only
        bad_doc = _json(secretary, actions, {"action": "complete", "evidence": "Đã tổ chức, 12/14 đảng viên dự.",
                                             "document": 999999})
        assert bad_doc.status_code == 400 and "document" in bad_doc.json()
        short = _json(secretary, actions, {"action": "complete", "evidence": "xong"})
        assert short.status_code == 400 and "evidence" in short.json()
        done = _json(secretary, actions, {"action": "complete", "evidence": "Đã tổ chức, 12/14 đảng viên dự.",
                                          "done_on": "2026-03-09"})
        assert done.status_code == 200 and done.json()["state"] == "done", done.content
        again = _json(secretary, actions, {"action": "drop", "reason": "Thừa"})
        assert again.status_code == 409

        # the page: the program with its progress; adding an item outside the period is refused on the form
        page = secretary.get(f"/programs/{program_id}/")
        assert page.status_code == 200 and "1/1 việc đã hoàn thành" in page.content.decode()
        refused = secretary.post(f"/programs/{program_id}/", {"title": "Kết nạp", "owner_role": "Chi ủy",
                                                              "due_on": "15/05/2026"})
        assert refused.status_code == 400 and "Hạn phải trong thời kỳ" in refused.content.decode()
        assert Item.objects.count() == 1
        added = secretary.post(f"/programs/{program_id}/", {"title": "Kết nạp", "owner_role": "Chi ủy",
                                                            "due_on": "15/03/2026"})
        assert added.status_code == 302
        assert AuditEvent.objects.filter(action="programs.item_done").count() == 1


def test_an_item_handed_down_carried_out_below_followed_on_the_board(personas, client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    france, cell, germany = (Unit.objects.get(code=c) for c in ("PHAP", "PHAP-DSQ", "DUC"))
    with override_settings(CHIBO_TODAY=DAY):
        root = Unit.objects.get(code="DUBNG")
        program = _json(officer, "/api/v1/programs/", {"unit": root.pk, "year": 2026, "title": "Chương trình năm"})
        item = _json(officer, f"/api/v1/programs/{program.json()['id']}/items/",
                     {"title": "Rà soát đảng viên đi công tác ngắn hạn", "owner_role": "Ban Tổ chức",
                      "due_on": "2026-03-05"}).json()
        actions = f"/api/v1/programs/items/{item['id']}/actions/"
        # only the units directly below, open, not yet given it
        for units in ([cell.pk], [], [999999]):
            refused = _json(officer, actions, {"action": "hand_down", "units": units})
            assert refused.status_code == 400 and "units" in refused.json(), units
        assert Item.objects.count() == 1
        handed = _json(officer, actions, {"action": "hand_down", "units": [france.pk, germany.pk]})
        assert handed.status_code == 200, handed.content
        below = Item.objects.get(parent_id=item["id"], program__unit=france)
        assert below.program.year == 2026 and below.program.quarter == 0 and below.due_on == date(2026, 3, 5)
        assert Message.objects.filter(kind="programs.handed_down").exists()
        again = _json(officer, actions, {"action": "hand_down", "units": [france.pk]})
        assert again.status_code == 400  # France has it already

        # the board: both handed items are overdue; the officer reminds France's committee, once a day
        board = officer.get("/api/v1/programs/board/")
        assert {i["id"] for i in board.json()["overdue"]} >= {below.pk, item["id"]}
        page = officer.get("/programs/board/")
        assert page.status_code == 200 and f'data-item="{below.pk}"' in page.content.decode()
        sent = officer.post(f"/programs/items/{below.pk}/act/", {"do": "remind", "from": "board"})
        assert sent.status_code == 302 and sent["Location"] == "/programs/board/"
        assert Message.objects.filter(kind="programs.reminder").exists()
        assert secretary.post(f"/programs/items/{below.pk}/act/", {"do": "remind"}).status_code == 403
        # France's secretary sees the item from above in the feed, carries it out with evidence
        events = item_events(actor_from_user(personas["bithu.phap"]), lambda path: "https://chibo.test" + path)
        assert any(f"/programs/items/{below.pk}/" in "".join(e) for e in events)
        done = secretary.post(f"/programs/items/{below.pk}/act/", {
            "do": "complete", "evidence": "Đã rà soát 3 đồng chí, báo cáo bằng văn bản.", "done_on": "09/03/2026"})
        assert done.status_code == 302
        upper = officer.get(f"/programs/items/{item['id']}/")
        assert "1/2 tổ chức đã hoàn thành" in upper.content.decode()
        detail = officer.get(f"/api/v1/programs/items/{item['id']}/").json()
        assert {h["unit"]: h["state"] for h in detail["handed"]} == {france.pk: "done", germany.pk: "planned"}
        # Germany's secretary does not see France's item
        assert client_of("bithu.duc").get(f"/programs/items/{below.pk}/").status_code == 404


def test_a_proposal_on_the_radar_until_answered(personas, client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    france = Unit.objects.get(code="PHAP")
    with override_settings(CHIBO_TODAY=DAY):
        body = {"unit": france.pk, "title": "Tài liệu học tập", "body": "Đề nghị gửi tài liệu bản điện tử."}
        # a member without the role, an officer with no unit above to write to: refused, nothing written
        assert _json(client_of("dangvien.phap"), "/api/v1/programs/proposals/", body).status_code == 403
        assert _json(officer, "/api/v1/programs/proposals/", body).status_code == 403
        assert client_of("dangvien.phap").get("/programs/proposals/new/").status_code == 404
        short = _json(secretary, "/api/v1/programs/proposals/", {**body, "body": "Gửi"})
        assert short.status_code == 400 and "body" in short.json()
        assert not Proposal.objects.exists()

        raised = secretary.post("/programs/proposals/new/", body)
        assert raised.status_code == 302
        proposal = Proposal.objects.get()
        assert proposal.to_unit.code == "DUBNG" and proposal.due_on == DAY + timedelta(days=30)
        deadline = Deadline.objects.get(source=f"programs.proposal:{proposal.pk}")
        assert deadline.unit_id == proposal.to_unit_id and deadline.state == "open"
        assert Message.objects.filter(kind="programs.proposal").exists()
        actions = f"/api/v1/programs/proposals/{proposal.pk}/actions/"
        answer = {"action": "answer", "answer": "Ban Tổ chức gửi tài liệu trong tuần."}
        # not addressed to them: Germany's secretary does not see it; France's cannot answer its own
        assert _json(client_of("bithu.duc"), actions, answer).status_code == 404
        assert _json(secretary, actions, answer).status_code == 403
        assert _json(officer, actions, {**answer, "answer": "Ừ"}).status_code == 400
        assert Proposal.objects.get().state == "raised"
        received = _json(officer, actions, {"action": "receive"})
        assert received.status_code == 200 and received.json()["state"] == "received"
        board = officer.get("/api/v1/programs/board/").json()
        assert [p["id"] for p in board["proposals"]] == [proposal.pk]
        answered = officer.post(f"/programs/proposals/{proposal.pk}/act/", {"do": "answer", **answer})
        assert answered.status_code == 302
        deadline.refresh_from_db()
        assert deadline.state == "met" and Proposal.objects.get().state == "answered"
        assert "Ban Tổ chức gửi tài liệu" in secretary.get(f"/programs/proposals/{proposal.pk}/").content.decode()
        assert _json(secretary, actions, {"action": "withdraw", "reason": "Muộn"}).status_code == 409

        # withdrawn by the unit: the deadline is waived
        second = _json(secretary, "/api/v1/programs/proposals/", body).json()
        gone = _json(secretary, f"/api/v1/programs/proposals/{second['id']}/actions/",
                     {"action": "withdraw", "reason": "Đã có tài liệu."})
        assert gone.status_code == 200
        assert Deadline.objects.get(source=f"programs.proposal:{second['id']}").state == "waived"
