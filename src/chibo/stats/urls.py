from django.urls import path

from chibo.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.page, name="page"),
    path("thong-ke.xlsx", views.workbook, name="xlsx"),
]
