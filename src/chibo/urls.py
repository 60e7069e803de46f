from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from chibo.core import views as core_views
from chibo.home import views as home_views
from chibo.library import views as library_views

urlpatterns = [
    path("", home_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", library_views.service_worker, name="library_sw"),  # the offline reader's scope is the site root
    path("audit/", home_views.audit_log, name="audit_log"),
    path("help/processes/", home_views.help_processes, name="help_processes"),
    path("help/", home_views.help_index, name="help"),
    path("help/glossary/", home_views.help_glossary, name="help_glossary"),
    path("help/guides/<slug:key>/", home_views.help_guide, name="help_guide"),
    path("roster/<int:pk>/", home_views.roster, name="roster"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("chibo.accounts.urls")),
    path("units/", include("chibo.units.urls")),
    path("members/", include("chibo.members.urls")),
    path("bulk/", include("chibo.bulk.urls")),
    path("deadlines/", include("chibo.deadlines.urls")),
    path("notifications/", include("chibo.notifications.urls")),
    path("meetings/", include("chibo.meetings.urls")),
    path("transfers/", include("chibo.transfers.urls")),
    path("rules/", include("chibo.rules.urls")),
    path("dues/", include("chibo.dues.urls")),
    path("grading/", include("chibo.grading.urls")),
    path("discipline/", include("chibo.discipline.urls")),
    path("study/", include("chibo.study.urls")),
    path("inspection/", include("chibo.inspection.urls")),
    path("library/", include("chibo.library.urls")),
    path("privacy/", include("chibo.privacy.urls")),
    path("stats/", include("chibo.stats.urls")),
    path("reports/", include("chibo.reports.urls")),
    path("programs/", include("chibo.programs.urls")),
    path("", include("chibo.admission.urls")),
    path("admission/", include("chibo.admission.case_urls")),
    path("api/v1/", include("chibo.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
]

handler400 = "chibo.core.views.bad_request"
handler403 = "chibo.core.views.forbidden"
handler404 = "chibo.core.views.not_found"
handler500 = "chibo.core.views.server_error"
