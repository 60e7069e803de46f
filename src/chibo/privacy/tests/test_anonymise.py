"""Retention and anonymisation (docs/domain.md §10) on the demo organization: a former member whose retention period
has run out is anonymised (dry run first) and afterwards the audit chain verifies, every count and total is the
same, and no name, identifier or contact of theirs is left in any text column of any table; refusals (still a
member, a legal hold, a retention period not over, no permission) write nothing."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.db.models import Count, Sum
from django.test import override_settings
from django.urls import reverse

from chibo.accounts.models import User
from chibo.admission.models import AdmissionCase
from chibo.core.audit import verify_chain
from chibo.core.calendar import add_months
from chibo.core.crypto import EncryptedTextField
from chibo.core.models import AuditEvent
from chibo.discipline.models import Case
from chibo.members.enums import Status
from chibo.members.models import Member, UnitMemberCount
from chibo.members.services import member_change_status, member_update
from chibo.privacy import anonymise, selectors, services
from chibo.privacy.models import Anonymisation

pytestmark = [pytest.mark.django_db]

UNIQUE_NAME = "Tôn Nữ Thị Huyền Trân"
HOME_TOWN = "Xã Vĩnh Hảo Thượng, Quảng Trị"  # typed into a change of record
LEFT_ON = date(2012, 3, 1)
AFTER = date(2023, 3, 2)   # the 10 years of privacy.keep_former_member_years have run out
WITHIN = date(2021, 3, 1)  # still within them
IDENTIFIERS = {"citizen_id": "001090012345", "phone": "+33 6 12 34 56 78", "email": "an.tran.test@example.fr",
               "card_number": "79.555123", "dossier_number": "HS-7715-2026"}
# Counting tables whose rows the anonymisation removes (credentials and sessions) or adds (its own register).
NOT_COUNTED = {"core.auditevent", "core.audithead", "privacy.anonymisation"} | {
    ".".join(k.split(".")[:2]).lower() for k in anonymise.REMOVED}


def _written() -> tuple[int, int, int]:
    return AuditEvent.objects.count(), Anonymisation.objects.count(), sum(Member.objects.values_list(
        "version", flat=True))


def _totals() -> dict[str, dict]:
    """Every row count and every sum of every number column of every table (but those the anonymisation changes
    on purpose): unit counters, ballots, tallies, dues, grades…"""
    out: dict[str, dict] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in NOT_COUNTED:
            continue
        numbers = [f for f in meta.concrete_fields if isinstance(f, (models.IntegerField, models.DecimalField,
                                                                     models.FloatField))
                   and not f.primary_key and not (meta.label_lower == "members.member" and f.name == "version")]
        aggregates = {"rows": Count("pk"), **{f.name: Sum(f.name) for f in numbers}}
        out[meta.label_lower] = model._base_manager.aggregate(**aggregates)
    return out


def _former_member(personas, actor_of) -> tuple[Member, User, list[str]]:
    """dangvien.phap, with identifiers and contacts, a request about their data and another member's text naming
    them, then off the rolls since LEFT_ON."""
    user = personas["dangvien.phap"]
    me = user.member
    # A change of record through the service: the timeline keeps the values typed, the audit row the field names.
    member_update(actor=actor_of("ban.tochuc"), member=me, expected_version=me.version,
                  changes={"home_town": HOME_TOWN})
    Member.objects.filter(pk=me.pk).update(full_name=UNIQUE_NAME, **IDENTIFIERS)  # the demo has homonyms
    User.objects.filter(pk=user.pk).update(email=IDENTIFIERS["email"])
    me.refresh_from_db()
    assert Member.objects.filter(full_name=me.full_name).count() == 1  # no homonym in the demo
    services.request_file(actor=actor_of("dangvien.phap"), kind="correct",
                          details=f"Tôi là {me.full_name}, điện thoại {me.phone}, thư {me.email}: sửa quê quán.")
    other = Member.objects.filter(unit=me.unit, status=Status.FULL).exclude(pk=me.pk).first()
    other_user = User.objects.filter(member=other).first()
    if other_user is None:
        other_user = User.objects.create(username="dangvien.khac", member=other, kind="member")
    services.request_file(actor=_actor(other_user), kind="correct",
                          details=f"Đồng chí {me.full_name} (thẻ {me.card_number}) ghi nhầm tên tôi.")
    member_change_status(actor=actor_of("ban.tochuc"), member=me, status=Status.LEFT, reason="Xin ra khỏi Đảng",
                         document="QĐ 12/2012", effective_on=max(LEFT_ON, me.admission_date))
    me.refresh_from_db()
    values = [me.full_name, *IDENTIFIERS.values(), HOME_TOWN, user.username]
    return me, user, values


def _actor(user):
    from chibo.core.access import actor_from_user

    return actor_from_user(user)


def _scan(values: list[str]) -> set[tuple[str, str, str]]:
    """(table, column, value) for every old value found in any text column of any table: the raw stored text,
    its JSON decoded (SQLite stores non-ASCII JSON escaped), and every encrypted column decrypted."""
    found: set[tuple[str, str, str]] = set()
    lowered = [(v, v.lower()) for v in values]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = []
            for col in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(col.type_code, col)
                except KeyError:
                    kind = ""
                if kind in ("CharField", "TextField", "JSONField"):
                    columns.append(col.name)
            if not columns:
                continue
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, raw in zip(columns, row, strict=True):
                    if raw is None:
                        continue
                    texts = [str(raw)]
                    try:
                        texts.append(json.dumps(json.loads(raw) if isinstance(raw, str) else raw,
                                                ensure_ascii=False))
                    except (TypeError, ValueError):
                        pass
                    for text in texts:
                        low = text.lower()
                        found |= {(table, column, v) for v, lv in lowered if lv in low}
    for model in apps.get_models(include_auto_created=True):
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not encrypted or model._meta.proxy or not model._meta.managed:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in encrypted]):
            for f, text in zip(encrypted, row, strict=True):
                found |= {(model._meta.db_table, f.column, v) for v, lv in lowered if text and lv in text.lower()}
    return found


def test_a_former_member_is_anonymised_with_totals_and_audit_chain_intact(personas, actor_of):
    officer = actor_of("ban.tochuc")
    me, user, values = _former_member(personas, actor_of)
    assert verify_chain().ok
    before = _scan(values)
    assert {v for _t, _c, v in before} >= {me.full_name, IDENTIFIERS["phone"], IDENTIFIERS["citizen_id"]}

    # The dry run lists them, with why; nothing is written by it.
    written = _written()
    listed = {(c.kind, c.pk): c for c in selectors.anonymisation_candidates(officer, today=AFTER)}
    assert listed[("member", me.pk)].eligible
    assert "thời hạn lưu giữ đã hết" in listed[("member", me.pk)].reason
    assert _written() == written

    totals, counters = _totals(), list(UnitMemberCount.objects.order_by("pk").values())
    done = services.anonymise_person(actor=officer, kind="member", person=me.pk, today=AFTER)
    assert done.rows > 3 and done.kept_until == add_months(max(LEFT_ON, done.since), 120)

    assert verify_chain().ok  # the audit rows were never rewritten
    assert _totals() == totals
    assert list(UnitMemberCount.objects.order_by("pk").values()) == counters
    me.refresh_from_db()
    assert me.full_name == f"Đảng viên đã ẩn danh số {me.pk}" and me.status == Status.LEFT
    assert (me.citizen_id, me.phone, me.email, me.card_number, me.dossier_number) == ("", "", "", None, None)
    assert me.birth_date.month == 1 and me.birth_date.day == 1
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.username == f"an-danh-{user.pk}"
    assert user.email == "" and user.member_id == me.pk  # the link stays: counts of accounts do not move

    # No name, identifier or contact left in any table, the audit log's included: its rows, never rewritten, name
    # a signed-in actor by account id only, and the account now bears the anonymous name.
    left = _scan(values)
    assert not left, left
    assert AuditEvent.objects.filter(actor_id=user.pk).exists()
    row = AuditEvent.objects.get(action="privacy.anonymised")
    assert row.data["person"] == me.pk and not any(v in json.dumps(row.data, ensure_ascii=False) for v in values)

    # Done once: a second run is refused.
    with pytest.raises(ValidationError):
        services.anonymise_person(actor=officer, kind="member", person=me.pk, today=AFTER)


def test_refusals_write_nothing(personas, actor_of, client_of):
    officer = actor_of("ban.tochuc")
    me = personas["dangvien.phap"].member
    written = _written()
    with pytest.raises(ValidationError) as still:
        services.anonymise_person(actor=officer, kind="member", person=me.pk, today=AFTER)
    assert "vẫn là đảng viên" in str(still.value)
    assert _written() == written

    me, _user, _values = _former_member(personas, actor_of)
    clients = {p: client_of(p) for p in ("ub.kiemtra", "bithu.phap", "bithu.duc")}  # signing in is audited
    written = _written()
    with pytest.raises(ValidationError) as early:  # the retention period is not over
        services.anonymise_person(actor=officer, kind="member", person=me.pk, today=WITHIN)
    assert "Chưa hết thời hạn lưu giữ" in str(early.value)
    for persona in ("ub.kiemtra", "bithu.phap", "bithu.duc"):  # no permission
        with pytest.raises(PermissionDenied):
            services.anonymise_person(actor=actor_of(persona), kind="member", person=me.pk, today=AFTER)
        assert clients[persona].post("/api/v1/privacy/anonymise/", {"kind": "member", "person": me.pk,
                                                                    "confirm": True},
                                     content_type="application/json").status_code == 403
        assert clients[persona].post(reverse("privacy:anonymise"), {"kind": "member", "person": me.pk,
                                                                    "confirm": "on"}).status_code == 404
    assert _written() == written

    # A legal hold: an appeal being heard.
    Case.objects.create(member=me, unit=me.unit, deciding_unit=me.unit, violation="Vi phạm", violated_on=LEFT_ON,
                        considered="warning", reference="QĐ 1", opened_on=LEFT_ON, state="appealed",
                        state_since=LEFT_ON)
    written = _written()
    with pytest.raises(ValidationError) as held:
        services.anonymise_person(actor=officer, kind="member", person=me.pk, today=AFTER)
    assert "khiếu nại" in str(held.value)
    listed = {(c.kind, c.pk): c for c in selectors.anonymisation_candidates(officer, today=AFTER)}
    assert not listed[("member", me.pk)].eligible
    assert _written() == written

    # An applicant whose admission case is still open.
    open_case = AdmissionCase.objects.exclude(stage__in=["withdrawn", "rejected", "full", "probation",
                                                         "struck_off"]).first()
    with pytest.raises(ValidationError) as still_open:
        services.anonymise_person(actor=officer, kind="applicant", person=open_case.applicant_id, today=AFTER)
    assert "đang mở" in str(still_open.value)
    assert _written() == written


def test_page_api_and_command_dry_run_then_confirmed(personas, actor_of, client_of):
    me, _user, _values = _former_member(personas, actor_of)
    officer = client_of("ban.tochuc")
    with override_settings(CHIBO_TODAY=AFTER):
        page = officer.get(reverse("privacy:anonymise"))
        assert page.status_code == 200 and f'data-candidate="member-{me.pk}"' in page.content.decode()
        listed = officer.get("/api/v1/privacy/anonymise/").json()
        assert any(c["kind"] == "member" and c["pk"] == me.pk and c["eligible"] for c in listed)
        out = io.StringIO()
        call_command("anonymise", "--user", "ban.tochuc", "--member", str(me.pk), stdout=out)
        assert "would be anonymised" in out.getvalue() and "nothing written" in out.getvalue()
        written = _written()
        # Not confirmed: refused next to the field, nothing written.
        bad = officer.post(reverse("privacy:anonymise"), {"kind": "member", "person": me.pk})
        assert bad.status_code == 400 and "Đánh dấu xác nhận" in bad.content.decode()
        assert officer.post("/api/v1/privacy/anonymise/", {"kind": "member", "person": me.pk},
                            content_type="application/json").status_code == 400
        with pytest.raises(CommandError):
            call_command("anonymise", "--user", "bithu.phap", "--member", str(me.pk), "--confirm")
        assert _written() == written
        call_command("anonymise", "--user", "ban.tochuc", "--member", str(me.pk), "--confirm", stdout=out)
        assert "Anonymised member" in out.getvalue()
        answer = officer.post("/api/v1/privacy/anonymise/", {"kind": "member", "person": me.pk, "confirm": True},
                              content_type="application/json")
        assert answer.status_code == 400 and "đã được ẩn danh" in answer.content.decode()
        assert verify_chain().ok


def test_the_retention_rules_are_to_confirm_with_their_basis():
    from chibo.core.rulebook import rule

    for key in (anonymise.MEMBER_RULE, anonymise.APPLICANT_RULE):
        version = rule(key, on=date.today() - timedelta(days=1))
        assert version.confidence == "to_confirm" and version.unit == "years"
        assert "356/2025" in version.basis and "91/2025" in version.basis


def test_an_applicant_not_admitted_is_anonymised_after_their_period(actor_of):
    case = AdmissionCase.objects.filter(stage__in=["withdrawn", "rejected"]).select_related("applicant").first()
    if case is None:  # the demo closes some cases; make one if it did not
        case = AdmissionCase.objects.filter(member__isnull=True).select_related("applicant").first()
        AdmissionCase.objects.filter(pk=case.pk).update(stage="withdrawn", stage_since=date(2015, 5, 4))
        case.refresh_from_db()
    applicant = case.applicant
    type(applicant).objects.filter(pk=applicant.pk).update(full_name="Lương Thế Vinh Quang", citizen_id="079201009988",
                                                          email="quang.luong.test@example.de")
    values = ["Lương Thế Vinh Quang", "079201009988", "quang.luong.test@example.de"]
    officer = actor_of("ban.tochuc")
    written = _written()
    with pytest.raises(ValidationError):  # within the 5 years of privacy.keep_applicant_years
        services.anonymise_person(actor=officer, kind="applicant", person=applicant.pk,
                                  today=case.stage_since + timedelta(days=365))
    assert _written() == written
    totals = _totals()
    services.anonymise_person(actor=officer, kind="applicant", person=applicant.pk,
                              today=add_months(case.stage_since, 61))
    applicant.refresh_from_db()
    assert applicant.full_name == f"Quần chúng đã ẩn danh số {applicant.pk}" and applicant.citizen_id == ""
    assert _totals() == totals and verify_chain().ok
    assert not _scan(values)
