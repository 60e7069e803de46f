from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "chibo.transfers"
    label = "transfers"
    verbose_name = _("Chuyển sinh hoạt đảng")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types, and the services,
        # which register as the runners of the lifecycles' steps.
        from django.db.models.signals import post_delete, post_save, pre_save

        from chibo.transfers import selectors, services, timeline_events, yearly  # noqa: F401
        from chibo.transfers.lifecycle import DECLARATION, DELEGATION, EXEMPTION, TRANSFER, TRIP
        from chibo.transfers.models import Transfer
        from chibo.units.panels import UnitPanel, register_panel

        # The roll-up's stored transfers per month follow every write of a transfer that changes what it counts (its
        # dates, whether it is cancelled, its units), whoever writes it.
        pre_save.connect(yearly.remember, sender=Transfer, dispatch_uid="transfers.yearly.before")
        post_save.connect(yearly.transfer_saved, sender=Transfer, dispatch_uid="transfers.yearly.saved")
        post_delete.connect(yearly.transfer_deleted, sender=Transfer, dispatch_uid="transfers.yearly.deleted")

        for lc, finder in ((TRANSFER, selectors.transfer_get), (TRIP, selectors.trip_get),
                           (DECLARATION, selectors.declaration_get), (EXEMPTION, selectors.exemption_get),
                           (DELEGATION, selectors.delegation_get)):
            lc.finder = finder
        register_panel(UnitPanel("temporary", 25, "transfers/panels/temporary.html", selectors.temporary_panel))
