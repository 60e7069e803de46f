"""Per-unit member counters: every writer keeps them equal to a recount of the member rows, ``chibo recount``
finds and repairs drift, and the dashboard read from them shows the numbers a direct count gives.

Expected numbers are computed here directly from member rows, with subtrees found by walking ``parent``
links (not with the materialized paths the selectors use)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from functools import partial

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from chibo.core.tests.thread_support import retry_while_locked, together
from chibo.members.counters import (
    CATEGORY_COLUMNS,
    COLUMNS,
    STATUS_COLUMNS,
    counts_apply,
    counts_check,
    counts_rebuild,
)
from chibo.members.models import (
    ACTIVE_STATUSES,
    FULL_STATUSES,
    Category,
    Member,
    Status,
    UnitMemberCount,
)
from chibo.members.selectors import DASHBOARD_UNIT_ROWS, dashboard_counts
from chibo.units.models import Unit

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def recounted() -> None:
    """The counters equal a recount of the member rows, for every unit."""
    assert counts_check() == []


def row(unit: Unit) -> dict[str, int]:
    found = UnitMemberCount.objects.filter(unit=unit).values(*COLUMNS).first()
    return found or dict.fromkeys(COLUMNS, 0)


def subtree_ids(root: Unit) -> set[int]:
    ids, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids |= set(frontier)
    return ids


def new_member(actor, unit: Unit, n: int, *, status=Status.FULL, category=Category.LABOURER) -> Member:
    from chibo.members.services import member_create

    return member_create(actor=actor, unit=unit, status=status, full_name=f"Kiều Văn Đếm {chr(65 + n % 26)}",
                         gender="M", birth_date=date(1980, 2, 3), admission_date=date(2005, 4, 5),
                         confirmation_date=date(2006, 4, 5) if status == Status.FULL else None, category=category)


# -- the table ------------------------------------------------------------------------------------------
def test_a_column_for_every_active_status_and_every_category():
    names = {f.name for f in UnitMemberCount._meta.get_fields()}
    assert set(STATUS_COLUMNS) == {str(s) for s in ACTIVE_STATUSES}
    assert set(CATEGORY_COLUMNS) == set(Category.values)
    assert set(COLUMNS) <= names


def test_the_demo_built_through_the_services_is_counted_right(db):
    assert UnitMemberCount.objects.exists()
    recounted()
    active = Member.objects.filter(status__in=ACTIVE_STATUSES)
    dsq = Unit.objects.get(code="PHAP-DSQ")
    assert row(dsq)["status_full"] == active.filter(unit=dsq, status=Status.FULL).count() > 0


def test_the_data_migration_fills_the_table_from_member_rows(db):
    import importlib

    from django.apps import apps

    populate = importlib.import_module("chibo.members.migrations.0007_populate_unit_member_count").populate
    before = list(UnitMemberCount.objects.order_by("unit_id").values("unit_id", *COLUMNS))
    UnitMemberCount.objects.all().delete()
    assert counts_check()  # an empty table is wrong for the demo
    populate(apps, None)
    recounted()
    assert list(UnitMemberCount.objects.order_by("unit_id").values("unit_id", *COLUMNS)) == \
        [r for r in before if any(r[c] for c in COLUMNS)]


# -- every service path ---------------------------------------------------------------------------------
def test_member_services_keep_the_counters(actor_of, unit):
    from chibo.members.services import member_change_status, member_move, member_transfer_in, member_update

    officer = actor_of("ban.tochuc")
    dsq, lhs, root = unit("PHAP-DSQ"), unit("PHAP-LHS"), unit("DUBNG")
    start_dsq, start_lhs, start_root = row(dsq), row(lhs), row(root)

    created = new_member(officer, dsq, 1)
    assert row(dsq)["status_full"] == start_dsq["status_full"] + 1
    assert row(dsq)["cat_labourer"] == start_dsq["cat_labourer"] + 1
    recounted()
    probationary = new_member(officer, dsq, 2, status=Status.PROBATIONARY, category=Category.SPOUSE)
    assert row(dsq)["status_probationary"] == start_dsq["status_probationary"] + 1
    recounted()

    # A category change moves the member between category columns; other edits change nothing.
    member_update(actor=officer, member=created, expected_version=created.version,
                  changes={"category": Category.RESIDENT})
    assert row(dsq)["cat_labourer"] == start_dsq["cat_labourer"]
    assert row(dsq)["cat_resident"] == start_dsq["cat_resident"] + 1
    created.refresh_from_db()
    member_update(actor=officer, member=created, expected_version=created.version, changes={"home_town": "Huế"})
    recounted()

    # Status changes between active statuses, and out of the rolls.
    decision = dict(reason="Theo đề nghị của chi bộ", document="12-QĐ/ĐUBNG", effective_on=date(2026, 6, 1))
    member_change_status(actor=officer, member=created, status=Status.SUSPENDED, **decision)
    assert row(dsq)["status_suspended"] == start_dsq["status_suspended"] + 1
    recounted()
    member_change_status(actor=officer, member=probationary, status=Status.FULL, **decision)
    recounted()
    member_change_status(actor=officer, member=probationary, status=Status.LEFT, **decision)
    assert row(dsq)["status_full"] == start_dsq["status_full"]
    recounted()

    # Moves inside the tree, onto the upper committee's own rolls (solitary), and out and back in.
    member_change_status(actor=officer, member=created, status=Status.FULL, **decision)
    member_move(actor=officer, member=created, to_unit=lhs, **decision)
    assert row(lhs)["status_full"] == start_lhs["status_full"] + 1
    assert row(dsq) == start_dsq  # both new members have left it (one moved, one left the party)
    recounted()
    member_move(actor=officer, member=created, to_unit=root, **decision)
    assert row(root)["status_full"] == start_root["status_full"] + 1
    recounted()
    member_change_status(actor=officer, member=created, status=Status.TRANSFERRED_OUT, **decision)
    assert row(root) == start_root
    recounted()
    member_transfer_in(actor=officer, member=created, to_unit=lhs, **decision)
    assert row(lhs)["status_full"] == start_lhs["status_full"] + 1
    recounted()


def test_a_refused_change_leaves_the_counters(actor_of, unit):
    from django.core.exceptions import ValidationError

    from chibo.members.services import member_move

    officer = actor_of("ban.tochuc")
    dsq = unit("PHAP-DSQ")
    member = Member.objects.filter(unit=dsq, status=Status.FULL).first()
    before = row(dsq)
    with pytest.raises(ValidationError):
        member_move(actor=officer, member=member, to_unit=unit("DOAN-APEC17"), reason="Thử", document="1/QĐ",
                    effective_on=date(2026, 6, 1))  # a closed unit
    assert row(dsq) == before
    recounted()


def test_a_transfer_in_from_outside_the_tree_through_the_transfers_app(actor_of, unit):
    from chibo.transfers import services
    from chibo.transfers.models import Kind, OutsideOrganization

    officer, secretary = actor_of("ban.tochuc"), actor_of("bithu.phap")
    root, dsq = unit("DUBNG"), unit("PHAP-DSQ")
    before_dsq = row(dsq)
    member = new_member(officer, root, 3, category=Category.MISSION_STAFF)  # on the upper committee's rolls first
    org = OutsideOrganization.objects.get(name="Đảng bộ Vụ Châu Âu")
    t = services.transfer_register_incoming(
        actor=officer, member=member, kind=Kind.ABROAD, from_org=org, incoming_letter="45-GGT/ĐU",
        letter_date=date(2026, 4, 1), decision_doc="1234/QĐ-BNG", decision_date=date(2026, 3, 20),
        to_unit=dsq, reason="Nhiệm kỳ công tác tại Pháp", at_unit=root)
    services.transfer_forward(actor=officer, transfer=t, on=date(2026, 4, 3), signer_title="Phó Bí thư",
                              signer_name="Trần Quốc Bảo", dues_paid_through="03/2026")
    services.transfer_receive(actor=secretary, transfer=t, on=date(2026, 4, 20))
    services.transfer_report_in(actor=secretary, transfer=t, on=date(2026, 4, 25))
    member.refresh_from_db()
    assert member.unit_id == dsq.pk
    assert row(dsq)["cat_mission_staff"] == before_dsq["cat_mission_staff"] + 1
    recounted()


def test_the_admission_ceremony_and_confirmation(actor_of, unit, settings):
    from chibo.admission.tests.conftest import add_member, full_case
    from chibo.units.services import unit_create

    officer = actor_of("ban.tochuc")
    cell = unit_create(actor=officer, parent=unit("PHAP"), kind="subordinate_cell", name="Chi bộ đếm số",
                       code="PHAP-DEM", country="FR", city="Lyon", opened_on=date(2010, 1, 4))
    for i in range(3):
        add_member(officer, cell, 900 + i)
    assert row(cell)["status_full"] == 3
    case = full_case(officer, cell, settings)  # ceremony (a probationary member), then confirmation (full)
    assert case.member.unit_id == cell.pk
    assert row(cell)["status_full"] == 4 and row(cell)["status_probationary"] == 0
    assert row(cell)["cat_mission_staff"] == 4
    recounted()


def _import_file(tmp_path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Số lý lịch", "Ngày vào Đảng",
               "Ngày chính thức", "Diện ở nước ngoài", "Mã chi bộ"])
    for r in rows:
        ws.append(r)
    path = tmp_path / "dem.xlsx"
    wb.save(path)
    return path


def test_a_bulk_import_new_rows_and_updates(tmp_path, actor_of, unit):
    from chibo.bulk.services import import_file

    officer = actor_of("ban.tochuc")
    lhs, duc = unit("PHAP-LHS"), unit("DUC-DSQ")
    before_lhs, before_duc = row(lhs), row(duc)
    existing = Member.objects.filter(unit=duc, status=Status.FULL).exclude(category=Category.RESIDENT) \
        .exclude(card_number=None).first()
    rows = [[f"Lại Văn {name}", "Nam", "03/04/1985", str(77_000_000 + i), f"{77_000_000 + i}LL", "05/06/2010",
             "05/06/2011", "Lưu học sinh tự túc", "PHAP-LHS"] for i, name in enumerate(["An", "Bình", "Chiến"])]
    rows.append([existing.full_name, "Nam" if existing.gender == "M" else "Nữ",
                 existing.birth_date.strftime("%d/%m/%Y"),
                 existing.card_number, "", existing.admission_date.strftime("%d/%m/%Y"),
                 existing.confirmation_date.strftime("%d/%m/%Y"), "Định cư lâu dài", "DUC-DSQ"])
    path = _import_file(tmp_path, rows)
    plan, outcome = import_file(actor=officer, path=path, size=path.stat().st_size, file_name=path.name)
    assert outcome.counts["new"] == 3 and outcome.counts["update"] == 1, [r.errors for r in plan.rows]
    assert row(lhs)["status_full"] == before_lhs["status_full"] + 3
    assert row(lhs)["cat_self_student"] == before_lhs["cat_self_student"] + 3
    assert row(duc)["cat_resident"] == before_duc["cat_resident"] + 1
    recounted()


def test_a_crashed_import_leaves_the_counters(tmp_path, actor_of, unit):
    from chibo.bulk.services import import_file

    lhs = unit("PHAP-LHS")
    before = row(lhs)
    path = _import_file(tmp_path, [[f"Lại Thị {n}", "Nữ", "03/04/1985", str(76_000_000 + i), "", "05/06/2010",
                                    "05/06/2011", "Người lao động", "PHAP-LHS"] for i, n in enumerate("ABCDEF")])

    def crash(done, total):
        if done:
            raise RuntimeError("mất điện")

    with pytest.raises(RuntimeError):
        import_file(actor=actor_of("ban.tochuc"), path=path, size=path.stat().st_size, file_name=path.name,
                    progress=crash)
    assert row(lhs) == before
    recounted()


def test_the_national_loader_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the national loader uses COPY (PostgreSQL)")
    from chibo.demo.national import build_national

    build_national(members=2000, units=40, seed=3, log=lambda s: None)
    recounted()
    assert UnitMemberCount.objects.filter(unit__code__startswith="TQ").exists()


# -- recount ---------------------------------------------------------------------------------------------
def test_recount_check_fails_on_a_tampered_counter_and_passes_after_a_rebuild(unit):
    out = io.StringIO()
    call_command("recount", "--check", stdout=out)
    assert "match" in out.getvalue()
    dsq, lhs = unit("PHAP-DSQ"), unit("PHAP-LHS")
    UnitMemberCount.objects.filter(unit=dsq).update(status_full=F("status_full") + 5, cat_spouse=F("cat_spouse") - 1)
    UnitMemberCount.objects.filter(unit=lhs).delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 units"):
        call_command("recount", "--check", stdout=out)
    assert "PHAP-DSQ: status_full" in out.getvalue() and "PHAP-LHS:" in out.getvalue()
    assert len(counts_check()) == 2  # --check changed nothing
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "2 units corrected" in out.getvalue()
    call_command("recount", "--check", stdout=io.StringIO())
    recounted()


def test_rebuild_of_some_units_only_touches_them(unit):
    dsq, lhs = unit("PHAP-DSQ"), unit("PHAP-LHS")
    right = row(lhs)
    UnitMemberCount.objects.filter(unit__in=[dsq, lhs]).update(status_full=F("status_full") + 1)
    fixed = counts_rebuild([dsq.pk])
    assert [m.unit_id for m in fixed] == [dsq.pk] and fixed[0].columns() == ["status_full"]
    assert [m.unit_id for m in counts_check()] == [lhs.pk]
    assert row(lhs)["status_full"] == right["status_full"] + 1


def test_counts_apply_creates_a_missing_row_and_ignores_inactive_statuses(unit, actor_of):
    from chibo.units.services import unit_create

    cell = unit_create(actor=actor_of("ban.tochuc"), parent=unit("DUBNG"), kind="grassroots_cell", name="Chi bộ mới",
                       code="MOI", country="JP", opened_on=date(2020, 1, 1))
    assert not UnitMemberCount.objects.filter(unit=cell).exists()
    counts_apply({(cell.pk, Status.FULL, Category.SPOUSE): 2, (cell.pk, Status.DECEASED, Category.SPOUSE): 4})
    assert row(cell)["status_full"] == 2 and row(cell)["cat_spouse"] == 2 and sum(row(cell).values()) == 4
    counts_apply({(cell.pk, Status.FULL, Category.SPOUSE): -2})
    assert sum(row(cell).values()) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_a_unit_without_a_counter_row(migrated_data):
    """Threads, each in its own connection and transaction, add to the counters of a unit that has no row
    yet, at the same moment: one row is created and every increment lands."""
    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.units.services import unit_create

    threads_n, per_thread = 6, 5
    root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                       opened_on=date(2000, 1, 1))
    root.refresh_from_db()
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
    cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ A", code="A",
                       opened_on=date(2001, 1, 1))

    def work(i):
        for _ in range(per_thread):
            def once():
                with transaction.atomic():
                    counts_apply({(cell.pk, Status.FULL, Category.LABOURER): 1})
            retry_while_locked(once)
        retry_while_locked(lambda: new_member(officer, cell, i, status=Status.PROBATIONARY))

    with override_settings(CHIBO_TODAY=TODAY):
        together(*(partial(work, i) for i in range(threads_n)))
    counts = UnitMemberCount.objects.get(unit=cell)
    assert counts.status_full == threads_n * per_thread
    assert counts.status_probationary == threads_n
    assert counts.cat_labourer == threads_n * per_thread + threads_n
    # The direct increments have no member rows behind them: a recount reports exactly those.
    wrong = counts_check()
    assert [(m.unit_id, m.columns()) for m in wrong] == [(cell.pk, ["status_full", "cat_labourer"])]
    counts_rebuild()
    assert counts_check() == []
    assert UnitMemberCount.objects.get(unit=cell).status_probationary == threads_n


# -- the dashboard ---------------------------------------------------------------------------------------
def expected_dashboard(scope_roots: list[Unit], *, focus: Unit | None = None) -> dict:
    """The dashboard's numbers counted directly from member rows."""
    ids: set[int] = set()
    for r in scope_roots:
        ids |= subtree_ids(r)
    active = Member.objects.filter(unit__in=ids, status__in=ACTIVE_STATUSES)
    whole = any(r.parent_id is None for r in scope_roots)
    if focus is not None:
        row_units = list(Unit.objects.filter(parent=focus))
    elif whole:
        row_units = list(Unit.objects.filter(parent__parent__isnull=True, parent__isnull=False))
    else:
        row_units = scope_roots
    by_unit = {}
    for u in row_units:
        sub = active.filter(unit__in=subtree_ids(u))
        full, prob = sub.filter(status__in=FULL_STATUSES).count(), sub.filter(status=Status.PROBATIONARY).count()
        if full + prob:
            by_unit[u.code] = (full, prob)
    own = active.filter(unit=focus) if focus is not None else None
    return {
        "total": active.count(),
        "by_status": {s: n for s, n in Counter(active.values_list("status", flat=True)).items()},
        "by_category": dict(Counter(active.values_list("category", flat=True))),
        "by_country": dict(Counter(active.values_list("unit__country", flat=True))),
        "by_unit": by_unit,
        "solitary": active.filter(unit__parent__isnull=True).count() if whole else None,
        "focus_own": (own.filter(status__in=FULL_STATUSES).count(), own.filter(status=Status.PROBATIONARY).count())
        if own is not None and own.exists() else None,
    }


