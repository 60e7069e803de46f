from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "chibo.meetings"
    label = "meetings"
    verbose_name = _("Sinh hoạt chi bộ")

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models).
        from django.db.models.signals import post_delete, post_save, pre_save

        from chibo.deadlines.feeds import register_source
        from chibo.deadlines.sweep import register_step
        from chibo.meetings import yearly
        from chibo.meetings.models import Meeting
        from chibo.meetings.selectors import meeting_events
        from chibo.meetings.services import meeting_deadlines_ensure

        register_step(lambda today: meeting_deadlines_ensure(today=today))
        # Derived data, not domain logic: whoever saves or deletes a meeting, the stored months held per year of its
        # unit are marked no longer sure in the same transaction (meetings.yearly).
        # The roll-up's months held are marked only where the save changed what the meeting counts (yearly.COUNTED).
        pre_save.connect(yearly.remember, sender=Meeting, dispatch_uid="meetings.yearly.before")
        post_save.connect(yearly.meeting_saved, sender=Meeting, dispatch_uid="meetings.yearly.saved")
        post_delete.connect(yearly.meeting_deleted, sender=Meeting, dispatch_uid="meetings.yearly.deleted")
        # A cell created, closed or renamed: its compliance figures are marked (meetings.yearly).
        post_save.connect(yearly.unit_saved, sender="units.Unit", dispatch_uid="meetings.yearly.unit_saved")
        register_source(lambda actor, absolute: meeting_events(
            actor, detail_url=lambda pk: absolute(reverse("meetings:detail", args=[pk]))))
