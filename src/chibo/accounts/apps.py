from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chibo.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Registered when the app registry is ready: these modules import models.
        from chibo.accounts import schema, signals  # noqa: F401
        from chibo.accounts.selectors import build_actor
        from chibo.core.access import set_actor_factory

        set_actor_factory(build_actor)
