"""The regulation watch lists the earlier versions the rule histories added (docs/domain.md §12): the cases before a
regulation's date are still judged by them, and nobody has checked their values against the older text."""

from __future__ import annotations

from datetime import date

import pytest

from chibo.core.models import Rule

pytestmark = pytest.mark.django_db

EARLIER = [  # key, the last day of the earlier version, the regulation it cites
    ("meeting.min_minutes", date(2025, 10, 27), "12-HD/BTCTW 2018"),
    ("meeting.min_minutes_refused", date(2025, 10, 27), "12-HD/BTCTW 2018"),
    ("meeting.documents_before", date(2025, 10, 27), "12-HD/BTCTW 2018"),
    ("grading.band_good", date(2025, 8, 29), "124-QĐ/TW 2023"),
    ("grading.excellent_cap", date(2025, 8, 29), "124-QĐ/TW 2023"),
    ("grading.criterion.2C.tasks.t1", date(2025, 10, 30), "124-QĐ/TW 2023"),
    ("discipline.appeal_within", date(2025, 5, 29), "22-QĐ/TW 2021"),
    ("discipline.competence.grassroots_cell", date(2025, 5, 29), "22-QĐ/TW 2021"),
]


def test_the_watch_lists_the_earlier_versions_to_confirm(client_of):
    versions = {key: Rule.objects.get(key=key, effective_to=last) for key, last, _ in EARLIER}
    page = client_of("ban.tochuc").get("/rules/watch/").content.decode()
    for key, last, cited in EARLIER:
        version = versions[key]
        assert version.confidence == "to_confirm" and cited in version.basis, key
        start = page.index(f'id="rule-{version.pk}"')
        card = page[start:page.index("</section>", start)]
        assert f"01/01/2000 – {last:%d/%m/%Y}" in card and cited in card and "Phiên bản trước" in card, key
        assert 'name="basis"' in card  # the officer confirms it like any other
    # The version in force now of a rule still to confirm is there too, without the "earlier" mark.
    now = Rule.objects.get(key="meeting.min_minutes_refused", effective_to__isnull=True)
    start = page.index(f'id="rule-{now.pk}"')
    assert "Phiên bản trước" not in page[start:page.index("</section>", start)]
    # A confirmed version is not on the watch, whatever its date.
    confirmed = Rule.objects.get(key="meeting.min_minutes", effective_to__isnull=True)
    assert confirmed.confidence == "confirmed" and f'id="rule-{confirmed.pk}"' not in page
