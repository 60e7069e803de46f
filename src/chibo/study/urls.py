from django.urls import path

from chibo.study import views

app_name = "study"
urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/reflection/", views.reflection_write, name="reflection_write"),
    path("reflections/<int:pk>/", views.reflection, name="reflection"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<int:pk>/delete/", views.certificate_delete, name="certificate_delete"),
]
