from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "chibo.grading"
    label = "grading"
    verbose_name = _("Kiểm điểm, xếp loại")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types, the criteria family,
        # the lifecycles' finders.
        from chibo.grading import rules, selectors, services, timeline_events  # noqa: F401
        from chibo.grading.lifecycle import PERIOD, REVIEW, UNIT_REVIEW

        rules.register()
        REVIEW.finder = selectors.review_get
        UNIT_REVIEW.finder = selectors.unit_review_get
        PERIOD.finder = selectors.period_get
