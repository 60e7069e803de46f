"""Statistics of a subtree: a small known history written through the services (a new cell under France: members
admitted, confirmed, leaving, moving between cells in the middle of a year, arriving from outside the tree; an
admission; transfers in and out; meetings; dues in two currencies; grades walked through their steps) gives exact
figures per year on the page, in the API and in the XLSX, which add up; other units' statistics stay hidden; bad
input is refused clearly."""

from __future__ import annotations

import html
import re
from datetime import date, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from chibo.admission import services as admission
from chibo.admission.tests.conftest import walk
from chibo.dues import services as dues
from chibo.dues.services import PaymentLine
from chibo.grading import services as grading
from chibo.grading.rules import criteria_for
from chibo.meetings import services as meetings
from chibo.members.enums import Category, Status
from chibo.members.services import member_change_status, member_create, member_move
from chibo.transfers import services as transfers
from chibo.transfers.models import Kind
from chibo.transfers.selectors import cell_voters_on, organizations
from chibo.units.services import unit_create

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
YEARS = [2022, 2023, 2024, 2025, 2026]
# (full, probationary) on 31 December, as things stood that day: A, F and C, then G in 2023 only (moved in and out
# again), H from 2024 (arrived from outside), B probationary in 2024, E from 2025, F gone in 2026, D and Lan Anh
# probationary.
MEMBERS = {2022: (3, 0), 2023: (4, 0), 2024: (3, 1), 2025: (5, 1), 2026: (4, 2)}
ADMITTED = {2022: 0, 2023: 0, 2024: 0, 2025: 0, 2026: 1}
TRANSFERS = {2022: (0, 0), 2023: (0, 0), 2024: (1, 0), 2025: (1, 0), 2026: (0, 1)}  # (in, out)
MEETINGS = {2022: (12, 0), 2023: (12, 0), 2024: (12, 3), 2025: (12, 1), 2026: (6, 0)}  # (due, held)
DUES = {(2026, "EUR"): (Decimal("62.50"), Decimal("37.50")), (2026, "VND"): (Decimal(300000), Decimal(200000))}
GRADES = {2025: {"excellent": 1, "good": 2, "completed": 1}}


def _member(officer, cell, name, *, admitted, confirmed=None):
    return member_create(actor=officer, unit=cell, status=Status.FULL if confirmed else Status.PROBATIONARY,
                         full_name=name, gender="M", birth_date=date(1985, 1, 10), admission_date=admitted,
                         confirmation_date=confirmed, category=Category.MISSION_STAFF)


def _transfer(actor, member, to_unit, on):
    t = transfers.transfer_request(actor=actor, member=member, kind=Kind.INTERNAL, to_unit=to_unit,
                                   decision_doc="7/QĐ", decision_date=on, reason="Chuyển nơi công tác",
                                   requested_on=on)
    transfers.transfer_approve(actor=actor, transfer=t, on=on)
    transfers.transfer_issue_letter(actor=actor, transfer=t, on=on, signer_title="Bí thư", signer_name="Nguyễn Văn An",
                                    dues_paid_through=f"{on:%m/%Y}")
    transfers.transfer_receive(actor=actor, transfer=t, on=on)
    return transfers.transfer_report_in(actor=actor, transfer=t, on=on + timedelta(days=3))


def _meeting(actor, cell, day, kind="regular"):
    m = meetings.meeting_plan(actor=actor, unit=cell, kind=kind, title="Sinh hoạt chi bộ", day=day, time=time(18, 30),
                              planned_minutes=240, place="Phòng họp")
    meetings.meeting_open(actor=actor, meeting=m)
    m.refresh_from_db()
    return meetings.meeting_close(actor=actor, meeting=m, ended_at=m.opened_at + timedelta(hours=2))


# The self-assessment that gives each grade: points (a share of each criterion's maximum), tasks all on time, the
# share of tasks exceeded (%).
SELF = {"excellent": (1, 40), "good": (Decimal("0.9"), 10), "completed": (Decimal("0.6"), 0)}


