from django.urls import path

from chibo.admission import views

app_name = "admission"

urlpatterns = [
    path("", views.board, name="board"),
    path("thong-ke/", views.stats, name="stats"),
    path("moi/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/buoc/", views.case_step, name="step"),
    path("<int:pk>/moi-vao-ho-so/", views.case_invite, name="invite"),
    path("<int:pk>/van-ban/", views.case_paper, name="paper"),
]
