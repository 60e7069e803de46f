from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "chibo.library"
    label = "library"
    verbose_name = _("Tủ tài liệu, sổ tài liệu mật")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the daily sweep sends the read-by reminders.
        from chibo.deadlines.sweep import register_step
        from chibo.library import services

        register_step(services.read_reminders_step)