def _grade(officer, cell, period, voters, graded):
    """Each member's review walked through its steps: the self-assessment submitted, the cell's vote in a meeting
    where its full members are present, the committee's appraisal and decision."""
    held = meetings.meeting_plan(actor=officer, unit=cell, kind="thematic", title="Kiểm điểm cuối năm",
                                 day=date(2025, 12, 1), time=time(18, 30), planned_minutes=120, place="Phòng họp")
    meetings.meeting_open(actor=officer, meeting=held)
    for member in voters:
        member.refresh_from_db()  # E and H came by transfer since
        meetings.attendance_record(actor=officer, meeting=held, member=member, presence="in_person")
    present = len(cell_voters_on(cell, date(2025, 12, 1)))
    assert present == len(voters)
    for member, grade in graded:
        review = period.reviews.get(member=member)
        share, exceeded = SELF[grade]
        points = {c.code: int(c.max_points * share) for c in criteria_for(review.form, period.opened_on)}
        score = sum(points.values())
        review = grading.review_submit(actor=officer, review=review, points=points, all_on_time=True,
                                       exceeded_percent=exceeded, proposed_grade=grade)
        review = grading.review_cell_vote(actor=officer, review=review, meeting=held.pk, score=score,
                                          all_on_time=True, exceeded_percent=exceeded, grade=grade, yes=present,
                                          no=0, comment="Chi bộ nhất trí.")
        review = grading.review_appraise(actor=officer, review=review, score=score, all_on_time=True,
                                         exceeded_percent=exceeded, grade=grade, appraisal="Nhất trí.")
        grading.review_decide(actor=officer, review=review, grade=grade, decision_no="30-QĐ/ĐU",
                              decided_on=date(2025, 12, 1))
    held.refresh_from_db()
    meetings.meeting_close(actor=officer, meeting=held, ended_at=held.opened_at + timedelta(hours=2))


