"""Reports upward on the demo organization, through the API and the pages: the upper committee's template (changed in
place until a unit submits against it, then versioned), France's quarterly report opened with its figures computed
(adding up), its narrative written, submitted (figures frozen: a later change of the data leaves them), corrected
by a new version with its reason; bad input refused with nothing written; the paper as DOCX and PDF; the "not yet
filed" board with its reminder through the outbox, and the roll-up beside the live figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.test import override_settings

from chibo.core.documents import docx_text, pdf_text
from chibo.members.models import Member, Status
from chibo.notifications.models import Message
from chibo.reports.models import Report, Template
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 4, 20)  # Q1 2026 ended on 31/03, due on 15/04: late
SECTIONS = "Giáo dục chính trị, tư tưởng\nXây dựng tổ chức và quản lý đảng viên\nNghiên cứu, tham mưu"


def _json(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def _count() -> tuple:
    return (Report.objects.count(), sum(r.version for r in Report.objects.all()),
            Template.objects.count(), Message.objects.count())


def _template(officer, root, **more):
    body = {"unit": root.pk, "name": "Báo cáo quý của chi bộ", "period_kind": "quarter", "sections": SECTIONS,
            "figures": ["members.total", "members.full", "members.probationary", "members.exempt",
                        "members.suspended", "category.mission_staff", "category.spouse", "category.state_student",
                        "category.self_student", "category.labourer", "category.resident", "category.delegation",
                        "category.domestic", "admission.admitted", "meetings.held", "meetings.due",
                        "dues_collected"], **more}
    answer = _json(officer, "/api/v1/reports/templates/", body)
    assert answer.status_code == 201, answer.content
    return answer.json()


def _open(client, unit, period="2026-Q1"):
    return _json(client, "/api/v1/reports/", {"unit": unit.pk, "period": period})


def _submitted(secretary, france):
    report = _open(secretary, france).json()
    url = f"/api/v1/reports/{report['id']}/"
    texts = ["Chi bộ tổ chức học tập nghị quyết đầy đủ.", "Kết nạp và quản lý đảng viên đúng quy định.",
             "Đề xuất bồi dưỡng cho đảng viên mới sang."]
    assert _json(secretary, url, {"narrative": texts}, "patch").status_code == 200
    answer = _json(secretary, f"{url}actions/", {"action": "submit"})
    assert answer.status_code == 200, answer.content
    return answer.json()


def _figures(report) -> dict[str, str]:
    return {f["key"]: f["value"] for f in report["figures"]}


def test_a_report_opens_pre_filled_is_submitted_frozen_and_corrected(client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    root, france = Unit.objects.get(code="DUBNG"), Unit.objects.get(code="PHAP")
    with override_settings(CHIBO_TODAY=DAY):
        template = _template(officer, root)
        # Bad input, refused with nothing written: a period not yet ended, one in the future, a nonsense period,
        # another country's unit (outside the scope: 404), a unit in scope that is not one's own (403).
        before = _count()
        for period in ("2026-Q2", "2026-Q4", "2026-Q7", "quý một"):
            refused = _open(secretary, france, period)
            assert refused.status_code == 400 and "period" in refused.json(), (period, refused.content)
        assert _open(secretary, Unit.objects.get(code="DUC")).status_code == 404
        assert _open(secretary, Unit.objects.get(code="PHAP-DSQ")).status_code == 403
        assert _open(officer, france).status_code == 403  # the level above never files in a unit's name
        assert _count() == before

        opened = _open(secretary, france)
        assert opened.status_code == 201, opened.content
        report = opened.json()
        assert report["template"]["id"] == template["id"] and report["state"] == "draft"
        values = _figures(report)
        statuses = ("members.full", "members.probationary", "members.exempt", "members.suspended")
        categories = [k for k in values if k.startswith("category.")]
        total = int(values["members.total"])
        assert total > 0 and total == sum(int(values[k]) for k in statuses) == sum(int(values[k]) for k in categories)
        live = Member.objects.filter(unit__path__startswith=france.path,
                                     status__in=("full", "probationary", "exempt", "suspended")).count()
        assert total == live
        assert int(values["meetings.due"]) == 3 * Unit.objects.filter(parent=france, closed_on__isnull=True).count()

        url = f"/api/v1/reports/{report['id']}/"
        before = _count()
        # The figures are the system's: a body naming them is refused; submitting an empty narrative too.
        assert _json(secretary, url, {"figures": {"members.total": "1"}}, "patch").status_code == 400
        assert _json(secretary, url, {"narrative": ["một đoạn"]}, "patch").status_code == 400
        assert _json(secretary, f"{url}actions/", {"action": "submit"}).status_code == 400
        assert _json(officer, url, {"narrative": ["a", "b", "c"]}, "patch").status_code == 403
        assert _json(officer, f"{url}actions/", {"action": "submit"}).status_code == 403
        assert _count() == before

        texts = ["Chi bộ tổ chức học tập nghị quyết.", "Quản lý đảng viên đúng quy định.", "Đề xuất bồi dưỡng."]
        assert _json(secretary, url, {"narrative": texts}, "patch").status_code == 200
        submitted = _json(secretary, f"{url}actions/", {"action": "submit"}).json()
        assert submitted["state"] == "submitted" and submitted["frozen"] and submitted["submitted_on"] == "2026-04-20"
        frozen = _figures(submitted)

        # A second submission without a correction, a change after submitting: refused, nothing written.
        before = _count()
        again = _open(secretary, france)
        assert again.status_code == 400 and "điều chỉnh" in again.json()["period"][0]
        assert _json(secretary, url, {"narrative": ["x", "y", "z"]}, "patch").status_code == 409
        assert _json(secretary, f"{url}actions/", {"action": "submit"}).status_code == 409
        assert _count() == before

        # The data changes afterwards: the submitted figures do not.
        member = Member.objects.filter(unit__path__startswith=france.path, status=Status.FULL).first()
        Member.objects.filter(pk=member.pk).update(status=Status.SUSPENDED)
        assert _figures(_json(secretary, url, {}, "get").json()) == frozen

        # A correction: the submitted version kept (superseded), a new draft with the reason.
        short = _json(secretary, f"{url}actions/", {"action": "correct", "reason": "sai"})
        assert short.status_code == 400 and _count() == before
        corrected = _json(secretary, f"{url}actions/", {"action": "correct",
                                                       "reason": "Bổ sung số liệu đảng viên đình chỉ sinh hoạt."})
        assert corrected.status_code == 200 and corrected.json()["state"] == "superseded"
        fresh = Report.objects.get(previous_id=report["id"])
        assert fresh.number == 2 and fresh.state == "draft" and fresh.narrative == texts
        assert fresh.figures["members.suspended"] == str(int(frozen["members.suspended"]) + 1)
        assert Report.objects.get(pk=report["id"]).figures == frozen
        page = secretary.get(f"/reports/{fresh.pk}/")
        assert page.status_code == 200 and "Bổ sung số liệu" in page.content.decode()


def test_a_template_changes_in_place_until_a_unit_submits_then_gets_a_new_version(client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    root, france = Unit.objects.get(code="DUBNG"), Unit.objects.get(code="PHAP")
    with override_settings(CHIBO_TODAY=DAY):
        template = _template(officer, root)
        url = f"/api/v1/reports/templates/{template['id']}/"
        # Refused: a unit where the officer does not write itself, an unknown figure, no sections; the secretary of
        # France cannot change the upper committee's template.
        before = _count()
        bad = [({"unit": Unit.objects.get(code="PHAP-DSQ").pk}, 403),
               ({"figures": ["members.total", "nothing.here"]}, 400), ({"sections": "   "}, 400)]
        for change, status in bad:
            answer = _json(officer, "/api/v1/reports/templates/", {
                "unit": root.pk, "name": "Mẫu", "period_kind": "quarter", "sections": SECTIONS,
                "figures": ["members.total"], **change})
            assert answer.status_code == status, (change, answer.content)
        assert _json(secretary, url, {"name": "Báo cáo khác"}, "patch").status_code == 404  # not in France's scope
        assert _count() == before

        changed = _json(officer, url, {"name": "Báo cáo quý (sửa)"}, "patch")
        assert changed.status_code == 200 and changed.json()["id"] == template["id"]  # in place: nobody submitted
        first = _submitted(secretary, france)
        assert first["template"]["id"] == template["id"]
        versioned = _json(officer, url, {"sections": SECTIONS + "\nCông tác dân vận"}, "patch").json()
        assert versioned["id"] != template["id"] and versioned["number"] == 2 and versioned["current"]
        assert Report.objects.get(pk=first["id"]).template_id == template["id"]  # the submitted one keeps its own
        old = _json(officer, url, {}, "get").json()
        assert not old["current"] and len(old["sections"]) == 3
        assert _json(officer, url, {"name": "Mẫu cũ"}, "patch").status_code == 403  # an old version is not edited


def test_the_paper_holds_the_unit_the_period_the_figures_and_the_dates(client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    root, france = Unit.objects.get(code="DUBNG"), Unit.objects.get(code="PHAP")
    with override_settings(CHIBO_TODAY=DAY):
        _template(officer, root)
        report = _submitted(secretary, france)
        values = _figures(report)
        for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
            answer = officer.get(f"/reports/{report['id']}/paper.{fmt}")
            assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
            text = " ".join(read(b"".join(answer.streaming_content) if answer.streaming else answer.content).split())
            assert france.name.upper() in text and "QUÝ I NĂM 2026" in text
            assert "từ ngày 01/01/2026 đến ngày 31/03/2026" in text and "Ngày nộp: 20/04/2026" in text
            assert "ngày 20 tháng 04 năm 2026" in text
            assert f"Tổng số đảng viên đang sinh hoạt {values['members.total']}" in text
            for title in SECTIONS.splitlines():
                assert title in text
            status_sum = sum(int(values[k]) for k in ("members.full", "members.probationary", "members.exempt",
                                                      "members.suspended"))
            assert status_sum == int(values["members.total"])
            assert f"Đảng viên chính thức {values['members.full']}" in text


def test_the_board_reminds_the_units_not_filed_and_the_rollup_sums_the_snapshots(client_of, personas):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    root, france, germany = (Unit.objects.get(code=c) for c in ("DUBNG", "PHAP", "DUC"))
    with override_settings(CHIBO_TODAY=DAY):
        _template(officer, root)
        report = _submitted(secretary, france)
        board = officer.get(f"/api/v1/reports/board/?unit={root.pk}&period=2026-Q1").json()
        rows = {r["unit"]: r for r in board["rows"]}
        assert board["due"] == "2026-04-15" and rows[france.pk]["state"] == "submitted"
        assert not rows[france.pk]["overdue"] and rows[germany.pk]["overdue"] and rows[germany.pk]["report"] is None
        assert board["missing"] == len(rows) - 1 and board["units"] == len(rows) > 3
        assert board["page"] == board["pages"] == 1
        names = [r["unit_name"] for r in board["rows"]]
        assert names == sorted(names[:-1]) + [france.name]  # not filed first, each group by name
        page = officer.get(f"/reports/board/?unit={root.pk}&period=2026-Q1").content.decode()
        assert "Quá hạn" in page and "Nhắc nộp" in page
        with patch("chibo.reports.selectors.BOARD_PAGE", 2):  # thousands of units below: the board is paged
            first = officer.get(f"/reports/board/?unit={root.pk}&period=2026-Q1").content.decode()
            pages = (len(rows) + 1) // 2
            last = officer.get(f"/reports/board/?unit={root.pk}&period=2026-Q1&page={pages}").content.decode()
            paged = [officer.get(f"/api/v1/reports/board/?unit={root.pk}&period=2026-Q1&page={n}").json()
                     for n in range(1, pages + 1)]
            assert officer.get(f"/api/v1/reports/board/?unit={root.pk}&period=2026-Q1&page=x").status_code == 400
        assert first.count("data-unit=") == 2 and f"Trang 1 / {pages}" in first and "page=2" in first
        assert f'data-unit="{france.pk}"' in last  # the one that filed comes last
        assert [r for p in paged for r in p["rows"]] == board["rows"]  # the pages, read in turn, are the board
        assert {p["pages"] for p in paged} == {pages} and [p["page"] for p in paged] == list(range(1, pages + 1))

        before = _count()
        assert _json(officer, "/api/v1/reports/reminders/", {"unit": france.pk, "period": "2026-Q1"}).status_code == 400
        assert _json(secretary, "/api/v1/reports/reminders/", {"unit": germany.pk, "period": "2026-Q1"}).status_code \
            == 404
        assert _json(officer, "/api/v1/reports/reminders/", {"unit": germany.pk, "period": "2026-Q2"}).status_code \
            == 400
        assert _count() == before
        told = _json(officer, "/api/v1/reports/reminders/", {"unit": germany.pk, "period": "2026-Q1"})
        assert told.status_code == 201 and told.json()["told"] >= 1
        message = Message.objects.filter(user=personas["bithu.duc"], kind="reports.reminder", channel="inapp").get()
        assert message.title == "Nhắc nộp báo cáo quý I năm 2026 (quá hạn từ 15/04/2026)"
        answer = officer.post("/reports/board/remind/", {"unit": germany.pk, "period": "2026-Q1"})
        assert answer.status_code == 302  # the same day: nobody is told twice
        assert Message.objects.filter(user=personas["bithu.duc"], kind="reports.reminder", channel="inapp").count() == 1

        rollup = officer.get(f"/api/v1/reports/rollup/?unit={root.pk}&period=2026-Q1").json()
        assert rollup["filed"] == 1 and rollup["missing"] == board["missing"]
        assert rollup["first_missing"] == [{"unit": r["unit"], "unit_name": r["unit_name"]}
                                           for r in board["rows"][:-1]][:20]
        rows = {r["key"]: r for r in rollup["rows"]}
        frozen = _figures(report)
        assert rows["members.total"]["submitted"] == frozen["members.total"]
        assert int(rows["members.total"]["live"]) == Member.objects.filter(
            status__in=("full", "probationary", "exempt", "suspended")).count()
        for key, value in frozen.items():
            assert Decimal(rows[key]["submitted"]) == Decimal(value), key
            assert "E" not in rows[key]["submitted"] and "E" not in rows[key]["live"], key  # as people write numbers
        page = officer.get(f"/reports/rollup/?unit={root.pk}&period=2026-Q1").content.decode()
        assert "Theo báo cáo đã nộp" in page and germany.name in page
        assert f"Số báo cáo đã nộp: 1. Chưa nộp: {board['missing']} tổ chức:" in page
        assert ("xem tất cả</a>" in page) == (board["missing"] > 20)  # the first 20 named, the board linked
        with patch("chibo.reports.selectors.ROLLUP_NAMES", 2):  # thousands not filed: the first named, the board linked
            page = officer.get(f"/reports/rollup/?unit={root.pk}&period=2026-Q1").content.decode()
            named = officer.get(f"/api/v1/reports/rollup/?unit={root.pk}&period=2026-Q1").json()["first_missing"]
        assert [u["unit_name"] for u in named] == names[:2] and names[2] not in page
        link = f'<a href="/reports/board/?unit={root.pk}&amp;period=2026-Q1">xem tất cả</a>'
        assert f"{names[0]}, {names[1]}, … ({link})." in page
        # France's secretary sees France's board, not the level above's.
        assert secretary.get(f"/api/v1/reports/rollup/?unit={root.pk}&period=2026-Q1").status_code == 404
        assert secretary.get(f"/api/v1/reports/board/?unit={france.pk}&period=2026-Q1").status_code == 200


def test_pages_open_write_and_submit(client_of):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    france = Unit.objects.get(code="PHAP")
    with override_settings(CHIBO_TODAY=DAY):
        index = secretary.get("/reports/")
        assert index.status_code == 200 and "Lập báo cáo" in index.content.decode()
        assert secretary.post("/reports/open/", {"unit": france.pk, "period": "2026-Q2"}).status_code == 302
        assert not Report.objects.exists()  # not ended: refused with a message
        answer = secretary.post("/reports/open/", {"unit": france.pk, "period": "2026-Q1"})
        report = Report.objects.get()
        assert answer.status_code == 302 and answer["Location"] == f"/reports/{report.pk}/"
        page = secretary.get(f"/reports/{report.pk}/").content.decode()
        assert "Giáo dục chính trị, tư tưởng" in page and 'data-figure="members.total"' in page  # the seed template
        texts = {f"section_{i}": f"Nội dung phần {i}." for i in range(1, 7)}
        assert secretary.post(f"/reports/{report.pk}/", {**texts, "version": report.version}).status_code == 302
        assert officer.post(f"/reports/{report.pk}/", texts).status_code == 403
        assert secretary.post(f"/reports/{report.pk}/act/", {"do": "submit"}).status_code == 302
        report.refresh_from_db()
        assert report.state == "submitted" and report.narrative[5] == "Nội dung phần 6."
        assert officer.get("/reports/templates/").status_code == 200


def test_documents_read_count_the_subtree_in_the_period(personas, actor_of):
    from datetime import timedelta

    from chibo.core import clock
    from chibo.core.documents import OfficialDocument, Paragraph, render_pdf
    from chibo.library import services as library
    from chibo.reports import figures

    officer, secretary = actor_of("ban.tochuc"), actor_of("bithu.phap")
    france, root = Unit.objects.get(code="PHAP"), Unit.objects.get(code="DUBNG")
    today = clock.today()
    first, last = today - timedelta(days=30), today
    keys = ["library.read"]
    before = figures.compute(secretary, france, first, last, keys)
    until_yesterday = figures.compute(secretary, france, first, today - timedelta(days=1), ["library.read"])

    # A document sent to every member of France, read by two of them today and by nobody outside France.
    pdf = render_pdf(OfficialDocument(title="CHỈ THỊ", issuer="ĐẢNG ỦY CẤP TRÊN", number="Số 9-CT/ĐU",
                                      issued_on=today, blocks=[Paragraph("Về học tập nghị quyết")]))
    doc = library.document_send(actor=officer, unit=root, number="9-CT/ĐU", issued_on=today, issuer="Đảng ủy",
                                kind="directive", title="Chỉ thị về học tập", filename="ct9.pdf", data=pdf,
                                targets=[france])
    for reader in ("dangvien.phap", "bithu.phap"):
        assert library.document_mark_read(actor=actor_of(reader), document=doc) is not None
    library.document_mark_read(actor=actor_of("dangvien.phap"), document=doc)  # once per member and document
    after = figures.compute(secretary, france, first, last, keys)
    assert int(after["library.read"]) == int(before["library.read"]) + 2
    # A period that ended yesterday: today's reads are not in it.
    assert figures.compute(secretary, france, first, today - timedelta(days=1), ["library.read"]) == until_yesterday


def _submitted_column(officer, root) -> dict[str, Decimal]:
    rollup = officer.get(f"/api/v1/reports/rollup/?unit={root.pk}&period=2026-Q1").json()
    return {r["key"]: Decimal(r["submitted"]) for r in rollup["rows"]}


def test_the_rollup_reads_the_stored_sums_kept_by_each_submission_and_correction(client_of):
    """The roll-up's submitted column of a committee is kept as its units submit and correct (one stored row per
    committee and period): it equals the snapshots summed after each step; when the row does not cover exactly the
    reports summed (a unit moved away), the roll-up sums the snapshots itself, and ``report_totals`` writes the
    rows again."""
    from django.core.management import call_command

    from chibo.reports import totals
    from chibo.reports.models import SubmittedTotal

    officer, france_sec, germany_sec = client_of("ban.tochuc"), client_of("bithu.phap"), client_of("bithu.duc")
    root, france, germany = (Unit.objects.get(code=c) for c in ("DUBNG", "PHAP", "DUC"))

    def snapshots() -> dict[str, Decimal]:
        ids = list(Report.objects.filter(unit__parent=root, state="submitted").values_list("pk", flat=True))
        return totals.summed(ids)

    def stored() -> dict[str, Decimal]:
        row = SubmittedTotal.objects.get(unit=root, period_kind="quarter", period_start=date(2026, 1, 1))
        return {k: Decimal(v) for k, v in row.totals.items()}

    with override_settings(CHIBO_TODAY=DAY):
        _template(officer, root)
        first = _submitted(france_sec, france)
        assert stored() == snapshots() == {k: Decimal(v) for k, v in _figures(first).items()}
        second = _submitted(germany_sec, germany)
        both = snapshots()
        assert stored() == both and both["members.total"] == (Decimal(_figures(first)["members.total"])
                                                                + Decimal(_figures(second)["members.total"]))
        assert _submitted_column(officer, root) == {**dict.fromkeys(_submitted_column(officer, root), Decimal(0)),
                                                    **both}
        # France corrects: its first version leaves the sums until the new one is submitted.
        url = f"/api/v1/reports/{first['id']}/actions/"
        answer = _json(france_sec, url, {"action": "correct", "reason": "Bổ sung số liệu đảng viên mới chuyển đến."})
        assert answer.status_code == 200
        assert stored() == snapshots() == {k: Decimal(v) for k, v in _figures(second).items() if Decimal(v)} | {
            k: Decimal(0) for k in _figures(first) if k not in _figures(second) or not Decimal(_figures(second)[k])}
        fresh = Report.objects.get(previous_id=first["id"])
        texts = ["Chi bộ tổ chức học tập nghị quyết đầy đủ.", "Kết nạp và quản lý đảng viên đúng quy định.",
                 "Đề xuất bồi dưỡng cho đảng viên mới sang."]
        assert _json(france_sec, f"/api/v1/reports/{fresh.pk}/", {"narrative": texts}, "patch").status_code == 200
        assert _json(france_sec, f"/api/v1/reports/{fresh.pk}/actions/", {"action": "submit"}).status_code == 200
        both_after = snapshots()
        assert stored() == both_after
        assert totals.check() == []
        call_command("report_totals", "--check")

        # A submitted report written behind the services (as a restore or the national loader would): the stored
        # row no longer covers what the roll-up sums, so the roll-up sums the snapshots itself, exactly.
        other = Unit.objects.filter(parent=root, closed_on__isnull=True, opened_on__lte=date(2026, 3, 31)).exclude(
            pk__in=[france.pk, germany.pk]).order_by("pk").first()
        Report.objects.create(unit=other, template=fresh.template, period_kind="quarter",
                              period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), state="submitted",
                              figures={"members.total": "7", "members.full": "7"}, opened_on=DAY, submitted_on=DAY)
        now = snapshots()
        column = _submitted_column(officer, root)
        assert {k: v for k, v in column.items() if v} == {k: v for k, v in now.items() if v}
        assert column["members.total"] == both_after["members.total"] + 7
        assert totals.check() != []
        call_command("report_totals")
        assert stored() == now and totals.check() == []
        assert _submitted_column(officer, root) == column
        # The roll-up reads the row when its fingerprint (counted in the database on PostgreSQL) matches: a row
        # whose figures alone were changed shows through, one whose fingerprint differs does not.
        row = SubmittedTotal.objects.get(unit=root, period_kind="quarter", period_start=date(2026, 1, 1))
        row.totals = {**row.totals, "members.total": "123456"}
        row.save()
        assert _submitted_column(officer, root)["members.total"] == 123456
        row.count += 1
        row.save()
        assert _submitted_column(officer, root) == column
