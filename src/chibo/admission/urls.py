from django.urls import path

from chibo.admission import views

urlpatterns = [path("dossier/", views.dossier, name="my_dossier")]
