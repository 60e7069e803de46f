from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chibo.accounts"
    label = "accounts"

    def ready(self) -> None:
        from chibo.accounts import schema, signals  # noqa: F401
