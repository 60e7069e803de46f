from django.urls import path

from chibo.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("periods/<int:pk>/act/", views.period_act, name="period_act"),
    path("periods/<int:pk>/summary.xlsx", views.summary_xlsx, name="summary_xlsx"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/act/", views.review_act, name="review_act"),
    path("reviews/<int:pk>/paper/", views.review_paper, name="review_paper"),
    path("units/<int:pk>/", views.unit_review, name="unit_review"),
    path("units/<int:pk>/act/", views.unit_review_act, name="unit_review_act"),
]
