from django.urls import path

from chibo.discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("register.xlsx", views.register_xlsx, name="register"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/act/", views.case_act, name="act"),
    path("cases/<int:pk>/decision/", views.decision, name="decision"),
]
