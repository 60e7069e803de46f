"""The rulebook: seeded from the domain reference, versioned, refused when a version is wrong,
and asked by date (a clock keeps the version in force when it started)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core.calendar import calendar_for, due_date
from chibo.core.models import AuditEvent, Rule
from chibo.core.rulebook import (
    RuleNotInForce,
    UnknownRule,
    describe_value,
    number,
    ratio_needed,
    rule,
    rule_add_version,
    rule_history,
    rule_keys,
    rules_in_force,
    rules_read_once,
    rules_to_confirm,
)

# The domain reference lives in the repository: <root>/docs/domain.md, the root being the folder of
# pyproject.toml (this file is <root>/src/chibo/core/tests/test_rulebook.py).
ROOT = Path(__file__).resolve().parents[4]
DOMAIN = ROOT / "docs" / "domain.md"
SEED_FROM = date(2000, 1, 1)

# A row of the domain table that names several rules ("a / b", a range, a list of rates) → the
# seeded keys, in the order the row gives their values. Every other row names exactly one key.
COMPOSITE = {
    "transfer.temporary_months": ["transfer.temporary_min_months", "transfer.temporary_max_months"],
    "admission.age_min / age_max": ["admission.age_min", "admission.age_max"],
    "admission.decide_within": ["admission.decide_within", "admission.decide_extension_max"],  # 60 (+≤ 30)
    "meeting.min_minutes / combined": ["meeting.min_minutes", "meeting.min_minutes_combined"],
    "dues.rates": ["dues.rate_salary", "dues.rate_pension", "dues.student_monthly"],
    "dues.kept": ["dues.kept.grassroots_cell", "dues.kept.subordinate_cell", "dues.kept.grassroots_committee",
                  "dues.kept.delegation_cell"],
    "dues.reductions": ["dues.reduction_low", "dues.reduction_mid", "dues.reduction_high"],
    "grading.bands": ["grading.band_excellent", "grading.band_good", "grading.band_completed"],
    "discipline.limitation_years": ["discipline.limitation_years_reprimand", "discipline.limitation_years_warning"],
    "discipline.competence.<unit kind>": ["discipline.competence.grassroots_cell",
                                          "discipline.competence.grassroots_committee",
                                          "discipline.competence.party_group"],
}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:/\d+)?%?")


def domain_rows() -> list[tuple[str, str, str]]:
    """(key, value, basis) cells of every row of the rulebook table in docs/domain.md."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.fail(f"the repository root was expected at {ROOT} (no pyproject.toml there)", pytrace=False)
    if not DOMAIN.is_file():
        pytest.fail(f"the domain reference docs/domain.md is missing: expected at {DOMAIN}", pytrace=False)
    text = DOMAIN.read_text(encoding="utf-8")
    if "## Rulebook" not in text:
        pytest.fail(f"{DOMAIN} has no '## Rulebook' section", pytrace=False)
    section = text.split("## Rulebook", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0].strip("` "), cells[1], cells[2]))
    return rows


def domain_numbers(cell: str) -> list[Fraction]:
    """"1% / 0.5% / 5,000 VND" → [1/100, 1/200, 5000]; "≥ 2/3 of full members" → [2/3]."""
    out = []
    for token in _NUMBER.findall(cell):
        percent = token.endswith("%")
        value = Fraction(token.rstrip("%").replace(",", ""))
        out.append(value / 100 if percent else value)
    return out


def seeded_keys(row_key: str) -> list[str]:
    return COMPOSITE.get(row_key, [row_key])


def test_domain_table_is_read():
    rows = domain_rows()
    assert len(rows) >= 25, rows
    assert ("probation.months", "12", "Charter") in rows
    assert domain_numbers("1% / 0.5% / 5,000 VND") == [Fraction(1, 100), Fraction(1, 200), 5000]
    assert domain_numbers("60 working days (+≤ 30)") == [60, 30]


