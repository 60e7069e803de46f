from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Statistics of a subtree over a span of years: members, admissions, transfers, meetings, dues, grades, each
    read from its process's selectors (no tables of its own; the processes store per-unit yearly figures, kept
    fresh by the sweep step registered here)."""

    name = "chibo.stats"
    label = "stats"
    verbose_name = _("Thống kê")

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models).
        from chibo.deadlines.sweep import register_step
        from chibo.stats.stored import sweep_step

        register_step(sweep_step)
