"""The import's quick paths give what the general ones give: card and dossier numbers converted without
remembering them, ASCII cells skipped by the encoding detection, and rows sent to COPY in parts of a batch."""

from __future__ import annotations

from datetime import date

import pytest

from chibo.bulk import legacy
from chibo.bulk.services import KEY_FIELDS, _convert, _converters
from chibo.bulk.tests.test_import import NAMES, db_state, rows_for, run, xlsx
from chibo.core.models import AuditEvent
from chibo.members import bulk as member_bulk
from chibo.members.models import Member, TimelineEvent

TODAY = date(2026, 5, 1)
KEYS = ["123456789", "ab12cd", "AB12CD", "12 34", "'0123", " 12 ", "0", "١٢٣", "12-34", "", None, 123.0, 17,
        "12\u200b34", "x\x0012", "NGUYỄN1"]


@pytest.mark.parametrize("name", KEY_FIELDS)
@pytest.mark.parametrize("value", KEYS)
def test_key_columns_convert_as_the_general_path_does(name, value):
    (_, _, convert), = _converters({0: name}, TODAY)
    assert convert(value) == _convert(name, value, TODAY)


def test_column_encoding_skips_ascii_cells_without_changing_the_answer():
    tcvn = ["NguyÔn V¨n §øc", "TrÇn ThÞ H»ng"]
    assert legacy.column_encoding(["Nguyen Van A", "123", "", *tcvn, 5]) == legacy.TCVN3
    assert legacy.column_encoding(["Nguyen Van A", "Tran Thi B"]) == legacy.UNICODE
    assert legacy.column_encoding(["Nguyen Van A", "Lê Thị Hà"]) == legacy.UNICODE
    with pytest.raises(legacy.MixedEncodings):
        legacy.column_encoding(["plain", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"])


def test_an_import_larger_than_a_copy_part_writes_every_record_event_and_audit_row(tmp_path, actor_of, monkeypatch):
    """Timeline and audit rows are sent to COPY in parts (members.bulk.COPY_ROWS, audit.COPY_ROWS): made small here
    so that a batch spans several parts; a text with a backslash is escaped; everything is written once, in order,
    the chain verifies, and importing the file again changes nothing."""
    from chibo.core import audit
    from chibo.core.audit import verify_chain

    monkeypatch.setattr(member_bulk, "COPY_ROWS", 7)
    monkeypatch.setattr(audit, "COPY_ROWS", 7)
    names = [f"{NAMES[i % len(NAMES)]}" for i in range(40)]
    rows = rows_for(names, card_base=55_000_000)
    rows[9][10] = "Hà Nội \\ Quận 1"
    path = xlsx(tmp_path, rows)
    before_members, before_events = Member.objects.count(), TimelineEvent.objects.count()
    before_audit = AuditEvent.objects.count()
    plan, outcome = run(actor_of("bithu.phap"), path, mode="all")
    assert outcome.counts["new"] == 40, [r.errors for r in plan.rows if r.errors]
    created = list(Member.objects.filter(card_number__startswith="5500").order_by("pk"))
    assert [m.card_number for m in created] == [str(55_000_000 + i) for i in range(40)]
    assert Member.objects.get(card_number="55000009").home_town == "Hà Nội \\ Quận 1"
    assert Member.objects.count() - before_members == 40
    assert TimelineEvent.objects.count() - before_events == 40
    assert TimelineEvent.objects.filter(member__in=created, kind="member.created").count() == 40
    written = AuditEvent.objects.filter(action="member.created", object_id__in=[str(m.pk) for m in created])
    assert sorted(written.values_list("object_id", flat=True)) == sorted(str(m.pk) for m in created)
    assert AuditEvent.objects.count() - before_audit >= 41  # one per member, the deadlines', the import's own
    assert verify_chain().ok
    state = db_state()
    plan, outcome = run(actor_of("bithu.phap"), path, mode="all")
    assert plan.counts["unchanged"] == 40 and outcome.counts["new"] == 0
    assert db_state()[0:2] == state[0:2] and db_state()[4] == state[4]
