from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "chibo.study"
    label = "study"
    verbose_name = "Học tập và giấy chứng nhận"
