from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "chibo.discipline"
    label = "discipline"
    verbose_name = _("Kỷ luật đảng")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types, the competence family,
        # the case's finder.
        from chibo.discipline import rules, selectors, services, timeline_events  # noqa: F401
        from chibo.discipline.lifecycle import CASE

        rules.register()

        CASE.finder = selectors.case_get
