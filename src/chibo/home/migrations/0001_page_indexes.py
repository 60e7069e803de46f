"""Indexes for the pages that read across the whole tree (the front page's work list, the tree of units, the
compliance page), on tables whose models do not declare them: raw SQL, the same on PostgreSQL and SQLite; additive,
nothing else changes. Partial where the pages look for few rows among millions."""

from django.db import migrations

INDEXES = {
    # Planned and open meetings by time: the late ones and the coming ones of the work list, among millions held.
    "meeting_pending_start_idx": "ON meetings_meeting (starts_at) WHERE state IN ('planned', 'open')",
    # Held meetings by kind and time: the thematic quarters of a year, a meeting marked held in a month to come.
    "meeting_held_kind_start_idx": "ON meetings_meeting (kind, starts_at) WHERE state = 'held'",
    # One year's stored figures of every unit in one index range (held and dirty read from the index alone): the
    # compliance page joins the year's row of each of the 57,000 cells.
    "meeting_figure_year_idx": "ON meetings_meetingyearfigure (year, unit_id, held, dirty)",
    # Units opened on a day: the cells opened during a year, whose months the compliance page counts.
    "unit_opened_idx": "ON units_unit (opened_on)",
    # A unit's children in name order (and how many are open): the first page of the top unit's 26,000 children
    # without sorting them all, their number from the index alone.
    "unit_parent_sort_idx": "ON units_unit (parent_id, sort_key, id, closed_on)",
}


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0010_subtree_sums"),
        ("units", "0007_kind_names"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} {spec}", f"DROP INDEX IF EXISTS {name}")
        for name, spec in INDEXES.items()
    ]
