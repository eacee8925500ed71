from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "rapport.offline"
    label = "offline"
