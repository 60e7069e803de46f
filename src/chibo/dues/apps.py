from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "chibo.dues"
    label = "dues"
    verbose_name = "Đảng phí"

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types and the rule families.
        from chibo.dues import rules, timeline_events  # noqa: F401

        rules.register()
