from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rapport.directory"
    label = "directory"

    def ready(self) -> None:
        from rapport.directory import signals

        signals.connect()
