from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "chibo.study"
    label = "study"
    verbose_name = _("Học tập và giấy chứng nhận")
