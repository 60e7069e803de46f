from django.apps import AppConfig
from django.urls import reverse


class MeetingsConfig(AppConfig):
    name = "chibo.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models).
        from chibo.deadlines.feeds import register_source
        from chibo.deadlines.sweep import register_step
        from chibo.meetings.selectors import meeting_events
        from chibo.meetings.services import meeting_deadlines_ensure

        register_step(lambda today: meeting_deadlines_ensure(today=today))
        register_source(lambda actor, absolute: meeting_events(
            actor, detail_url=lambda pk: absolute(reverse("meetings:detail", args=[pk]))))
