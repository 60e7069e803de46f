from django.urls import path

from chibo.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("board/", views.board, name="board"),
    path("<int:pk>/", views.program, name="program"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/act/", views.item_act, name="item_act"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("proposals/<int:pk>/act/", views.proposal_act, name="proposal_act"),
]
