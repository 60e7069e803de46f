"""Every download goes through core.documents.download: the read is in the audit chain (who, what, which
unit), the answer is never cached nor sniffed, and the file name is safe. One request per kind of file."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from chibo.admission import services as admission
from chibo.admission.models import AdmissionCase
from chibo.core.models import AuditEvent
from chibo.members.models import Member, Status
from chibo.transfers import services as transfers
from chibo.transfers.models import Kind

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def fetch(client, url: str, action: str) -> AuditEvent:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body, url
    assert response["Cache-Control"] == "no-store", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert "filename" in response["Content-Disposition"], url
    rows = list(AuditEvent.objects.filter(id__gt=before, action=action))
    assert len(rows) == 1, (url, action,
                            list(AuditEvent.objects.filter(id__gt=before).values_list("action", flat=True)))
    return rows[0]


def test_every_kind_of_download_is_audited_and_never_cached(client_of, actor_of, personas, unit):
    officer, secretary = client_of("ban.tochuc"), client_of("bithu.phap")
    phap = actor_of("bithu.phap")
    mover = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk").first()
    t = transfers.transfer_request(actor=phap, member=mover, kind=Kind.INTERNAL, to_unit=unit("PHAP-DSQ"),
                                   decision_doc="31/QĐ-BNG", decision_date=date(2026, 6, 1), reason="Luân chuyển")
    transfers.transfer_approve(actor=phap, transfer=t, on=TODAY)
    letter = transfers.transfer_issue_letter(actor=phap, transfer=t, on=TODAY, signer_title="Bí thư",
                                             signer_name="Nguyễn Văn An", dues_paid_through="05/2026")
    row = fetch(secretary, f"/transfers/letter/{letter.pk}.pdf", "transfers.letter_downloaded")
    assert row.object_id == str(letter.pk) and row.unit_id == letter.issuer_id and row.data["format"] == "pdf"
    fetch(secretary, f"/transfers/letter/{letter.pk}.docx", "transfers.letter_downloaded")
    fetch(secretary, f"/transfers/book/{letter.issuer_id}/?year={letter.year}&format=xlsx", "transfers.book_exported")
    fetch(secretary, f"/transfers/book/{letter.issuer_id}/?year={letter.year}&format=pdf", "transfers.book_exported")

    member = personas["dangvien.phap"].member
    trip = transfers.trip_apply(actor=actor_of("dangvien.phap"), member=member, country="JP", purpose="Du lịch",
                                depart_on=date(2026, 7, 1), return_on=date(2026, 7, 10))
    transfers.trip_opinion(actor=actor_of("bithu.phap"), trip=trip, opinion="Đề nghị đồng ý")
    transfers.trip_decide(actor=actor_of("bithu.phap"), trip=trip, approve=True, document="12-QĐ/ĐU")
    row = fetch(client_of("dangvien.phap"), f"/transfers/trip/{trip.pk}/decision.pdf", "transfers.decision_downloaded")
    assert row.object_id == str(member.pk)

    case = AdmissionCase.objects.get(unit__code="PHAP-LHS", stage="verified")  # the demo's case at the vote
    eligible = admission.cell_vote_preview(case, TODAY)["eligible"]
    admission.case_cell_vote(actor=actor_of("bithu.phap"), case=case, held_on=TODAY, yes=eligible, no=0,
                             resolution_no="7-NQ/CB")
    row = fetch(secretary, f"/admission/{case.pk}/van-ban/?form=6-KND&format=pdf", "admission.paper_downloaded")
    assert row.object_id == str(case.pk) and row.data["form"] == "6-KND"

    fetch(officer, "/bulk/import/template/", "bulk.template_downloaded")
    before = AuditEvent.objects.filter(action="members.book_exported").count()
    response = officer.get(f"/bulk/export/book/{unit('PHAP').pk}/?format=xlsx")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="members.book_exported").count() == before + 1  # audited once
