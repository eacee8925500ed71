from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "rapport.staff"
    label = "staff"
