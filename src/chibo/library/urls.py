from django.urls import path

from chibo.library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("sent/", views.sent, name="sent"),
    path("new/", views.new, name="new"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/versions/", views.version, name="version"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("files/<int:pk>/", views.file, name="file"),
    path("classified/", views.classified, name="classified"),
    path("classified/<int:pk>/", views.entry, name="entry"),
    path("classified/<int:pk>/handover/", views.handover, name="handover"),
    path("classified/<int:pk>/destroy/", views.destroy, name="destroy"),
    path("handovers/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