@pytest.fixture
def history(settings, actor_of, unit):
    """The new cell "PHAP-TK" (opened 2020) and its history; the clock moved along, left at TODAY."""
    officer = actor_of("ban.tochuc")
    settings.CHIBO_TODAY = date(2025, 5, 10)
    cell = unit_create(actor=officer, parent=unit("PHAP"), kind="subordinate_cell", name="Chi bộ thống kê",
                       code="PHAP-TK", country="FR", city="Lyon", opened_on=date(2020, 1, 2))
    a = _member(officer, cell, "Phạm Văn An", admitted=date(2020, 5, 1), confirmed=date(2021, 5, 1))
    f = _member(officer, cell, "Phạm Văn Phong", admitted=date(2015, 5, 1), confirmed=date(2016, 5, 1))
    b = _member(officer, cell, "Phạm Văn Bình", admitted=date(2024, 3, 1), confirmed=date(2025, 3, 1))
    c = _member(officer, cell, "Phạm Văn Cường", admitted=date(2018, 1, 10), confirmed=date(2019, 1, 10))
    e = _member(officer, unit("PHAP-DSQ"), "Phạm Văn Em", admitted=date(2010, 2, 1), confirmed=date(2011, 2, 1))
    # C leaves the Party in 2024; E comes from another cell of France in 2025 (in).
    member_change_status(actor=officer, member=c, status=Status.LEFT, reason="Xin ra khỏi Đảng", document="3/QĐ",
                         effective_on=date(2024, 7, 1))
    _transfer(officer, e, cell, date(2025, 5, 5))
    # G moves in from the embassy's cell in the middle of 2023 and on to the students' cell in the middle of 2024.
    g = _member(officer, unit("PHAP-DSQ"), "Phạm Văn Giang", admitted=date(2012, 6, 1), confirmed=date(2013, 6, 1))
    for to_unit, on in ((cell, date(2023, 6, 1)), (unit("PHAP-LHS"), date(2024, 8, 1))):
        member_move(actor=officer, member=g, to_unit=to_unit, reason="Chuyển nơi công tác", document="5/QĐ",
                    effective_on=on)
    # H, a party member at home, is posted to the cell in 2024: the letter comes to the upper committee, where the
    # record is made, and H reports to the cell on 25 September.
    root = unit("PHAP").parent
    h = _member(officer, root, "Phạm Văn Hải", admitted=date(2012, 3, 3), confirmed=date(2013, 3, 3))
    t = transfers.transfer_register_incoming(
        actor=officer, member=h, kind=Kind.ABROAD, from_org=organizations().get(name="Đảng bộ Vụ Châu Âu"),
        incoming_letter="45-GGT/ĐU", letter_date=date(2024, 9, 1), decision_doc="1234/QĐ-BNG",
        decision_date=date(2024, 8, 20), to_unit=cell, reason="Nhiệm kỳ công tác tại Pháp", at_unit=root)
    transfers.transfer_forward(actor=officer, transfer=t, on=date(2024, 9, 3), signer_title="Phó Bí thư",
                               signer_name="Trần Quốc Bảo", dues_paid_through="08/2024")
    transfers.transfer_receive(actor=officer, transfer=t, on=date(2024, 9, 20))
    transfers.transfer_report_in(actor=officer, transfer=t, on=date(2024, 9, 25))
    # Meetings: two regular ones in March 2024 count one month, a combined one in April; one on the evening of 31
    # December 2024 in Lyon (already 1 January 2025 on the server's clock, Hanoi) counts in December 2024; January
    # 2025 regular; a thematic one does not count.
    for day, kind in ((date(2024, 3, 5), "regular"), (date(2024, 3, 20), "regular"), (date(2024, 4, 10), "combined"),
                      (date(2024, 12, 31), "regular"), (date(2025, 1, 10), "regular"),
                      (date(2025, 2, 12), "thematic")):
        _meeting(officer, cell, day, kind)
    # Grades of 2025 (the yearly period, opened in the year).
    settings.CHIBO_TODAY = date(2025, 12, 1)
    period = grading.period_open(actor=officer, unit=cell, kind="year", year=2025)
    _grade(officer, cell, period, (a, f, b, e, h), ((a, "excellent"), (b, "good"), (e, "good"), (f, "completed")))
    # An admission: the ceremony on 9 January 2026.
    settings.CHIBO_TODAY = date(2026, 1, 12)
    case = admission.applicant_record(actor=officer, unit=cell, full_name="Đỗ Thị Lan Anh", gender="F",
                                      birth_date=date(1998, 5, 19), recorded_on=date(2025, 9, 1)).case
    case = walk(officer, case, "verified", intro=(a, f))
    n = len(cell_voters_on(cell, date(2025, 12, 10)))
    case = admission.case_cell_vote(actor=officer, case=case, held_on=date(2025, 12, 10), yes=n, no=0,
                                    resolution_no="03-NQ/CB")
    k = admission.committee_members_on(case.deciding_unit, date(2025, 12, 22))
    case = admission.case_committee_vote(actor=officer, case=case, held_on=date(2025, 12, 22), yes=k, no=0,
                                         resolution_no="12-NQ/ĐU")
    case = admission.case_decision(actor=officer, case=case, decision_no="25-QĐ/ĐU", decided_on=date(2025, 12, 29),
                                   received_on=date(2026, 1, 2))
    admission.case_ceremony(actor=officer, case=case, held_on=date(2026, 1, 9), helper=b, category="mission_staff")
    # F leaves for another cell of France in 2026 (out); D is admitted at the end of 2025 (recorded directly).
    settings.CHIBO_TODAY = date(2026, 2, 20)
    _transfer(officer, f, unit("PHAP-LHS"), date(2026, 2, 10))
    _member(officer, cell, "Phạm Văn Dũng", admitted=date(2025, 11, 1))
    # Dues in 2026: A in euros from February, B in đồng (1% of a salary) from April; part of each paid.
    settings.CHIBO_TODAY = TODAY
    dues.rate_define(actor=officer, category="mission_staff", currency="EUR", amount="12.50",
                     effective_from=date(2026, 2, 1), basis="Hướng dẫn của Đảng ủy (thử)")
    dues.profile_set(actor=officer, member=a, month=date(2026, 2, 1), base="abroad", currency="EUR",
                     category="mission_staff")
    dues.profile_set(actor=officer, member=b, month=date(2026, 4, 1), base="salary", currency="VND",
                     base_amount="10000000")
    dues.payments_post(actor=officer, unit=cell, paid_on=date(2026, 6, 10), method="cash",
                       lines=[PaymentLine(a, "37.50"), PaymentLine(b, "150000")])
    posted = dues.payments_post(actor=officer, unit=cell, paid_on=date(2026, 6, 11), method="cash",
                                lines=[PaymentLine(b, "50000")])
    dues.payments_post(actor=officer, unit=cell, paid_on=date(2026, 6, 12), method="cash",
                       lines=[PaymentLine(b, "50000")])
    dues.payment_reverse(actor=officer, entry=posted.entries[0], reason="Ghi trùng")
    return cell