def test_every_rule_of_the_domain_table_is_seeded(db):
    keys = set(rule_keys())
    missing = [f"{row_key} → {key}" for row_key, *_ in domain_rows() for key in seeded_keys(row_key) if key not in keys]
    assert not missing, "rules of docs/domain.md without a seeded rule: " + ", ".join(missing)
    assert all(key in keys for group in COMPOSITE.values() for key in group)
    assert all(row_key in {r[0] for r in domain_rows()} for row_key in COMPOSITE), "a COMPOSITE row left the table"


def test_seeded_values_and_units_match_the_domain_table(db):
    problems = []
    for row_key, cell, basis in domain_rows():
        keys = seeded_keys(row_key)
        numbers = domain_numbers(cell)
        for key, expected in zip(keys, numbers, strict=False):
            history = rule_history(key)
            now = history[-1]  # the table gives the rule as it stands; the oldest version covers everything before
            if history[0].effective_from != SEED_FROM or now.effective_to is not None or number(now) != expected:
                problems.append(f"{key}: seeded {now.value} from {history[0].effective_from}, "
                                f"docs/domain.md says {cell!r}")
        first = rule_history(keys[0])[0]
        if "working days" in cell and first.unit != "working_days":
            problems.append(f"{keys[0]}: {cell!r} but unit {first.unit}")
        elif re.search(r"\b\d+ days\b|\b1 day\b", cell) and first.unit != "calendar_days":
            problems.append(f"{keys[0]}: {cell!r} but unit {first.unit}")
        elif re.search(r"\bmonths?\b", cell) and "in months" not in cell and first.unit != "months":
            problems.append(f"{keys[0]}: {cell!r} but unit {first.unit}")
        for key in keys:  # "`?`" in the value or the basis: to be confirmed
            if "`?`" in cell + basis and rule_history(key)[-1].confidence != "to_confirm":
                problems.append(f"{key}: unconfirmed in docs/domain.md but seeded as confirmed")
    assert not problems, "\n".join(problems)


def test_the_check_fails_when_the_table_gains_a_key(db, monkeypatch):
    rows = domain_rows()
    monkeypatch.setitem(globals(), "domain_rows", lambda: [*rows, ("admission.new_rule_2027", "10 working days", "")])
    with pytest.raises(AssertionError, match="admission.new_rule_2027"):
        test_every_rule_of_the_domain_table_is_seeded(None)


# --- asking the rulebook -------------------------------------------------------------------------

def test_unknown_key_raises_and_a_key_before_its_first_version_is_not_in_force(db):
    with pytest.raises(UnknownRule):
        rule("admission.no_such_rule", on=date(2026, 3, 2))
    with pytest.raises(RuleNotInForce):
        rule("admission.decide_within", on=date(1999, 12, 31))
    assert rule("admission.decide_within", on=SEED_FROM).value == "60"


@pytest.mark.parametrize(("key", "changed_on", "before", "now"), [
    ("admission.decide_within", date(2025, 7, 1), "232-QĐ/TW 2020", "294-QĐ/TW 2025"),
    ("resolution.pass_ratio", date(2025, 7, 1), "232-QĐ/TW 2020", "294-QĐ/TW 2025"),
    ("dues.rate_salary", date(2026, 2, 1), "342-QĐ/TW 2010", "01-QĐ/TW 2026"),
    ("dues.reduction_low", date(2026, 2, 1), "342-QĐ/TW 2010", "01-QĐ/TW 2026"),
    ("strike_off.absence_or_dues_months", date(2026, 2, 1), "342-QĐ/TW", "01-QĐ/TW 2026"),
    ("meeting.min_minutes", date(2025, 10, 28), "12-HD/BTCTW 2018", "42-HD/BTCTW 2025"),
    ("grading.band_good", date(2025, 8, 30), "124-QĐ/TW 2023", "366-QĐ/TW 2025"),
    ("grading.criterion.2A.tasks.t1", date(2025, 10, 31), "124-QĐ/TW 2023", "43-HD/BTCTW 2025"),
    ("discipline.appeal_within", date(2025, 5, 30), "22-QĐ/TW 2021", "296-QĐ/TW 2025"),
    ("discipline.competence.grassroots_cell", date(2025, 5, 30), "22-QĐ/TW 2021", "296-QĐ/TW"),
])
def test_a_rule_rests_on_the_regulation_in_force_on_the_day(db, key, changed_on, before, now):
    """A case judged the day before a regulation took effect cites the one it replaced (its version marked to
    confirm), from that day the new one: no 2024 case is judged by a 2025 text."""
    day_before = changed_on - timedelta(days=1)
    old, new = rule(key, on=day_before), rule(key, on=changed_on)
    assert before in old.basis and now not in old.basis and old.confidence == "to_confirm"
    assert now in new.basis and new.effective_from == changed_on and new.effective_to is None
    assert old.effective_from == SEED_FROM and old.effective_to == day_before
    assert old.value == new.value  # the value is carried over, to be checked against the older text
    assert rule(key, on=SEED_FROM).pk == old.pk and rule(key, on=date(2030, 1, 1)).pk == new.pk
    assert old not in rules_to_confirm(on=changed_on)  # asked for a day: the versions in force from that day on
    assert old in rules_to_confirm()  # the watch: earlier versions too, the cases before the date still use them