def shown(d) -> dict:
    return {
        "total": d.total,
        "by_status": {code: n for code, _label, n in d.by_status if n},
        "by_category": {code: n for code, _label, n in d.by_category},
        "by_country": {code: n for code, _name, n in d.by_country},
        "by_unit": {u.code: (full, prob) for u, full, prob in d.by_unit},
        "solitary": d.solitary,
        "focus_own": d.focus_own,
    }


@pytest.mark.parametrize("username, roots", [
    ("ban.tochuc", ["DUBNG"]), ("ub.kiemtra", ["DUBNG"]), ("bithu.phap", ["PHAP"]), ("bithu.duc", ["DUC"]),
])
def test_dashboard_equals_a_direct_count(actor_of, unit, username, roots):
    from chibo.members.services import member_move

    officer = actor_of("ban.tochuc")
    # A solitary member and a member on a grass-roots committee's own rolls, so every figure is exercised.
    movers = list(Member.objects.filter(unit=unit("DUC-DSQ"), status=Status.FULL, posts__isnull=True)[:2])
    decision = dict(reason="Điều động", document="5-QĐ/ĐUBNG", effective_on=date(2026, 6, 1))
    member_move(actor=officer, member=movers[0], to_unit=unit("DUBNG"), **decision)
    member_move(actor=officer, member=movers[1], to_unit=unit("DUC"), **decision)
    actual = dashboard_counts(actor_of(username))
    expected = expected_dashboard([unit(code) for code in roots])
    assert shown(actual) == expected
    assert actual.total == sum(n for _c, _l, n in actual.by_status) == sum(n for _c, _l, n in actual.by_category)
    if username == "ban.tochuc":
        assert actual.solitary >= 1
    # Drilling down into Germany: its cells, and the committee's own rolls.
    if username in ("ban.tochuc", "bithu.duc"):
        duc = unit("DUC")
        drilled = dashboard_counts(actor_of(username), focus=duc)
        assert shown(drilled)["by_unit"] == expected_dashboard([duc], focus=duc)["by_unit"]
        assert drilled.focus_own == expected_dashboard([duc], focus=duc)["focus_own"] == (1, 0)
        assert drilled.total == expected["total"]  # the figures stay those of the whole scope


