from django.apps import AppConfig


class RulesConfig(AppConfig):
    """Pages and API of the rulebook and the working-day calendar (the logic lives in chibo.core)."""

    name = "chibo.rules"
    label = "rules"