def test_rules_read_once_reads_each_key_and_day_once_within_the_block(db, django_assert_num_queries):
    day = date(2026, 3, 2)
    with django_assert_num_queries(2):
        with rules_read_once():
            first = rule("admission.decide_within", on=day)
            with rules_read_once():  # nested: the outer block's reads
                assert rule("admission.decide_within", on=day) is first
            rule("admission.decide_within", on=date(2026, 3, 3))  # another day: read
    Rule.objects.filter(pk=first.pk).update(value="61")
    assert rule("admission.decide_within", on=day).value == "61"  # outside the block: read again
    with rules_read_once(), pytest.raises(UnknownRule):
        rule("admission.no_such_rule", on=day)


def test_rule_picks_the_version_across_a_change(actor_of):
    before = rule("admission.ceremony_within", on=date(2026, 6, 1))
    new = rule_add_version(actor=actor_of("ban.tochuc"), key="admission.ceremony_within", value="20",
                           effective_from=date(2026, 7, 1), basis="99-QĐ/TW 2026, Điều 5", note="Rút ngắn")
    assert rule("admission.ceremony_within", on=date(2026, 6, 30)).pk == before.pk
    assert rule("admission.ceremony_within", on=date(2026, 7, 1)).pk == new.pk
    assert rule("admission.ceremony_within", on=date(2030, 1, 1)).pk == new.pk
    before.refresh_from_db()
    assert before.effective_to == date(2026, 6, 30) and before.value == "30"  # history kept, only closed
    assert (new.unit, new.comparison, new.created_by) == ("working_days", "lte", "ban.tochuc")
    assert [v.value for v in rule_history("admission.ceremony_within")] == ["30", "30", "20"]  # 232, 294, new
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "rule.version_added"
    assert event.data == {"key": "admission.ceremony_within", "value": "20", "from": "2026-07-01", "previous": "30"}
    in_force = dict(rules_in_force(on=date(2026, 7, 1)))
    assert in_force["admission.ceremony_within"].pk == new.pk
    assert dict(rules_in_force(on=date(1999, 1, 1)))["admission.ceremony_within"] is None
    # A third version must start after the second.
    third = rule_add_version(actor=actor_of("ban.tochuc"), key="admission.ceremony_within", value="25",
                             effective_from=date(2027, 1, 1), basis="100-QĐ/TW 2026")
    new.refresh_from_db()
    assert new.effective_to == date(2026, 12, 31) and third.effective_to is None