def test_dashboard_of_a_plain_member_and_of_an_applicant(actor_of, personas):
    own = personas["dangvien.phap"].member
    d = dashboard_counts(actor_of("dangvien.phap"))
    assert (d.total, d.by_status, d.by_unit) == (1, [(s.value, s.label, int(s.value == own.status))
                                                     for s in Status if s.value in STATUS_COLUMNS], [])
    assert [code for code, _n, n in d.by_country] == [own.unit.country]
    empty = dashboard_counts(actor_of("ungvien.phap"))
    assert (empty.total, empty.by_unit, empty.by_country, empty.solitary) == (0, [], [], None)


def test_dashboard_page_shows_solitary_members_and_drills_down(client_of, unit, actor_of):
    from chibo.members.services import member_move

    member = Member.objects.filter(unit=unit("PHAP-DSQ"), status=Status.FULL, posts__isnull=True).first()
    member_move(actor=actor_of("ban.tochuc"), member=member, to_unit=unit("DUBNG"), reason="Nơi chưa có tổ chức đảng",
                document="15-QĐ/ĐUBNG", effective_on=date(2026, 6, 1))
    solitary = Member.objects.filter(unit=unit("DUBNG"), status__in=ACTIVE_STATUSES).count()
    page = client_of("ban.tochuc").get("/").content.decode()
    assert f'data-field="solitary">{solitary}<' in page
    # The figure links to the list of exactly those members (active ones; the list also shows the others).
    assert 'href="/members/?solitary=on"' in page
    listed = client_of("ban.tochuc").get("/members/", {"solitary": "on"})
    on_rolls = set(Member.objects.filter(unit__parent__isnull=True).values_list("pk", flat=True))
    assert {m.pk for m in listed.context["page"].object_list} == on_rolls and member.pk in on_rolls
    api = client_of("ban.tochuc").get("/api/v1/members/", {"solitary": "true"}).json()
    assert {row["id"] for row in api["results"]} == on_rolls and all(row["solitary"] for row in api["results"])
    assert client_of("ban.tochuc").get("/api/v1/members/", {"solitary": "peut-être"}).status_code == 400
    assert client_of("bithu.phap").get("/members/", {"solitary": "on"}).context["page"].paginator.count == 0
    phap = unit("PHAP")
    assert f'href="/?unit={phap.pk}"' in page  # France has cells: a link down
    drilled = client_of("ban.tochuc").get("/", {"unit": phap.pk})
    assert drilled.status_code == 200
    codes = {u.code for u, _f, _p in drilled.context["counts"].by_unit}
    assert codes and codes <= {u.code for u in Unit.objects.filter(parent=phap)}
    assert 'data-link="up"' in drilled.content.decode()
    # The secretary in France does not see the upper committee's own rolls, nor other countries' units.
    client = client_of("bithu.phap")
    assert 'data-field="solitary"' not in client.get("/").content.decode()
    assert client.get("/", {"unit": unit("DUC").pk}).status_code == 404
    assert client.get("/", {"unit": unit("DUBNG").pk}).status_code == 404
    assert client.get("/", {"unit": "x"}).status_code == 404
    assert client.get("/", {"unit": phap.pk}).status_code == 200
    assert client_of("ungvien.phap").get("/", {"unit": phap.pk}).status_code == 404


