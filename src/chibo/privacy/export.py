"""Everything chibo holds on one person, gathered for their export (docs/domain.md §10): the person's own row, every
row of every model that refers to them, and their account's own rows, as JSON plus a readable PDF summary, inside
an AES-encrypted zip opened with a password the requester chooses.

The rows are found through the app registry, from an explicit map of the fields that point at a person
(``INCLUDED``); a field that points at a person for another reason (an officer who recorded something, an
introducer of someone else's admission) is either exported as a bare mention or listed in ``EXCLUDED`` with why.
``privacy/tests/test_export.py`` fails when a model gains a field pointing at a person that neither map names."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyzipper  # type: ignore[import-untyped]
from django.apps import apps
from django.conf import settings
from django.db import models

from chibo.core import clock
from chibo.core.documents import Field, OfficialDocument, Paragraph, Table, render_pdf
from chibo.units.selectors import units_by_id

MEMBER = "members.member"
APPLICANT = "admission.applicant"
USER = settings.AUTH_USER_MODEL.lower()
UNIT = "units.unit"

FULL = "full"        # the whole row: the data is about the person
MENTION = "mention"  # only that the row names them (the row is about someone else)

# "app_label.Model.field" → how its rows are exported.
INCLUDED: dict[str, str] = {
    "accounts.User.member": FULL,
    "accounts.User.applicant": FULL,
    "accounts.RoleAssignment.user": FULL,
    "accounts.Invitation.user": FULL,
    "accounts.ApiToken.user": FULL,
    "members.TimelineEvent.member": FULL,
    "members.CommitteePost.member": FULL,
    "admission.AdmissionCase.applicant": FULL,
    "admission.AdmissionCase.member": FULL,
    "admission.AdmissionCase.introducer1": MENTION,
    "admission.AdmissionCase.introducer2": MENTION,
    "admission.AdmissionCase.helper": MENTION,
    "deadlines.Deadline.member": FULL,
    "deadlines.FeedToken.user": FULL,
    "notifications.Message.user": FULL,
    "notifications.Notification.user": FULL,
    "meetings.Attendance.member": FULL,
    "meetings.BallotVoter.member": FULL,
    "transfers.TransferHold.member": FULL,
    "transfers.Transfer.member": FULL,
    "transfers.Letter.member": FULL,
    "transfers.ReturnReview.member": FULL,
    "transfers.DelegationMember.member": FULL,
    "transfers.Trip.member": FULL,
    "transfers.Exemption.member": FULL,
    "transfers.Declaration.member": FULL,
    "dues.Profile.member": FULL,
    "dues.Decision.member": FULL,
    "dues.Obligation.member": FULL,
    "dues.Entry.member": FULL,
    "discipline.Case.member": FULL,
    "discipline.Notice.member": FULL,
    "inspection.PlanItem.subject_member": FULL,
    "inspection.SupervisionNote.subject_member": FULL,
    "inspection.Inspection.subject_member": FULL,
    "grading.Review.member": FULL,
    "programs.Item.owner_member": FULL,  # the work program items the member is in charge of
    "account.EmailAddress.user": FULL,
    "mfa.Authenticator.user": FULL,
    "usersessions.UserSession.user": FULL,
    "library.Receipt.member": FULL,  # the documents the member read
    "library.Handover.from_member": FULL,
    "library.Handover.to_member": FULL,
    "library.ClassifiedEntry.custodian": MENTION,  # a row of the classified register: only that they keep it
    "study.Attendance.member": FULL,
    "study.Certificate.member": FULL,
    "study.Certificate.applicant": FULL,
    "study.Reflection.member": FULL,
    "privacy.DataRequest.member": FULL,
    "privacy.DataRequest.applicant": FULL,
}

# Fields that point at a person's account while that person acts for the organization on someone else's data.
EXCLUDED: dict[str, str] = {
    "bulk.ImportJob.user": "an officer's upload of a member list: the rows are other people's data",
    "discipline.Notice.recorded_by": "the officer who recorded a notice about another member",
    "discipline.Case.officers": "the officers following another member's case",
    "inspection.PlanItem.officers": "the officers assigned to inspect someone else",
    "inspection.Inspection.team": "the inspection team, working on someone else's case",
    "privacy.DataRequest.filed_by": "the officer who recorded another person's request (the person's own "
                                    "requests are exported through their member or applicant field)",
    "privacy.Breach.recorded_by": "the officer who recorded a breach: the register, not data about the officer",
    "privacy.Anonymisation.done_by": "the officer who anonymised another person: the register, not data about the "
                                      "officer",
}

# Never written into an export, whoever it belongs to: credentials and lookup hashes.
SECRET_PARTS = ("password", "hash", "secret", "token", "session_key", "key")
SECRET_FIELDS = {"mfa.Authenticator.data"}


def person_fields() -> list[tuple[str, models.Field]]:
    """Every field of every installed model that points at a member, an applicant or a user account."""
    found: list[tuple[str, Any]] = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if not getattr(f, "concrete", False) or f.related_model is None:
                continue
            if not (f.many_to_one or f.one_to_one or f.many_to_many):
                continue
            if f.related_model._meta.label_lower in (MEMBER, APPLICANT, USER):  # type: ignore[union-attr]
                found.append((f"{model._meta.label}.{f.name}", f))
    return found


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return None
    if isinstance(value, (list, dict, str, int, float, bool)) or value is None:
        return value
    return str(value)


def _secret(label: str, name: str) -> bool:
    return f"{label}.{name}" in SECRET_FIELDS or any(part in name.lower() for part in SECRET_PARTS)


def row_data(obj: models.Model) -> dict[str, Any]:
    """The row's concrete fields (relations by id, labels of choices beside their codes), secrets left out."""
    label = obj._meta.label
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if _secret(label, f.name):
            continue
        value = _value(f.value_from_object(obj))
        if value is None and isinstance(f.value_from_object(obj), (bytes, memoryview)):
            continue
        out[f.attname] = value
        if f.choices and value not in (None, ""):
            out[f"{f.name}_label"] = str(getattr(obj, f"get_{f.name}_display")())
    return out