def test_a_clock_keeps_the_version_in_force_when_it_started(actor_of, unit):
    """Decision received 15/06/2026; the ceremony deadline drops from 30 to 20 working days on 01/07/2026."""
    rule_add_version(actor=actor_of("ban.tochuc"), key="admission.ceremony_within", value="20",
                     effective_from=date(2026, 7, 1), basis="99-QĐ/TW 2026")
    start = date(2026, 6, 15)
    at_start = rule("admission.ceremony_within", on=start)
    assert at_start.value == "30"
    due = due_date(at_start, start)
    assert due == date(2026, 7, 27)  # 30 working days, counted by hand (no holiday in June–July 2026)
    at_end = rule("admission.ceremony_within", on=due)
    assert at_end.value == "20" and due_date(at_end, start) == date(2026, 7, 13)  # what a naive lookup would say
    assert rule("admission.ceremony_within", on=start).pk == at_start.pk  # asked again later: same answer
    # The same case in the French organization once it skips French holidays: 14/07 is not counted.
    france = unit("PHAP")
    france.skip_host_holidays = True
    assert due_date(at_start, start, cal=calendar_for(france)) == date(2026, 7, 28)


def test_a_deadline_across_tet_with_the_rule_of_its_start(db):
    version = rule("trip.report_within", on=date(2026, 2, 12))
    assert due_date(version, date(2026, 2, 12)) == date(2026, 3, 2)  # 7 working days over Tết 2026
    decide = rule("admission.decide_within", on=date(2026, 1, 5))
    assert due_date(decide, date(2026, 1, 5)) == date(2026, 4, 6)  # 60 working days; 16–20/02 off


# --- refused versions ----------------------------------------------------------------------------

def _state() -> tuple:
    return (tuple(Rule.objects.order_by("pk").values_list("pk", "value", "effective_from", "effective_to")),
            AuditEvent.objects.count())


GOOD = {"value": "45", "effective_from": date(2026, 7, 1), "basis": "99-QĐ/TW 2026", "confidence": "confirmed"}


@pytest.mark.parametrize("key, changes, field, words", [
    ("admission.decide_within", {"effective_from": SEED_FROM}, "effective_from", "không được chồng lấn"),
    ("admission.decide_within", {"effective_from": date(1999, 1, 1)}, "effective_from",
     "phải có hiệu lực sau 01/07/2025"),  # after the 294-QĐ/TW version
    ("admission.decide_within", {"value": "-5"}, "value", "không hợp lý"),
    ("admission.decide_within", {"value": "5000"}, "value", "không hợp lý (cho phép 0–2500)"),
    ("admission.decide_within", {"value": "2.5"}, "value", "số nguyên"),
    ("admission.decide_within", {"value": "sáu mươi"}, "value", "không phải một số"),
    ("admission.decide_within", {"value": ""}, "value", "không phải một số"),
    ("admission.cell_vote_ratio", {"value": "3/2"}, "value", "không hợp lý"),
    ("admission.cell_vote_ratio", {"value": "0"}, "value", "không hợp lý"),
    ("admission.cell_vote_ratio", {"value": "1/0"}, "value", "không phải một số"),
    ("probation.months", {"value": "700"}, "value", "không hợp lý"),
    ("admission.decide_within", {"basis": "  "}, "basis", "văn bản căn cứ"),
    ("admission.decide_within", {"confidence": "maybe"}, "confidence", "không hợp lệ"),
    ("admission.no_such_rule", {}, "key", "Không có quy định"),
])
def test_bad_versions_are_refused_and_nothing_written(actor_of, key, changes, field, words):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        rule_add_version(actor=actor_of("ban.tochuc"), key=key, **{**GOOD, **changes})
    assert words in exc.value.message_dict[field][0], exc.value.message_dict
    assert _state() == before


def test_every_error_of_a_version_is_reported_at_once(actor_of):
    with pytest.raises(ValidationError) as exc:
        rule_add_version(actor=actor_of("ban.tochuc"), key="admission.decide_within", value="-1",
                         effective_from=SEED_FROM, basis="", confidence="x")
    assert set(exc.value.message_dict) == {"value", "effective_from", "basis", "confidence"}


