from django.urls import path

from chibo.bulk import exchange_views, views

app_name = "bulk"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template/", views.template_download, name="template"),
    path("import/<int:pk>/", views.job_page, name="job"),
    path("import/<int:pk>/run/", views.job_run, name="job_run"),
    path("import/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("import/<int:pk>/report/", views.job_report, name="job_report"),
    path("export/members.xlsx", views.export_list, name="export_list"),
    path("export/members.csv", views.export_list, {"fmt": "csv"}, name="export_list_csv"),
    path("export/book/", views.book_pick, name="book_pick"),
    path("export/book/<int:pk>/", views.book, name="book"),
    path("exchange/", exchange_views.exchange_page, name="exchange"),
    path("exchange/export.json", exchange_views.exchange_export, {"fmt": "json"}, name="exchange_json"),
    path("exchange/export.xlsx", exchange_views.exchange_export, {"fmt": "xlsx"}, name="exchange_xlsx"),
    path("exchange/import/", exchange_views.exchange_import, name="exchange_import"),
    path("exchange/reconcile/", exchange_views.exchange_reconcile, name="exchange_reconcile"),
]
