from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "chibo.units"
    label = "units"

    def ready(self) -> None:
        # The kinds' names and levels are rulebook families (units.kinds).
        from chibo.units import kinds

        kinds.register()