def _query(cell):
    return f"?unit={cell.pk}&year_from=2022&year_to=2026"


def _num(text: str):
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    if text == "—":
        return None
    if not re.fullmatch(r"[\d.,]+", text):
        return text  # a currency, "Tổng"
    whole, _sep, frac = text.replace(".", "").partition(",")
    return Decimal(f"{whole}.{frac}") if frac else int(whole)


def _page_rows(page: str, key: str) -> dict[str, list]:
    section = page.split(f'data-table="{key}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for row_key, cells in re.findall(r'<tr data-row="([^"]+)">(.*?)</tr>', section, re.S):
        rows[row_key] = [_num(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)]
    return rows


def test_exact_figures_per_year_on_the_page_in_the_api_and_in_the_xlsx(history, client_of, actor_of):
    cell = history
    # A report upward counts the same decisions as the statistics: the grades decided in 2025, none in 2024.
    from chibo.reports import figures as report_figures

    keys = [f"grades.{g}" for g in ("excellent", "good", "completed", "not_completed")]
    in_2025 = report_figures.compute(actor_of("ban.tochuc"), cell, date(2025, 1, 1), date(2025, 12, 31), keys)
    assert in_2025 == {"grades.excellent": "1", "grades.good": "2", "grades.completed": "1",
                       "grades.not_completed": "0"}
    in_2024 = report_figures.compute(actor_of("ban.tochuc"), cell, date(2024, 1, 1), date(2024, 12, 31), keys)
    assert set(in_2024.values()) == {"0"}
    officer = client_of("ban.tochuc")
    with override_settings(CHIBO_TODAY=TODAY):
        answer = officer.get("/api/v1/stats/" + _query(cell))
        assert answer.status_code == 200, answer.content
        body = answer.json()
        page = officer.get("/stats/" + _query(cell))
        book = officer.get("/stats/thong-ke.xlsx" + _query(cell))
    assert body["members"] == [{"year": y, "full": MEMBERS[y][0], "probationary": MEMBERS[y][1],
                                "total": sum(MEMBERS[y])} for y in YEARS]
    assert body["admissions"] == [{"year": y, "admitted": ADMITTED[y]} for y in YEARS]
    assert body["transfers"] == [{"year": y, "transfers_in": TRANSFERS[y][0], "transfers_out": TRANSFERS[y][1]}
                                 for y in YEARS]
    assert body["meetings"] == [{"year": y, "due": MEETINGS[y][0], "held": MEETINGS[y][1]} for y in YEARS]
    assert [(d["year"], d["currency"], Decimal(d["due"]), Decimal(d["collected"])) for d in body["dues"]] == [
        (y, cur, due, got) for (y, cur), (due, got) in DUES.items()]
    assert body["grades"] == [{"year": y, "excellent": GRADES.get(y, {}).get("excellent", 0),
                               "good": GRADES.get(y, {}).get("good", 0),
                               "completed": GRADES.get(y, {}).get("completed", 0), "not_completed": 0,
                               "total": sum(GRADES.get(y, {}).values())} for y in YEARS]

    # The page: every table with its chart, the same numbers as the API.
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<svg") == 6 and text.count('<th scope="col"') > 12 and "<caption>" in text
    rows = _page_rows(text, "members")
    assert [rows[str(y)] for y in YEARS] == [[y, *MEMBERS[y], sum(MEMBERS[y])] for y in YEARS]
    rows = _page_rows(text, "transfers")
    assert [rows[str(y)] for y in YEARS] == [[y, *TRANSFERS[y]] for y in YEARS]
    assert rows["total"] == ["Tổng", 2, 1]
    rows = _page_rows(text, "meetings")
    assert rows["2024"] == [2024, 12, 3, 25] and rows["total"] == ["Tổng", 54, 4, 7]
    rows = _page_rows(text, "dues")
    assert rows["2026-EUR"] == [2026, "EUR", Decimal("62.50"), Decimal("37.50"), 60]
    assert rows["2026-VND"] == [2026, "VND", 300000, 200000, 67]

    # The XLSX: a sheet per table, the page's figures, totals the sum of the rows.
    assert book.status_code == 200 and book["Cache-Control"] == "no-store"
    wb = load_workbook(BytesIO(book.content))
    assert wb.sheetnames == ["members", "admissions", "transfers", "meetings", "dues", "grades"]
    sheets = {name: [list(r) for r in wb[name].iter_rows(min_row=4, values_only=True)] for name in wb.sheetnames}
    assert sheets["members"] == [[y, *MEMBERS[y], sum(MEMBERS[y])] for y in YEARS]
    for name in ("admissions", "transfers", "meetings", "grades"):
        body_rows, total = sheets[name][:-1], sheets[name][-1]
        assert [r[0] for r in body_rows] == YEARS and total[0] == "Tổng"
        for col in range(1, len(total)):
            if name == "meetings" and col == 3:
                continue  # the rate: of the totals, not a sum
            assert total[col] == sum(r[col] for r in body_rows), (name, col)
    assert [r[:4] for r in sheets["meetings"][:-1]] == [[y, *MEETINGS[y], r[3]] for y, r in
                                                        zip(YEARS, sheets["meetings"][:-1], strict=True)]
    dues_rows = sheets["dues"]
    assert [(r[0], r[1], Decimal(str(r[2])), Decimal(str(r[3]))) for r in dues_rows[:2]] == [
        (y, cur, due, got) for (y, cur), (due, got) in DUES.items()]
    assert [(r[0], r[1], Decimal(str(r[2])), Decimal(str(r[3]))) for r in dues_rows[2:]] == [
        ("Tổng", "EUR", Decimal("62.5"), Decimal("37.5")), ("Tổng", "VND", Decimal(300000), Decimal(200000))]
    assert [r[1:] for r in sheets["grades"] if r[0] == 2025] == [[1, 2, 1, 0, 4]]
    # The same history serves the scope and bad-input checks (it takes long to build).
    _scope_personas_and_bad_input(cell, client_of)


