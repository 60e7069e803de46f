from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class DuesConfig(AppConfig):
    name = "chibo.dues"
    label = "dues"
    verbose_name = _("Đảng phí")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types and the rule families.
        from chibo.deadlines.sweep import register_step
        from chibo.dues import rules, selectors, services, timeline_events  # noqa: F401
        from chibo.dues.lifecycle import REMITTANCE

        rules.register()
        from chibo.members import quality  # the data quality board: members without a dues profile

        quality.register("no_dues_profile", gettext_noop("Chưa có hồ sơ đảng phí"), 40,
                         selectors.member_without_profile_q)
        REMITTANCE.finder = selectors.remittance_get
        register_step(services.dues_sweep)