def test_a_version_overlapping_a_closed_one_is_refused(actor_of):
    officer = actor_of("ban.tochuc")
    rule_add_version(actor=officer, key="meeting.min_minutes", value="60", effective_from=date(2026, 7, 1),
                     basis="50-HD/BTCTW 2026")
    before = _state()
    for day in (date(2026, 7, 1), date(2026, 6, 30), date(2025, 1, 1)):
        with pytest.raises(ValidationError) as exc:
            rule_add_version(actor=officer, key="meeting.min_minutes", value="75", effective_from=day, basis="x")
        assert "01/07/2026" in exc.value.message_dict["effective_from"][0]
    assert _state() == before


@pytest.mark.parametrize("persona", ["ub.kiemtra", "bithu.phap", "bithu.duc", "dangvien.phap", "ungvien.phap"])
def test_only_the_organization_officer_adds_versions(actor_of, persona):
    before = _state()
    with pytest.raises(PermissionDenied):
        rule_add_version(actor=actor_of(persona), key="admission.decide_within", **GOOD)
    assert _state() == before


# --- ratios --------------------------------------------------------------------------------------

@pytest.mark.parametrize("members, two_thirds, more_than_half", [
    (3, 2, 2), (4, 3, 3), (6, 4, 4), (7, 5, 4), (9, 6, 5), (31, 21, 16),
])
def test_ratio_needed(db, members, two_thirds, more_than_half):
    on = date(2026, 3, 2)
    assert ratio_needed(rule("admission.cell_vote_ratio", on=on), members) == two_thirds
    assert ratio_needed(rule("resolution.pass_ratio", on=on), members) == more_than_half


def test_ratio_needed_refuses_a_duration(db):
    with pytest.raises(ValueError):
        ratio_needed(rule("probation.months", on=date(2026, 3, 2)), 9)


def test_values_read_as_people_say_them(db):
    on = date(2026, 3, 2)
    assert describe_value(rule("admission.decide_within", on=on)) == "60 ngày làm việc"
    assert describe_value(rule("admission.cell_vote_ratio", on=on)) == "2/3 (66,67%)"
    assert describe_value(rule("dues.rate_pension", on=on)) == "1/200 (0,5%)"
    assert describe_value(rule("dues.student_monthly", on=on)) == "5.000 đồng (VND)"


def test_the_regulation_watch_lists_unconfirmed_rules_and_confirming_is_audited(client_of):
    from chibo.core.models import AuditEvent, Rule

    pending = list(Rule.objects.filter(confidence="to_confirm", effective_to__isnull=True).order_by("key"))
    assert pending, "the rulebook holds rules to confirm"
    page = client_of("bithu.phap").get("/rules/watch/").content.decode()
    for version in pending:
        assert version.key in page
    listed, url = set(), "/api/v1/rules/?confidence=to_confirm"
    while url:  # the list is paged (50 a page): read every page
        api = client_of("ban.tochuc").get(url).json()
        listed |= {r["key"] for r in api["results"]}
        url = api["next"]
    assert listed >= {v.key for v in pending}
    target = pending[0]
    assert client_of("bithu.phap").post(f"/rules/watch/{target.pk}/confirm/", {"basis": "x"}).status_code == 403
    empty = client_of("ban.tochuc").post(f"/api/v1/rules/versions/{target.pk}/confirm/", {"basis": ""},
                                         content_type="application/json")
    assert empty.status_code == 400
    done = client_of("ban.tochuc").post(f"/api/v1/rules/versions/{target.pk}/confirm/",
                                        {"basis": "Văn bản gốc, Điều 3 (đã đối chiếu)"},
                                        content_type="application/json")
    assert done.status_code == 200 and done.json()["confidence"] == "confirmed"
    assert AuditEvent.objects.filter(action="rule.confirmed", object_id=str(target.pk)).exists()
    assert f'id="rule-{target.pk}"' not in client_of("bithu.phap").get("/rules/watch/").content.decode()
    again = client_of("ban.tochuc").post(f"/api/v1/rules/versions/{target.pk}/confirm/", {"basis": "y"},
                                         content_type="application/json")
    assert again.status_code == 400  # confirmed once
