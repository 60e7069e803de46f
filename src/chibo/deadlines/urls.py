from django.urls import path

from chibo.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.radar, name="radar"),
    path("feed/", views.feed_manage, name="feed_manage"),
    path("feed/<str:key>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/waive/", views.waive, name="waive"),
    path("<int:pk>/explain/", views.explain, name="explain"),
]
