from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "chibo.units"
    label = "units"
