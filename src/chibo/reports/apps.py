from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class ReportsConfig(AppConfig):
    name = "chibo.reports"
    label = "reports"
    verbose_name = _("Báo cáo định kỳ")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the services register the steps, the selectors
        # find a report for `chibo act`.
        from chibo.core import rulebook
        from chibo.reports import live, selectors, services  # noqa: F401  (live: the roll-up's stored family)
        from chibo.reports.lifecycle import REPORT

        REPORT.finder = selectors.report_get
        rulebook.NAMES.setdefault(services.DUE_RULE,
                                  gettext_noop("Thời hạn nộp báo cáo định kỳ lên cấp trên (sau khi hết kỳ)"))
