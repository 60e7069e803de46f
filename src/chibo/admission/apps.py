from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "chibo.admission"
    label = "admission"
