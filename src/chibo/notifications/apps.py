from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "chibo.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
