"""A case is judged by the rules in force on its day (docs/domain.md §8, §12): before Quy định 296-QĐ/TW
(30/5/2025) the competence of a cell, the appeal window and the state body's notice rest on 22-QĐ/TW 2021, the
regulation it replaced (to confirm, values as seeded). Through the services, on the seeded rulebook."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chibo.discipline import services
from chibo.discipline.models import Case
from chibo.discipline.rules import appeal_ends, heaviest_form, notice_due
from chibo.members.models import CommitteePost, Member, Status
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
ON_296 = date(2025, 5, 30)


def _plain_member() -> Member:
    france = Unit.objects.get(code="PHAP")
    return (Member.objects.filter(unit__path__startswith=france.path, unit__kind="subordinate_cell",
                                  status=Status.FULL)
            .exclude(pk__in=CommitteePost.objects.values("member_id")).order_by("pk").first())


@pytest.mark.parametrize(("today", "cited", "not_cited"), [
    (date(2025, 3, 10), "22-QĐ/TW 2021", "296-QĐ/TW"),
    (date(2026, 3, 10), "296-QĐ/TW", "22-QĐ/TW"),
])
def test_a_cells_competence_cites_the_regulation_of_the_day(actor_of, today, cited, not_cited):
    member = _plain_member()
    before = Case.objects.count()
    with override_settings(CHIBO_TODAY=today), pytest.raises(ValidationError) as refused:
        services.case_open(actor=actor_of("ban.tochuc"), member=member, deciding_unit=member.unit,
                           violation="Vi phạm quy định", violated_on=date(today.year, 3, 1), area="ordinary",
                           considered="expulsion", reference="1-TB/CB")
    said = " ".join(refused.value.message_dict["deciding_unit"])
    assert "Thẩm quyền kỷ luật của chi bộ trực thuộc" in said and "chỉ đề nghị" in said
    assert cited in said and not_cited not in said
    assert Case.objects.count() == before


def test_the_windows_change_basis_on_the_day_of_296_and_keep_their_length(unit):
    cell = unit("PHAP-DSQ")
    eve = date(2025, 5, 29)
    (ends_then, basis_then), (ends_now, basis_now) = appeal_ends(eve, cell), appeal_ends(ON_296, cell)
    assert "22-QĐ/TW 2021" in basis_then and "296-QĐ/TW 2025" in basis_now
    assert (ends_then, ends_now) == (date(2025, 6, 29), date(2025, 6, 30))  # one month either side
    assert "22-QĐ/TW 2021" in notice_due(eve, cell)[1] and "296-QĐ/TW 2025" in notice_due(ON_296, cell)[1]
    assert heaviest_form(cell, eve)[0] == heaviest_form(cell, ON_296)[0] == "warning"
