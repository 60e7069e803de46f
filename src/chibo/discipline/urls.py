from django.urls import path

from chibo.discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("register.xlsx", views.register_xlsx, name="register"),
    path("register.pdf", views.register_pdf, name="register_pdf"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/act/", views.case_act, name="act"),
    path("cases/<int:pk>/decision/", views.decision, name="decision"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/act/", views.notice_act, name="notice_act"),
]