def test_dashboard_page_is_paged_small_and_its_query_count_does_not_grow(client_of, actor_of, unit):
    from chibo.units.services import unit_create

    client = client_of("ban.tochuc")
    client.get("/")  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as before:
        small = client.get("/")
    officer = actor_of("ban.tochuc")
    root = unit("DUBNG")
    for i in range(DASHBOARD_UNIT_ROWS + 10):
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ thêm {i}",
                           code=f"THEM-{i}", country="JP", opened_on=date(2020, 1, 1))
        new_member(officer, cell, i)
    with CaptureQueriesContext(connection) as after:
        big = client.get("/")
    assert len(after.captured_queries) == len(before.captured_queries)
    counts = big.context["counts"]
    assert len(counts.by_unit) == DASHBOARD_UNIT_ROWS and counts.unit_page.has_next()
    assert len(big.content) < 150_000 and len(small.content) < 150_000
    with CaptureQueriesContext(connection) as second:
        rest = client.get("/", {"page": 2})
    assert len(second.captured_queries) == len(before.captured_queries)
    first_codes = {u.code for u, _f, _p in counts.by_unit}
    rest_codes = {u.code for u, _f, _p in rest.context["counts"].by_unit}
    assert rest_codes and not first_codes & rest_codes
    expected = expected_dashboard([root])["by_unit"]
    assert {**{u.code: (f, p) for u, f, p in counts.by_unit}, **{u.code: (f, p) for u, f, p in
                                                                 rest.context["counts"].by_unit}} == expected


def test_a_unit_moved_to_another_parent_takes_its_counts_along(actor_of, unit):
    """Counters belong to the unit, not to its place in the tree: after a unit move the subtree sums follow."""
    from chibo.units.services import unit_move

    unesco = unit("PHAP-UNESCO")
    moved = Member.objects.filter(unit=unesco, status__in=ACTIVE_STATUSES).count()
    assert moved
    before_phap = dashboard_counts(actor_of("bithu.phap")).total
    before_duc = dashboard_counts(actor_of("bithu.duc")).total
    unit_move(actor=actor_of("ban.tochuc"), unit=unesco, new_parent=unit("DUC"), document="20-QĐ/ĐUBNG")
    assert dashboard_counts(actor_of("bithu.phap")).total == before_phap - moved
    duc = dashboard_counts(actor_of("bithu.duc"))
    assert duc.total == before_duc + moved
    assert shown(duc) == expected_dashboard([unit("DUC")])
    recounted()
