from django.urls import path

from chibo.rules import views as rules_views

app_name = "rules"

urlpatterns = [
    path("", rules_views.index, name="index"),
    # Before the rule detail: "calendar" is not a rule key (keys are dotted: "admission.decide_within").
    path("calendar/", rules_views.calendar, name="calendar"),
    path("calendar/remove/", rules_views.calendar_remove, name="calendar_remove"),
    path("watch/", rules_views.watch, name="watch"),
    path("watch/<int:pk>/confirm/", rules_views.confirm, name="confirm"),
    path("<str:key>/", rules_views.detail, name="detail"),
]
