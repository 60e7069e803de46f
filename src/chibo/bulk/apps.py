from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "chibo.bulk"
    label = "bulk"
    verbose_name = "Nhập, xuất dữ liệu"
    default_auto_field = "django.db.models.BigAutoField"
