"""A letter's number carries the issuer's official abbreviation when the unit has one, else the sign of its kind
of body; never the unit's internal code."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from chibo.members.models import Member, Status
from chibo.transfers import services
from chibo.transfers.models import Kind
from chibo.units.services import unit_update

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


def test_the_number_uses_the_abbreviation_then_the_sign_of_the_body(actor_of, unit):
    secretary = actor_of("bithu.phap")
    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk").first()
    with override_settings(CHIBO_TODAY=TODAY):
        t = services.transfer_request(
            actor=secretary,
            member=member,
            kind=Kind.INTERNAL,
            decision_doc="41/QĐ-BNG",
            decision_date=date(2026, 6, 1),
            reason="Điều động công tác",
            to_unit=unit("PHAP-UNESCO"),
        )
        services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
        letter = services.transfer_issue_letter(
            actor=secretary,
            transfer=t,
            on=TODAY,
            signer_title="Bí thư",
            signer_name="Nguyễn Văn An",
            dues_paid_through="05/2026",
        )
    issuer = letter.issuer
    assert issuer.code == "PHAP-LHS" and not issuer.abbreviation
    assert letter.number == f"{letter.seq}-GGT/CB"
    unit_update(
        actor=actor_of("ban.tochuc"), unit=issuer, expected_version=issuer.version, changes={"abbreviation": "cblhs"}
    )
    letter.issuer.refresh_from_db()
    assert letter.issuer.abbreviation == "CBLHS"
    assert letter.number == f"{letter.seq}-GGT/CBLHS"
    assert issuer.code not in letter.number


def test_an_abbreviation_with_other_signs_is_refused_and_nothing_changes(actor_of, unit):
    from django.core.exceptions import ValidationError

    cell = unit("PHAP-LHS")
    with pytest.raises(ValidationError) as exc:
        unit_update(
            actor=actor_of("ban.tochuc"),
            unit=cell,
            expected_version=cell.version,
            changes={"abbreviation": "CB/LHS <b>"},
        )
    assert "abbreviation" in exc.value.message_dict
    cell.refresh_from_db()
    assert cell.abbreviation == ""


def test_the_demo_upper_committee_signs_with_its_abbreviation(unit):
    assert unit("DUBNG").abbreviation == "ĐUBNG"
