from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "rapport.clinic"
    label = "clinic"
