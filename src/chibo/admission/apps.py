from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "chibo.admission"
    label = "admission"

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types and the services.
        from chibo.admission import selectors, services, timeline_events  # noqa: F401
        from chibo.admission.lifecycle import CASE

        CASE.finder = selectors.case_get
