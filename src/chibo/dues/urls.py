from django.urls import path

from chibo.dues import views

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit_month, name="unit"),
    path("units/<int:pk>/book/", views.book, name="book"),
    path("units/<int:pk>/remit/", views.remit, name="remit"),
    path("units/<int:pk>/statement/", views.statement, name="statement"),
    path("members/<int:pk>/", views.member_page, name="member"),
    path("members/<int:pk>/pay/", views.pay, name="pay"),
    path("members/<int:pk>/profile/", views.profile, name="profile"),
    path("members/<int:pk>/decision/", views.decision, name="decision"),
    path("decisions/<int:pk>/revoke/", views.decision_revoke, name="decision_revoke"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("entries/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("remittances/<int:pk>/", views.remittance, name="remittance"),
    path("rates/", views.rates, name="rates"),
    path("rates/exchange/", views.exchange_rate, name="exchange_rate"),
    path("rates/exchange/import/", views.exchange_rates_import, name="exchange_rates_import"),
]
