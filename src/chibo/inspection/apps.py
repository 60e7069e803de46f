from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "chibo.inspection"
    label = "inspection"
    verbose_name = _("Kiểm tra, giám sát")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the services register the steps, the selectors
        # find an item or a case for `chibo act`.
        from chibo.inspection import selectors, services  # noqa: F401
        from chibo.inspection.lifecycle import CASE, ITEM

        ITEM.finder = selectors.item_get
        CASE.finder = selectors.case_get
