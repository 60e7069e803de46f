from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "chibo.dues"
    label = "dues"
    verbose_name = "Đảng phí"

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the timeline's event types and the rule families.
        from chibo.deadlines.sweep import register_step
        from chibo.dues import rules, services, timeline_events  # noqa: F401

        rules.register()
        register_step(services.dues_sweep)
