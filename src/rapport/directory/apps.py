from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rapport.directory"
    label = "directory"
