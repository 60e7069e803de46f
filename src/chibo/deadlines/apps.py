from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "chibo.deadlines"
    label = "deadlines"

    def ready(self) -> None:
        # Importing these registers their subscribers (the members' events, the calendar's changes).
        from chibo.deadlines import recompute, services  # noqa: F401
