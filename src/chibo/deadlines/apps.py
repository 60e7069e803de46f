from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "chibo.deadlines"
    label = "deadlines"

    def ready(self) -> None:
        # Importing the services registers their subscribers to the members' events.
        from chibo.deadlines import services  # noqa: F401
