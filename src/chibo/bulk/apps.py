from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    name = "chibo.bulk"
    label = "bulk"
    verbose_name = _("Nhập, xuất dữ liệu")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chibo.bulk.jobs import imports_purge, jobs_fail_stale
        from chibo.deadlines.sweep import register_step

        register_step(jobs_fail_stale)
        register_step(imports_purge)
