from django.urls import path

from chibo.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("compliance/", views.compliance, name="compliance"),
    path("book/", views.book, name="book"),
    path("units/<int:pk>/settings/", views.unit_settings, name="unit_settings"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/receipt/", views.receipt_check, name="receipt"),
    path("<int:pk>/minutes/", views.minutes_file, name="minutes_file"),
    path("<int:pk>/minutes/print/", views.minutes_print, name="minutes_print"),
    path("<int:pk>/attendance-sheet/", views.attendance_sheet, name="attendance_sheet"),
    path("ballots/<int:pk>/vote/", views.vote, name="vote"),
    path("documents/<int:pk>/", views.document, name="document"),
]
