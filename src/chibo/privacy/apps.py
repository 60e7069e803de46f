from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "chibo.privacy"
    label = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the services register the lifecycle's runners,
        # the request's finder serves `chibo act`.
        from chibo.privacy import selectors, services  # noqa: F401
        from chibo.privacy.lifecycle import BREACH, REQUEST

        REQUEST.finder = selectors.request_get
        BREACH.finder = selectors.breach_get
