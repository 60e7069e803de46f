"""The home page's "Việc cần làm": each persona sees what waits for them, with links to where it is done; a member
and an applicant no longer see the staff's counts of their scope."""

from __future__ import annotations

import re

import pytest

from chibo.core import clock
from chibo.grading import services as grading
from chibo.grading.models import Review
from chibo.grading.rules import criteria_for
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]


def _work(client) -> dict[str, str]:
    """{section key: its text} of the work list on the front page."""
    html = client.get("/").content.decode()
    block = html.split('id="work"', 1)[1].split("</section>", 1)[0]
    sections = re.findall(r'data-work="(\w+)">(.*?)</div>', block, re.S)
    return {key: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for key, body in sections}


def test_each_persona_sees_what_waits_for_them(personas, actor_of, client_of):
    boss = actor_of("ban.tochuc")
    member = personas["dangvien.phap"].member
    period = grading.period_open(actor=boss, unit=Unit.objects.get(code="PHAP"), kind="year",
                                 year=clock.today().year)

    mine = _work(client_of("dangvien.phap"))
    assert f"Nộp bản tự đánh giá: {period.title}" in mine["grading"]
    page = client_of("dangvien.phap").get("/").content.decode()
    assert "đảng viên đang sinh hoạt trong phạm vi của bạn" not in page and 'href="/grading/mine/"' in page

    review = Review.objects.select_related("period").get(period=period, member=member)
    points = {c.code: c.max_points - 3 for c in criteria_for(review.form, period.opened_on)}
    grading.review_submit(actor=actor_of("dangvien.phap"), review=review, points=points, all_on_time=True,
                          exceeded_percent=0, proposed_grade="good")
    assert "grading" not in _work(client_of("dangvien.phap"))
    secretary = _work(client_of("bithu.phap"))
    assert f"Chi bộ nhận xét, biểu quyết: {period.title}" in secretary["grading"]
    assert "1 bản kiểm điểm" in secretary["grading"]
    assert "grading" not in _work(client_of("bithu.duc"))  # Germany has nothing of France's

    applicant = _work(client_of("ungvien.phap"))
    assert set(applicant) == {"dossier"} and applicant["dossier"]
    officer = client_of("ban.tochuc").get("/").content.decode()
    assert "đảng viên đang sinh hoạt trong phạm vi của bạn" in officer  # staff keep their counts below
