from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Statistics of a subtree over a span of years: members, admissions, transfers, meetings, dues, grades, each
    read from its process's selectors (no tables of its own)."""

    name = "chibo.stats"
    label = "stats"
    verbose_name = "Thống kê"
