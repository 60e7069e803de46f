from django.urls import path

from chibo.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("requests/<int:pk>/act/", views.request_act, name="act"),
    path("requests/<int:pk>/export/", views.export, name="export"),
    path("reads/", views.reads, name="reads"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/<int:pk>/", views.breach, name="breach"),
    path("breaches/<int:pk>/act/", views.breach_act, name="breach_act"),
    path("anonymise/", views.anonymise, name="anonymise"),
    path("processing/", views.processing, name="processing"),
]
