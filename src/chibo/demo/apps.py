from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organization (``chibo demo``) and national-scale load data, on top of every process."""

    name = "chibo.demo"
    label = "demo"
