from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "rapport.retention"
    label = "retention"
