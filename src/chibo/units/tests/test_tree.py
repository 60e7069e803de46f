"""The materialized path: subtree queries are index range scans, and moves keep paths right."""

from __future__ import annotations

from datetime import date

from django.db import connection

from chibo.core.access import PATH_STEP, subtree_q
from chibo.units import services
from chibo.units.models import Unit, UnitKind


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The demo tree is tiny: make the planner show what it does at national scale.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def test_subtree_query_is_an_index_range_scan(db, unit):
    france = unit("PHAP")
    plan = _plan(Unit.objects.filter(subtree_q([france.path])).values("pk"))
    if connection.vendor == "postgresql":
        assert "Index" in plan and "path" in plan, plan
    else:
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "path>" in plan.replace(" ", ""), plan  # a range on the path index, not a scan
    codes = set(Unit.objects.filter(subtree_q([france.path])).values_list("code", flat=True))
    assert codes == {"PHAP", "PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}


def test_paths_are_fixed_width_and_nested(db):
    for u in Unit.objects.select_related("parent"):
        assert len(u.path) == PATH_STEP * (u.depth + 1)
        assert u.path.endswith(f"{u.pk:0{PATH_STEP}d}")
        if u.parent:
            assert u.path.startswith(u.parent.path) and u.depth == u.parent.depth + 1


def test_move_rewrites_the_whole_subtree(db, actor_of, unit):
    actor = actor_of("ban.tochuc")
    germany, cell = unit("DUC"), unit("PHAP-LHS")
    group = services.unit_create(actor=actor, parent=cell, kind=UnitKind.PARTY_GROUP, name="Tổ đảng Lyon",
                                 code="PHAP-LHS-LYON", opened_on=date(2020, 1, 1))
    services.unit_move(actor=actor, unit=cell, new_parent=germany, document="12-QĐ/ĐUBNG")
    cell.refresh_from_db()
    group.refresh_from_db()
    assert cell.path.startswith(germany.path) and cell.depth == germany.depth + 1
    assert group.path.startswith(cell.path) and group.depth == cell.depth + 1
    assert not Unit.objects.filter(subtree_q([unit("PHAP").path]), code="PHAP-LHS").exists()
    assert cell.changes.filter(action="moved", document="12-QĐ/ĐUBNG").exists()


def test_a_members_visible_units_are_their_scope_plus_their_own_unit_without_a_join(db, actor_of, unit):
    """A member's own unit comes from a one-row subquery: joining the members table (and DISTINCT)
    made every unit list of a cell secretary read millions of member rows at national scale."""
    from chibo.units.selectors import units_visible

    secretary, member = actor_of("bithu.phap"), actor_of("dangvien.phap")
    qs = units_visible(secretary)
    sql = str(qs.query).upper()
    assert "JOIN" not in sql and "DISTINCT" not in sql, sql
    own = set(units_visible(member).values_list("code", flat=True))
    assert len(own) == 1 and own <= set(qs.values_list("code", flat=True))
    assert "DUC" not in set(qs.values_list("code", flat=True))


def test_the_countries_of_a_scope_come_from_the_index_one_probe_each(db, actor_of, unit):
    """The member list's country filter: every country of the tree for the upper committee (read from the index on
    country and path, one probe per country), only France's for France's secretary; a unit's new country shows at
    once."""
    from chibo.units.selectors import countries_visible

    every = sorted(set(Unit.objects.exclude(country="").values_list("country", flat=True)))
    assert len(every) > 1 and countries_visible(actor_of("ban.tochuc")) == every
    assert countries_visible(actor_of("bithu.phap")) == ["FR"]
    Unit.objects.filter(pk=unit("PHAP-DSQ").pk).update(country="MC")  # written behind the services: read at once
    assert "MC" in countries_visible(actor_of("ban.tochuc")) and "MC" in countries_visible(actor_of("bithu.phap"))