@dataclass
class PersonData:
    """What the export holds: the person's own rows and, per "app.Model.field", the rows that refer to them."""

    person: dict[str, Any]
    kind: str                                   # "member" or "applicant"
    sections: dict[str, list[dict[str, Any]]]
    reads: list[dict[str, Any]]

    def as_json(self) -> bytes:
        body = {"exported_at": clock.today().isoformat(), "kind": self.kind, "person": self.person,
                "sections": self.sections, "record_reads": self.reads,
                "note": "Every table of chibo that refers to this person; '_label' fields give the readable value."}
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _targets(member, applicant, user) -> dict[str, Any]:
    return {MEMBER: member, APPLICANT: applicant, USER: user}


def gather(*, member=None, applicant=None, user=None, reads: list[dict[str, Any]] | None = None) -> PersonData:
    """Every row chibo holds on the person (a member or an applicant, with their account if they have one)."""
    targets = _targets(member, applicant, user)
    sections: dict[str, list[dict[str, Any]]] = {}
    for key, f in person_fields():
        how = INCLUDED.get(key)
        target = targets[f.related_model._meta.label_lower]  # type: ignore[union-attr]
        if how is None or target is None:
            continue
        model = f.model
        rows = model._default_manager.filter(**{f.name: target}).order_by("pk")
        if how == MENTION:
            sections[key] = [{"id": r.pk, "role": f.verbose_name} for r in rows]
        else:
            sections[key] = [row_data(r) for r in rows]
    person = row_data(member if member is not None else applicant)
    return PersonData(person=person, kind="member" if member is not None else "applicant", sections=sections,
                      reads=reads or [])


def _readable(f: models.Field, person: dict[str, Any], units: dict[int, Any]) -> str:
    """One value of the person's record as the pages write it: the label of a choice, a date as dd/mm/yyyy, the
    name of a unit."""
    value: Any = person.get(f.attname)
    if value in (None, "", [], {}):
        return ""
    if f.choices:
        return str(person.get(f"{f.name}_label", value))
    if isinstance(f, models.DateTimeField):
        return f"{datetime.fromisoformat(value):%d/%m/%Y %H:%M}"
    if isinstance(f, models.DateField):
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    if f.is_relation:
        unit = units.get(value)
        return unit.name if unit is not None else ""
    return str(value)


def _facts(data: PersonData) -> list[Field]:
    """The person's record, field by field with its Vietnamese name; internal columns (search keys, versions, ids and
    links other than the unit) left to data.json."""
    fields = [f for f in apps.get_model(MEMBER if data.kind == "member" else APPLICANT)._meta.concrete_fields
              if not f.primary_key and f.verbose_name != f.name.replace("_", " ")
              and (not f.is_relation or f.related_model._meta.label_lower == UNIT)]
    units = units_by_id({data.person[f.attname] for f in fields if f.is_relation and data.person.get(f.attname)})
    facts = [Field(str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:], _readable(f, data.person, units))
             for f in fields]
    return [fact for fact in facts if fact.value]


def summary_document(data: PersonData, issuer: str) -> OfficialDocument:
    """The readable summary: who, and how many rows of each kind, with the first values of the person's record."""
    person = data.person
    facts = _facts(data)
    counts = [[key, str(len(rows))] for key, rows in sorted(data.sections.items()) if rows]
    return OfficialDocument(
        title="BẢN SAO DỮ LIỆU CÁ NHÂN", issuer=issuer.upper(), issued_on=clock.today(),
        subtitle=f"Của {person.get('full_name', '')}",
        blocks=[Paragraph("Bản tóm tắt này đi kèm tệp data.json trong cùng tệp nén: tệp JSON có đủ từng dòng dữ liệu "
                          "chibo đang lưu về người có tên trên.", indent=False),
                Paragraph("Hồ sơ", bold=True, indent=False), *facts[:40],
                Paragraph("Các loại dữ liệu khác (bảng.trường → số dòng)", bold=True, indent=False),
                Table(headers=["Loại dữ liệu", "Số dòng"], rows=counts or [["—", "0"]], widths=[4, 1]),
                Paragraph(f"Số lần hồ sơ đầy đủ được mở xem: {len(data.reads)}.", indent=False)])


def archive(data: PersonData, *, password: str, issuer: str) -> bytes:
    """The zip: data.json and tom-tat.pdf, AES-256 encrypted with ``password``."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode("utf-8"))
        zf.writestr("data.json", data.as_json())
        zf.writestr("tom-tat.pdf", render_pdf(summary_document(data, issuer)))
    return buffer.getvalue()