def _scope_personas_and_bad_input(cell, client_of):
    with override_settings(CHIBO_TODAY=TODAY):
        # France's secretary sees her subtree; Germany's secretary, a member and an applicant do not.
        assert client_of("bithu.phap").get("/api/v1/stats/" + _query(cell)).status_code == 200
        for persona in ("bithu.duc", "dangvien.phap", "ungvien.phap"):
            for url in ("/stats/", "/stats/thong-ke.xlsx", "/api/v1/stats/"):
                assert client_of(persona).get(url + _query(cell)).status_code == 404, (persona, url)
        # The inspector (no dues.record, but dues.view) sees every family; defaults: the top unit, five years.
        body = client_of("ub.kiemtra").get("/api/v1/stats/").json()
        assert (body["year_from"], body["year_to"]) == (2022, 2026) and body["unit_name"]
        officer = client_of("ban.tochuc")
        future = officer.get(f"/api/v1/stats/?unit={cell.pk}&year_to=2027")
        assert future.status_code == 400 and "tương lai" in future.json()["year_to"][0]
        reversed_ = officer.get(f"/stats/?unit={cell.pk}&year_from=2026&year_to=2020")
        assert reversed_.status_code == 400 and "Năm đầu phải trước" in reversed_.content.decode()
        assert officer.get("/api/v1/stats/?unit=abc").status_code == 400
        assert officer.get("/api/v1/stats/?unit=999999").status_code == 404
        assert officer.get("/api/v1/stats/?year=2025").status_code == 400  # not a parameter of this read
        assert officer.get("/api/v1/stats/?year_from=1990&year_to=2026").status_code == 400  # more than 30 years
        # The dashboard leads there.
        assert 'href="/stats/"' in officer.get("/").content.decode()
