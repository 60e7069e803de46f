from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The pages that gather every process for one person: the front page and the audit log."""

    name = "chibo.home"
    label = "home"
