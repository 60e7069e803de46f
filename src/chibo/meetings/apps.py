from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "chibo.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"
