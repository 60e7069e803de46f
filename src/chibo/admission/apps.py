from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AdmissionConfig(AppConfig):
    name = "chibo.admission"
    label = "admission"

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types and the services.
        from chibo.admission import selectors, services, timeline_events  # noqa: F401
        from chibo.admission.lifecycle import CASE

        CASE.finder = selectors.case_get
        from chibo.members import quality  # the data quality board: the dates of the member's case

        quality.register("ceremony_before_decision", gettext_noop("Lễ kết nạp trước ngày quyết định"), 50,
                         selectors.case_ceremony_before_decision_q)
        quality.register("probation_end_before_start", gettext_noop("Hết dự bị trước khi bắt đầu dự bị"), 60,
                         selectors.case_probation_end_before_start_q)
