from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "chibo.transfers"
    label = "transfers"
    verbose_name = "Chuyển sinh hoạt đảng"

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types, and the services,
        # which register as the runners of the lifecycles' steps.
        from chibo.transfers import services, timeline_events  # noqa: F401
