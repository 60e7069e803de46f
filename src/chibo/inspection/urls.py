from django.urls import path

from chibo.inspection import views

app_name = "inspection"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/notes/", views.plan_notes, name="plan_notes"),
    path("items/<int:pk>/act/", views.item_act, name="item_act"),
    path("new/", views.new, name="new"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/act/", views.case_act, name="case_act"),
]
