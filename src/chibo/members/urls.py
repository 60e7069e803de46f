from django.urls import path

from chibo.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_new, name="new"),
    path("me/", views.me, name="me"),
    path("quality/", views.quality_board, name="quality"),
    path("quality/<slug:key>/", views.quality_members, name="quality_members"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/invite/", views.member_invite, name="invite"),
    path("invite/unit/<int:pk>/", views.unit_invite, name="invite_unit"),
    path("committee/<int:pk>/appoint/", views.post_new, name="post_new"),
    path("committee/posts/<int:pk>/end/", views.post_end, name="post_end"),
]
