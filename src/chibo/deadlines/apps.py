from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "chibo.deadlines"
    label = "deadlines"
